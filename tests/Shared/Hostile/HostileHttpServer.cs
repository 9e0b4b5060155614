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

namespace McpAuth.Testing.Hostile
{
    /// <summary>One request a <see cref="HostileHttpServer"/> received.</summary>
    public sealed class HostileRequest
    {
        public HostileRequest(string method, string target, IReadOnlyDictionary<string, string> headers, string body)
        {
            Method = method;
            Target = target;
            Headers = headers;
            Body = body;
            int question = target.IndexOf('?', StringComparison.Ordinal);
            Path = question < 0 ? target : target.Substring(0, question);
            Query = question < 0 ? string.Empty : target.Substring(question + 1);
        }

        public string Method { get; }

        /// <summary>Gets the request target as sent (path and query).</summary>
        public string Target { get; }

        public string Path { get; }

        /// <summary>Gets the query without the '?'.</summary>
        public string Query { get; }

        public IReadOnlyDictionary<string, string> Headers { get; }

        public string Body { get; }

        public string? Header(string name) => Headers.TryGetValue(name, out string? value) ? value : null;

        /// <summary>Gets the bearer token the request carried, or null.</summary>
        public string? Bearer => Header("Authorization") is string a && a.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? a.Substring(7).Trim() : null;

        /// <summary>Parses a form-urlencoded body or a query string into its fields (last value wins).</summary>
        public static Dictionary<string, string> Fields(string text)
        {
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (string pair in text.Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                string[] parts = pair.Split('=', 2);
                fields[Decode(parts[0])] = parts.Length > 1 ? Decode(parts[1]) : string.Empty;
            }

            return fields;
        }

        /// <summary>Gets the form fields of the body.</summary>
        public Dictionary<string, string> Form => Fields(Body);

        /// <summary>Gets the fields of the query string.</summary>
        public Dictionary<string, string> QueryFields => Fields(Query);

        private static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));
    }

    /// <summary>
    /// How a <see cref="HostileHttpServer"/> answers: a status line and headers, then a body written by
    /// <see cref="Writer"/> (which may trickle, stall, or break the connection). Without a Content-Length
    /// header the body ends when the connection closes.
    /// </summary>
    public sealed class HostileReply
    {
        public int Status { get; init; } = 200;

        /// <summary>Gets the reason phrase of the status line (null: the standard one).</summary>
        public string? ReasonPhrase { get; set; }

        public List<KeyValuePair<string, string>> Headers { get; } = new();

        /// <summary>Gets the body writer: the stream of the connection, and a token that ends with the server or the client.</summary>
        public Func<Stream, CancellationToken, Task>? Writer { get; init; }

        /// <summary>Gets a value indicating whether to reset the connection (TCP RST) after the writer ends.</summary>
        public bool ResetAfter { get; init; }

        /// <summary>Gets a value indicating whether to close the connection before sending anything.</summary>
        public bool DropWithoutAnswer { get; init; }

        public HostileReply WithHeader(string name, string value)
        {
            Headers.Add(new KeyValuePair<string, string>(name, value));
            return this;
        }

        /// <summary>A complete body with its Content-Length.</summary>
        public static HostileReply Bytes(int status, byte[] body, string? contentType)
        {
            var reply = new HostileReply { Status = status, Writer = (s, t) => s.WriteAsync(body, 0, body.Length, t) };
            if (contentType is not null)
            {
                reply.WithHeader("Content-Type", contentType);
            }

            return reply.WithHeader("Content-Length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        public static HostileReply Text(int status, string body, string? contentType = "text/plain") => Bytes(status, Encoding.UTF8.GetBytes(body), contentType);

        public static HostileReply Json(string json, int status = 200) => Text(status, json, "application/json");

        public static HostileReply NotFound() => Text(404, "not found");

        /// <summary>A redirect (no body).</summary>
        public static HostileReply Redirect(string location, int status = 302) => Text(status, string.Empty).WithHeader("Location", location);

        /// <summary>The body one byte at a time, <paramref name="interval"/> apart (Content-Length declared for the whole body).</summary>
        public static HostileReply Trickle(int status, string body, string contentType, TimeSpan interval)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(body);
            return new HostileReply
            {
                Status = status,
                Writer = async (s, t) =>
                {
                    foreach (byte b in bytes)
                    {
                        await s.WriteAsync(new[] { b }, 0, 1, t);
                        await s.FlushAsync(t);
                        await Task.Delay(interval, t);
                    }
                },
            }.WithHeader("Content-Type", contentType).WithHeader("Content-Length", bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        /// <summary>Sends the head and the start of a body of <paramref name="declaredLength"/> bytes, then nothing until the client goes away.</summary>
        public static HostileReply Stall(int status, string start, string contentType, int? declaredLength = null)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(start);
            var reply = new HostileReply
            {
                Status = status,
                Writer = async (s, t) =>
                {
                    await s.WriteAsync(bytes, 0, bytes.Length, t);
                    await s.FlushAsync(t);
                    await Task.Delay(Timeout.Infinite, t);
                },
            }.WithHeader("Content-Type", contentType);
            return declaredLength is int length ? reply.WithHeader("Content-Length", length.ToString(System.Globalization.CultureInfo.InvariantCulture)) : reply;
        }

        /// <summary>Sends the head and the start of a body, then resets the connection.</summary>
        public static HostileReply Reset(int status, string start, string contentType, int declaredLength) => new HostileReply
        {
            Status = status,
            ResetAfter = true,
            Writer = async (s, t) =>
            {
                byte[] bytes = Encoding.UTF8.GetBytes(start);
                await s.WriteAsync(bytes, 0, bytes.Length, t);
                await s.FlushAsync(t);
                await Task.Delay(100, t);
            },
        }.WithHeader("Content-Type", contentType).WithHeader("Content-Length", declaredLength.ToString(System.Globalization.CultureInfo.InvariantCulture));

        /// <summary>An event stream: each chunk written as given, <paramref name="interval"/> apart; then open until the client goes away when <paramref name="holdOpen"/>.</summary>
        public static HostileReply EventStream(IEnumerable<string> chunks, TimeSpan interval, bool holdOpen) => new HostileReply
        {
            Status = 200,
            Writer = async (s, t) =>
            {
                foreach (string chunk in chunks)
                {
                    byte[] bytes = Encoding.UTF8.GetBytes(chunk);
                    await s.WriteAsync(bytes, 0, bytes.Length, t);
                    await s.FlushAsync(t);
                    await Task.Delay(interval, t);
                }

                if (holdOpen)
                {
                    await Task.Delay(Timeout.Infinite, t);
                }
            },
        }.WithHeader("Content-Type", "text/event-stream").WithHeader("Cache-Control", "no-cache");

        /// <summary>Keep-alive comments only, forever (every <paramref name="interval"/>).</summary>
        public static HostileReply KeepAlivesOnly(TimeSpan interval) => new HostileReply
        {
            Status = 200,
            Writer = async (s, t) =>
            {
                byte[] ping = Encoding.UTF8.GetBytes(": keepalive\n\n");
                while (true)
                {
                    await s.WriteAsync(ping, 0, ping.Length, t);
                    await s.FlushAsync(t);
                    await Task.Delay(interval, t);
                }
            },
        }.WithHeader("Content-Type", "text/event-stream");
    }

    /// <summary>
    /// A real HTTP/1.1 server on 127.0.0.1 (a free port) that answers each request from a handler and can
    /// misbehave the way a hostile or broken peer does: trickle a body, stall, reset the connection, or send
    /// anything at all. One request per connection (Connection: close). It records every request, and stops
    /// whatever it is writing when the client goes away or the server is disposed.
    /// </summary>
    public sealed class HostileHttpServer : IDisposable
    {
        private readonly TcpListener listener;
        private readonly CancellationTokenSource stop = new();
        private readonly ConcurrentQueue<HostileRequest> requests = new();
        private readonly ConcurrentDictionary<TcpClient, byte> open = new();
        private readonly Task loop;
        private int disposed;

        public HostileHttpServer(Func<HostileRequest, HostileReply?> handler, int port = 0)
        {
            Handler = handler;
            listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            Port = ((IPEndPoint)listener.LocalEndpoint).Port;
            loop = Task.Run(AcceptLoopAsync);
        }

        /// <summary>Gets or sets how requests are answered; null is a 404.</summary>
        public Func<HostileRequest, HostileReply?> Handler { get; set; }

        public int Port { get; }

        /// <summary>Gets http://127.0.0.1:port (no trailing slash).</summary>
        public string Origin => "http://127.0.0.1:" + Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        public IReadOnlyList<HostileRequest> Requests => requests.ToArray();

        /// <summary>Gets the number of connections still being answered (a stalled answer counts until its client leaves).</summary>
        public int OpenConnections => open.Count;

        public void ClearRequests()
        {
            while (requests.TryDequeue(out _))
            {
            }
        }

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

                _ = Task.Run(() => ServeAsync(client));
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            open[client] = 0;
            using var gone = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
            try
            {
                NetworkStream stream = client.GetStream();
                HostileRequest? request = await ReadRequestAsync(stream, gone.Token);
                if (request is null)
                {
                    return;
                }

                requests.Enqueue(request);
                HostileReply reply;
                try
                {
                    reply = Handler(request) ?? HostileReply.NotFound();
                }
                catch (Exception ex)
                {
                    reply = HostileReply.Text(599, "the test server's handler failed: " + ex.GetType().Name);
                }

                if (reply.DropWithoutAnswer)
                {
                    client.Client.LingerState = new LingerOption(true, 0);
                    return;
                }

                // The client going away ends a stalled or endless writer: watch for EOF on the read side.
                _ = WatchForCloseAsync(stream, gone);
                var head = new StringBuilder();
                head.Append("HTTP/1.1 ").Append(reply.Status).Append(' ').Append(reply.ReasonPhrase ?? Reason(reply.Status)).Append("\r\n");
                foreach (KeyValuePair<string, string> h in reply.Headers)
                {
                    head.Append(h.Key).Append(": ").Append(h.Value).Append("\r\n");
                }

                head.Append("Connection: close\r\n\r\n");
                byte[] headBytes = Encoding.Latin1.GetBytes(head.ToString());
                await stream.WriteAsync(headBytes, gone.Token);
                await stream.FlushAsync(gone.Token);
                if (reply.Writer is not null)
                {
                    await reply.Writer(stream, gone.Token);
                }

                await stream.FlushAsync(gone.Token);
                if (reply.ResetAfter)
                {
                    client.Client.LingerState = new LingerOption(true, 0);
                    return;
                }

                client.Client.Shutdown(SocketShutdown.Send);
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

        private static async Task<HostileRequest?> ReadRequestAsync(NetworkStream stream, CancellationToken cancellationToken)
        {
            var buffer = new List<byte>();
            byte[] chunk = new byte[8192];
            int end;
            while ((end = HeadEnd(buffer)) < 0)
            {
                int read = await stream.ReadAsync(chunk, cancellationToken);
                if (read == 0)
                {
                    return null;
                }

                buffer.AddRange(chunk.Take(read));
            }

            string[] lines = Encoding.Latin1.GetString(buffer.Take(end).ToArray()).Split("\r\n");
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

            return new HostileRequest(requestLine[0], requestLine.Length > 1 ? requestLine[1] : string.Empty, headers, Encoding.UTF8.GetString(body.ToArray()));
        }

        private static int HeadEnd(List<byte> buffer)
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
            201 => "Created",
            202 => "Accepted",
            302 => "Found",
            400 => "Bad Request",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "Not Found",
            500 => "Internal Server Error",
            _ => "Status",
        };
    }
}
