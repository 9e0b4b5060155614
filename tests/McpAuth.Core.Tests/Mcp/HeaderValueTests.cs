using System.Text.Json.Nodes;
using McpAuth.Core.Mcp;
using Xunit;

namespace McpAuth.Core.Tests.Mcp
{
    /// <summary>MCP 2026-07-28 header values (Base64 sentinel) and x-mcp-header annotations (SEP-2243).</summary>
    public class HeaderValueTests
    {
        [Theory]
        [InlineData("us-west1", "us-west1")]
        [InlineData("us west 1", "us west 1")]
        [InlineData("", "")]
        [InlineData("Hello, 世界", "=?base64?SGVsbG8sIOS4lueVjA==?=")]
        [InlineData(" padded ", "=?base64?IHBhZGRlZCA=?=")]
        [InlineData("line1\nline2", "=?base64?bGluZTEKbGluZTI=?=")]
        [InlineData("\tindented", "=?base64?CWluZGVudGVk?=")]
        [InlineData("=?base64?literal?=", "=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?=")]
        public void Values_that_are_not_plain_ascii_use_the_base64_sentinel(string value, string header)
            => Assert.Equal(header, McpHeaders.EncodeValue(value));

        [Theory]
        [InlineData("Region", true)]
        [InlineData("X-Tenant_1.a", true)]
        [InlineData("", false)]
        [InlineData("My Region", false)]
        [InlineData("Region:Primary", false)]
        [InlineData("Région", false)]
        [InlineData("Region\t1", false)]
        public void Header_names_must_be_http_tokens(string name, bool valid) => Assert.Equal(valid, McpHeaders.IsToken(name));

        private static ToolHeaderParameters? Read(string schema, out string? problem) => ToolHeaderParameters.Read(JsonNode.Parse(schema)!.AsObject(), out problem);

        [Theory]
        [InlineData("""{"type":"object","properties":{"v":{"type":"string","x-mcp-header":""}}}""", "empty")]
        [InlineData("""{"type":"object","properties":{"v":{"type":"object","x-mcp-header":"Data"}}}""", "type 'object'")]
        [InlineData("""{"type":"object","properties":{"v":{"type":"array","items":{"type":"string"},"x-mcp-header":"Items"}}}""", "type 'array'")]
        [InlineData("""{"type":"object","properties":{"v":{"type":"null","x-mcp-header":"Nil"}}}""", "type 'null'")]
        [InlineData("""{"type":"object","properties":{"v":{"type":"number","x-mcp-header":"Num"}}}""", "type 'number'")]
        [InlineData("""{"type":"object","properties":{"a":{"type":"string","x-mcp-header":"Region"},"b":{"type":"string","x-mcp-header":"Region"}}}""", "used twice")]
        [InlineData("""{"type":"object","properties":{"a":{"type":"string","x-mcp-header":"MyField"},"b":{"type":"string","x-mcp-header":"myfield"}}}""", "used twice")]
        [InlineData("""{"type":"object","properties":{"v":{"type":"string","x-mcp-header":"My Region"}}}""", "not a valid HTTP header name")]
        [InlineData("""{"type":"object","properties":{"v":{"type":"string","x-mcp-header":"Région"}}}""", "not a valid HTTP header name")]
        [InlineData("""{"type":"object","properties":{"list":{"type":"array","items":{"type":"string","x-mcp-header":"Item"}}}}""", "not on a property reachable")]
        [InlineData("""{"type":"object","allOf":[{"properties":{"v":{"type":"string","x-mcp-header":"V"}}}]}""", "not on a property reachable")]
        [InlineData("""{"type":"object","$defs":{"d":{"type":"string","x-mcp-header":"D"}},"properties":{"v":{"$ref":"#/$defs/d"}}}""", "not on a property reachable")]
        [InlineData("""{"type":"object","x-mcp-header":"Root"}""", "not on a property reachable")]
        public void An_invalid_annotation_rejects_the_tool_with_the_reason(string schema, string reason)
        {
            Assert.Null(Read(schema, out string? problem));
            Assert.Contains(reason, problem);
        }

        [Fact]
        public void Nested_properties_are_reachable_and_data_keywords_annotate_nothing()
        {
            ToolHeaderParameters? p = Read(
                """{"type":"object","properties":{"x-mcp-header":{"type":"string"},"outer":{"type":"object","properties":{"inner":{"type":"integer","x-mcp-header":"Inner"}}},"d":{"type":"object","default":{"x-mcp-header":"NotOne"}}}}""",
                out string? problem);
            Assert.Null(problem);
            Assert.Equal(1, p!.Count);
            var headers = p.HeadersFor(JsonNode.Parse("""{"outer":{"inner":42}}""")!.AsObject());
            Assert.Equal(new[] { new System.Collections.Generic.KeyValuePair<string, string>("Mcp-Param-Inner", "42") }, headers);
        }

        [Fact]
        public void Values_are_mirrored_as_their_string_form_and_missing_or_null_values_send_no_header()
        {
            ToolHeaderParameters p = Read(
                """{"type":"object","properties":{"r":{"type":"string","x-mcp-header":"Region"},"n":{"type":"integer","x-mcp-header":"Priority"},"b":{"type":"boolean","x-mcp-header":"Verbose"},"u":{"type":"string","x-mcp-header":"Unset"},"z":{"type":"boolean","x-mcp-header":"Null"}}}""",
                out _)!;
            var headers = new System.Collections.Generic.Dictionary<string, string>();
            foreach (var h in p.HeadersFor(JsonNode.Parse("""{"r":"Zürich","n":42.0,"b":false,"z":null}""")!.AsObject()))
            {
                headers.Add(h.Key, h.Value);
            }

            Assert.Equal("=?base64?WsO8cmljaA==?=", headers["Mcp-Param-Region"]);
            Assert.Equal("42", headers["Mcp-Param-Priority"]);
            Assert.Equal("false", headers["Mcp-Param-Verbose"]);
            Assert.False(headers.ContainsKey("Mcp-Param-Unset"));
            Assert.False(headers.ContainsKey("Mcp-Param-Null"));
        }
    }
}
