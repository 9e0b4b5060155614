using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpAuth.Core.Mcp;
using Xunit;

namespace McpAuth.Core.Tests.Mcp
{
    /// <summary>The typed JSON-RPC layer: what goes on the wire and how answers become results or typed errors.</summary>
    public class JsonRpcCodecTests
    {
        private static JsonObject Wire(JsonRpcRequest request) => JsonNode.Parse(JsonRpcCodec.Serialize(request))!.AsObject();

        [Fact]
        public void A_modern_tools_call_carries_the_per_request_protocol_fields_in_meta()
        {
            var parameters = new CallToolParams
            {
                Name = "echo",
                Arguments = new JsonObject { ["message"] = "hi" },
                Meta = new RequestMeta
                {
                    ProgressToken = 1001,
                    ProtocolVersion = "2026-07-28",
                    ClientInfo = new Implementation { Name = "McpAuth", Version = "1.2.3" },
                    ClientCapabilities = new ClientCapabilities { Elicitation = new ElicitationCapability { Form = new EmptyObject(), Url = new EmptyObject() } },
                    LogLevel = "debug",
                },
            };
            JsonObject wire = Wire(new JsonRpcRequest(7, "tools/call", parameters));
            Assert.Equal("""{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hi"},"_meta":{"progressToken":1001,"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"McpAuth","version":"1.2.3"},"io.modelcontextprotocol/clientCapabilities":{"elicitation":{"form":{},"url":{}}},"io.modelcontextprotocol/logLevel":"debug"}}}""", wire.ToJsonString());
        }

        [Fact]
        public void Absent_members_are_left_out_and_a_notification_has_no_id()
        {
            Assert.Equal("""{"jsonrpc":"2.0","method":"notifications/initialized"}""", Wire(new JsonRpcRequest(null, "notifications/initialized", null)).ToJsonString());
            Assert.Equal("""{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}""", Wire(new JsonRpcRequest(1, "tools/list", new PaginatedParams())).ToJsonString());

            // A retry carries the input responses and the state exactly; none when none came.
            var call = new CallToolParams { Name = "t" };
            JsonObject retry = Wire(new JsonRpcRequest(2, "tools/call", call.Retry(new JsonObject { ["k"] = new JsonObject { ["action"] = "decline" } }, "opaque \"state\"")));
            Assert.Equal("opaque \"state\"", (string?)retry["params"]!["requestState"]);
            Assert.False(Wire(new JsonRpcRequest(3, "tools/call", call.Retry(new JsonObject(), null)))["params"]!.AsObject().ContainsKey("requestState"));
        }

        [Fact]
        public void Answers_match_numeric_and_string_ids_and_batches_are_read_in_order()
        {
            IReadOnlyList<JsonRpcMessage> batch = JsonRpcCodec.ParseBody(Encoding.UTF8.GetBytes("""[{"jsonrpc":"2.0","method":"notifications/progress","params":{}},{"jsonrpc":"2.0","id":"5","result":{"ok":true}}]"""), null);
            Assert.True(batch[0].IsNotification);
            Assert.True(batch[1].Answers(5));
            Assert.False(batch[1].Answers(6));
            Assert.True(JsonRpcCodec.ParseMessage("""{"jsonrpc":"2.0","id":5,"error":{"code":-32602,"message":"bad"}}""", null).Answers(5));
        }

        [Theory]
        [InlineData("""{"jsonrpc":"2.0","id":1""")]
        [InlineData("""[1,2]""")]
        [InlineData("""{"id":1,"result":{}}""")]
        [InlineData("""{"jsonrpc":"1.0","id":1,"result":{}}""")]
        public void Anything_that_is_not_json_rpc_2_is_MalformedResponse(string body)
        {
            McpAuthException e = Assert.ThrowsAny<McpAuthException>(() => JsonRpcCodec.ParseBody(Encoding.UTF8.GetBytes(body), "target"));
            Assert.Equal(ErrorIds.MalformedResponse, e.ErrorId);
        }

        [Theory]
        [InlineData(-32601, "MethodNotFound")]
        [InlineData(-32602, "InvalidParams")]
        [InlineData(-32020, "HeaderMismatch")]
        [InlineData(-32021, "MissingRequiredClientCapability")]
        [InlineData(-32022, "UnsupportedProtocolVersion")]
        [InlineData(-32000, "JsonRpcError")]
        public void A_json_rpc_error_becomes_a_typed_error_with_its_code_and_data(long code, string errorId)
        {
            string json = """{"jsonrpc":"2.0","id":1,"error":{"code":CODE,"message":"it went wrong with token abcd1234\u0007","data":{"supported":["2026-07-28"]}}}""".Replace("CODE", code.ToString(System.Globalization.CultureInfo.InvariantCulture), System.StringComparison.Ordinal);
            JsonRpcMessage m = JsonRpcCodec.ParseMessage(json, null);
            using IDisposable operation = OperationSecrets.Begin();
            _ = new Secret("abcd1234"); // a secret of this operation, e.g. the bearer token the request carried
            McpJsonRpcException e = Assert.Throws<McpJsonRpcException>(() => JsonRpcCodec.ResultOf(m, 400, "target"));
            Assert.Equal(errorId, e.ErrorId);
            Assert.Equal(code, e.Code);
            Assert.Equal(400, e.HttpStatus);
            Assert.DoesNotContain("abcd1234", e.Message);
            Assert.Contains("with token ***", e.Message);
            Assert.Equal("2026-07-28", ((object?[])((JsonMap)e.ErrorDataValue!)["supported"]!)[0]);
        }

        [Fact]
        public void A_tool_schema_is_kept_exactly_as_the_server_sent_it()
        {
            const string schema = """{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","$defs":{"id":{"$anchor":"uid","type":"string"}},"properties":{"id":{"$ref":"#/$defs/id"},"p":{"$ref":"https://example.com/p.json"}},"allOf":[{"if":{"required":["id"]},"then":{"additionalProperties":false},"else":{}}]}""";
            JsonElement result = JsonDocument.Parse("""{"tools":[{"name":"t","inputSchema":SCHEMA}],"ttlMs":1500.0,"cacheScope":"public"}""".Replace("SCHEMA", schema, System.StringComparison.Ordinal)).RootElement;
            ListToolsResult list = JsonRpcCodec.Read(result, McpJsonContext.Default.ListToolsResult, "tools/list", null);
            McpToolInfo tool = McpToolInfo.FromJson(list.Tools![0])!;
            Assert.Equal(schema, tool.InputSchema!.ToJsonString());
            Assert.Equal(1500, list.TtlMs);
            Assert.Equal("public", list.CacheScope);
        }
    }
}
