using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Core.Http
{
    /// <summary>
    /// A per-attempt time limit. The connection's HttpClient has no overall timeout, because a request may
    /// wait for a person to sign in inside <see cref="OAuthHandler"/>; instead every network attempt (up to
    /// the response headers) and every bounded body read gets its own deadline, and running out of time
    /// becomes <c>RequestTimedOut</c> while Ctrl+C stays a cancellation.
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

    /// <summary>Gives every request that passes through it <see cref="Deadline"/> until its response headers arrive.</summary>
    public sealed class DeadlineHandler : DelegatingHandler
    {
        private readonly TimeSpan limit;
        private readonly string peer;

        /// <param name="limit">The time each request may take until its response headers.</param>
        /// <param name="peer">What the peer is, for the message ("MCP server").</param>
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
            using Deadline deadline = Deadline.Start(limit, cancellationToken);
            try
            {
                return await base.SendAsync(request, deadline.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (deadline.Expired(ex))
            {
                throw deadline.TimedOut(peer, request.RequestUri!, ex);
            }
        }
    }
}
