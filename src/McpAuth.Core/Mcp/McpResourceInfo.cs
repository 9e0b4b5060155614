using System.Text.Json.Nodes;

namespace McpAuth.Core.Mcp
{
    /// <summary>A resource as resources/list describes it.</summary>
    public sealed class McpResourceInfo
    {
        private McpResourceInfo(string uri, string name)
        {
            Uri = uri;
            Name = name;
        }

        /// <summary>Gets the resource's URI (what resources/read takes).</summary>
        public string Uri { get; }

        public string Name { get; }

        public string? Title { get; private set; }

        public string? Description { get; private set; }

        public string? MimeType { get; private set; }

        /// <summary>Gets the size in bytes the server announces, if it does.</summary>
        public long? Size { get; private set; }

        /// <summary>Gets the annotations (audience, priority, lastModified) as plain .NET data, or null.</summary>
        public object? AnnotationsData { get; private set; }

        /// <summary>Reads one item of resources/list; null when it has no uri (such an item cannot be used).</summary>
        internal static McpResourceInfo? FromJson(JsonNode? node)
        {
            if (node is not JsonObject o || Json.Text(o["uri"]) is not string uri || uri.Length == 0)
            {
                return null;
            }

            return new McpResourceInfo(uri, Json.Text(o["name"]) ?? uri)
            {
                Title = Json.Text(o["title"]),
                Description = Json.Text(o["description"]),
                MimeType = Json.Text(o["mimeType"]),
                Size = Json.Size(o["size"]),
                AnnotationsData = ClrJson.ToClr(o["annotations"] as JsonObject),
            };
        }
    }

    /// <summary>A resource template (RFC 6570 URI template) as resources/templates/list describes it.</summary>
    public sealed class McpResourceTemplateInfo
    {
        private McpResourceTemplateInfo(string uriTemplate, string name)
        {
            UriTemplate = uriTemplate;
            Name = name;
        }

        public string UriTemplate { get; }

        public string Name { get; }

        public string? Title { get; private set; }

        public string? Description { get; private set; }

        public string? MimeType { get; private set; }

        /// <summary>Gets the names of the template's variables, in order.</summary>
        public System.Collections.Generic.IReadOnlyList<string> Variables => Mcp.UriTemplate.VariableNames(UriTemplate);

        internal static McpResourceTemplateInfo? FromJson(JsonNode? node)
        {
            if (node is not JsonObject o || Json.Text(o["uriTemplate"]) is not string template || template.Length == 0)
            {
                return null;
            }

            return new McpResourceTemplateInfo(template, Json.Text(o["name"]) ?? template)
            {
                Title = Json.Text(o["title"]),
                Description = Json.Text(o["description"]),
                MimeType = Json.Text(o["mimeType"]),
            };
        }
    }

    /// <summary>Small readers for server-defined JSON objects.</summary>
    internal static class Json
    {
        public static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue(out string? s) ? s : null;

        public static bool? Flag(JsonNode? node) => node is JsonValue v && v.TryGetValue(out bool b) ? b : null;

        /// <summary>A non-negative size in bytes, or null.</summary>
        public static long? Size(JsonNode? node) => node is JsonValue v && v.TryGetValue(out double d) && d >= 0 && d <= long.MaxValue ? (long)d : null;
    }
}
