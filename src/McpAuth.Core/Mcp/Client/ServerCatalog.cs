using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Core.Mcp
{
    /// <summary>
    /// What live connections offer (tools, resources, resource templates, prompts), for tab completion. A
    /// connection's last list is used as it is. Otherwise the list is asked for once, in the background, through
    /// the connection's own client, and the caller waits only briefly: a slow server yields nothing on this Tab
    /// and the list on the next. Completion never starts a sign-in: its requests present the token a connection
    /// holds and come back as they are on a challenge. A failed listing is not repeated for a few seconds.
    /// </summary>
    public static class ServerCatalog
    {
        /// <summary>How long a failed listing is remembered before a later Tab tries again.</summary>
        private static readonly TimeSpan FailureBackoff = TimeSpan.FromSeconds(10);

        /// <summary>How long a background listing may take before it is cancelled.</summary>
        private static readonly TimeSpan BackgroundLimit = TimeSpan.FromSeconds(30);

        private static readonly object Gate = new object();
        private static readonly ConditionalWeakTable<McpConnection, Dictionary<string, Listing>> Listings = new ConditionalWeakTable<McpConnection, Dictionary<string, Listing>>();

        /// <summary>The tools of each connection known within <paramref name="wait"/> (all of them together).</summary>
        public static IReadOnlyList<KeyValuePair<McpConnection, IReadOnlyList<McpToolInfo>>> Tools(IReadOnlyList<McpConnection> connections, TimeSpan wait)
            => Get(connections, wait, "tools", c => c.Client.CachedTools, (c, context, token) => c.Client.ListToolsAsync(context, token));

        /// <summary>The resources of each connection known within <paramref name="wait"/>.</summary>
        public static IReadOnlyList<KeyValuePair<McpConnection, IReadOnlyList<McpResourceInfo>>> Resources(IReadOnlyList<McpConnection> connections, TimeSpan wait)
            => Get(connections, wait, "resources", c => c.Client.CachedResources, (c, context, token) => c.Client.ListResourcesAsync(context, token));

        /// <summary>The resource templates of each connection known within <paramref name="wait"/>.</summary>
        public static IReadOnlyList<KeyValuePair<McpConnection, IReadOnlyList<McpResourceTemplateInfo>>> ResourceTemplates(IReadOnlyList<McpConnection> connections, TimeSpan wait)
            => Get(connections, wait, "templates", c => c.Client.CachedResourceTemplates, (c, context, token) => c.Client.ListResourceTemplatesAsync(context, token));

        /// <summary>The prompts of each connection known within <paramref name="wait"/>.</summary>
        public static IReadOnlyList<KeyValuePair<McpConnection, IReadOnlyList<McpPromptInfo>>> Prompts(IReadOnlyList<McpConnection> connections, TimeSpan wait)
            => Get(connections, wait, "prompts", c => c.Client.CachedPrompts, (c, context, token) => c.Client.ListPromptsAsync(context, token));

        private static IReadOnlyList<KeyValuePair<McpConnection, IReadOnlyList<T>>> Get<T>(
            IReadOnlyList<McpConnection> connections,
            TimeSpan wait,
            string kind,
            Func<McpConnection, IReadOnlyList<T>?> cached,
            Func<McpConnection, McpCallContext, CancellationToken, Task<IReadOnlyList<T>>> list)
        {
            var pending = connections.Select(c => new KeyValuePair<McpConnection, Task<IReadOnlyList<T>>>(c, Start(c, kind, cached, list))).ToList();
            Task all = Task.WhenAll(pending.Select(p => p.Value));
            if (!all.IsCompleted)
            {
                Task.WhenAny(all, Task.Delay(wait)).GetAwaiter().GetResult();
            }

            return pending
                .Where(p => p.Value.Status == TaskStatus.RanToCompletion)
                .Select(p => new KeyValuePair<McpConnection, IReadOnlyList<T>>(p.Key, p.Value.Result))
                .ToList();
        }

        private static Task<IReadOnlyList<T>> Start<T>(McpConnection connection, string kind, Func<McpConnection, IReadOnlyList<T>?> cached, Func<McpConnection, McpCallContext, CancellationToken, Task<IReadOnlyList<T>>> list)
        {
            IReadOnlyList<T> none = Array.Empty<T>();
            if (cached(connection) is IReadOnlyList<T> known)
            {
                return Task.FromResult(known);
            }

            if (connection.IsClosed || !connection.Client.IsConnected)
            {
                return Task.FromResult(none);
            }

            lock (Gate)
            {
                Dictionary<string, Listing> listings = Listings.GetValue(connection, _ => new Dictionary<string, Listing>(StringComparer.Ordinal));
                if (listings.TryGetValue(kind, out Listing? earlier) && earlier.Task is Task<IReadOnlyList<T>> task)
                {
                    bool failed = task.IsFaulted || task.IsCanceled;
                    if (!task.IsCompleted || (!failed && cached(connection) is not null) || (failed && DateTime.UtcNow - earlier.Started < FailureBackoff))
                    {
                        return failed ? Task.FromResult(none) : task;
                    }
                }

                Task<IReadOnlyList<T>> started = Task.Run(() => ListAsync(connection, list));
                _ = started.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                listings[kind] = new Listing(started, DateTime.UtcNow);
                return started;
            }
        }

        private static async Task<IReadOnlyList<T>> ListAsync<T>(McpConnection connection, Func<McpConnection, McpCallContext, CancellationToken, Task<IReadOnlyList<T>>> list)
        {
            using var limit = new CancellationTokenSource(BackgroundLimit);
            var context = new McpCallContext(NullEngineCallbacks.Instance) { AllowSignIn = false };
            return await list(connection, context, limit.Token).ConfigureAwait(false);
        }

        private sealed class Listing
        {
            public Listing(Task task, DateTime started)
            {
                Task = task;
                Started = started;
            }

            public Task Task { get; }

            public DateTime Started { get; }
        }
    }
}
