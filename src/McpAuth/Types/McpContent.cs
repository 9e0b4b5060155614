using System;
using McpAuth.Core.Mcp;

namespace McpAuth
{
    /// <summary>
    /// One content block of a tool result or a prompt message (and, as <see cref="McpResourceContents"/>, what
    /// Read-McpResource reads). Images, audio and blobs carry their decoded bytes, never base64; the format
    /// views show their size. Save-McpContent writes them to files.
    /// </summary>
    public abstract class McpContent
    {
        private protected McpContent(string type, Uri serverUri, object? annotations)
        {
            Type = type;
            ServerUri = serverUri;
            Annotations = JsonConversion.ToPowerShell(annotations);
        }

        /// <summary>Gets the block's type as the server sent it (text, image, audio, resource_link, resource).</summary>
        public string Type { get; }

        /// <summary>Gets the server the content came from.</summary>
        public Uri ServerUri { get; }

        /// <summary>Gets the annotations (audience, priority, lastModified), if the server sent any.</summary>
        public object? Annotations { get; }

        /// <summary>The PowerShell object for an engine block; null for a malformed one (report its error instead).</summary>
        /// <param name="block">The block.</param>
        /// <param name="serverUri">The server it came from.</param>
        /// <param name="nameHint">The file name, without extension, Save-McpContent gives an image or audio block (for example "chart-2").</param>
        internal static McpContent? From(McpContentBlock block, Uri serverUri, string nameHint) => block.Kind switch
        {
            McpContentKind.Text => new McpTextContent(block, serverUri),
            McpContentKind.Image => new McpImageContent(block, serverUri, nameHint),
            McpContentKind.Audio => new McpAudioContent(block, serverUri, nameHint),
            McpContentKind.ResourceLink => new McpResourceLink(block, serverUri),
            McpContentKind.Resource => new McpResourceContents(block, serverUri),
            McpContentKind.Unknown => new McpUnknownContent(block, serverUri),
            _ => null,
        };
    }

    /// <summary>A text block.</summary>
    public sealed class McpTextContent : McpContent
    {
        internal McpTextContent(McpContentBlock block, Uri serverUri)
            : base(block.Type, serverUri, block.AnnotationsData)
        {
            Text = block.Text ?? string.Empty;
        }

        public string Text { get; }

        public override string ToString() => Text;
    }

    /// <summary>An image or audio block: the decoded bytes and their MIME type.</summary>
    public abstract class McpMediaContent : McpContent
    {
        private protected McpMediaContent(McpContentBlock block, Uri serverUri, string nameHint)
            : base(block.Type, serverUri, block.AnnotationsData)
        {
            MimeType = block.MimeType;
            Bytes = block.Bytes ?? Array.Empty<byte>();
            FileName = ContentFiles.SafeName(nameHint, MimeType);
        }

        public string? MimeType { get; }

        /// <summary>Gets the decoded bytes.</summary>
        public byte[] Bytes { get; }

        /// <summary>Gets the size in bytes.</summary>
        public long Size => Bytes.LongLength;

        /// <summary>Gets the file name Save-McpContent and Invoke-McpTool -OutDirectory give it.</summary>
        public string FileName { get; }

        public override string ToString() => $"{Type} {MimeType}, {Size} bytes";
    }

    /// <summary>An image block.</summary>
    public sealed class McpImageContent : McpMediaContent
    {
        internal McpImageContent(McpContentBlock block, Uri serverUri, string nameHint)
            : base(block, serverUri, nameHint)
        {
        }
    }

    /// <summary>An audio block.</summary>
    public sealed class McpAudioContent : McpMediaContent
    {
        internal McpAudioContent(McpContentBlock block, Uri serverUri, string nameHint)
            : base(block, serverUri, nameHint)
        {
        }
    }

    /// <summary>A link to a resource the server can read. Pipe it to Read-McpResource (ServerUri and ResourceUri bind by name).</summary>
    public sealed class McpResourceLink : McpContent
    {
        internal McpResourceLink(McpContentBlock block, Uri serverUri)
            : base(block.Type, serverUri, block.AnnotationsData)
        {
            ResourceUri = block.Uri ?? string.Empty;
            Name = block.Name;
            Title = block.Title;
            Description = block.Description;
            MimeType = block.MimeType;
            Size = block.Size;
        }

        /// <summary>Gets the resource's URI.</summary>
        public string ResourceUri { get; }

        public string? Name { get; }

        public string? Title { get; }

        public string? Description { get; }

        public string? MimeType { get; }

        /// <summary>Gets the size in bytes the server announces, if it does.</summary>
        public long? Size { get; }

        public override string ToString() => ResourceUri;
    }

    /// <summary>
    /// The contents of a resource: text, or decoded bytes (a blob). Read-McpResource -Raw returns these, and a
    /// tool or prompt embeds them (type resource). Pipe it to Read-McpResource to read the resource again, or to
    /// Save-McpContent to write it to a file.
    /// </summary>
    public sealed class McpResourceContents : McpContent
    {
        internal McpResourceContents(McpContentBlock block, Uri serverUri)
            : base(block.Type, serverUri, block.AnnotationsData)
        {
            ResourceUri = block.Uri ?? string.Empty;
            MimeType = block.MimeType;
            Text = block.Text;
            Bytes = block.Bytes;
            FileName = ContentFiles.NameFromUri(ResourceUri, MimeType, IsBinary);
        }

        /// <summary>Gets the resource's URI.</summary>
        public string ResourceUri { get; }

        public string? MimeType { get; }

        /// <summary>Gets the text of a text resource, or null for a blob.</summary>
        public string? Text { get; }

        /// <summary>Gets the decoded bytes of a blob, or null for a text resource.</summary>
        public byte[]? Bytes { get; }

        /// <summary>Gets a value indicating whether the contents are a blob (bytes) rather than text.</summary>
        public bool IsBinary => Bytes is not null;

        /// <summary>Gets the size: bytes of a blob, characters of text.</summary>
        public long Size => Bytes?.LongLength ?? Text?.Length ?? 0;

        /// <summary>Gets the file name Save-McpContent and -OutDirectory give it (from the URI, with an extension for its MIME type).</summary>
        public string FileName { get; }

        public override string ToString() => ResourceUri;
    }

    /// <summary>A block of a type this module does not know; <see cref="Data"/> has it as the server sent it.</summary>
    public sealed class McpUnknownContent : McpContent
    {
        internal McpUnknownContent(McpContentBlock block, Uri serverUri)
            : base(block.Type, serverUri, block.AnnotationsData)
        {
            Data = JsonConversion.ToPowerShell(block.Data);
        }

        public object? Data { get; }

        public override string ToString() => Type;
    }
}
