using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Core.Http
{
    /// <summary>
    /// A read-only stream that fails with ResponseTooLarge once more than a set number of bytes were read, and with
    /// MalformedResponse when the body cannot be decoded as its Content-Encoding says (gzip or deflate that is not).
    /// </summary>
    internal sealed class CappedReadStream : ReadOnlyStream
    {
        private readonly Stream inner;
        private readonly long maxBytes;
        private readonly object? target;
        private long read;

        public CappedReadStream(Stream inner, long maxBytes, object? target)
        {
            this.inner = inner;
            this.maxBytes = maxBytes;
            this.target = target;
        }

        public override long Position
        {
            get => read;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            try
            {
                return Count(inner.Read(buffer, offset, count));
            }
            catch (InvalidDataException ex)
            {
                throw Undecodable(ex);
            }
        }

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            try
            {
                return Count(await inner.ReadAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false));
            }
            catch (InvalidDataException ex)
            {
                throw Undecodable(ex);
            }
        }

        /// <summary>Starts counting again: for a long-lived stream whose cap applies to each message, not to the whole stream.</summary>
        public void Restart() => read = 0;

        private McpAuthException Undecodable(InvalidDataException ex) => new McpAuthException(
            ErrorIds.MalformedResponse,
            McpErrorKind.InvalidData,
            "The server's response body is not in the Content-Encoding it declares (gzip, deflate or br); it could not be read.",
            target,
            ex);

        private int Count(int n)
        {
            read += n;
            if (read > maxBytes)
            {
                throw HttpBody.TooLarge(maxBytes, target);
            }

            return n;
        }
    }
}
