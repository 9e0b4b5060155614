using System.Text.Json.Nodes;

namespace McpAuth.Core.Mcp
{
    /// <summary>A tool as tools/list describes it.</summary>
    public sealed class McpToolInfo
    {
        public McpToolInfo(string name, string? title, string? description, JsonObject? inputSchema, JsonObject? outputSchema, JsonObject? annotations)
        {
            Name = name;
            Title = title;
            Description = description;
            InputSchema = inputSchema;
            OutputSchema = outputSchema;
            Annotations = annotations;
        }

        public string Name { get; }

        public string? Title { get; }

        public string? Description { get; }

        public JsonObject? InputSchema { get; }

        public JsonObject? OutputSchema { get; }

        public JsonObject? Annotations { get; }

        internal static McpToolInfo? FromJson(JsonNode? node)
        {
            if (node is not JsonObject o || o["name"] is not JsonValue n || !n.TryGetValue(out string? name) || string.IsNullOrEmpty(name))
            {
                return null;
            }

            return new McpToolInfo(
                name,
                Text(o["title"]),
                Text(o["description"]),
                o["inputSchema"]?.DeepClone() as JsonObject,
                o["outputSchema"]?.DeepClone() as JsonObject,
                o["annotations"]?.DeepClone() as JsonObject);
        }

        private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue(out string? s) ? s : null;
    }
}
