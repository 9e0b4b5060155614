using System.Collections.Generic;
using System.Text.Json.Nodes;

namespace McpAuth.Core.Mcp
{
    /// <summary>A tool as tools/list describes it.</summary>
    public sealed class McpToolInfo
    {
        internal McpToolInfo(string name, string? title, string? description, JsonObject? inputSchema, JsonObject? outputSchema, JsonObject? annotations)
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

        /// <summary>Gets the input schema as plain .NET data (JsonMap), or null.</summary>
        public object? InputSchemaData => ClrJson.ToClr(InputSchema);

        /// <summary>Gets the output schema as plain .NET data (JsonMap), or null.</summary>
        public object? OutputSchemaData => ClrJson.ToClr(OutputSchema);

        /// <summary>Gets the names of the arguments in the input schema, in schema order.</summary>
        public IReadOnlyList<string> ParameterNames
        {
            get
            {
                var names = new List<string>();
                if (InputSchema?["properties"] is JsonObject properties)
                {
                    foreach (KeyValuePair<string, JsonNode?> p in properties)
                    {
                        names.Add(p.Key);
                    }
                }

                return names;
            }
        }

        /// <summary>Gets the names of the required arguments.</summary>
        public IReadOnlyList<string> RequiredParameterNames
        {
            get
            {
                var names = new List<string>();
                if (InputSchema?["required"] is JsonArray required)
                {
                    foreach (JsonNode? r in required)
                    {
                        if (r is JsonValue v && v.TryGetValue(out string? s))
                        {
                            names.Add(s);
                        }
                    }
                }

                return names;
            }
        }

        /// <summary>Gets the schema of one argument as plain .NET data, or null.</summary>
        public object? ParameterSchema(string name) => ClrJson.ToClr(InputSchema?["properties"]?[name]);

        internal JsonObject? InputSchema { get; }

        internal JsonObject? OutputSchema { get; }

        internal JsonObject? Annotations { get; }

        /// <summary>Gets the arguments mirrored into Mcp-Param-* headers (modern servers), once checked.</summary>
        internal ToolHeaderParameters HeaderParameters { get; set; } = ToolHeaderParameters.None;

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
