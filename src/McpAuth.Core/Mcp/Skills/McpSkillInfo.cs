using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;

namespace McpAuth.Core.Mcp
{
    /// <summary>A skill as skills/list describes it (SEP-2640): its SKILL.md URI, its frontmatter and the files it lists.</summary>
    public sealed class McpSkillInfo
    {
        private McpSkillInfo(string uri, IReadOnlyDictionary<string, object> frontmatter, IReadOnlyList<McpSkillFileInfo> resources)
        {
            Uri = uri;
            Frontmatter = frontmatter;
            Resources = resources;
        }

        /// <summary>Gets the URI of the skill's SKILL.md.</summary>
        public string Uri { get; }

        /// <summary>Gets the frontmatter's name field (null when it has none).</summary>
        public string? Name => Frontmatter.TryGetValue("name", out object? v) ? v as string : null;

        /// <summary>Gets the frontmatter's description field (null when it has none).</summary>
        public string? Description => Frontmatter.TryGetValue("description", out object? v) ? v as string : null;

        /// <summary>Gets the entry's frontmatter: strings and nested maps.</summary>
        public IReadOnlyDictionary<string, object> Frontmatter { get; }

        /// <summary>Gets the files of the skill with their digests and sizes, SKILL.md included.</summary>
        public IReadOnlyList<McpSkillFileInfo> Resources { get; }

        /// <summary>An entry of a skills/list page; null when it is not an object with a URI and a frontmatter object.</summary>
        internal static McpSkillInfo? FromJson(JsonNode? node)
        {
            if (node is not JsonObject o || Json.Text(o["uri"]) is not string uri || !System.Uri.TryCreate(uri, UriKind.Absolute, out _)
                || SkillFrontmatter.FromJson(o["frontmatter"]) is not IReadOnlyDictionary<string, object> frontmatter)
            {
                return null;
            }

            var files = new List<McpSkillFileInfo>();
            foreach (JsonNode? item in o["resources"] as JsonArray ?? new JsonArray())
            {
                if (item is JsonObject r && Json.Text(r["uri"]) is string fileUri)
                {
                    long? size = r["size"] is JsonValue sv && sv.TryGetValue(out double d) && d >= 0 && d == Math.Floor(d) && d < long.MaxValue ? (long)d : null;
                    files.Add(new McpSkillFileInfo(fileUri, Json.Text(r["digest"]), size));
                }
            }

            return new McpSkillInfo(uri, frontmatter, files);
        }
    }

    /// <summary>One file a skill lists: its URI, digest (<c>sha256:&lt;hex&gt;</c>) and size in bytes, as the entry states them.</summary>
    public sealed class McpSkillFileInfo
    {
        internal McpSkillFileInfo(string uri, string? digest, long? size)
        {
            Uri = uri;
            Digest = digest;
            Size = size;
        }

        public string Uri { get; }

        public string? Digest { get; }

        public long? Size { get; }
    }

    /// <summary>A verified file of a loaded skill: its text (when the server sent text) or bytes, and its size.</summary>
    public sealed class McpSkillFile
    {
        internal McpSkillFile(string uri, string? text, byte[] bytes, string? mimeType)
        {
            Uri = uri;
            Text = text;
            Bytes = bytes;
            MimeType = mimeType;
        }

        public string Uri { get; }

        /// <summary>Gets the text, or null when the server sent bytes (a blob).</summary>
        public string? Text { get; }

        /// <summary>Gets the bytes the digest was computed over (UTF-8 of the text, or the blob).</summary>
        public byte[] Bytes { get; }

        public string? MimeType { get; }

        public long Size => Bytes.LongLength;
    }
}
