using System;
using System.Text.Json.Nodes;
using McpAuth.Core.Http;

namespace McpAuth.Core.Mcp
{
    /// <summary>What kind of content a block is (MCP ContentBlock, and the contents of resources/read).</summary>
    public enum McpContentKind
    {
        /// <summary><c>text</c>: <see cref="McpContentBlock.Text"/>.</summary>
        Text,

        /// <summary><c>image</c>: <see cref="McpContentBlock.Bytes"/> and a MIME type.</summary>
        Image,

        /// <summary><c>audio</c>: <see cref="McpContentBlock.Bytes"/> and a MIME type.</summary>
        Audio,

        /// <summary><c>resource_link</c>: a resource the server can read (<see cref="McpContentBlock.Uri"/>), without its contents.</summary>
        ResourceLink,

        /// <summary><c>resource</c> (embedded) or one of the contents of resources/read: text or bytes of a resource.</summary>
        Resource,

        /// <summary>A type this client does not know; <see cref="McpContentBlock.Data"/> has it as sent.</summary>
        Unknown,

        /// <summary>A block that does not have the shape MCP defines; <see cref="McpContentBlock.Error"/> says why.</summary>
        Malformed,
    }

    /// <summary>
    /// One content block as plain .NET data: text as a string, image, audio and blob data decoded from base64
    /// into bytes, links and resources with their URI. A block that does not have the shape MCP defines (no
    /// data, data that is not base64, a link without an absolute URI) is <see cref="McpContentKind.Malformed"/>
    /// and carries a typed MalformedContent error, so the caller can report that one block and keep the rest.
    /// </summary>
    public sealed class McpContentBlock
    {
        private McpContentBlock(McpContentKind kind, string type)
        {
            Kind = kind;
            Type = type;
        }

        public McpContentKind Kind { get; }

        /// <summary>Gets the block's type as sent (text, image, audio, resource_link, resource, ...).</summary>
        public string Type { get; }

        public string? Text { get; private set; }

        /// <summary>Gets the decoded bytes of an image, audio or blob resource.</summary>
        public byte[]? Bytes { get; private set; }

        public string? MimeType { get; private set; }

        /// <summary>Gets the resource URI of a link or resource.</summary>
        public string? Uri { get; private set; }

        public string? Name { get; private set; }

        public string? Title { get; private set; }

        public string? Description { get; private set; }

        /// <summary>Gets the size in bytes a resource link announces, if it does.</summary>
        public long? Size { get; private set; }

        /// <summary>Gets the block's annotations (audience, priority, lastModified) as plain .NET data, or null.</summary>
        public object? AnnotationsData { get; private set; }

        /// <summary>Gets the whole block as plain .NET data (JsonMap), for a type this client does not know.</summary>
        public object? Data { get; private set; }

        /// <summary>Gets why the block is malformed, or null.</summary>
        public McpAuthException? Error { get; private set; }

        /// <summary>Reads a content block (tools/call content, a prompt message's content).</summary>
        /// <param name="node">The block as sent.</param>
        /// <param name="where">Where the block came from, for the error message (for example "tools/call 'x' content block 2").</param>
        /// <param name="target">What an error is about (the tool or prompt name, or the server).</param>
        public static McpContentBlock Parse(JsonNode? node, string where, object? target)
        {
            if (node is not JsonObject block || Str(block, "type") is not string type)
            {
                return Malformed("?", where, "it is not an object with a type", target);
            }

            switch (type)
            {
                case "text":
                    return Str(block, "text") is string text
                        ? WithAnnotations(new McpContentBlock(McpContentKind.Text, type) { Text = text }, block)
                        : Malformed(type, where, "a text block has no text", target);
                case "image":
                case "audio":
                    return Media(block, type, where, target);
                case "resource_link":
                    return Link(block, where, target);
                case "resource":
                    return block["resource"] is JsonObject resource
                        ? WithAnnotations(ParseResourceContents(resource, where, target), block)
                        : Malformed(type, where, "an embedded resource has no resource object", target);
                default:
                    return new McpContentBlock(McpContentKind.Unknown, ServerText.Sanitize(type, 60)) { Data = ClrJson.ToClr(block) };
            }
        }

        /// <summary>Reads resource contents (resources/read, or an embedded resource): a URI and text or a base64 blob.</summary>
        public static McpContentBlock ParseResourceContents(JsonNode? node, string where, object? target)
        {
            if (node is not JsonObject contents)
            {
                return Malformed("resource", where, "the resource contents are not an object", target);
            }

            string? uri = Str(contents, "uri");
            if (string.IsNullOrEmpty(uri))
            {
                return Malformed("resource", where, "the resource contents have no uri", target);
            }

            var result = new McpContentBlock(McpContentKind.Resource, "resource") { Uri = uri, MimeType = Str(contents, "mimeType") };
            if (Str(contents, "text") is string text)
            {
                result.Text = text;
                return result;
            }

            if (Str(contents, "blob") is not string blob)
            {
                return Malformed("resource", where, $"the contents of '{ServerText.Sanitize(uri, 200)}' have neither text nor a blob", target);
            }

            byte[]? bytes = DecodeBase64(blob);
            if (bytes is null)
            {
                return Malformed("resource", where, $"the blob of '{ServerText.Sanitize(uri, 200)}' is not base64", target);
            }

            result.Bytes = bytes;
            return result;
        }

        /// <summary>
        /// Decodes base64 as servers send it: the standard alphabet, padding optional, white space ignored
        /// (the leniency of the JavaScript atob the TypeScript SDKs check with). Null when it is not base64.
        /// </summary>
        internal static byte[]? DecodeBase64(string text)
        {
            var clean = new System.Text.StringBuilder(text.Length + 3);
            foreach (char c in text)
            {
                if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f')
                {
                    continue;
                }

                bool valid = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=';
                if (!valid)
                {
                    return null;
                }

                clean.Append(c);
            }

            string trimmed = clean.ToString().TrimEnd('=');
            if (trimmed.IndexOf('=') >= 0 || trimmed.Length % 4 == 1 || clean.Length - trimmed.Length > 2)
            {
                return null;
            }

            try
            {
                return Convert.FromBase64String(trimmed.PadRight(trimmed.Length + ((4 - (trimmed.Length % 4)) % 4), '='));
            }
            catch (FormatException)
            {
                return null;
            }
        }

        private static McpContentBlock Media(JsonObject block, string type, string where, object? target)
        {
            if (Str(block, "data") is not string data)
            {
                return Malformed(type, where, $"an {type} block has no data", target);
            }

            byte[]? bytes = DecodeBase64(data);
            if (bytes is null)
            {
                return Malformed(type, where, $"the {type} block's data is not base64", target);
            }

            var result = new McpContentBlock(type == "image" ? McpContentKind.Image : McpContentKind.Audio, type) { Bytes = bytes, MimeType = Str(block, "mimeType") };
            return WithAnnotations(result, block);
        }

        private static McpContentBlock Link(JsonObject block, string where, object? target)
        {
            string? uri = Str(block, "uri");
            if (uri is null || !System.Uri.TryCreate(uri, UriKind.Absolute, out _))
            {
                return Malformed("resource_link", where, "a resource link has no absolute uri", target);
            }

            var result = new McpContentBlock(McpContentKind.ResourceLink, "resource_link")
            {
                Uri = uri,
                Name = Str(block, "name"),
                Title = Str(block, "title"),
                Description = Str(block, "description"),
                MimeType = Str(block, "mimeType"),
                Size = Json.Size(block["size"]),
            };
            return WithAnnotations(result, block);
        }

        private static McpContentBlock WithAnnotations(McpContentBlock result, JsonObject block)
        {
            if (result.Kind != McpContentKind.Malformed && block["annotations"] is JsonObject annotations)
            {
                result.AnnotationsData = ClrJson.ToClr(annotations);
            }

            return result;
        }

        private static McpContentBlock Malformed(string type, string where, string why, object? target) => new McpContentBlock(McpContentKind.Malformed, ServerText.Sanitize(type, 60))
        {
            Error = new McpAuthException(ErrorIds.MalformedContent, McpErrorKind.InvalidData, $"The server sent a malformed content block ({where}): {why}.", target),
        };

        private static string? Str(JsonObject o, string name) => Json.Text(o[name]);
    }
}
