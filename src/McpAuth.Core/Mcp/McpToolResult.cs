using System.Collections.Generic;
using System.Text.Json.Nodes;

namespace McpAuth.Core.Mcp
{
    /// <summary>The result of tools/call: content blocks, optional structured content, and isError.</summary>
    public sealed class McpToolResult
    {
        public McpToolResult(IReadOnlyList<JsonObject> content, JsonNode? structuredContent, bool isError)
        {
            Content = content;
            StructuredContent = structuredContent;
            IsError = isError;
        }

        public IReadOnlyList<JsonObject> Content { get; }

        public JsonNode? StructuredContent { get; }

        public bool IsError { get; }

        /// <summary>Gets the text of every text content block, joined by new lines.</summary>
        public string Text
        {
            get
            {
                var parts = new List<string>();
                foreach (JsonObject block in Content)
                {
                    if (block["type"]?.GetValue<string>() == "text" && block["text"] is JsonValue v && v.TryGetValue(out string? s))
                    {
                        parts.Add(s);
                    }
                }

                return string.Join("\n", parts);
            }
        }

        internal static McpToolResult FromJson(JsonNode? node, object? target)
        {
            if (node is not JsonObject o)
            {
                throw JsonRpcMessage.Malformed("The server's tools/call result is not an object.", target, null);
            }

            var content = new List<JsonObject>();
            if (o["content"] is JsonArray array)
            {
                foreach (JsonNode? item in array)
                {
                    if (item is JsonObject block)
                    {
                        content.Add((JsonObject)block.DeepClone());
                    }
                }
            }

            bool isError = o["isError"] is JsonValue e && e.TryGetValue(out bool b) && b;
            return new McpToolResult(content, o["structuredContent"]?.DeepClone(), isError);
        }
    }
}
