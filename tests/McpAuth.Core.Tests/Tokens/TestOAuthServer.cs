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

namespace McpAuth.Core.Tests.Tokens
{
    /// <summary>What the test server saw in one request.</summary>
    internal sealed class RecordedRequest
    {
        public string Method { get; init; } = string.Empty;

        public string Path { get; init; } = string.Empty;

        public Dictionary<string, string> Headers { get; init; } = new(StringComparer.OrdinalIgnoreCase);

        public string Body { get; init; } = string.Empty;

        public string? ContentType { get; init; }

        public DateTimeOffset ReceivedAt { get; init; }

        /// <summary>Gets the form fields (every value of a repeated field), when the body is form-urlencoded.</summary>
        public Dictionary<string, List<string>> Form { get; init; } = new(StringComparer.Ordinal);

        public string? Header(string name) => Headers.TryGetValue(name, out string? v) ? v : null;

        public string? Field(string name) => Form.TryGetValue(name, out List<string>? v) ? v.Single() : null;

        public JsonElement Json()
        {
            using JsonDocument doc = JsonDocument.Parse(Body);
            return doc.RootElement.Clone();
        }
    }

    /// <summary>A scripted answer.</summary>
    internal sealed record TestResponse(int Status, string Body, string ContentType = "application/json")
    {
        public static TestResponse Json(int status, object body) => new(status, JsonSerializer.Serialize(body));

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

        public static TestResponse Error(int status, string error, string? description = null) =>
            Json(status, description is null ? new Dictionary<string, string> { ["error"] = error } : new Dictionary<string, string> { ["error"] = error, ["error_description"] = description });
    }

    /// <summary>
    /// A real HTTP server on 127.0.0.1 (HttpListener) that plays an authorization server: it records every
    /// request and answers from a handler the test sets.
    /// </summary>
    internal sealed class TestOAuthServer : IDisposable
    {
        private readonly HttpListener listener;
        private readonly CancellationTokenSource stop = new();
        private readonly ConcurrentQueue<RecordedRequest> requests = new();
        private readonly Task loop;
        private int disposed;

        private TestOAuthServer(HttpListener listener, Uri baseUri)
        {
            this.listener = listener;
            BaseUri = baseUri;
            loop = Task.Run(AcceptLoopAsync);
        }

        /// <summary>Gets the server's base URI, e.g. http://127.0.0.1:PORT/.</summary>
        public Uri BaseUri { get; }

        /// <summary>Gets the issuer identifier as published (no trailing slash).</summary>
        public Uri Issuer => new(BaseUri.GetLeftPart(UriPartial.Authority));

        /// <summary>Gets or sets how the server answers; the default answers 404.</summary>
        public Func<RecordedRequest, TestResponse> Handler { get; set; } = _ => new TestResponse(404, "not found", "text/plain");

        public IReadOnlyList<RecordedRequest> Requests => requests.ToArray();

        public static TestOAuthServer Start()
        {
            for (int attempt = 0; ; attempt++)
            {
                int port = FreePort();
                var listener = new HttpListener();
                var baseUri = new Uri($"http://127.0.0.1:{port}/");
                listener.Prefixes.Add(baseUri.AbsoluteUri);
                try
                {
                    listener.Start();
                    return new TestOAuthServer(listener, baseUri);
                }
                catch (HttpListenerException) when (attempt < 5)
                {
                    listener.Close();
                }
            }
        }

        /// <summary>Answers each request with the next of <paramref name="responses"/> (the last one repeats).</summary>
        public void RespondWith(params TestResponse[] responses)
        {
            int next = -1;
            Handler = _ => responses[Math.Min(Interlocked.Increment(ref next), responses.Length - 1)];
        }

        /// <summary>Returns metadata for this server with every endpoint set.</summary>
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
            listener.Close();
            try
            {
                loop.Wait(TimeSpan.FromSeconds(5));
            }
            catch (AggregateException)
            {
            }

            stop.Dispose();
        }

        private static int FreePort()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            return port;
        }

        private async Task AcceptLoopAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (HttpListenerException)
                {
                    return;
                }
                catch (ObjectDisposedException)
                {
                    return;
                }

                _ = Task.Run(() => HandleAsync(context));
            }
        }

        private async Task HandleAsync(HttpListenerContext context)
        {
            try
            {
                string body;
                using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8))
                {
                    body = await reader.ReadToEndAsync();
                }

                var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (string? key in context.Request.Headers.AllKeys)
                {
                    if (key is not null)
                    {
                        headers[key] = context.Request.Headers[key] ?? string.Empty;
                    }
                }

                var form = new Dictionary<string, List<string>>(StringComparer.Ordinal);
                if (context.Request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true)
                {
                    foreach (string pair in body.Split('&', StringSplitOptions.RemoveEmptyEntries))
                    {
                        string[] parts = pair.Split('=', 2);
                        string name = Decode(parts[0]);
                        string value = parts.Length > 1 ? Decode(parts[1]) : string.Empty;
                        if (!form.TryGetValue(name, out List<string>? values))
                        {
                            form[name] = values = new List<string>();
                        }

                        values.Add(value);
                    }
                }

                var recorded = new RecordedRequest
                {
                    Method = context.Request.HttpMethod,
                    Path = context.Request.Url!.AbsolutePath,
                    Headers = headers,
                    Body = body,
                    ContentType = context.Request.ContentType,
                    Form = form,
                    ReceivedAt = DateTimeOffset.UtcNow,
                };
                requests.Enqueue(recorded);

                TestResponse response = Handler(recorded);
                byte[] bytes = Encoding.UTF8.GetBytes(response.Body);
                context.Response.StatusCode = response.Status;
                context.Response.ContentType = response.ContentType;
                context.Response.ContentLength64 = bytes.Length;
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
            catch (Exception)
            {
                try
                {
                    context.Response.Abort();
                }
                catch (Exception)
                {
                }
            }
        }

        internal static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));
    }
}
