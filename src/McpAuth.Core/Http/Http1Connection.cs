using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Core.Http
{
    /// <summary>
    /// One HTTP/1.1 connection of <see cref="DirectHttpHandler"/>: a socket (and TLS over it for https), a read
    /// buffer, the request writer and the response-head reader. One exchange at a time. Every blocking call takes
    /// the caller's token, and cancelling it closes the socket, which ends the blocked call at once.
    /// </summary>
    internal sealed class Http1Connection : IDisposable
    {
        /// <summary>The most a response head (status line and headers) may take: .NET's own default.</summary>
        internal const int MaxHeadBytes = 64 * 1024;

        /// <summary>How long a lone blocking read polls before it sleeps: about twice a local server's answer to a small call.</summary>
        internal static readonly TimeSpan SpinLimit = TimeSpan.FromMilliseconds(1);

        private static readonly long SpinLimitTicks = (long)(SpinLimit.TotalSeconds * Stopwatch.Frequency);

        // Spinning pays only where the server can run while this thread spins.
        private static readonly bool MaySpin = Environment.ProcessorCount > 1;

        private static int blockedReaders;

        private readonly SpinPolicy spin = new SpinPolicy();
        private bool awaitingAnswer;
        private readonly Socket socket;
        private readonly Stream stream;
        private readonly bool tls;
        private byte[] buffer = new byte[16 * 1024];
        private int start;
        private int end;
        private int disposed;
        private long idleSince;

        private Http1Connection(Socket socket, Stream stream, bool tls)
        {
            this.socket = socket;
            this.stream = stream;
            this.tls = tls;
        }

        /// <summary>Gets whether bytes can be read without waiting: in the buffer, or (without TLS) already in the socket.</summary>
        public bool DataReady => start < end || (!tls && Volatile.Read(ref disposed) == 0 && Available() > 0);

        /// <summary>Gets the number of bytes in the buffer.</summary>
        public int Buffered => end - start;

        /// <summary>Gets whether the connection is closed.</summary>
        public bool IsClosed => Volatile.Read(ref disposed) != 0;

        /// <summary>Gets whether a lone wait for the next answer on this connection would poll first (see <see cref="SpinPolicy"/>).</summary>
        internal bool PollsForAnswer => !tls && MaySpin && spin.ShouldSpin();

        /// <summary>Opens a connection to the host and port of <paramref name="uri"/>, with TLS for https.</summary>
        /// <exception cref="HttpRequestException">The host cannot be resolved or reached, or TLS fails.</exception>
        /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
        public static Http1Connection Open(Uri uri, RemoteCertificateValidationCallback? validate, CancellationToken cancellationToken)
        {
            IPAddress[] addresses = HostAddresses.Resolve(uri.DnsSafeHost, cancellationToken);
            Exception? last = null;
            foreach (IPAddress address in addresses)
            {
                var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                Stream? stream = null;
                try
                {
                    using (cancellationToken.Register(static s => ((IDisposable)s!).Dispose(), socket))
                    {
                        socket.Connect(new IPEndPoint(address, uri.Port));
                    }

                    cancellationToken.ThrowIfCancellationRequested();
                    stream = new NetworkStream(socket, ownsSocket: true);
                    if (uri.Scheme == Uri.UriSchemeHttps)
                    {
                        var ssl = new SslStream(stream, leaveInnerStreamOpen: false, validate);
                        stream = ssl;
                        using (cancellationToken.Register(static s => ((IDisposable)s!).Dispose(), socket))
                        {
                            ssl.AuthenticateAsClient(uri.IdnHost, null, SslProtocols.None, checkCertificateRevocation: false);
                        }
                    }

                    cancellationToken.ThrowIfCancellationRequested();
                    return new Http1Connection(socket, stream, stream is SslStream);
                }
                catch (Exception ex) when (ex is SocketException || ex is ObjectDisposedException || ex is IOException || ex is AuthenticationException)
                {
                    stream?.Dispose();
                    socket.Dispose();
                    cancellationToken.ThrowIfCancellationRequested();
                    if (ex is AuthenticationException || (ex is IOException && stream is SslStream))
                    {
                        throw new HttpRequestException("The TLS connection could not be established.", ex);
                    }

                    last = ex;
                }
                catch
                {
                    stream?.Dispose();
                    socket.Dispose();
                    throw;
                }
            }

            // The message is what a person reads after "Could not reach the server at ...:"; the socket's own names the endpoint.
            string reason = last is SocketException socketError ? socketError.Message.TrimEnd('.') : "The connection failed";
            throw new HttpRequestException(reason + ".");
        }

        /// <summary>Notes that the connection went back to its pool now.</summary>
        public void MarkIdle() => idleSince = Stopwatch.GetTimestamp();

        /// <summary>Gets or sets how long the server's last announcement on this connection lets it stay idle (see <see cref="Http1ResponseHead.KeepIdleFor"/>); null before one.</summary>
        public TimeSpan? Announced { get; set; }

        /// <summary>Gets how long the connection has been idle since <see cref="MarkIdle"/>.</summary>
        public TimeSpan IdleFor => TimeSpan.FromSeconds((Stopwatch.GetTimestamp() - idleSince) / (double)Stopwatch.Frequency);

        /// <summary>
        /// Returns true when a pooled connection can take another request: open, nothing left unread, and nothing
        /// arrived while it was idle (a server that closed it, or sent what nobody asked for).
        /// </summary>
        public bool CanTakeRequest()
        {
            if (IsClosed || start != end)
            {
                return false;
            }

            try
            {
                return !socket.Poll(0, SelectMode.SelectRead);
            }
            catch (Exception ex) when (ex is SocketException || ex is ObjectDisposedException)
            {
                return false;
            }
        }

        /// <summary>Writes <paramref name="count"/> bytes of <paramref name="data"/>, blocking.</summary>
        public void Write(byte[] data, int count, CancellationToken cancellationToken)
        {
            using (cancellationToken.Register(static s => ((Http1Connection)s!).Dispose(), this))
            {
                try
                {
                    stream.Write(data, 0, count);
                    stream.Flush();
                    awaitingAnswer = true;
                }
                catch (IOException ex)
                {
                    // The server is gone (a pooled connection it closed): it has not answered this request.
                    throw new NoResponseException(ex);
                }
            }
        }

        /// <summary>
        /// Reads a response head, blocking, skipping interim (1xx) responses. Throws <see cref="NoResponseException"/>
        /// when the connection ends before the first byte of a response.
        /// </summary>
        public Http1ResponseHead ReadHead(CancellationToken cancellationToken)
        {
            using (cancellationToken.Register(static s => ((Http1Connection)s!).Dispose(), this))
            {
                bool any = false;
                int scanned = 0; // bytes after start known not to begin the blank line: a trickled head is scanned once
                while (true)
                {
                    int at = IndexOfHeadEnd(start + scanned);
                    if (at < 0)
                    {
                        scanned = Math.Max(0, end - start - 3);
                        if (end - start >= MaxHeadBytes)
                        {
                            throw new HttpRequestException("The server's response headers are larger than 64 KiB.");
                        }

                        int got;
                        try
                        {
                            got = Fill();
                        }
                        catch (IOException ex) when (!any && end == start)
                        {
                            throw new NoResponseException(ex);
                        }

                        if (got == 0)
                        {
                            throw any || end > start
                                ? new HttpRequestException("The server closed the connection in the middle of its response headers.")
                                : new NoResponseException();
                        }

                        continue;
                    }

                    any = true;
                    Http1ResponseHead head = Http1ResponseHead.Parse(buffer, start, at - start);
                    start = at + 4;
                    scanned = 0;
                    if (head.StatusCode >= 100 && head.StatusCode < 200)
                    {
                        if (head.StatusCode == 101)
                        {
                            throw new HttpRequestException("The server switched protocols, which was not asked for.");
                        }

                        continue;
                    }

                    return head;
                }
            }
        }

        /// <summary>Copies up to <paramref name="count"/> buffered bytes into <paramref name="destination"/>.</summary>
        public int TakeBuffered(byte[] destination, int offset, int count)
        {
            int n = Math.Min(count, end - start);
            Buffer.BlockCopy(buffer, start, destination, offset, n);
            start += n;
            return n;
        }

        /// <summary>Reads one CRLF-ended line from the buffer, without the CRLF; null when the buffer holds no whole line.</summary>
        public string? TryTakeLine(int maxLength)
        {
            int limit = Math.Min(end, start + maxLength + 2);
            int at = Http1ResponseHead.LineEnd(buffer, start, limit);
            if (at < limit)
            {
                string line = Encoding.ASCII.GetString(buffer, start, at - start);
                start = at + 2;
                return line;
            }

            if (end - start > maxLength + 1)
            {
                throw new IOException("The server's chunked body has a line that is too long.");
            }

            return null;
        }

        /// <summary>
        /// Reads more bytes into the buffer, blocking; 0 at the end of the stream. When no other thread of the process
        /// is waiting on a connection like this, a plain-HTTP read first polls the socket for up to
        /// <see cref="SpinLimit"/>, yielding the core between polls to any thread that wants it (a spin kept a local
        /// server's helpers waiting for a scheduler tick): a local server usually answers within that, and a thread that
        /// never slept skips the wake-up, which on a virtual machine costs as much as the server's work. With others waiting
        /// (calls in parallel) it blocks at once and leaves the CPU to them. The wait for the first bytes of an answer
        /// skips the poll while the server has been taking 10 ms or more to answer (<see cref="SpinPolicy"/>): such a
        /// poll never sees the answer arrive and only burns a core.
        /// </summary>
        public int Fill()
        {
            MakeRoom();
            bool firstOfAnswer = awaitingAnswer;
            awaitingAnswer = false;
            bool alone = Interlocked.Increment(ref blockedReaders) == 1;
            try
            {
                // How long the server takes is timed whether or not this read polls (with other readers waiting it does not).
                bool mayPoll = alone && !tls && MaySpin;
                bool timed = firstOfAnswer && !tls && MaySpin;
                long waitStart = timed ? Stopwatch.GetTimestamp() : 0;
                if (mayPoll && (!firstOfAnswer || spin.ShouldSpin()))
                {
                    SpinUntilReadable();
                }

                int n = stream.Read(buffer, end, buffer.Length - end);
                end += n;
                if (timed)
                {
                    spin.Answered(Stopwatch.GetTimestamp() - waitStart);
                }

                return n;
            }
            finally
            {
                Interlocked.Decrement(ref blockedReaders);
            }
        }

        /// <summary>Reads more bytes into the buffer without blocking a thread; 0 at the end of the stream.</summary>
        public async Task<int> FillAsync(CancellationToken cancellationToken)
        {
            MakeRoom();
            awaitingAnswer = false;
            using (cancellationToken.Register(static s => ((Http1Connection)s!).Dispose(), this))
            {
                int n = await stream.ReadAsync(buffer, end, buffer.Length - end, cancellationToken).ConfigureAwait(false);
                end += n;
                return n;
            }
        }

        /// <summary>Closes the connection; a blocked read or write on it ends.</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                try
                {
                    stream.Dispose();
                }
                catch (Exception ex) when (ex is IOException || ex is SocketException || ex is ObjectDisposedException)
                {
                    // Closing a connection that already failed.
                }

                socket.Dispose();
            }
        }

        private void SpinUntilReadable()
        {
            long until = Stopwatch.GetTimestamp() + SpinLimitTicks;
            while (Volatile.Read(ref blockedReaders) == 1 && Available() == 0 && Stopwatch.GetTimestamp() < until)
            {
                Thread.Yield();
            }
        }

        private int Available()
        {
            try
            {
                return socket.Available;
            }
            catch (Exception ex) when (ex is SocketException || ex is ObjectDisposedException)
            {
                return 1; // let the read report it
            }
        }

        private void MakeRoom()
        {
            if (start == end)
            {
                start = end = 0;
            }
            else if (end == buffer.Length)
            {
                if (start > 0)
                {
                    Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                    end -= start;
                    start = 0;
                }
                else
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }
            }
        }

        private int IndexOfHeadEnd(int from)
        {
            for (int i = from; i + 3 < end; i++)
            {
                if (buffer[i] == '\r' && buffer[i + 1] == '\n' && buffer[i + 2] == '\r' && buffer[i + 3] == '\n')
                {
                    return i;
                }
            }

            return -1;
        }

        /// <summary>The connection ended before any byte of a response: the server may have closed it while it was idle.</summary>
        internal sealed class NoResponseException : IOException
        {
            public NoResponseException(Exception? inner = null)
                : base("The server closed the connection without answering.", inner)
            {
            }
        }
    }
}
