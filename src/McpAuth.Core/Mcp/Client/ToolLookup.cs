using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Core.Mcp
{
    /// <summary>
    /// The tools of live connections, for tab completion. A connection's cached list is used as it is.
    /// Otherwise tools/list is sent once, in the background, through the connection's own client, and the
    /// caller waits only briefly: a slow server yields nothing on this Tab and the cached list on the next.
    /// Completion never starts a sign-in: its requests present the token a connection holds and come back
    /// as they are on a challenge. A failed listing is not repeated for a few seconds.
    /// </summary>
    public static class ToolLookup
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

            if (connection.IsClosed || !connection.Client.IsConnected)
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
            var context = new McpCallContext(NullEngineCallbacks.Instance) { AllowSignIn = false };
            return await connection.Client.ListToolsAsync(context, limit.Token).ConfigureAwait(false);
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
    }
}
