using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Core.Mcp
{
    /// <summary>
    /// A subscription to resource changes, the same for both eras (see <see cref="McpClient.SubscribeAsync"/>).
    /// Changes queue up as they arrive; <see cref="NextAsync"/> takes them in order. When the server ends the
    /// subscription gracefully (or the connection is closed) it returns null; when the subscription fails, it
    /// throws the typed error. <see cref="CloseAsync"/> ends it from this side: the modern stream is closed
    /// (which releases the server's stream), a legacy server gets resources/unsubscribe.
    /// </summary>
    public sealed class McpSubscription
    {
        /// <summary>More changes than this waiting to be taken: the oldest is dropped.</summary>
        private const int MaxQueued = 10000;

        private readonly ConcurrentQueue<McpResourceChange> queue = new ConcurrentQueue<McpResourceChange>();
        private readonly SemaphoreSlim signal = new SemaphoreSlim(0);
        private readonly Func<DateTimeOffset> clock;
        private readonly Action<string> invalidate;
        private IChangeFeed? feed;
        private long dropped;

        internal McpSubscription(Uri serverUri, Func<DateTimeOffset> clock, Action<string> invalidate)
        {
            ServerUri = serverUri;
            this.clock = clock;
            this.invalidate = invalidate;
        }

        public Uri ServerUri { get; }

        /// <summary>Gets the resource URIs the server agreed to report changes of.</summary>
        public IReadOnlyList<string> ResourceUris => feed?.Accepted ?? Array.Empty<string>();

        /// <summary>Gets a value indicating whether the subscription is still running.</summary>
        public bool IsRunning => feed is not null && !feed.Completion.IsCompleted;

        /// <summary>Gets how many changes were dropped because nobody took them (more than 10000 waiting).</summary>
        public long Dropped => Interlocked.Read(ref dropped);

        /// <summary>
        /// Returns the next change, waiting for one; null once the subscription ended gracefully and every
        /// change was taken. Throws the subscription's typed error when it failed.
        /// </summary>
        public async Task<McpResourceChange?> NextAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                if (queue.TryDequeue(out McpResourceChange? change))
                {
                    return change;
                }

                Task completion = feed?.Completion ?? throw new InvalidOperationException("The subscription has not started.");
                if (completion.IsCompleted)
                {
                    if (completion.Exception?.InnerException is Exception error)
                    {
                        ExceptionDispatchInfo.Capture(error).Throw();
                    }

                    return null;
                }

                await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>Ends the subscription from this side (best effort, briefly); later calls do nothing.</summary>
        public Task CloseAsync() => feed?.CloseAsync() ?? Task.CompletedTask;

        /// <summary>
        /// The subscription goes on after the command that started it returned: its later requests (listening
        /// again after a broken stream, unsubscribing) report nothing and never start an interactive sign-in.
        /// </summary>
        public void RunInBackground()
        {
            if (feed is not null)
            {
                feed.Context = new McpCallContext(NullEngineCallbacks.Instance);
            }
        }

        internal void Add(string uri)
        {
            invalidate(uri);
            queue.Enqueue(new McpResourceChange(uri, clock()));
            if (queue.Count > MaxQueued && queue.TryDequeue(out _))
            {
                Interlocked.Increment(ref dropped);
            }

            signal.Release();
        }

        internal void Attach(IChangeFeed started)
        {
            feed = started;
            started.Completion.ContinueWith(static (_, s) => ((SemaphoreSlim)s!).Release(), signal, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }
}
