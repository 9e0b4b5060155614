using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Core.Http
{
    /// <summary>A read-only stream that fails with ResponseTooLarge once more than a set number of bytes were read.</summary>
    internal sealed class CappedReadStream : Stream
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

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => read;
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => Count(await inner.ReadAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false));

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        /// <summary>Starts counting again: for a long-lived stream whose cap applies to each message, not to the whole stream.</summary>
        public void Restart() => read = 0;

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
