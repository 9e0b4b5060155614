using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Core.Http
{
    /// <summary>
    /// A response body read under the <see cref="Deadline"/> of its request (<see cref="DeadlineHandler"/>): every
    /// read ends when the deadline does (a peer that trickles or stalls is <c>RequestTimedOut</c>), and a body the
    /// peer breaks off (reset, closed early) is <c>StreamEndedEarly</c> rather than an I/O exception.
    /// </summary>
    internal sealed class BoundedContent : WrappedContent
    {
        private readonly Deadline deadline;
        private readonly string peer;
        private readonly Uri target;

        public BoundedContent(HttpContent inner, Deadline deadline, string peer, Uri target)
            : base(inner)
        {
            this.deadline = deadline;
            this.peer = peer;
            this.target = target;
        }

        protected override async Task<Stream> CreateContentReadStreamAsync()
        {
            Stream stream = await Inner.ReadAsStreamAsync().ConfigureAwait(false);
            return new BoundedStream(stream, this);
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            using Stream source = await CreateContentReadStreamAsync().ConfigureAwait(false);
            await source.CopyToAsync(stream, 16 * 1024, deadline.Token).ConfigureAwait(false);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                deadline.Dispose();
            }

            base.Dispose(disposing);
        }

        private Exception Translate(Exception ex, CancellationToken cancellationToken)
        {
            if (ex is McpAuthException || cancellationToken.IsCancellationRequested)
            {
                return ex;
            }

            if (deadline.Expired(ex) || (ex is ObjectDisposedException && deadline.Token.IsCancellationRequested && !cancellationToken.IsCancellationRequested))
            {
                return deadline.TimedOut(peer, target, ex);
            }

            if (ex is IOException || ex is HttpRequestException || ex is ObjectDisposedException)
            {
                return new McpAuthException(
                    ErrorIds.StreamEndedEarly,
                    McpErrorKind.ConnectionError,
                    $"The {peer} at {target.GetLeftPart(UriPartial.Path)} broke off its answer before the end.",
                    target,
                    ex);
            }

            return ex;
        }

        /// <summary>The body stream: reads linked to the deadline (and the stream closed when it ends, which stops a read on every runtime).</summary>
        private sealed class BoundedStream : ReadOnlyStream
        {
            private readonly Stream inner;
            private readonly BoundedContent owner;
            private readonly CancellationTokenRegistration closeAtDeadline;

            public BoundedStream(Stream inner, BoundedContent owner)
            {
                this.inner = inner;
                this.owner = owner;
                closeAtDeadline = owner.deadline.Token.Register(static s => ((Stream)s!).Dispose(), inner);
            }

            public override int Read(byte[] buffer, int offset, int count)
            {
                try
                {
                    owner.deadline.Token.ThrowIfCancellationRequested();
                    return inner.Read(buffer, offset, count);
                }
                catch (Exception ex)
                {
                    throw owner.Translate(ex, CancellationToken.None);
                }
            }

            public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            {
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, owner.deadline.Token);
                try
                {
                    return await inner.ReadAsync(buffer, offset, count, linked.Token).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    throw owner.Translate(ex, cancellationToken);
                }
            }

            protected override void Dispose(bool disposing)
            {
                if (disposing)
                {
                    closeAtDeadline.Dispose();
                    inner.Dispose();
                }

                base.Dispose(disposing);
            }
        }
    }
}
