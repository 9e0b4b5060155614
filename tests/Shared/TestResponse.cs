using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Testing
{
    /// <summary>How the <see cref="TestHttpServer"/> ends a connection once the answer is written.</summary>
    public enum ConnectionEnd
    {
        /// <summary>Close it (FIN): the client reads to the end.</summary>
        Close,

        /// <summary>Reset it (RST, linger 0): what a crashed peer or a middlebox does.</summary>
        Reset,

        /// <summary>Keep it open and silent until the client goes away or the server stops: a stalled peer.</summary>
        Hold,
    }

    /// <summary>
    /// What a <see cref="TestHttpServer"/> sends for one request. Structured: a status line, header lines
    /// (repeats allowed) and either a fixed <see cref="Body"/> (its Content-Length is added) or a streamed body
    /// written by <see cref="Writer"/> (framed only by the headers given: without a Content-Length it ends when the
    /// connection closes), which may trickle, stall or break off. Raw (<see cref="Raw(byte[], ConnectionEnd)"/>):
    /// the writer gets the connection's stream and writes every byte, status line included, so an answer can
    /// break HTTP anywhere. Either way <see cref="End"/> says how the connection ends.
    /// </summary>
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

        /// <summary>Gets or sets the reason phrase of the status line (null: the standard one).</summary>
        public string? ReasonPhrase { get; set; }

        public List<KeyValuePair<string, string>> Headers { get; } = new();

        /// <summary>Gets the whole body, sent with its Content-Length (when there is no <see cref="Writer"/>).</summary>
        public byte[] Body { get; init; } = Array.Empty<byte>();

        /// <summary>Gets the body writer (after the head, or everything when <see cref="IsRaw"/>): the connection's stream, and a token that ends with the server or the client.</summary>
        public Func<Stream, CancellationToken, Task>? Writer { get; init; }

        /// <summary>Gets a value indicating whether the <see cref="Writer"/> writes the whole answer: the server sends no status line nor headers.</summary>
        public bool IsRaw { get; init; }

        public ConnectionEnd End { get; init; } = ConnectionEnd.Close;

        public static TestResponse Json(string json, int status = 200) => new(status, json);

        /// <summary>Serializes <paramref name="body"/> as the JSON answer.</summary>
        public static TestResponse Json(int status, object body) => new(status, JsonSerializer.Serialize(body));

        public static TestResponse Text(string text, int status = 200, string contentType = "text/plain") => new(status, text, contentType);

        public static TestResponse NotFound() => Text("not found", 404);

        /// <summary>A redirect (empty body).</summary>
        public static TestResponse Redirect(string location, int status = 302) => Text(string.Empty, status).WithHeader("Location", location);

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

        /// <summary>Exactly these bytes and nothing else (no status line, no headers of the server's), then <paramref name="end"/>.</summary>
        public static TestResponse Raw(byte[] bytes, ConnectionEnd end = ConnectionEnd.Close) => Raw((s, t) => s.WriteAsync(bytes, 0, bytes.Length, t), end);

        /// <summary>Whatever <paramref name="writer"/> writes to the connection's stream, then <paramref name="end"/>.</summary>
        public static TestResponse Raw(Func<Stream, CancellationToken, Task> writer, ConnectionEnd end = ConnectionEnd.Close) => new() { IsRaw = true, Writer = writer, End = end };

        /// <summary>Closes the connection with a reset before sending anything.</summary>
        public static TestResponse Drop() => Raw(Array.Empty<byte>(), ConnectionEnd.Reset);

        /// <summary>The body one byte at a time, <paramref name="interval"/> apart (Content-Length declared for the whole body).</summary>
        public static TestResponse Trickle(int status, string body, string contentType, TimeSpan interval)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(body);
            return new TestResponse
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
            }.WithHeader("Content-Type", contentType).WithHeader("Content-Length", bytes.Length.ToString(CultureInfo.InvariantCulture));
        }

        /// <summary>Sends the head and the start of a body of <paramref name="declaredLength"/> bytes, then nothing until the client goes away.</summary>
        public static TestResponse Stall(int status, string start, string contentType, int? declaredLength = null)
        {
            var response = new TestResponse { Status = status, Writer = Bytes(start), End = ConnectionEnd.Hold }.WithHeader("Content-Type", contentType);
            return declaredLength is int length ? response.WithHeader("Content-Length", length.ToString(CultureInfo.InvariantCulture)) : response;
        }

        /// <summary>Sends the head and the start of a body, then resets the connection.</summary>
        public static TestResponse Reset(int status, string start, string contentType, int declaredLength) => new TestResponse
        {
            Status = status,
            End = ConnectionEnd.Reset,
            Writer = async (s, t) =>
            {
                await Bytes(start)(s, t);
                await Task.Delay(100, t);
            },
        }.WithHeader("Content-Type", contentType).WithHeader("Content-Length", declaredLength.ToString(CultureInfo.InvariantCulture));

        /// <summary>An event stream: each chunk written as given, <paramref name="interval"/> apart; then open until the client goes away when <paramref name="holdOpen"/>.</summary>
        public static TestResponse EventStream(IEnumerable<string> chunks, TimeSpan interval, bool holdOpen) => new TestResponse
        {
            Status = 200,
            End = holdOpen ? ConnectionEnd.Hold : ConnectionEnd.Close,
            Writer = async (s, t) =>
            {
                foreach (string chunk in chunks)
                {
                    await Bytes(chunk)(s, t);
                    await Task.Delay(interval, t);
                }
            },
        }.WithHeader("Content-Type", "text/event-stream").WithHeader("Cache-Control", "no-cache");

        /// <summary>Keep-alive comments only, forever (every <paramref name="interval"/>).</summary>
        public static TestResponse KeepAlivesOnly(TimeSpan interval) => new TestResponse
        {
            Status = 200,
            Writer = async (s, t) =>
            {
                while (true)
                {
                    await Bytes(": keepalive\n\n")(s, t);
                    await Task.Delay(interval, t);
                }
            },
        }.WithHeader("Content-Type", "text/event-stream");

        /// <summary>
        /// The head of an answer as bytes: status line, header lines, Content-Length when given, Connection: close and
        /// the blank line. The server writes every structured answer's head with it; a raw answer may start with it.
        /// </summary>
        public static byte[] Head(int status, string reason, IEnumerable<KeyValuePair<string, string>> headers, long? contentLength, string version = "HTTP/1.1")
        {
            var head = new StringBuilder();
            head.Append(version).Append(' ').Append(status.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(reason).Append("\r\n");
            foreach (KeyValuePair<string, string> h in headers)
            {
                head.Append(h.Key).Append(": ").Append(h.Value).Append("\r\n");
            }

            if (contentLength is long length)
            {
                head.Append("Content-Length: ").Append(length.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
            }

            head.Append("Connection: close\r\n\r\n");
            return Encoding.UTF8.GetBytes(head.ToString());
        }

        /// <summary>The standard reason phrase of a status code ("Status" for one this server does not name).</summary>
        public static string ReasonOf(int status) => status switch
        {
            200 => "OK",
            201 => "Created",
            202 => "Accepted",
            204 => "No Content",
            302 => "Found",
            400 => "Bad Request",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "Not Found",
            405 => "Method Not Allowed",
            500 => "Internal Server Error",
            _ => "Status",
        };

        public TestResponse WithHeader(string name, string value)
        {
            Headers.Add(new(name, value));
            return this;
        }

        /// <summary>The head this structured answer starts with.</summary>
        internal byte[] Head() => Head(Status, ReasonPhrase ?? ReasonOf(Status), Headers, Writer is null ? Body.Length : null);

        private static Func<Stream, CancellationToken, Task> Bytes(string text)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(text);
            return async (s, t) =>
            {
                await s.WriteAsync(bytes, 0, bytes.Length, t);
                await s.FlushAsync(t);
            };
        }
    }
}
