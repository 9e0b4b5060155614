using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Http;

namespace McpAuth.Core.Mcp
{
    /// <summary>
    /// A subscription on a legacy (2025-11-25 and earlier) server: resources/subscribe for each URI on the
    /// session, after which the server sends notifications/resources/updated on the session's server-to-client
    /// stream (the HTTP GET stream the era keeps open). The feed ends with the session: when that stream ends
    /// for good or the server forgets the session, it fails with a typed error; closing it sends
    /// resources/unsubscribe for each URI (best effort, briefly, never a sign-in).
    /// </summary>
    internal sealed class LegacySubscriptionFeed : IChangeFeed
    {
        private static readonly TimeSpan UnsubscribeGrace = TimeSpan.FromSeconds(2);

        private readonly LegacyEra era;
        private readonly List<string> uris;
        private readonly Action<string> onChange;
        private readonly TaskCompletionSource<bool> completion = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile McpCallContext context;
        private int closed;

        private LegacySubscriptionFeed(LegacyEra era, IReadOnlyList<string> uris, Action<string> onChange, McpCallContext context)
        {
            this.era = era;
            this.uris = uris.Distinct(StringComparer.Ordinal).ToList();
            this.onChange = onChange;
            this.context = context;
        }

        public IReadOnlyList<string> Accepted => uris;

        public Task Completion => completion.Task;

        public McpCallContext Context
        {
            get => context;
            set => context = value;
        }

        /// <summary>Subscribes to each URI; returns once the server answered every resources/subscribe.</summary>
        public static async Task<IChangeFeed> StartAsync(LegacyEra era, IReadOnlyList<string> uris, Action<string> onChange, McpCallContext context, CancellationToken cancellationToken)
        {
            await era.EnsureInitializedAsync(context, cancellationToken).ConfigureAwait(false);
            if (Json.Flag(era.Server.Capabilities?["resources"]?["subscribe"]) != true)
            {
                throw NotSupported(era, "it does not offer resource subscriptions (its capabilities have no resources.subscribe)");
            }

            if (!era.HasServerStream)
            {
                throw NotSupported(era, "it keeps no stream open for its notifications (the session's HTTP GET stream)");
            }

            var feed = new LegacySubscriptionFeed(era, uris, onChange, context);
            era.Changes.Add(feed);
            var subscribed = new List<string>();
            try
            {
                foreach (string uri in feed.uris)
                {
                    await era.SendAsync("resources/subscribe", new ResourceUriParams { Uri = uri }, null, context, cancellationToken).ConfigureAwait(false);
                    subscribed.Add(uri);
                }
            }
            catch
            {
                era.Changes.Remove(feed);
                await feed.UnsubscribeAsync(subscribed).ConfigureAwait(false);
                throw;
            }

            return feed;
        }

        public async Task CloseAsync()
        {
            if (Interlocked.Exchange(ref closed, 1) != 0)
            {
                return;
            }

            era.Changes.Remove(this);
            if (!completion.Task.IsCompleted)
            {
                await UnsubscribeAsync(uris).ConfigureAwait(false);
            }

            completion.TrySetResult(true);
        }

        public void End(McpAuthException? error)
        {
            if (error is null)
            {
                completion.TrySetResult(true);
            }
            else
            {
                completion.TrySetException(error);
            }
        }

        /// <summary>Takes notifications/resources/updated for a URI subscribed to, or for one of its sub-resources.</summary>
        public bool Offer(JsonRpcMessage notification)
        {
            if (notification.Method != "notifications/resources/updated" || completion.Task.IsCompleted)
            {
                return false;
            }

            string? uri = JsonRpcCodec.TryRead(notification.Params, McpJsonContext.Default.ChangeNotificationParams)?.Uri;
            if (string.IsNullOrEmpty(uri) || !uris.Any(u => uri!.StartsWith(u, StringComparison.Ordinal)))
            {
                return false;
            }

            onChange(uri!);
            return true;
        }

        private static McpAuthException NotSupported(ProtocolEra era, string why)
            => new McpAuthException(ErrorIds.SubscriptionNotSupported, McpErrorKind.InvalidOperation, $"{era.Endpoint} cannot report resource changes: {why}.", era.Endpoint);

        private async Task UnsubscribeAsync(IReadOnlyList<string> list)
        {
            var quiet = new McpCallContext(context.Callbacks) { AllowSignIn = false };
            using var grace = new CancellationTokenSource(UnsubscribeGrace);
            foreach (string uri in list)
            {
                try
                {
                    await era.SendAsync("resources/unsubscribe", new ResourceUriParams { Uri = uri }, null, quiet, grace.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is McpAuthException || ex is OperationCanceledException)
                {
                    quiet.Callbacks.Debug($"Could not unsubscribe from {ServerText.Sanitize(uri, 200)}: {ex.Message}");
                }
            }
        }
    }
}
