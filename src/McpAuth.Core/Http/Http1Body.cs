using System;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Core.Http
{
    /// <summary>
    /// A response body read from an <see cref="Http1Connection"/>. A read on a <see cref="WaitingThread"/> blocks
    /// that thread; anywhere else it waits without holding a thread. An event stream is open-ended, so even a
    /// waiting thread blocks on it only for bytes that have already arrived: a stream that a background reader
    /// goes on to read never pins the thread that opened it. When the body ends the connection goes back to its
    /// pool (<paramref name="release"/>); a body left unread is drained if what remains has arrived, else its
    /// connection is closed.
    /// </summary>
    internal sealed class Http1Body : ReadOnlyStream
    {
        private const int MaxTrailerBytes = 64 * 1024;
        private const int MaxDrainBytes = 64 * 1024;

        // Where a drained remainder goes: written, never read, so every body may share it.
        private static readonly byte[] Discard = new byte[4096];

        private readonly Http1Framing framing;
        private readonly bool eventStream;
        private readonly Action<Http1Connection>? release;
        private Http1Connection? connection;
        private long remaining;
        private ChunkPart part;
        private int trailerBytes;
        private int reading;
        private volatile bool closedByOwner;

        /// <param name="connection">The connection the body comes on.</param>
        /// <param name="framing">How the body is delimited.</param>
        /// <param name="length">The Content-Length, for <see cref="Http1Framing.Length"/>.</param>
        /// <param name="eventStream">Whether the body is an open-ended event stream.</param>
        /// <param name="release">Takes the connection back once the body is read; null when it cannot be reused.</param>
        public Http1Body(Http1Connection connection, Http1Framing framing, long length, bool eventStream, Action<Http1Connection>? release)
        {
            this.connection = connection;
            this.framing = framing;
            this.eventStream = eventStream;
            this.release = release;
            remaining = length;
            if (framing == Http1Framing.None || (framing == Http1Framing.Length && length == 0))
            {
                Finish();
            }
        }

        private enum ChunkPart
        {
            Size,
            Data,
            DataEnd,
            Trailers,
        }

        private bool Finished { get; set; }

        public override int Read(byte[] buffer, int offset, int count) => ReadCoreAsync(buffer, offset, count, alwaysBlock: true, CancellationToken.None).GetAwaiter().GetResult();

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return Task.FromCanceled<int>(cancellationToken);
            }

            return ReadCoreAsync(buffer, offset, count, alwaysBlock: false, cancellationToken);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                closedByOwner = true;
                if (Interlocked.CompareExchange(ref reading, 1, 0) == 0)
                {
                    // No read is running: what remains may already be here.
                    if (connection is not null && !Drain())
                    {
                        CloseConnection();
                    }
                }
                else
                {
                    // A read is blocked (a deadline ran out, or the caller cancelled): closing the connection ends it.
                    CloseConnection();
                }
            }

            base.Dispose(disposing);
        }

        private async Task<int> ReadCoreAsync(byte[] buffer, int offset, int count, bool alwaysBlock, CancellationToken cancellationToken)
        {
            if (count == 0)
            {
                return 0;
            }

            if (Interlocked.CompareExchange(ref reading, 1, 0) != 0)
            {
                throw closedByOwner ? new ObjectDisposedException(nameof(Http1Body)) : new InvalidOperationException("The body is already being read.");
            }

            try
            {
                while (true)
                {
                    Http1Connection? current = connection;
                    if (current is null)
                    {
                        return closedByOwner && !Finished ? throw new ObjectDisposedException(nameof(Http1Body)) : 0;
                    }

                    int produced = Decode(current, buffer, offset, count);
                    if (produced > 0)
                    {
                        if (framing == Http1Framing.Length && remaining == 0)
                        {
                            Finish();
                        }

                        return produced;
                    }

                    if (produced == 0)
                    {
                        Finish();
                        return 0;
                    }

                    int got;
                    if (alwaysBlock || (WaitingThread.IsCurrent && (!eventStream || current.DataReady)))
                    {
                        using (cancellationToken.Register(static s => ((Http1Connection)s!).Dispose(), current))
                        {
                            got = current.Fill();
                        }
                    }
                    else
                    {
                        got = await current.FillAsync(cancellationToken).ConfigureAwait(false);
                    }

                    if (got == 0)
                    {
                        if (framing == Http1Framing.UntilClose)
                        {
                            CloseConnection();
                            Finished = true;
                            return 0;
                        }

                        throw new IOException("The server closed the connection before the end of the body.");
                    }
                }
            }
            catch (Exception ex) when (ex is IOException || ex is SocketException || ex is ObjectDisposedException || ex is OperationCanceledException)
            {
                CloseConnection();
                if (cancellationToken.IsCancellationRequested)
                {
                    throw new OperationCanceledException(cancellationToken);
                }

                if (closedByOwner)
                {
                    throw new ObjectDisposedException(nameof(Http1Body));
                }

                throw ex is IOException ? ex : new IOException("The connection to the server failed while reading the body.", ex);
            }
            finally
            {
                Volatile.Write(ref reading, 0);
            }
        }

        /// <summary>Decodes buffered bytes into the caller's buffer: the count produced, 0 at the end of the body, -1 when more must be read.</summary>
        private int Decode(Http1Connection from, byte[] buffer, int offset, int count)
        {
            switch (framing)
            {
                case Http1Framing.Length:
                    if (remaining == 0)
                    {
                        return 0;
                    }

                    if (from.Buffered == 0)
                    {
                        return -1;
                    }

                    int n = from.TakeBuffered(buffer, offset, (int)Math.Min(count, remaining));
                    remaining -= n;
                    return n;
                case Http1Framing.UntilClose:
                    return from.Buffered == 0 ? -1 : from.TakeBuffered(buffer, offset, count);
                case Http1Framing.Chunked:
                    return DecodeChunked(from, buffer, offset, count);
                default:
                    return 0;
            }
        }

        private int DecodeChunked(Http1Connection from, byte[] buffer, int offset, int count)
        {
            while (true)
            {
                string? line;
                switch (part)
                {
                    case ChunkPart.Size:
                        if ((line = from.TryTakeLine(1024)) is null)
                        {
                            return -1;
                        }

                        int semicolon = line.IndexOf(';');
                        string size = (semicolon >= 0 ? line.Substring(0, semicolon) : line).Trim(' ', '\t');
                        if (size.Length == 0 || size.Length > 15 || !long.TryParse(size, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out remaining))
                        {
                            throw new IOException("The server's chunked body has an invalid chunk size.");
                        }

                        part = remaining == 0 ? ChunkPart.Trailers : ChunkPart.Data;
                        continue;
                    case ChunkPart.Data:
                        if (from.Buffered == 0)
                        {
                            return -1;
                        }

                        int n = from.TakeBuffered(buffer, offset, (int)Math.Min(count, remaining));
                        remaining -= n;
                        if (remaining == 0)
                        {
                            part = ChunkPart.DataEnd;
                        }

                        return n;
                    case ChunkPart.DataEnd:
                        if ((line = from.TryTakeLine(0)) is null)
                        {
                            return -1;
                        }

                        part = line.Length == 0 ? ChunkPart.Size : throw new IOException("The server's chunked body has data past a chunk's end.");
                        continue;
                    default:
                        if ((line = from.TryTakeLine(8192)) is null)
                        {
                            return -1;
                        }

                        if (line.Length == 0)
                        {
                            return 0;
                        }

                        trailerBytes += line.Length + 2;
                        if (trailerBytes > MaxTrailerBytes)
                        {
                            throw new IOException("The server's chunked body has trailers larger than 64 KiB.");
                        }

                        continue;
                }
            }
        }

        /// <summary>Reads what remains of the body if it has already arrived; true when the body ended (and the connection was released).</summary>
        private bool Drain()
        {
            Http1Connection? current = connection;
            if (current is null)
            {
                return true;
            }

            if (framing == Http1Framing.UntilClose)
            {
                return false;
            }

            try
            {
                for (int drained = 0; drained <= MaxDrainBytes;)
                {
                    int n = Decode(current, Discard, 0, Discard.Length);
                    if (n == 0 || (n > 0 && framing == Http1Framing.Length && remaining == 0))
                    {
                        Finish();
                        return true;
                    }

                    if (n > 0)
                    {
                        drained += n;
                    }
                    else if (!current.DataReady || current.Fill() == 0)
                    {
                        return false;
                    }
                }
            }
            catch (Exception ex) when (ex is IOException || ex is SocketException || ex is ObjectDisposedException)
            {
                return false;
            }

            return false;
        }

        private void Finish()
        {
            Finished = true;
            Http1Connection? current = Interlocked.Exchange(ref connection, null);
            if (current is null)
            {
                return;
            }

            if (release is not null)
            {
                release(current); // the pool takes it only if it can carry another request
            }
            else
            {
                current.Dispose();
            }
        }

        private void CloseConnection() => Interlocked.Exchange(ref connection, null)?.Dispose();
    }
}
