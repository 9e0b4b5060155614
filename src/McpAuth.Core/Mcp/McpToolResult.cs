using System.Collections.Generic;
using System.Text.Json.Nodes;

namespace McpAuth.Core.Mcp
{
    /// <summary>The result of tools/call: content blocks, optional structured content, and isError.</summary>
    public sealed class McpToolResult
    {
        internal McpToolResult(IReadOnlyList<JsonObject> content, JsonNode? structuredContent, bool isError)
        {
            Content = content;
            StructuredContent = structuredContent;
            IsError = isError;
        }

        internal IReadOnlyList<JsonObject> Content { get; }

        internal JsonNode? StructuredContent { get; }

        /// <summary>Gets each content block as plain .NET data (JsonMap with type, text, data, mimeType...).</summary>
        public IReadOnlyList<object?> ContentData
        {
            get
            {
                var list = new List<object?>(Content.Count);
                foreach (JsonObject block in Content)
                {
                    list.Add(ClrJson.ToClr(block));
                }

                return list;
            }
        }

        /// <summary>Gets a value indicating whether the tool returned structured content.</summary>
        public bool HasStructuredContent => StructuredContent is not null;

        /// <summary>Gets the structured content as plain .NET data, or null.</summary>
        public object? StructuredData => ClrJson.ToClr(StructuredContent);

        /// <summary>Gets the text of each text block, in order; other blocks are left out.</summary>
        public IReadOnlyList<string> TextBlocks
        {
            get
            {
                var parts = new List<string>();
                foreach (JsonObject block in Content)
                {
                    if (block["type"] is JsonValue t && t.TryGetValue(out string? type) && type == "text" && block["text"] is JsonValue v && v.TryGetValue(out string? s))
                    {
                        parts.Add(s);
                    }
                }

                return parts;
            }
        }

        /// <summary>Gets a value indicating whether every content block is text.</summary>
        public bool IsAllText => TextBlocks.Count == Content.Count;

        public bool IsError { get; }

        /// <summary>Gets the text of every text content block, joined by new lines.</summary>
        public string Text => string.Join("\n", TextBlocks);

        internal static McpToolResult From(CallToolResult result)
        {
            var content = new List<JsonObject>();
            foreach (JsonNode? item in result.Content ?? new List<JsonNode?>())
            {
                if (item is JsonObject block)
                {
                    content.Add(block);
                }
            }

            return new McpToolResult(content, result.StructuredContent, result.IsError == true);
        }
    }
}
