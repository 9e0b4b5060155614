using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Mcp;
using McpAuth.Core.Storage;
using McpAuth.Core.Tests.Storage;
using McpAuth.Core.Tokens;
using McpAuth.Testing.Hostile;

namespace McpAuth.Core.Tests.Hostile
{
    /// <summary>
    /// The engine as a cmdlet runs it, against a <see cref="MiniMcpPeer"/> (or a hostile server): one connection per
    /// server over a plaintext store in a temporary directory, sign-in through an authorization handler that plays
    /// the browser, every callback message recorded, and every operation in one redaction scope.
    /// </summary>
    internal sealed class HostileEngine : IDisposable
    {
        private readonly List<McpConnection> connections = new();

        public HostileEngine(MiniMcpPeer? peer = null, string? storeDir = null)
        {
            Peer = peer;
            StoreDir = storeDir ?? Temp.StoreDir;
        }

        public TempDirectory Temp { get; } = new();

        public MiniMcpPeer? Peer { get; }

        public string StoreDir { get; }

        public RecordingCallbacks Callbacks { get; } = new();

        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

        public CredentialStoreOptions Store => new() { Kind = CredentialStoreKind.Plaintext, Directory = StoreDir, AllowPlaintext = true };

        /// <summary>A new connection (as a new command in a new process would make one), signing in with the peer's browser.</summary>
        public McpConnection Connect(string url, Func<Uri, CancellationToken, Task<Uri?>>? handler = null, bool allowSignIn = true, McpAuth.Core.Registration.ClientOptions? client = null)
        {
            var connection = new McpConnection(new Uri(url), new McpConnectOptions
            {
                Timeout = Timeout,
                SignIn = new SignInOptions
                {
                    Method = AuthorizationMethod.Handler,
                    MethodChosen = true,
                    AuthorizationHandler = handler ?? Peer?.Browser,
                    Store = Store,
                    SignInTimeout = TimeSpan.FromSeconds(30),
                    AllowSignIn = allowSignIn,
                    Client = client ?? new McpAuth.Core.Registration.ClientOptions(),
                },
            });
            connections.Add(connection);
            return connection;
        }

        /// <summary>Connects and calls the echo tool, in one redaction scope; returns the text.</summary>
        public Task<string> EchoAsync(McpConnection connection, string message, CancellationToken cancellationToken = default) => RunAsync(async token =>
        {
            var context = new McpCallContext(Callbacks);
            await connection.Client.ConnectAsync(context, verify: true, token);
            McpToolResult result = await connection.Client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = message }, context, token);
            return result.Text;
        }, cancellationToken);

        /// <summary>Runs an operation the way a cmdlet does: in one redaction scope.</summary>
        public static async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken = default)
        {
            using IDisposable scope = OperationSecrets.Begin();
            return await operation(cancellationToken);
        }

        /// <summary>Every request to <paramref name="path"/> carried no bearer token but those the peer issued for <paramref name="resource"/>.</summary>
        public IReadOnlyList<string> ForeignTokensSentTo(string path, string resource) =>
            Peer!.RequestsTo(path).Select(r => r.Bearer).Where(t => t is not null && Peer.ResourceOf(t) != resource).Select(t => t!).ToList();

        public void Dispose()
        {
            foreach (McpConnection connection in connections)
            {
                connection.Dispose();
            }

            Temp.Dispose();
        }
    }
}
