using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core;
using McpAuth.Core.Http;
using McpAuth.Core.Mcp;
using McpAuth.Core.Storage;
using McpAuth.Core.Tokens;

namespace McpAuth.Completion
{
    /// <summary>
    /// The tools of live connections, for completion. A connection's cached tools (from Get-McpTool or an
    /// earlier completion) are used as they are. Otherwise tools/list is sent once, in the background, and
    /// the completer waits only briefly for it: a slow server yields nothing on this Tab and the cached
    /// list on the next one. Completion never starts a sign-in: a connection that could sign in without a
    /// person (client credentials, device code, an authorization handler) lists its tools in a separate
    /// short session that only presents the token it already holds, and one without a token offers nothing.
    /// </summary>
    internal static class ToolCatalog
    {
        /// <summary>How long a failed listing is remembered before a later Tab tries again.</summary>
        private static readonly TimeSpan FailureBackoff = TimeSpan.FromSeconds(10);

        /// <summary>How long a background listing may take before it is cancelled.</summary>
        private static readonly TimeSpan BackgroundLimit = TimeSpan.FromSeconds(30);

        private static readonly IReadOnlyList<McpToolInfo> None = Array.Empty<McpToolInfo>();
        private static readonly object Gate = new object();
        private static readonly ConditionalWeakTable<McpConnection, Listing> Listings = new ConditionalWeakTable<McpConnection, Listing>();

        /// <summary>The tools of each connection known within <paramref name="wait"/> (all of them together).</summary>
        public static IReadOnlyList<KeyValuePair<McpConnection, IReadOnlyList<McpToolInfo>>> Get(IReadOnlyList<McpConnection> connections, TimeSpan wait)
        {
            var pending = connections.Select(c => new KeyValuePair<McpConnection, Task<IReadOnlyList<McpToolInfo>>>(c, Start(c))).ToList();
            Task all = Task.WhenAll(pending.Select(p => p.Value));
            if (!all.IsCompleted)
            {
                Task.WhenAny(all, Task.Delay(wait)).GetAwaiter().GetResult();
            }

            return pending
                .Where(p => p.Value.Status == TaskStatus.RanToCompletion)
                .Select(p => new KeyValuePair<McpConnection, IReadOnlyList<McpToolInfo>>(p.Key, p.Value.Result))
                .ToList();
        }

        private static Task<IReadOnlyList<McpToolInfo>> Start(McpConnection connection)
        {
            if (connection.CachedTools is IReadOnlyList<McpToolInfo> cached)
            {
                return Task.FromResult(cached);
            }

            if (connection.IsClosed || !connection.Session.IsInitialized)
            {
                return Task.FromResult(None);
            }

            lock (Gate)
            {
                if (Listings.TryGetValue(connection, out Listing? earlier))
                {
                    bool failed = earlier.Task.IsFaulted || earlier.Task.IsCanceled;
                    if (!earlier.Task.IsCompleted || (!failed && connection.CachedTools is not null) || (failed && DateTime.UtcNow - earlier.Started < FailureBackoff))
                    {
                        return failed ? Task.FromResult(None) : earlier.Task;
                    }

                    Listings.Remove(connection);
                }

                Task<IReadOnlyList<McpToolInfo>> task = Task.Run(() => ListAsync(connection));
                _ = task.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                Listings.Add(connection, new Listing(task, DateTime.UtcNow));
                return task;
            }
        }

        private static async Task<IReadOnlyList<McpToolInfo>> ListAsync(McpConnection connection)
        {
            using var limit = new CancellationTokenSource(BackgroundLimit);
            OAuthAuthorizer? oauth = connection.OAuth;

            // Browser sign-in needs an interactive session, which NullEngineCallbacks never is (and a
            // connection may be barred from signing in at all): the shared session may use or refresh a
            // held token, but it cannot start a sign-in from here.
            if (oauth is null || oauth.Options.Method == AuthorizationMethod.Browser || !oauth.Options.AllowSignIn)
            {
                return await connection.ListToolsAsync(NullEngineCallbacks.Instance, limit.Token).ConfigureAwait(false);
            }

            if (!oauth.HasToken)
            {
                return None;
            }

            var options = new McpClientOptions { RequestTimeout = BackgroundLimit, ClientName = "McpAuth" };
            using var session = new McpClientSession(connection.ServerUri, connection.Http, options, new HeldTokenOnly(oauth));
            try
            {
                await session.EnsureInitializedAsync(NullEngineCallbacks.Instance, limit.Token).ConfigureAwait(false);
                IReadOnlyList<McpToolInfo> tools = await session.ListToolsAsync(NullEngineCallbacks.Instance, limit.Token).ConfigureAwait(false);
                connection.CachedTools ??= tools;
                return tools;
            }
            finally
            {
                try
                {
                    await session.CloseAsync(NullEngineCallbacks.Instance, limit.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is McpAuthException || ex is HttpRequestException || ex is OperationCanceledException)
                {
                    // Best effort: the server forgets an idle session anyway.
                }
            }
        }

        private sealed class Listing
        {
            public Listing(Task<IReadOnlyList<McpToolInfo>> task, DateTime started)
            {
                Task = task;
                Started = started;
            }

            public Task<IReadOnlyList<McpToolInfo>> Task { get; }

            public DateTime Started { get; }
        }

        /// <summary>Presents the access token a connection already holds while it is valid; never renews it, never signs in.</summary>
        private sealed class HeldTokenOnly : IRequestAuthorizer
        {
            private readonly OAuthAuthorizer source;

            public HeldTokenOnly(OAuthAuthorizer source)
            {
                this.source = source;
            }

            public Task AuthorizeAsync(HttpRequestMessage request, IEngineCallbacks callbacks, CancellationToken cancellationToken)
            {
                TokenSet? tokens = source.Tokens;
                if (tokens is not null && !tokens.IsExpired(DateTimeOffset.UtcNow, source.Options.ExpirySkew))
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken.Reveal());
                }

                return Task.CompletedTask;
            }

            public Task<bool> HandleChallengeAsync(HttpResponseMessage response, int attempt, IEngineCallbacks callbacks, CancellationToken cancellationToken)
                => Task.FromResult(false);
        }
    }
}
