// The engine's hot paths, through the client API (McpClient, internal to the engine and visible to this
// project) and public entry points, so that a change of the transport's insides needs no change here
// (re-point this one file when that API moves). The MCP peer is an in-memory
// HttpMessageHandler that answers like the fixture's SDK 1.x servers (same headers, same bodies), so the
// figures are McpAuth's own work per call: building the request, parsing the JSON or SSE answer, mapping
// the result. No sockets, no server time.
using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using McpAuth.Core;
using McpAuth.Core.Http;
using McpAuth.Core.Mcp;
using McpAuth.Core.Registration;
using McpAuth.Core.Storage;

namespace McpAuth.Benchmarks
{
    [MemoryDiagnoser]
    public class EngineBenchmarks
    {
        // What the fixture's /mcp sends with a 401 and what a 403 step-up challenge looks like.
        private const string Challenge =
            "Bearer error=\"invalid_token\", error_description=\"Missing Authorization header\", resource_metadata=\"http://127.0.0.1:41002/.well-known/oauth-protected-resource/mcp\"";

        private const string ScopeChallenge =
            "Bearer error=\"insufficient_scope\", error_description=\"Scope mcp:write required\", scope=\"mcp:read mcp:write\", resource_metadata=\"http://127.0.0.1:41002/.well-known/oauth-protected-resource/mcp\", DPoP algs=\"ES256 RS256\"";

        private const string ToolResult =
            "{\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"hello from the benchmark\"}]},\"jsonrpc\":\"2.0\",\"id\":7}";

        private static readonly Uri Endpoint = new Uri("http://127.0.0.1:41002/public/mcp");
        private readonly Dictionary<string, object?> arguments = new Dictionary<string, object?> { ["message"] = "hello from the benchmark" };
        private readonly MemoryCredentialStore store = new MemoryCredentialStore();
        private readonly CredentialKey key = new CredentialKey("http://127.0.0.1:41002/mcp", "http://127.0.0.1:41001/oidc");
        private readonly McpCallContext context = new McpCallContext(NullEngineCallbacks.Instance);
        private McpClient jsonSession = null!;
        private McpClient sseSession = null!;

        [GlobalSetup]
        public void Setup()
        {
            jsonSession = Connect(sse: false);
            sseSession = Connect(sse: true);

            // A store holding this credential and nine others, as after signing in to ten servers.
            for (int i = 0; i < 10; i++)
            {
                CredentialKey k = i == 0 ? key : new CredentialKey($"http://127.0.0.1:4100{i}/mcp", "http://127.0.0.1:41001/oidc");
                store.UpdateAsync(k, _ => SampleRecord(k), NullEngineCallbacks.Instance, CancellationToken.None).GetAwaiter().GetResult();
            }
        }

        [GlobalCleanup]
        public void Cleanup()
        {
            // Dispose only: a legacy session's DELETE would reach the canned server.
            jsonSession.Dispose();
            sseSession.Dispose();
        }

        /// <summary>RFC 9110 challenge parsing: the 401 that starts every sign-in.</summary>
        [Benchmark]
        public IReadOnlyList<AuthChallenge> ParseWwwAuthenticate() => WwwAuthenticateHeader.Parse(Challenge);

        /// <summary>A step-up challenge with a second scheme on the same line.</summary>
        [Benchmark]
        public IReadOnlyList<AuthChallenge> ParseWwwAuthenticateTwoSchemes() => WwwAuthenticateHeader.Parse(ScopeChallenge);

        /// <summary>One JSON-RPC response as it arrives in a JSON body or an SSE data field.</summary>
        [Benchmark]
        public object ParseJsonRpcResponseBoxed() => ParseJsonRpcResponse();

        internal JsonRpcMessage ParseJsonRpcResponse() => JsonRpcCodec.ParseMessage(ToolResult, null);

        /// <summary>Token lookup: the stored credential for one server among ten, from the memory store.</summary>
        [Benchmark]
        public Task<CredentialRecord?> LookUpStoredCredential() => store.GetAsync(key, NullEngineCallbacks.Instance, CancellationToken.None);

        /// <summary>A warm tools/call answered with application/json: request building, JSON parsing, result mapping.</summary>
        [Benchmark]
        public Task<McpToolResult> CallToolJsonResponse() => jsonSession.CallToolAsync("echo", arguments, context, CancellationToken.None);

        /// <summary>A warm tools/call answered with text/event-stream: the same, with SSE parsing.</summary>
        [Benchmark]
        public Task<McpToolResult> CallToolSseResponse() => sseSession.CallToolAsync("echo", arguments, context, CancellationToken.None);

        /// <summary>Runs every benchmark once and checks its answer: the smoke test of this file (bench/run.sh --smoke).</summary>
        public void Check()
        {
            Setup();
            try
            {
                Expect(ParseWwwAuthenticate().Count == 1, "one challenge");
                Expect(ParseWwwAuthenticateTwoSchemes().Count == 2, "two challenges");
                Expect(ParseJsonRpcResponse() is { IsResponse: true, Id: { } id } && id.GetInt32() == 7, "a response to id 7");
                Expect(LookUpStoredCredential().GetAwaiter().GetResult()?.Tokens?.AccessToken is not null, "a stored token");
                Expect(CallToolJsonResponse().GetAwaiter().GetResult().Text == "hello from the benchmark", "the echo over JSON");
                Expect(CallToolSseResponse().GetAwaiter().GetResult().Text == "hello from the benchmark", "the echo over SSE");
            }
            finally
            {
                Cleanup();
            }
        }

        private static void Expect(bool condition, string what)
        {
            if (!condition)
            {
                throw new InvalidOperationException("Benchmark check failed: expected " + what + ".");
            }
        }

        private McpClient Connect(bool sse)
        {
            var client = new McpClient(Endpoint, new HttpClient(new CannedMcpServer(sse)), new McpClientOptions(), new EraMemory(null));
            client.ConnectAsync(context, verify: false, CancellationToken.None).GetAwaiter().GetResult();
            return client;
        }

        private static CredentialRecord SampleRecord(CredentialKey k) => new CredentialRecord(k)
        {
            Client = new StoredClientIdentity("bench-client", ClientIdentitySource.DynamicRegistration),
            Tokens = new StoredTokenSet
            {
                AccessToken = new Secret(new string('a', 900)),
                RefreshToken = new Secret(new string('r', 43)),
                TokenType = "Bearer",
                Scopes = new[] { "mcp:read", "mcp:write" },
                ExpiresAt = DateTimeOffset.UtcNow.AddHours(1),
                IssuedAt = DateTimeOffset.UtcNow,
            },
            AuthorizedBy = AuthorizationMethod.Handler,
        };

        /// <summary>
        /// Answers like the fixture's MCP SDK 1.x streamable HTTP server: server/discover refused as a legacy
        /// server refuses it (so the client uses the legacy handshake), initialize with a session id, 202 for
        /// notifications, 405 for the GET stream, and tools/call echo as JSON or as one SSE event.
        /// </summary>
        private sealed class CannedMcpServer : HttpMessageHandler
        {
            private static readonly Regex IdAndMethod = new Regex("\"id\":(\\d+),\"method\":\"([^\"]+)\"", RegexOptions.Compiled);
            private readonly bool sse;

            public CannedMcpServer(bool sse) => this.sse = sse;

            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                if (request.Method != HttpMethod.Post)
                {
                    return new HttpResponseMessage(HttpStatusCode.MethodNotAllowed);
                }

                string body = await request.Content!.ReadAsStringAsync(cancellationToken);
                Match m = IdAndMethod.Match(body);
                if (!m.Success)
                {
                    return new HttpResponseMessage(HttpStatusCode.Accepted);
                }

                string id = m.Groups[1].Value;
                if (m.Groups[2].Value == "server/discover")
                {
                    return new HttpResponseMessage(HttpStatusCode.BadRequest)
                    {
                        Content = new StringContent("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32000,\"message\":\"Bad Request: Server not initialized\"},\"id\":null}", Encoding.UTF8, "application/json"),
                    };
                }

                string json = m.Groups[2].Value == "initialize"
                    ? "{\"result\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{\"tools\":{\"listChanged\":true}},\"serverInfo\":{\"name\":\"canned\",\"version\":\"1.0.0\"}},\"jsonrpc\":\"2.0\",\"id\":" + id + "}"
                    : "{\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"hello from the benchmark\"}]},\"jsonrpc\":\"2.0\",\"id\":" + id + "}";
                var response = new HttpResponseMessage(HttpStatusCode.OK)
                {
                    Content = sse
                        ? new StringContent("event: message\ndata: " + json + "\n\n", Encoding.UTF8, "text/event-stream")
                        : new StringContent(json, Encoding.UTF8, "application/json"),
                };
                response.Headers.TryAddWithoutValidation("mcp-session-id", "0f8e3c1a-6a1e-4a7b-9d8e-5b7a2c1d0e9f");
                response.Content.Headers.ContentType!.CharSet = null;
                response.Headers.CacheControl = new CacheControlHeaderValue { NoCache = true };
                return response;
            }
        }
    }
}
