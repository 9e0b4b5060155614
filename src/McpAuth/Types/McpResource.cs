using System;
using McpAuth.Core.Mcp;

namespace McpAuth
{
    /// <summary>A resource an MCP server offers, as Get-McpResource returns it. Pipe it to Read-McpResource or Watch-McpResource.</summary>
    public sealed class McpResource
    {
        internal McpResource(Uri serverUri, McpResourceInfo info)
        {
            ServerUri = serverUri;
            ResourceUri = info.Uri;
            Name = info.Name;
            Title = info.Title;
            Description = info.Description;
            MimeType = info.MimeType;
            Size = info.Size;
            Annotations = JsonConversion.ToPowerShell(info.AnnotationsData);
        }

        /// <summary>Gets the MCP endpoint that offers the resource.</summary>
        public Uri ServerUri { get; }

        /// <summary>Gets the resource's URI (what Read-McpResource -ResourceUri takes).</summary>
        public string ResourceUri { get; }

        public string Name { get; }

        public string? Title { get; }

        public string? Description { get; }

        public string? MimeType { get; }

        /// <summary>Gets the size in bytes the server announces, if it does.</summary>
        public long? Size { get; }

        /// <summary>Gets the annotations (audience, priority, lastModified), if the server sent any.</summary>
        public object? Annotations { get; }

        public override string ToString() => ResourceUri;
    }

    /// <summary>
    /// A resource template (an RFC 6570 URI template) as Get-McpResource -Template returns it. Pipe it to
    /// Read-McpResource with -Arguments holding a value for each of its variables.
    /// </summary>
    public sealed class McpResourceTemplate
    {
        internal McpResourceTemplate(Uri serverUri, McpResourceTemplateInfo info)
        {
            ServerUri = serverUri;
            UriTemplate = info.UriTemplate;
            Name = info.Name;
            Title = info.Title;
            Description = info.Description;
            MimeType = info.MimeType;
            Variables = new System.Collections.Generic.List<string>(info.Variables).ToArray();
        }

        /// <summary>Gets the MCP endpoint that offers the template.</summary>
        public Uri ServerUri { get; }

        /// <summary>Gets the URI template, for example file:///notes/{name}.txt.</summary>
        public string UriTemplate { get; }

        public string Name { get; }

        public string? Title { get; }

        public string? Description { get; }

        public string? MimeType { get; }

        /// <summary>Gets the names of the template's variables (the keys -Arguments takes).</summary>
        public string[] Variables { get; }

        public override string ToString() => UriTemplate;
    }
}
