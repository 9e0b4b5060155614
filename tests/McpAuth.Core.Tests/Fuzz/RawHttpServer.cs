using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Core.Tests.Fuzz
{
    /// <summary>One request the <see cref="RawHttpServer"/> read.</summary>
    public sealed class RawRequest
    {
        public RawRequest(string method, string target, Dictionary<string, string> headers, byte[] body)
        {
            Method = method;
            Target = target;
            Headers = headers;
            Body = body;
        }

        public string Method { get; }

        public string Target { get; }

        public string Path => Target.Split('?')[0];

        public Dictionary<string, string> Headers { get; }

        public byte[] Body { get; }

        public string BodyText => Encoding.UTF8.GetString(Body);

        public string? Header(string name) => Headers.TryGetValue(name, out string? v) ? v : null;

        /// <summary>The form fields of an application/x-www-form-urlencoded body (last value wins).</summary>
        public Dictionary<string, string> Form()
        {
            var form = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (string pair in BodyText.Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                string[] parts = pair.Split('=', 2);
                form[Unescape(parts[0])] = parts.Length > 1 ? Unescape(parts[1]) : string.Empty;
            }

            return form;
        }

        private static string Unescape(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));
    }

    /// <summary>How a scripted answer ends after its last segment.</summary>
    public enum RawEnd
    {
        /// <summary>Close the connection (FIN).</summary>
        Close,

        /// <summary>Reset the connection (RST, linger 0).</summary>
        Reset,

        /// <summary>Keep the connection open and silent until the server stops (a stalled peer).</summary>
        Hold,
    }

    /// <summary>A piece of an answer: bytes written after a pause.</summary>
    public readonly record struct RawSegment(byte[] Bytes, int DelayMs = 0);

    /// <summary>
    /// A scripted answer, byte for byte: what is written, when, and how the connection ends. The fuzzer builds
    /// well-formed HTTP with it and then breaks it anywhere (status line, headers, framing, timing).
    /// </summary>
    public sealed class RawReply
    {
        public List<RawSegment> Segments { get; } = new();

        public RawEnd End { get; set; } = RawEnd.Close;

        public static RawReply Of(byte[] bytes, RawEnd end = RawEnd.Close)
        {
            var reply = new RawReply { End = end };
            reply.Segments.Add(new RawSegment(bytes));
            return reply;
        }
    }

    /// <summary>
    /// A real HTTP/1.1 listener on 127.0.0.1 (port 0) that writes exactly the bytes it is given: unlike
    /// <see cref="TestHttpServer"/> it can send broken framing, stall, trickle or reset. One request per
    /// connection. Every stall ends when the server is disposed.
    /// </summary>
    public sealed class RawHttpServer : IDisposable
    {
        private readonly TcpListener listener;
        private readonly CancellationTokenSource stop = new();
        private readonly Func<RawRequest, RawReply> handler;
        private readonly Task loop;
        private readonly List<TcpClient> open = new();
        private int disposed;

        public RawHttpServer(Func<RawRequest, RawReply> handler)
        {
            this.handler = handler;
            listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            Port = ((IPEndPoint)listener.LocalEndpoint).Port;
            loop = Task.Run(AcceptLoopAsync);
        }

        public int Port { get; }

        /// <summary>Gets http://127.0.0.1:port (no trailing slash).</summary>
        public string Origin => $"http://127.0.0.1:{Port}";

        /// <summary>Gets the number of requests read.</summary>
        public int RequestCount;

        /// <summary>Gets the first exception the handler threw (a bug in the world, not the engine).</summary>
        public Exception? HandlerFault { get; private set; }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 1)
            {
                return;
            }

            stop.Cancel();
            listener.Stop();
            lock (open)
            {
                foreach (TcpClient c in open)
                {
                    c.Dispose();
                }
            }

            try
            {
                loop.Wait(TimeSpan.FromSeconds(5));
            }
            catch (AggregateException)
            {
            }
        }

        private async Task AcceptLoopAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await listener.AcceptTcpClientAsync(stop.Token);
                }
                catch (Exception ex) when (stop.IsCancellationRequested || ex is SocketException || ex is ObjectDisposedException)
                {
                    return;
                }

                lock (open)
                {
                    open.Add(client);
                }

                _ = Task.Run(() => ServeAsync(client));
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            try
            {
                NetworkStream stream = client.GetStream();
                RawRequest? request = await ReadRequestAsync(stream);
                if (request is null)
                {
                    return;
                }

                Interlocked.Increment(ref RequestCount);
                RawReply reply;
                try
                {
                    reply = handler(request);
                }
                catch (Exception ex)
                {
                    HandlerFault ??= ex;
                    reply = RawReply.Of(Encoding.ASCII.GetBytes("HTTP/1.1 599 World Fault\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
                }

                foreach (RawSegment segment in reply.Segments)
                {
                    if (segment.DelayMs > 0)
                    {
                        await Task.Delay(segment.DelayMs, stop.Token);
                    }

                    await stream.WriteAsync(segment.Bytes, stop.Token);
                    await stream.FlushAsync(stop.Token);
                }

                switch (reply.End)
                {
                    case RawEnd.Reset:
                        client.Client.LingerState = new LingerOption(true, 0);
                        break;
                    case RawEnd.Hold:
                        await Task.Delay(Timeout.Infinite, stop.Token);
                        break;
                    default:
                        client.Client.Shutdown(SocketShutdown.Send);

                        // Let the client read to the end before the socket goes.
                        await Task.Delay(50, stop.Token);
                        break;
                }
            }
            catch (Exception ex) when (ex is IOException || ex is SocketException || ex is OperationCanceledException || ex is ObjectDisposedException)
            {
            }
            finally
            {
                lock (open)
                {
                    open.Remove(client);
                }

                client.Dispose();
            }
        }

        private async Task<RawRequest?> ReadRequestAsync(NetworkStream stream)
        {
            var buffer = new List<byte>();
            byte[] chunk = new byte[8192];
            int end;
            while ((end = IndexOf(buffer, "\r\n\r\n"u8.ToArray(), 0)) < 0)
            {
                int read = await stream.ReadAsync(chunk, stop.Token);
                if (read == 0 || buffer.Count > 1024 * 1024)
                {
                    return null;
                }

                buffer.AddRange(chunk.Take(read));
            }

            string[] lines = Encoding.UTF8.GetString(buffer.Take(end).ToArray()).Split("\r\n");
            string[] requestLine = lines[0].Split(' ');
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (string line in lines.Skip(1))
            {
                int colon = line.IndexOf(':');
                if (colon > 0)
                {
                    headers[line.Substring(0, colon).Trim()] = line.Substring(colon + 1).Trim();
                }
            }

            var body = new List<byte>(buffer.Skip(end + 4));
            if (headers.TryGetValue("Content-Length", out string? lengthText) && int.TryParse(lengthText, out int length))
            {
                while (body.Count < length)
                {
                    int read = await stream.ReadAsync(chunk, stop.Token);
                    if (read == 0)
                    {
                        break;
                    }

                    body.AddRange(chunk.Take(read));
                }
            }
            else if (headers.TryGetValue("Transfer-Encoding", out string? te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                body = await ReadChunkedAsync(stream, body, chunk);
            }

            return new RawRequest(requestLine[0], requestLine.Length > 1 ? requestLine[1] : string.Empty, headers, body.ToArray());
        }

        private async Task<List<byte>> ReadChunkedAsync(NetworkStream stream, List<byte> raw, byte[] chunk)
        {
            var decoded = new List<byte>();
            int position = 0;
            while (true)
            {
                int lineEnd;
                while ((lineEnd = IndexOf(raw, "\r\n"u8.ToArray(), position)) < 0)
                {
                    int read = await stream.ReadAsync(chunk, stop.Token);
                    if (read == 0)
                    {
                        return decoded;
                    }

                    raw.AddRange(chunk.Take(read));
                }

                string sizeText = Encoding.ASCII.GetString(raw.GetRange(position, lineEnd - position).ToArray()).Split(';')[0].Trim();
                int size = Convert.ToInt32(sizeText, 16);
                position = lineEnd + 2;
                if (size == 0)
                {
                    return decoded;
                }

                while (raw.Count < position + size + 2)
                {
                    int read = await stream.ReadAsync(chunk, stop.Token);
                    if (read == 0)
                    {
                        return decoded;
                    }

                    raw.AddRange(chunk.Take(read));
                }

                decoded.AddRange(raw.GetRange(position, size));
                position += size + 2;
            }
        }

        private static int IndexOf(List<byte> buffer, byte[] pattern, int start)
        {
            for (int i = start; i <= buffer.Count - pattern.Length; i++)
            {
                bool match = true;
                for (int j = 0; j < pattern.Length && match; j++)
                {
                    match = buffer[i + j] == pattern[j];
                }

                if (match)
                {
                    return i;
                }
            }

            return -1;
        }
    }
}
