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

namespace McpAuth.Core.Tests.Http
{
    /// <summary>One request a <see cref="TestHttpServer"/> saw.</summary>
    public sealed record TestRequest(string Method, string Target, IReadOnlyDictionary<string, string> Headers)
    {
        /// <summary>Gets the path and query, also for absolute-form targets (requests through a proxy).</summary>
        public string PathAndQuery => Target.StartsWith("/", StringComparison.Ordinal) ? Target : new Uri(Target).PathAndQuery;
    }

    /// <summary>A response to send: status, header lines (repeats allowed) and body.</summary>
    public sealed class TestResponse
    {
        public int Status { get; init; } = 200;

        public List<KeyValuePair<string, string>> Headers { get; } = new();

        public byte[] Body { get; init; } = Array.Empty<byte>();

        public static TestResponse Json(string json, int status = 200)
        {
            var r = new TestResponse { Status = status, Body = Encoding.UTF8.GetBytes(json) };
            r.Headers.Add(new("Content-Type", "application/json"));
            return r;
        }

        public static TestResponse Text(string text, int status = 200, string contentType = "text/plain")
        {
            var r = new TestResponse { Status = status, Body = Encoding.UTF8.GetBytes(text) };
            r.Headers.Add(new("Content-Type", contentType));
            return r;
        }

        public static TestResponse NotFound() => Text("not found", 404);

        public TestResponse WithHeader(string name, string value)
        {
            Headers.Add(new(name, value));
            return this;
        }
    }

    /// <summary>
    /// A tiny real HTTP/1.1 server on 127.0.0.1 (a TcpListener on an ephemeral port) for tests: it serves what a
    /// handler returns, answers 404 for anything the handler does not know, closes each connection after one
    /// response, and records every request it saw, in order.
    /// </summary>
    public sealed class TestHttpServer : IDisposable
    {
        private readonly TcpListener listener;
        private readonly Func<TestRequest, TestResponse?> handler;
        private readonly ConcurrentQueue<TestRequest> requests = new();
        private readonly CancellationTokenSource stop = new();
        private readonly Task loop;

        public TestHttpServer(Func<TestRequest, TestResponse?> handler)
        {
            this.handler = handler;
            listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            Port = ((IPEndPoint)listener.LocalEndpoint).Port;
            BaseUrl = new Uri($"http://127.0.0.1:{Port}");
            loop = Task.Run(AcceptLoopAsync);
        }

        /// <summary>Creates a server that serves fixed documents by path (and query), 404 for the rest.</summary>
        public TestHttpServer(IDictionary<string, TestResponse> routes)
            : this(r => routes.TryGetValue(r.PathAndQuery, out TestResponse? response) ? response : null)
        {
        }

        public int Port { get; }

        /// <summary>Gets http://127.0.0.1:port (no trailing slash).</summary>
        public Uri BaseUrl { get; }

        /// <summary>Gets the origin as a string without a trailing slash.</summary>
        public string Origin => $"http://127.0.0.1:{Port}";

        public IReadOnlyList<TestRequest> Requests => requests.ToArray();

        public IReadOnlyList<string> Paths => requests.Select(r => r.PathAndQuery).ToArray();

        public Uri Url(string pathAndQuery) => new Uri(Origin + pathAndQuery);

        public void Dispose()
        {
            stop.Cancel();
            listener.Stop();
            try
            {
                loop.Wait(TimeSpan.FromSeconds(5));
            }
            catch (AggregateException)
            {
            }

            stop.Dispose();
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
                catch (Exception) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (SocketException)
                {
                    return;
                }
                catch (ObjectDisposedException)
                {
                    return;
                }

                _ = Task.Run(() => ServeAsync(client));
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using (client)
            {
                try
                {
                    NetworkStream stream = client.GetStream();
                    TestRequest? request = await ReadRequestAsync(stream);
                    if (request is null)
                    {
                        return;
                    }

                    requests.Enqueue(request);
                    TestResponse response = handler(request) ?? TestResponse.NotFound();
                    var head = new StringBuilder();
                    head.Append("HTTP/1.1 ").Append(response.Status).Append(' ').Append(Reason(response.Status)).Append("\r\n");
                    foreach (KeyValuePair<string, string> h in response.Headers)
                    {
                        head.Append(h.Key).Append(": ").Append(h.Value).Append("\r\n");
                    }

                    head.Append("Content-Length: ").Append(response.Body.Length).Append("\r\n");
                    head.Append("Connection: close\r\n\r\n");
                    byte[] headBytes = Encoding.UTF8.GetBytes(head.ToString());
                    await stream.WriteAsync(headBytes, stop.Token);
                    await stream.WriteAsync(response.Body, stop.Token);
                    await stream.FlushAsync(stop.Token);
                    client.Client.Shutdown(SocketShutdown.Send);
                }
                catch (IOException)
                {
                }
                catch (SocketException)
                {
                }
                catch (OperationCanceledException)
                {
                }
                catch (ObjectDisposedException)
                {
                }
            }
        }

        private async Task<TestRequest?> ReadRequestAsync(NetworkStream stream)
        {
            var buffer = new List<byte>();
            byte[] one = new byte[4096];
            int end;
            while ((end = IndexOfHeaderEnd(buffer)) < 0)
            {
                int read = await stream.ReadAsync(one, stop.Token);
                if (read == 0)
                {
                    return null;
                }

                buffer.AddRange(one.Take(read));
            }

            string head = Encoding.UTF8.GetString(buffer.Take(end).ToArray());
            string[] lines = head.Split("\r\n");
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

            // Drain a request body so the client sees a clean response.
            if (headers.TryGetValue("Content-Length", out string? lengthText) && int.TryParse(lengthText, out int length))
            {
                int have = buffer.Count - (end + 4);
                while (have < length)
                {
                    int read = await stream.ReadAsync(one, stop.Token);
                    if (read == 0)
                    {
                        break;
                    }

                    have += read;
                }
            }

            return new TestRequest(requestLine[0], requestLine.Length > 1 ? requestLine[1] : string.Empty, headers);
        }

        private static int IndexOfHeaderEnd(List<byte> buffer)
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

        private static string Reason(int status) => status switch
        {
            200 => "OK",
            400 => "Bad Request",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "Not Found",
            405 => "Method Not Allowed",
            500 => "Internal Server Error",
            _ => "Status",
        };
    }
}
