using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Discovery;

namespace McpAuth.Core.Tests
{
    /// <summary>One request a <see cref="TestHttpServer"/> saw.</summary>
    public sealed class TestRequest
    {
        public TestRequest(string method, string target, IReadOnlyDictionary<string, string> headers, string body, DateTimeOffset receivedAt)
        {
            Method = method;
            Target = target;
            Headers = headers;
            Body = body;
            ReceivedAt = receivedAt;
            if (Header("Content-Type")?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true)
            {
                foreach (string pair in body.Split('&', StringSplitOptions.RemoveEmptyEntries))
                {
                    string[] parts = pair.Split('=', 2);
                    string name = TestHttpServer.Decode(parts[0]);
                    if (!Form.TryGetValue(name, out List<string>? values))
                    {
                        Form[name] = values = new List<string>();
                    }

                    values.Add(parts.Length > 1 ? TestHttpServer.Decode(parts[1]) : string.Empty);
                }
            }
        }

        public string Method { get; }

        /// <summary>Gets the request target as sent (origin form, or absolute form through a proxy).</summary>
        public string Target { get; }

        public IReadOnlyDictionary<string, string> Headers { get; }

        public string Body { get; }

        /// <summary>Gets when the request arrived (real time).</summary>
        public DateTimeOffset ReceivedAt { get; }

        /// <summary>Gets the form fields (every value of a repeated field), when the body is form-urlencoded.</summary>
        public Dictionary<string, List<string>> Form { get; } = new(StringComparer.Ordinal);

        /// <summary>Gets the path and query, also for absolute-form targets.</summary>
        public string PathAndQuery => Target.StartsWith("/", StringComparison.Ordinal) ? Target : new Uri(Target).PathAndQuery;

        /// <summary>Gets the path without the query.</summary>
        public string Path => PathAndQuery.Split('?')[0];

        public string? Header(string name) => Headers.TryGetValue(name, out string? v) ? v : null;

        /// <summary>Returns the one value of a form field, or null.</summary>
        public string? Field(string name) => Form.TryGetValue(name, out List<string>? v) ? v.Single() : null;

        public JsonElement Json()
        {
            using JsonDocument doc = JsonDocument.Parse(Body);
            return doc.RootElement.Clone();
        }
    }

    /// <summary>A response to send: status, header lines (repeats allowed) and body.</summary>
    public sealed class TestResponse
    {
        public TestResponse()
        {
        }

        /// <summary>A response with a text body of the given content type.</summary>
        public TestResponse(int status, string body, string contentType = "application/json")
        {
            Status = status;
            Body = Encoding.UTF8.GetBytes(body);
            Headers.Add(new("Content-Type", contentType));
        }

        public int Status { get; init; } = 200;

        public List<KeyValuePair<string, string>> Headers { get; } = new();

        public byte[] Body { get; init; } = Array.Empty<byte>();

        public static TestResponse Json(string json, int status = 200) => new(status, json);

        /// <summary>Serializes <paramref name="body"/> as the JSON answer.</summary>
        public static TestResponse Json(int status, object body) => new(status, JsonSerializer.Serialize(body));

        public static TestResponse Text(string text, int status = 200, string contentType = "text/plain") => new(status, text, contentType);

        public static TestResponse NotFound() => Text("not found", 404);

        /// <summary>A token response (RFC 6749 §5.1).</summary>
        public static TestResponse Tokens(string accessToken, string? refreshToken = null, string? scope = null, int? expiresIn = 3600, string tokenType = "Bearer")
        {
            var body = new Dictionary<string, object> { ["access_token"] = accessToken, ["token_type"] = tokenType };
            if (refreshToken is not null)
            {
                body["refresh_token"] = refreshToken;
            }

            if (scope is not null)
            {
                body["scope"] = scope;
            }

            if (expiresIn is int e)
            {
                body["expires_in"] = e;
            }

            return Json(200, body);
        }

        /// <summary>An OAuth error response (RFC 6749 §5.2).</summary>
        public static TestResponse Error(int status, string error, string? description = null) =>
            Json(status, description is null ? new Dictionary<string, string> { ["error"] = error } : new Dictionary<string, string> { ["error"] = error, ["error_description"] = description });

        public TestResponse WithHeader(string name, string value)
        {
            Headers.Add(new(name, value));
            return this;
        }
    }

    /// <summary>
    /// A tiny real HTTP/1.1 server on 127.0.0.1 (a TcpListener on an ephemeral port) for tests: it answers from a
    /// handler (404 for anything the handler does not know), closes each connection after one response, and
    /// records every request it saw, in order, with its body. It plays a metadata host, an authorization server
    /// (<see cref="Metadata"/>) or an MCP server.
    /// </summary>
    public sealed class TestHttpServer : IDisposable
    {
        private readonly TcpListener listener;
        private readonly ConcurrentQueue<TestRequest> requests = new();
        private readonly CancellationTokenSource stop = new();
        private readonly Task loop;
        private int disposed;

        public TestHttpServer(Func<TestRequest, TestResponse?> handler)
        {
            Handler = handler;
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

        /// <summary>Gets or sets how the server answers; null from the handler is a 404.</summary>
        public Func<TestRequest, TestResponse?> Handler { get; set; }

        public int Port { get; }

        /// <summary>Gets http://127.0.0.1:port (no trailing slash).</summary>
        public Uri BaseUrl { get; }

        /// <summary>Gets http://127.0.0.1:port/, to resolve relative paths against.</summary>
        public Uri BaseUri => new(Origin + "/");

        /// <summary>Gets the origin as a string without a trailing slash.</summary>
        public string Origin => $"http://127.0.0.1:{Port}";

        /// <summary>Gets the issuer identifier this server has as an authorization server (no trailing slash).</summary>
        public Uri Issuer => new(Origin);

        public IReadOnlyList<TestRequest> Requests => requests.ToArray();

        public IReadOnlyList<string> Paths => requests.Select(r => r.PathAndQuery).ToArray();

        /// <summary>Starts a server that answers 404 until a handler is set.</summary>
        public static TestHttpServer Start() => new(_ => null);

        public static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));

        public Uri Url(string pathAndQuery) => new Uri(Origin + pathAndQuery);

        /// <summary>Answers each request with the next of <paramref name="responses"/> (the last one repeats).</summary>
        public void RespondWith(params TestResponse[] responses)
        {
            int next = -1;
            Handler = _ => responses[Math.Min(Interlocked.Increment(ref next), responses.Length - 1)];
        }

        /// <summary>Returns authorization server metadata for this server with every endpoint set.</summary>
        public AuthorizationServerMetadata Metadata() => new()
        {
            Issuer = Issuer,
            AuthorizationEndpoint = new Uri(BaseUri, "authorize"),
            TokenEndpoint = new Uri(BaseUri, "token"),
            RegistrationEndpoint = new Uri(BaseUri, "register"),
            RevocationEndpoint = new Uri(BaseUri, "revoke"),
            DeviceAuthorizationEndpoint = new Uri(BaseUri, "device"),
            CodeChallengeMethodsSupported = new[] { "S256" },
        };

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 1)
            {
                return;
            }

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
                catch (Exception ex) when (stop.IsCancellationRequested || ex is SocketException || ex is ObjectDisposedException)
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
                    TestRequest? request = await ReadRequestAsync(stream, stop.Token);
                    if (request is null)
                    {
                        return;
                    }

                    requests.Enqueue(request);
                    TestResponse response = Handler(request) ?? TestResponse.NotFound();
                    var head = new StringBuilder();
                    head.Append("HTTP/1.1 ").Append(response.Status).Append(' ').Append(Reason(response.Status)).Append("\r\n");
                    foreach (KeyValuePair<string, string> h in response.Headers)
                    {
                        head.Append(h.Key).Append(": ").Append(h.Value).Append("\r\n");
                    }

                    head.Append("Content-Length: ").Append(response.Body.Length).Append("\r\n");
                    head.Append("Connection: close\r\n\r\n");
                    await stream.WriteAsync(Encoding.UTF8.GetBytes(head.ToString()), stop.Token);
                    await stream.WriteAsync(response.Body, stop.Token);
                    await stream.FlushAsync(stop.Token);
                    client.Client.Shutdown(SocketShutdown.Send);
                }
                catch (Exception ex) when (ex is IOException || ex is SocketException || ex is OperationCanceledException || ex is ObjectDisposedException)
                {
                }
            }
        }

        /// <summary>Reads one request (head, and a Content-Length body) from a connection; null when it closes first.</summary>
        internal static async Task<TestRequest?> ReadRequestAsync(NetworkStream stream, CancellationToken cancellationToken)
        {
            var buffer = new List<byte>();
            byte[] chunk = new byte[4096];
            int end;
            while ((end = IndexOfHeaderEnd(buffer)) < 0)
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

        internal static string Reason(int status) => status switch
        {
            200 => "OK",
            201 => "Created",
            202 => "Accepted",
            204 => "No Content",
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
