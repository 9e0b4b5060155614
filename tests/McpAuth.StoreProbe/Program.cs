using System;
using McpAuth.Core.Registration;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core;
using McpAuth.Core.Mcp;
using McpAuth.Core.Storage;

namespace McpAuth.StoreProbe
{
    /// <summary>
    /// Runs one credential store operation in its own process, with the store chosen by the environment
    /// (MCPAUTH_CREDENTIAL_STORE, MCPAUTH_STORE_DIR, MCPAUTH_ALLOW_PLAINTEXT_STORAGE). Output is one
    /// line per fact on stdout; an engine error prints "error &lt;ErrorId&gt;" and exits 2.
    /// </summary>
    internal static class Program
    {
        private static async Task<int> Main(string[] args)
        {
            try
            {
                var callbacks = new StderrCallbacks();
                ICredentialStore store = CredentialStoreFactory.Create(new CredentialStoreOptions { Callbacks = callbacks });
                string command = args.Length > 0 ? args[0] : string.Empty;
                switch (command)
                {
                    case "put":
                        await store.UpdateAsync(Key(args), _ => Record(Key(args), args[3], 0), callbacks, CancellationToken.None);
                        Console.WriteLine("stored");
                        return 0;
                    case "get":
                        CredentialRecord? record = await store.GetAsync(Key(args), callbacks, CancellationToken.None);
                        Console.WriteLine(record is null ? "none" : "found " + record.Tokens?.AccessToken?.Reveal());
                        return 0;
                    case "list":
                        foreach (CredentialRecord r in await store.ListAsync(callbacks, CancellationToken.None))
                        {
                            Console.WriteLine((r.IsCorrupted ? "corrupted " : "ok ") + r.Key.Resource + " " + r.Key.Issuer);
                        }

                        return 0;
                    case "remove":
                        await store.RemoveAsync(Key(args), callbacks, CancellationToken.None);
                        Console.WriteLine("removed");
                        return 0;
                    case "reset":
                        await store.ResetAsync(callbacks, CancellationToken.None);
                        Console.WriteLine("reset");
                        return 0;
                    case "increment":
                        // Read-modify-write races: each step adds one to the number kept as the access token.
                        int count = int.Parse(args[3], CultureInfo.InvariantCulture);
                        for (int i = 0; i < count; i++)
                        {
                            await store.UpdateAsync(Key(args), current =>
                            {
                                int n = current?.Tokens?.AccessToken is { } t ? int.Parse(t.Reveal(), CultureInfo.InvariantCulture) : 0;
                                return Record(Key(args), (n + 1).ToString(CultureInfo.InvariantCulture), 0) with { CreatedAt = current?.CreatedAt ?? default };
                            }, callbacks, CancellationToken.None);
                        }

                        Console.WriteLine("incremented");
                        return 0;
                    case "hammer":
                        // Writes big records forever, to be killed with SIGKILL in the middle of a write.
                        // It counts on from the stored value, so a test killing it again and again can see that the stored
                        // value never goes back.
                        int padding = int.Parse(args[3], CultureInfo.InvariantCulture);
                        CredentialRecord? start = await store.GetAsync(Key(args), callbacks, CancellationToken.None);
                        long first = start?.Tokens?.AccessToken is { } stored && long.TryParse(stored.Reveal(), NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n + 1 : 1;
                        for (long i = first; ; i++)
                        {
                            long value = i;
                            await store.UpdateAsync(Key(args), _ => Record(Key(args), value.ToString(CultureInfo.InvariantCulture), padding), callbacks, CancellationToken.None);
                            if (i == first)
                            {
                                Console.WriteLine("running");
                                Console.Out.Flush();
                            }
                        }

                    case "session":
                        // One store for the life of the process, driven line by line from stdin ("put resource issuer
                        // token", "get resource issuer"), so a test can restart the keyring daemon between lines.
                        Console.WriteLine("ready");
                        for (string? line; (line = Console.ReadLine()) is not null;)
                        {
                            string[] words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                            try
                            {
                                if (line.StartsWith("put ", StringComparison.Ordinal))
                                {
                                    await store.UpdateAsync(Key(words), _ => Record(Key(words), words[3], 0), callbacks, CancellationToken.None);
                                    Console.WriteLine("stored");
                                }
                                else
                                {
                                    CredentialRecord? found = await store.GetAsync(Key(words), callbacks, CancellationToken.None);
                                    Console.WriteLine(found is null ? "none" : "found " + found.Tokens?.AccessToken?.Reveal());
                                }
                            }
                            catch (McpAuthException ex)
                            {
                                Console.WriteLine("error " + ex.ErrorId);
                                Console.Error.WriteLine(ex.Message);
                            }
                        }

                        return 0;
                    default:
                        Console.Error.WriteLine("usage: put|get|list|remove|reset|increment|hammer|session ...");
                        return 64;
                }
            }
            catch (McpAuthException ex)
            {
                Console.WriteLine("error " + ex.ErrorId);
                Console.Error.WriteLine(ex.Message);
                if (ex is IHasRecommendedAction { RecommendedAction: { } action })
                {
                    Console.WriteLine("action " + action);
                }

                return 2;
            }
        }

        private static CredentialKey Key(string[] args) => new CredentialKey(args[1], args[2]);

        private static CredentialRecord Record(CredentialKey key, string accessToken, int padding) => new CredentialRecord(key)
        {
            Client = new StoredClientIdentity("probe-client", ClientIdentitySource.DynamicRegistration) { TokenEndpointAuthMethod = "none" },
            Tokens = new StoredTokenSet
            {
                AccessToken = new Secret(accessToken),
                RefreshToken = new Secret("refresh-" + accessToken + new string('r', padding)),
                TokenType = "Bearer",
                Scopes = new[] { "mcp:read" },
                ExpiresAt = DateTimeOffset.UtcNow.AddHours(1),
            },
            Discovery = new StoredDiscovery(key.Issuer) { TokenEndpoint = new Uri(key.Issuer.TrimEnd('/') + "/token"), FetchedAt = DateTimeOffset.UtcNow },
            AuthorizedBy = AuthorizationMethod.Handler,
        };

        private sealed class StderrCallbacks : IEngineCallbacks
        {
            public bool IsInteractive => false;

            public void Verbose(string message)
            {
            }

            public void Debug(string message)
            {
            }

            public void Warning(string message) => Console.Error.WriteLine("warning: " + message);

            public void Progress(ProgressUpdate update)
            {
            }

            public Task<ElicitationResult> ElicitAsync(ElicitationRequest request, CancellationToken cancellationToken)
                => Task.FromResult(ElicitationResult.Decline());

            public void Information(string message) => Console.Error.WriteLine(message);

            public Task<Uri?> InvokeAuthorizationHandlerAsync(object handler, Uri authorizationUrl, CancellationToken cancellationToken)
                => Task.FromResult<Uri?>(null);

            public Task<string?> ReadLineAsync(string prompt, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
        }
    }
}
