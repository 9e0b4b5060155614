using System.Collections.Generic;
using System.Text.Json.Nodes;

namespace McpAuth.Core.Mcp
{
    /// <summary>The result of tools/call: content blocks, optional structured content, and isError.</summary>
    public sealed class McpToolResult
    {
        private readonly string tool;
        private readonly IReadOnlyList<JsonNode?> sent;
        private IReadOnlyList<McpContentBlock>? blocks;

        internal McpToolResult(IReadOnlyList<JsonNode?> sent, JsonNode? structuredContent, bool isError, string tool)
        {
            this.sent = sent;
            var content = new List<JsonObject>();
            foreach (JsonNode? item in sent)
            {
                if (item is JsonObject block)
                {
                    content.Add(block);
                }
            }

            Content = content;
            StructuredContent = structuredContent;
            IsError = isError;
            this.tool = tool;
        }

        /// <summary>
        /// Gets each content block read into its kind: text, image and audio (bytes), resource links and
        /// embedded resources; a block that is not what MCP defines is Malformed and carries its typed error.
        /// </summary>
        public IReadOnlyList<McpContentBlock> Blocks => blocks ??= ParseBlocks();

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

        internal static McpToolResult From(CallToolResult result, string tool)
            => new McpToolResult(result.Content ?? new List<JsonNode?>(), result.StructuredContent, result.IsError == true, tool);

        private IReadOnlyList<McpContentBlock> ParseBlocks()
        {
            var parsed = new List<McpContentBlock>(sent.Count);
            for (int i = 0; i < sent.Count; i++)
            {
                parsed.Add(McpContentBlock.Parse(sent[i], $"tools/call '{Http.ServerText.Sanitize(tool, 128)}' content block {i + 1}", tool));
            }

            return parsed;
        }
    }
}
