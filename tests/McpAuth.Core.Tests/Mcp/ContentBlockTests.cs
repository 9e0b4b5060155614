using System.Text.Json.Nodes;
using McpAuth.Core.Mcp;
using Xunit;

namespace McpAuth.Core.Tests.Mcp
{
    /// <summary>Content blocks as servers send them, and the ones that are not what MCP defines (each a MalformedContent error of its own).</summary>
    public class ContentBlockTests
    {
        private static McpContentBlock Parse(string json) => McpContentBlock.Parse(JsonNode.Parse(json), "test block", "tool");

        [Theory]
        [InlineData("AAEC", new byte[] { 0, 1, 2 })]
        [InlineData("AAE=", new byte[] { 0, 1 })]
        [InlineData("AAE", new byte[] { 0, 1 })]
        [InlineData("AA\nEC", new byte[] { 0, 1, 2 })]
        [InlineData("", new byte[0])]
        public void Base64_is_read_as_leniently_as_the_TypeScript_SDKs_check_it(string data, byte[] expected)
        {
            McpContentBlock block = Parse($$"""{"type":"image","data":"{{data.Replace("\n", "\\n")}}","mimeType":"image/png"}""");
            Assert.Equal(McpContentKind.Image, block.Kind);
            Assert.Equal(expected, block.Bytes);
        }

        [Theory]
        [InlineData("""{"type":"image","data":"%%%","mimeType":"image/png"}""", "not base64")]
        [InlineData("""{"type":"audio","data":"A","mimeType":"audio/wav"}""", "not base64")]
        [InlineData("""{"type":"image","data":"AA=A","mimeType":"image/png"}""", "not base64")]
        [InlineData("""{"type":"image","mimeType":"image/png"}""", "no data")]
        [InlineData("""{"type":"text"}""", "no text")]
        [InlineData("""{"type":"resource_link","uri":"not a uri","name":"x"}""", "absolute uri")]
        [InlineData("""{"type":"resource","resource":{"uri":"file:///a","blob":"@@"}}""", "not base64")]
        [InlineData("""{"type":"resource","resource":{"uri":"file:///a"}}""", "neither text nor a blob")]
        [InlineData("""{"type":"resource"}""", "no resource object")]
        [InlineData("""{"text":"no type"}""", "not an object with a type")]
        [InlineData("\"a string\"", "not an object with a type")]
        public void A_block_that_is_not_what_MCP_defines_is_MalformedContent(string json, string why)
        {
            McpContentBlock block = Parse(json);
            Assert.Equal(McpContentKind.Malformed, block.Kind);
            Assert.Equal(ErrorIds.MalformedContent, block.Error!.ErrorId);
            Assert.Contains(why, block.Error.Message);
            Assert.Contains("test block", block.Error.Message);
            Assert.Equal("tool", block.Error.Target);
        }

        [Fact]
        public void A_type_this_client_does_not_know_is_kept_as_data()
        {
            McpContentBlock block = Parse("""{"type":"hologram","depth":3}""");
            Assert.Equal(McpContentKind.Unknown, block.Kind);
            Assert.Equal("hologram", block.Type);
            Assert.Equal(3L, ((JsonMap)block.Data!)["depth"]);
        }

        [Fact]
        public void Links_and_embedded_resources_keep_their_uri_names_and_annotations()
        {
            McpContentBlock link = Parse("""{"type":"resource_link","uri":"file:///x.md","name":"x.md","mimeType":"text/markdown","size":12,"annotations":{"priority":0.5}}""");
            Assert.Equal(("file:///x.md", "x.md", "text/markdown", 12L), (link.Uri, link.Name, link.MimeType, link.Size!.Value));
            Assert.Equal(0.5, ((JsonMap)link.AnnotationsData!)["priority"]);

            McpContentBlock embedded = Parse("""{"type":"resource","resource":{"uri":"file:///y.txt","mimeType":"text/plain","text":"hi"}}""");
            Assert.Equal(McpContentKind.Resource, embedded.Kind);
            Assert.Equal(("file:///y.txt", "hi"), (embedded.Uri, embedded.Text));
        }
    }
}
