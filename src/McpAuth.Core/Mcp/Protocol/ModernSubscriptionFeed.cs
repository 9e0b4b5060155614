using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Http;

namespace McpAuth.Core.Mcp
{
    /// <summary>
    /// A subscription on a 2026-07-28 server: one <c>subscriptions/listen</c> request whose response is an event
    /// stream that stays open. The server acknowledges first (the filter it agreed to, stamped with the
    /// subscription id, which is the request's id), then sends notifications/resources/updated for the URIs it
    /// agreed to. Closing the stream is the cancellation (there is no notifications/cancelled over HTTP), which
    /// releases the server's stream at once. The server ends it gracefully with a response to the listen request
    /// (or notifications/cancelled naming it); a stream that breaks without one is opened again, a bounded number
    /// of times in a row without a change in between (there is no resumption in this era).
    /// </summary>
    internal sealed class ModernSubscriptionFeed : IChangeFeed
    {
        private const string SubscriptionIdKey = "io.modelcontextprotocol/subscriptionId";
        private static readonly KeyValuePair<string, string>[] NoHeaders = Array.Empty<KeyValuePair<string, string>>();

        private readonly ModernEra era;
        private readonly List<string> requested;
        private readonly Action<string> onChange;
        private readonly CancellationTokenSource stop = new CancellationTokenSource();
        private readonly TaskCompletionSource<bool> acknowledged = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<bool> completion = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile McpCallContext context;
        private volatile McpAuthException? endedBy;
        private IReadOnlyList<string> accepted = Array.Empty<string>();

        private ModernSubscriptionFeed(ModernEra era, IReadOnlyList<string> uris, Action<string> onChange, McpCallContext context)
        {
            this.era = era;
            requested = uris.Distinct(StringComparer.Ordinal).ToList();
            this.onChange = onChange;
            this.context = context;
        }

        public IReadOnlyList<string> Accepted => accepted;

        public Task Completion => completion.Task;

        public McpCallContext Context
        {
            get => context;
            set => context = value;
        }

        /// <summary>Opens the stream and returns once the server acknowledged it; the stream is then read in the background.</summary>
        public static async Task<IChangeFeed> StartAsync(ModernEra era, IReadOnlyList<string> uris, Action<string> onChange, McpCallContext context, CancellationToken cancellationToken)
        {
            if (era.Server.Capabilities is System.Text.Json.Nodes.JsonObject capabilities && Json.Flag(capabilities["resources"]?["subscribe"]) != true)
            {
                throw NotSupported(era, "it does not offer resource subscriptions (its capabilities have no resources.subscribe)");
            }

            var feed = new ModernSubscriptionFeed(era, uris, onChange, context);
            era.Changes.Add(feed);
            Task loop = feed.RunAsync();
            using (cancellationToken.Register(static s => ((CancellationTokenSource)s!).Cancel(), feed.stop))
            {
                await Task.WhenAny(feed.acknowledged.Task, loop).ConfigureAwait(false);
            }

            if (feed.acknowledged.Task.IsCompleted)
            {
                return feed;
            }

            era.Changes.Remove(feed);
            cancellationToken.ThrowIfCancellationRequested();
            await feed.Completion.ConfigureAwait(false);
            throw NotSupported(era, "it ended the subscription stream before acknowledging it");
        }

        public async Task CloseAsync()
        {
            stop.Cancel();
            await completion.Task.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
        }

        public void End(McpAuthException? error)
        {
            endedBy = error;
            stop.Cancel();
        }

        /// <summary>Notifications for this feed arrive on its own stream only.</summary>
        public bool Offer(JsonRpcMessage notification) => false;

        private static McpAuthException NotSupported(ProtocolEra era, string why)
            => new McpAuthException(ErrorIds.SubscriptionNotSupported, McpErrorKind.InvalidOperation, $"{era.Endpoint} cannot report resource changes: {why}.", era.Endpoint);

        private static bool Transient(McpAuthException ex) => ex.Kind == McpErrorKind.ConnectionError || ex.Kind == McpErrorKind.Timeout || ex.ErrorId == ErrorIds.StreamEndedEarly;

        private async Task RunAsync()
        {
            try
            {
                await ListenAsync().ConfigureAwait(false);
                completion.TrySetResult(true);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                if (endedBy is McpAuthException error)
                {
                    completion.TrySetException(error);
                }
                else
                {
                    completion.TrySetResult(true);
                }
            }
            catch (Exception ex)
            {
                completion.TrySetException(ex);
            }
            finally
            {
                era.Changes.Remove(this);
            }
        }

        private async Task ListenAsync()
        {
            for (int quiet = 0; ; )
            {
                Round round;
                try
                {
                    round = await ListenOnceAsync().ConfigureAwait(false);
                }
                catch (McpAuthException ex) when (acknowledged.Task.IsCompleted && Transient(ex) && quiet + 1 < era.Options.MaxStreamResumptions)
                {
                    context.Callbacks.Verbose($"Listening for changes again failed ({ex.Message}).");
                    round = new Round(graceful: false, delivered: false);
                }

                if (round.Graceful)
                {
                    context.Callbacks.Verbose($"{era.Endpoint} ended the subscription.");
                    return;
                }

                if (!acknowledged.Task.IsCompleted)
                {
                    throw new McpAuthException(ErrorIds.SubscriptionEnded, McpErrorKind.ProtocolError, $"{era.Endpoint} closed the subscriptions/listen stream before it acknowledged the subscription.", era.Endpoint);
                }

                quiet = round.Delivered ? 0 : quiet + 1;
                if (quiet >= era.Options.MaxStreamResumptions)
                {
                    throw new McpAuthException(ErrorIds.StreamEndedEarly, McpErrorKind.ProtocolError, $"The subscription stream of {era.Endpoint} ended {quiet} times in a row without reporting a change; gave up.", era.Endpoint);
                }

                TimeSpan delay = era.Options.DefaultRetryDelay;
                context.Callbacks.Verbose($"The subscription stream ended without the server ending the subscription; listening again in {delay.TotalMilliseconds:0} ms.");
                await Task.Delay(delay, stop.Token).ConfigureAwait(false);
            }
        }

        /// <summary>One subscriptions/listen request: until the stream ends, breaks, or the server ends the subscription.</summary>
        private async Task<Round> ListenOnceAsync()
        {
            McpCallContext current = context;
            var filter = new SubscriptionFilter { ResourceSubscriptions = requested.ToList() };
            JsonRpcRequest request = era.Prepare("subscriptions/listen", new ListenParams { Notifications = filter }, current);
            long id = request.Id!.Value;
            TransportResponse response;
            try
            {
                response = await era.OpenAsync(request, NoHeaders, current, stop.Token).ConfigureAwait(false);
            }
            catch (McpJsonRpcException ex) when (ex.Code == McpErrorCodes.MethodNotFound)
            {
                throw NotSupported(era, "it does not implement subscriptions/listen");
            }

            using (response)
            {
                switch (response.Kind)
                {
                    case ResponseKind.EventStream:
                        var round = new Round(graceful: false, delivered: false);
                        await response.ReadEventsAsync(new StreamPosition(), message => Task.FromResult(Handle(message, id, round, current)), current.Callbacks, stop.Token, capEachMessage: true).ConfigureAwait(false);
                        return round;
                    case ResponseKind.Json:
                        IReadOnlyList<JsonRpcMessage> messages = await response.ReadJsonAsync(stop.Token).ConfigureAwait(false);
                        JsonRpcMessage? answer = messages.FirstOrDefault(m => m.Answers(id));
                        if (answer?.Error is JsonRpcError error)
                        {
                            throw JsonRpcCodec.ToException(error, response.Status, era.Endpoint);
                        }

                        throw NotSupported(era, "it answered subscriptions/listen at once, without a stream");
                    default:
                        throw NotSupported(era, "it accepted subscriptions/listen without a stream");
                }
            }
        }

        /// <summary>Handles one message of the stream; true ends the stream (the server ended the subscription).</summary>
        private bool Handle(JsonRpcMessage message, long id, Round round, McpCallContext current)
        {
            if (message.Answers(id))
            {
                if (message.Error is JsonRpcError error)
                {
                    throw JsonRpcCodec.ToException(error, 200, era.Endpoint);
                }

                round.Graceful = true;
                return true;
            }

            if (!message.IsNotification)
            {
                current.Callbacks.Debug($"Ignored '{message.Method ?? "a response"}' on the subscription stream.");
                return false;
            }

            ChangeNotificationParams? p = JsonRpcCodec.TryRead(message.Params, McpJsonContext.Default.ChangeNotificationParams);
            if (p?.Meta is JsonElement meta && meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty(SubscriptionIdKey, out JsonElement stamped) && !SameId(stamped, id))
            {
                return false;
            }

            switch (message.Method)
            {
                case "notifications/subscriptions/acknowledged":
                    Acknowledge(p?.Notifications?.ResourceSubscriptions, current);
                    return false;
                case "notifications/resources/updated" when acknowledged.Task.IsCompleted && !string.IsNullOrEmpty(p?.Uri):
                    round.Delivered = true;
                    onChange(p!.Uri!);
                    return false;
                case "notifications/cancelled" when p?.RequestId is JsonElement cancelled && SameId(cancelled, id):
                    round.Graceful = true;
                    return true;
                default:
                    current.Callbacks.Debug("Server notification on the subscription stream: " + ServerText.Sanitize(message.Method, 100));
                    return false;
            }
        }

        private void Acknowledge(List<string>? honored, McpCallContext current)
        {
            if (acknowledged.Task.IsCompleted)
            {
                current.Callbacks.Verbose($"{era.Endpoint} acknowledged the subscription again.");
                return;
            }

            var agreed = requested.Where(u => honored?.Contains(u, StringComparer.Ordinal) == true).ToList();
            if (agreed.Count == 0)
            {
                throw NotSupported(era, "it did not agree to report changes of " + string.Join(", ", requested.Select(u => ServerText.Sanitize(u, 200))));
            }

            if (agreed.Count < requested.Count)
            {
                current.Callbacks.Warning($"{era.Endpoint} does not report changes of {string.Join(", ", requested.Except(agreed).Select(u => ServerText.Sanitize(u, 200)))}.");
            }

            accepted = agreed;
            acknowledged.TrySetResult(true);
        }

        private static bool SameId(JsonElement stamped, long id) => JsonRpcMessage.IsId(stamped, id);

        /// <summary>How one listen request ended.</summary>
        private sealed class Round
        {
            public Round(bool graceful, bool delivered)
            {
                Graceful = graceful;
                Delivered = delivered;
            }

            public bool Graceful { get; set; }

            public bool Delivered { get; set; }
        }
    }
}
