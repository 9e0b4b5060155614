using System;
using System.Collections.Generic;
using System.Threading.Tasks;

namespace McpAuth.Core.Mcp
{
    /// <summary>
    /// A running subscription of one era (modern: a subscriptions/listen stream; legacy: resources/subscribe
    /// on the session, notifications on its GET stream). Changes go to the callback it was started with.
    /// </summary>
    internal interface IChangeFeed
    {
        /// <summary>Gets the resource URIs the server agreed to report changes of.</summary>
        IReadOnlyList<string> Accepted { get; }

        /// <summary>Gets a task that ends with the feed: completed when it ended gracefully, faulted (typed) when it failed.</summary>
        Task Completion { get; }

        /// <summary>Gets or sets the operation the feed's later requests belong to (reconnects, unsubscribes).</summary>
        McpCallContext Context { get; set; }

        /// <summary>The client ends the feed: closes its stream (modern) or unsubscribes (legacy), best effort.</summary>
        Task CloseAsync();

        /// <summary>The era ends the feed: its session or connection is gone. Null means gracefully.</summary>
        void End(McpAuthException? error);

        /// <summary>Offers a notification that arrived outside the feed's own stream (legacy); true when it was the feed's.</summary>
        bool Offer(JsonRpcMessage notification);
    }

    /// <summary>The feeds of one era: notifications are offered to each, and each ends when the era's session or connection does.</summary>
    internal sealed class ChangeHub
    {
        private readonly List<IChangeFeed> feeds = new List<IChangeFeed>();

        public int Count
        {
            get
            {
                lock (feeds)
                {
                    return feeds.Count;
                }
            }
        }

        public void Add(IChangeFeed feed)
        {
            lock (feeds)
            {
                feeds.Add(feed);
            }
        }

        public void Remove(IChangeFeed feed)
        {
            lock (feeds)
            {
                feeds.Remove(feed);
            }
        }

        /// <summary>Offers a notification to every feed; true when one of them took it.</summary>
        public bool Offer(JsonRpcMessage notification)
        {
            bool taken = false;
            foreach (IChangeFeed feed in Snapshot())
            {
                taken |= feed.Offer(notification);
            }

            return taken;
        }

        /// <summary>Ends every feed (the session or connection is gone) and forgets them.</summary>
        public void EndAll(McpAuthException? error)
        {
            IChangeFeed[] all;
            lock (feeds)
            {
                all = feeds.ToArray();
                feeds.Clear();
            }

            foreach (IChangeFeed feed in all)
            {
                feed.End(error);
            }
        }

        private IChangeFeed[] Snapshot()
        {
            lock (feeds)
            {
                return feeds.ToArray();
            }
        }
    }
}
