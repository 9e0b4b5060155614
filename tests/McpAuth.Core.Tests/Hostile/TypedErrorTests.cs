using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Mcp;
using McpAuth.Testing;
using McpAuth.Testing.Hostile;
using Xunit;

namespace McpAuth.Core.Tests.Hostile
{
    /// <summary>
    /// Every failure of a peer's input is a typed error with a stable id (issue #11, 8): each case here was an
    /// untyped exception (FormatException, ArgumentException, InvalidOperationException, IOException, an
    /// ArgumentOutOfRangeException from date arithmetic, "WaitForCallbackAsync can be called only once").
    /// </summary>
    public sealed class TypedErrorTests
    {
        private const string ToolCall = "\"tools/call\"";

        public static IEnumerable<object[]> Cases() => Hostile.Keys.Select(k => new object[] { k });

        private static readonly Dictionary<string, Func<TestRequest, PeerRole, TestResponse?>> Hostile = new()
        {
            ["access token with NUL"] = (r, role) => role == PeerRole.Token ? Tokens("\"at-\\u0000-x\"") : null,
            ["access token with a newline"] = (r, role) => role == PeerRole.Token ? Tokens("\"at-\\r\\nX-Injected: 1\"") : null,
            ["access token with a space"] = (r, role) => role == PeerRole.Token ? Tokens("\"at- x\"") : null,
            ["expires_in 315537897599"] = (r, role) => role == PeerRole.Token ? Tokens("\"at-long-lived\"", "315537897599") : null,
            ["expires_in 1e300"] = (r, role) => role == PeerRole.Token ? Tokens("\"at-long-lived\"", "1e300") : null,
            ["token response cut off mid-body"] = (r, role) => role == PeerRole.Token ? TestResponse.Reset(200, "{\"access_token\":\"at-", "application/json", 400) : null,
            ["resource lone surrogate"] = (r, role) => role == PeerRole.ProtectedResourceMetadata ? TestResponse.Json("{\"resource\":\"\\ud800\",\"authorization_servers\":[\"http://127.0.0.1:1/as\"]}") : null,
            ["duplicate members in an MCP response"] = (r, role) => Answer(r, role, id => $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"result\":{{\"content\":[]}},\"result\":{{\"content\":[]}}}}"),
            ["duplicate members in structuredContent"] = (r, role) => Answer(r, role, id => $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"result\":{{\"content\":[],\"structuredContent\":{{\"a\":1,\"a\":2}}}}}}"),
            ["duplicate members in a content block"] = (r, role) => Answer(r, role, id => $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"result\":{{\"content\":[{{\"type\":\"text\",\"text\":\"a\",\"text\":\"b\"}}]}}}}"),
            ["duplicate members in an elicitation schema"] = (r, role) => Answer(r, role, id => $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"result\":{{\"resultType\":\"input_required\",\"inputRequests\":{{\"q\":{{\"method\":\"elicitation/create\",\"params\":{{\"message\":\"m\",\"requestedSchema\":{{\"type\":\"object\",\"properties\":{{\"a\":{{\"type\":\"string\"}},\"a\":{{\"type\":\"number\"}}}}}}}}}}}}}}}}"),
            ["content block type 1"] = (r, role) => Answer(r, role, id => $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"result\":{{\"content\":[{{\"type\":1,\"text\":\"x\"}}]}}}}"),
            ["serverInfo.name 5"] = (r, role) => Discover(r, role, "5"),
            ["serverInfo.name {}"] = (r, role) => Discover(r, role, "{}"),
            ["MCP body reset by the peer"] = (r, role) => role == PeerRole.Mcp && r.Bearer is not null && r.Body.Contains(ToolCall, StringComparison.Ordinal)
                ? TestResponse.Reset(200, "{\"jsonrpc\":\"2.0\",", "application/json", 400)
                : null,
        };

        [Theory]
        [MemberData(nameof(Cases))]
        public async Task A_hostile_answer_is_a_typed_error_or_is_used_safely(string hostile)
        {
            using var peer = new MiniMcpPeer();
            string url = peer.AddEndpoint("/mcp");
            peer.Override = Hostile[hostile];
            using var engine = new HostileEngine(peer) { Timeout = TimeSpan.FromSeconds(10) };

            Exception? error = await Record.ExceptionAsync(() => CallAndReadEverythingAsync(engine, engine.Connect(url)));

            if (error is not null)
            {
                McpAuthException typed = error as McpAuthException ?? throw new Xunit.Sdk.XunitException($"{hostile}: untyped {error}");
                Assert.False(string.IsNullOrEmpty(typed.ErrorId));
                Assert.DoesNotContain("WaitForCallbackAsync", typed.ToString(), StringComparison.Ordinal);
            }
        }

        [Fact]
        public async Task A_forgotten_dynamically_registered_client_registers_again_at_the_code_exchange()
        {
            using var peer = new MiniMcpPeer();
            string a = peer.AddEndpoint("/a/mcp");
            string b = peer.AddEndpoint("/b/mcp");
            using var engine = new HostileEngine(peer);
            Assert.Equal("to A", await engine.EchoAsync(engine.Connect(a), "to A"));

            // The authorization server loses its registrations; the next sign-in reuses the stored client.
            peer.ForgetClients();
            Assert.Equal("to B", await engine.EchoAsync(engine.Connect(b), "to B"));

            Assert.Equal(2, peer.Events.Count(e => e.StartsWith("register ", StringComparison.Ordinal)));
            Assert.Equal(3, peer.Events.Count(e => e.StartsWith("authorize ", StringComparison.Ordinal)));
        }

        /// <summary>What a cmdlet does with a result: connect, call, and read every view of the result.</summary>
        private static Task<int> CallAndReadEverythingAsync(HostileEngine engine, McpConnection connection) => HostileEngine.RunAsync(async token =>
        {
            var context = new McpCallContext(engine.Callbacks);
            await connection.Client.ConnectAsync(context, verify: true, token);
            _ = connection.Client.ServerName;
            McpToolResult result = await connection.Client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "hi" }, context, token);
            return result.Text.Length + result.TextBlocks.Count + (result.IsAllText ? 1 : 0) + (result.StructuredData is null ? 0 : 1) + result.Content.Count;
        });

        private static TestResponse Tokens(string accessToken, string expiresIn = "3600") => TestResponse.Json(
            $"{{\"access_token\":{accessToken},\"token_type\":\"Bearer\",\"expires_in\":{expiresIn},\"refresh_token\":\"rt-hostile-0123456789\"}}");

        private static TestResponse? Answer(TestRequest request, PeerRole role, Func<string, string> body)
        {
            if (role != PeerRole.Mcp || request.Bearer is null || !request.Body.Contains(ToolCall, StringComparison.Ordinal))
            {
                return null;
            }

            string id = JsonNode.Parse(request.Body)!["id"]!.ToJsonString();
            return TestResponse.Json(body(id));
        }

        private static TestResponse? Discover(TestRequest request, PeerRole role, string name)
        {
            if (role != PeerRole.Mcp || request.Bearer is null || !request.Body.Contains("\"server/discover\"", StringComparison.Ordinal))
            {
                return null;
            }

            string id = JsonNode.Parse(request.Body)!["id"]!.ToJsonString();
            return TestResponse.Json($"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"result\":{{\"supportedVersions\":[\"2026-07-28\"],\"capabilities\":{{\"tools\":{{}}}},\"serverInfo\":{{\"name\":{name},\"version\":{name}}},\"_meta\":{{\"io.modelcontextprotocol/serverInfo\":{{\"name\":{name},\"version\":{name}}}}}}}}}");
        }
    }
}
