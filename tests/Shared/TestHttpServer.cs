using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Testing
{
    /// <summary>
    /// The tests' one in-process HTTP/1.1 server: a TcpListener on 127.0.0.1 with a port the system picks. It
    /// answers each request from a handler (null is a 404), one request per connection (Connection: close), and
    /// records every request it saw, in order, with its body. A handler's <see cref="TestResponse"/> is either
    /// structured (status, headers, a fixed or streamed body) or raw (any bytes at all), and ends the connection
    /// with a close, a reset or a stall; so the same server plays a well-behaved metadata host, authorization
    /// server or MCP server, a hostile peer, and the fuzzer's world. Whatever it is writing stops when the client
    /// goes away or the server is disposed.
    /// </summary>
    public sealed class TestHttpServer : IDisposable
    {
        private readonly TcpListener listener;
        private readonly ConcurrentQueue<TestRequest> requests = new();
        private readonly ConcurrentDictionary<TcpClient, byte> open = new();
        private readonly CancellationTokenSource stop = new();
        private readonly Task loop;
        private Exception? handlerFault;
        private int disposed;

        public TestHttpServer(Func<TestRequest, TestResponse?> handler)
            : this(handler, 0)
        {
        }

        /// <summary>Creates a server that serves fixed documents by path (and query), 404 for the rest.</summary>
        public TestHttpServer(IDictionary<string, TestResponse> routes)
            : this(r => routes.TryGetValue(r.PathAndQuery, out TestResponse? response) ? response : null)
        {
        }

        private TestHttpServer(Func<TestRequest, TestResponse?> handler, int port)
        {
            Handler = handler;
            listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            Port = ((IPEndPoint)listener.LocalEndpoint).Port;
            loop = Task.Run(AcceptLoopAsync);
        }

        /// <summary>Gets or sets how the server answers; null from the handler is a 404.</summary>
        public Func<TestRequest, TestResponse?> Handler { get; set; }

        public int Port { get; }

        /// <summary>Gets http://127.0.0.1:port (no trailing slash).</summary>
        public Uri BaseUrl => new(Origin);

        /// <summary>Gets http://127.0.0.1:port/, to resolve relative paths against.</summary>
        public Uri BaseUri => new(Origin + "/");

        /// <summary>Gets the origin as a string without a trailing slash.</summary>
        public string Origin => "http://127.0.0.1:" + Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>Gets the issuer identifier this server has as an authorization server (no trailing slash).</summary>
        public Uri Issuer => new(Origin);

        public IReadOnlyList<TestRequest> Requests => requests.ToArray();

        public IReadOnlyList<string> Paths => requests.Select(r => r.PathAndQuery).ToArray();

        /// <summary>Gets the number of connections still open (a stalled answer counts until its client leaves).</summary>
        public int OpenConnections => open.Count;

        /// <summary>Gets the first exception the handler threw (a bug of the test, answered with a 599).</summary>
        public Exception? HandlerFault => Volatile.Read(ref handlerFault);

        /// <summary>Starts a server that answers 404 until a handler is set.</summary>
        public static TestHttpServer Start() => new(_ => null);

        public Uri Url(string pathAndQuery) => new(Origin + pathAndQuery);

        /// <summary>Answers each request with the next of <paramref name="responses"/> (the last one repeats).</summary>
        public void RespondWith(params TestResponse[] responses)
        {
            int next = -1;
            Handler = _ => responses[Math.Min(Interlocked.Increment(ref next), responses.Length - 1)];
        }

        public void ClearRequests()
        {
            while (requests.TryDequeue(out _))
            {
            }
        }

        /// <summary>
        /// Listens again, after <see cref="Dispose"/>, on the port the system gave this server, with the same
        /// handler: a peer whose process died and came back at the address its clients remember.
        /// </summary>
        public TestHttpServer Reopen() => new(Handler, Port);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 1)
            {
                return;
            }

            stop.Cancel();
            listener.Stop();
            foreach (TcpClient client in open.Keys)
            {
                client.Dispose();
            }

            try
            {
                loop.Wait(TimeSpan.FromSeconds(5));
            }
            catch (AggregateException)
            {
            }
        }

        /// <summary>Reads one request (head, and a Content-Length body) from a connection; null when it closes first.</summary>
        private static async Task<TestRequest?> ReadRequestAsync(NetworkStream stream, CancellationToken cancellationToken)
        {
            var buffer = new List<byte>();
            byte[] chunk = new byte[8192];
            int end;
            while ((end = IndexOfHeadEnd(buffer)) < 0)
            {
                int read = await stream.ReadAsync(chunk, cancellationToken);
                if (read == 0)
                {
                    return null;
                }

                buffer.AddRange(chunk.Take(read));
            }

            DateTimeOffset receivedAt = DateTimeOffset.UtcNow;
            string[] lines = Encoding.UTF8.GetString(buffer.Take(end).ToArray()).Split("\r\n");
            string[] requestLine = lines[0].Split(' ');
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (string line in lines.Skip(1))
            {
                int colon = line.IndexOf(':', StringComparison.Ordinal);
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
                    int read = await stream.ReadAsync(chunk, cancellationToken);
                    if (read == 0)
                    {
                        break;
                    }

                    body.AddRange(chunk.Take(read));
                }
            }

            return new TestRequest(requestLine[0], requestLine.Length > 1 ? requestLine[1] : string.Empty, headers, Encoding.UTF8.GetString(body.ToArray()), receivedAt);
        }

        private static int IndexOfHeadEnd(List<byte> buffer)
        {
            for (int i = 3; i < buffer.Count; i++)
            {
                if (buffer[i - 3] == '\r' && buffer[i - 2] == '\n' && buffer[i - 1] == '\r' && buffer[i] == '\n')
                {
                    return i - 3;
                }
            }

            return -1;
        }

        /// <summary>Writes the answer: the head (unless raw), then the fixed body or whatever the writer writes.</summary>
        private static async Task WriteAsync(NetworkStream stream, TestResponse response, CancellationToken cancellationToken)
        {
            if (!response.IsRaw)
            {
                await stream.WriteAsync(response.Head(), cancellationToken);
                await stream.FlushAsync(cancellationToken);
                if (response.Writer is null)
                {
                    await stream.WriteAsync(response.Body, cancellationToken);
                }
            }

            if (response.Writer is not null)
            {
                await response.Writer(stream, cancellationToken);
            }

            await stream.FlushAsync(cancellationToken);
        }

        /// <summary>Reads (and drops) whatever else the client sends; its going away cancels <paramref name="gone"/>.</summary>
        private static async Task WatchForCloseAsync(NetworkStream stream, CancellationTokenSource gone)
        {
            byte[] buffer = new byte[256];
            try
            {
                while (await stream.ReadAsync(buffer, gone.Token) > 0)
                {
                }
            }
            catch (Exception ex) when (ex is IOException || ex is SocketException || ex is OperationCanceledException || ex is ObjectDisposedException)
            {
            }

            try
            {
                gone.Cancel();
            }
            catch (ObjectDisposedException)
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
                catch (Exception ex) when (ex is SocketException || ex is ObjectDisposedException || ex is OperationCanceledException || ex is InvalidOperationException)
                {
                    return;
                }

                open[client] = 0;
                _ = Task.Run(() => ServeAsync(client));
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using var gone = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
            try
            {
                NetworkStream stream = client.GetStream();
                TestRequest? request = await ReadRequestAsync(stream, gone.Token);
                if (request is null)
                {
                    return;
                }

                requests.Enqueue(request);
                TestResponse response = Answer(request);

                // The client going away ends a stalled or endless writer.
                Task watch = WatchForCloseAsync(stream, gone);
                await WriteAsync(stream, response, gone.Token);
                switch (response.End)
                {
                    case ConnectionEnd.Reset:
                        client.Client.LingerState = new LingerOption(true, 0);
                        break;
                    case ConnectionEnd.Hold:
                        await Task.Delay(Timeout.Infinite, gone.Token);
                        break;
                    default:
                        client.Client.Shutdown(SocketShutdown.Send);

                        // Let the client read to the end before the socket goes (a close with unread data is a reset).
                        await Task.WhenAny(watch, Task.Delay(50, gone.Token));
                        break;
                }
            }
            catch (Exception ex) when (ex is IOException || ex is SocketException || ex is OperationCanceledException || ex is ObjectDisposedException)
            {
            }
            finally
            {
                open.TryRemove(client, out _);
                client.Dispose();
            }
        }

        private TestResponse Answer(TestRequest request)
        {
            try
            {
                return Handler(request) ?? TestResponse.NotFound();
            }
            catch (Exception ex)
            {
                Interlocked.CompareExchange(ref handlerFault, ex, null);
                return TestResponse.Text("the test server's handler failed: " + ex.GetType().Name, 599);
            }
        }
    }
}
