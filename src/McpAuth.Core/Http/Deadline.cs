using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Core.Http
{
    /// <summary>
    /// A per-attempt time limit. The connection's HttpClient has no overall timeout, because a request may
    /// wait for a person to sign in inside <see cref="OAuthHandler"/>; instead every network attempt gets one
    /// deadline (<see cref="DeadlineHandler"/>) that covers its response headers and its whole body, and running
    /// out of time becomes <c>RequestTimedOut</c> while Ctrl+C stays a cancellation.
    /// </summary>
    public sealed class Deadline : IDisposable
    {
        private readonly CancellationTokenSource source;
        private readonly CancellationToken outer;

        private Deadline(TimeSpan limit, CancellationToken outer)
        {
            this.outer = outer;
            Limit = limit;
            source = CancellationTokenSource.CreateLinkedTokenSource(outer);
            if (limit != Timeout.InfiniteTimeSpan)
            {
                source.CancelAfter(limit);
            }
        }

        /// <summary>Gets the limit.</summary>
        public TimeSpan Limit { get; }

        /// <summary>Gets the token that is cancelled when the caller cancels or the time is up.</summary>
        public CancellationToken Token => source.Token;

        /// <summary>Starts a deadline linked to the caller's token.</summary>
        public static Deadline Start(TimeSpan limit, CancellationToken cancellationToken) => new Deadline(limit, cancellationToken);

        /// <summary>Returns true when <paramref name="ex"/> is this deadline running out (not the caller cancelling).</summary>
        public bool Expired(Exception ex) => ex is OperationCanceledException && source.IsCancellationRequested && !outer.IsCancellationRequested;

        /// <summary>The typed error for a peer that did not answer in time.</summary>
        public McpAuthException TimedOut(string peer, Uri target, Exception? inner) => new McpAuthException(
            ErrorIds.RequestTimedOut,
            McpErrorKind.Timeout,
            $"The {peer} at {target.GetLeftPart(UriPartial.Path)} did not answer within {Limit.TotalSeconds:0} seconds.",
            target,
            inner);

        public void Dispose() => source.Dispose();
    }

    /// <summary>
    /// Gives every request that passes through it one <see cref="Deadline"/> for the whole exchange: until its
    /// response headers and then through the last byte of its body, however slowly the peer sends it. An event
    /// stream's body is open-ended: its deadline ends with the headers, and the reader bounds the time between
    /// messages (<c>TransportResponse.ReadEventsAsync</c>). A body the peer breaks off is a typed error too.
    /// </summary>
    public sealed class DeadlineHandler : DelegatingHandler
    {
        private readonly TimeSpan limit;
        private readonly string peer;

        /// <param name="limit">The time each request may take, headers and body.</param>
        /// <param name="peer">What the peer is, for the message ("MCP server"), unless the request names it (<see cref="EngineRequest.SetPeer"/>).</param>
        /// <param name="inner">The handler that sends.</param>
        public DeadlineHandler(TimeSpan limit, string peer, HttpMessageHandler inner)
            : base(inner)
        {
            this.limit = limit;
            this.peer = peer;
        }

        /// <inheritdoc/>
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            string who = EngineRequest.Peer(request) ?? peer;
            Deadline deadline = Deadline.Start(limit, cancellationToken);
            HttpResponseMessage response;
            try
            {
                response = await base.SendAsync(request, deadline.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (deadline.Expired(ex))
            {
                deadline.Dispose();
                throw deadline.TimedOut(who, request.RequestUri!, ex);
            }
            catch
            {
                deadline.Dispose();
                throw;
            }

            if (response.Content is null || string.Equals(response.Content.Headers.ContentType?.MediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase))
            {
                deadline.Dispose();
                return response;
            }

            // The body is read under the same deadline; it ends when the body is read or the response disposed.
            response.Content = new BoundedContent(response.Content, deadline, who, request.RequestUri!);
            return response;
        }
    }
}
