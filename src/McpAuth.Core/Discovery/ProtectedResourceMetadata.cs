using System;
using System.Collections.Generic;

namespace McpAuth.Core.Discovery
{
    /// <summary>RFC 9728 protected resource metadata: the fields this client uses (owner: discovery).</summary>
    public sealed partial class ProtectedResourceMetadata
    {
        /// <summary>Gets or sets the resource identifier; must identify the MCP server.</summary>
        public Uri Resource { get; set; } = null!;

        public IReadOnlyList<Uri> AuthorizationServers { get; set; } = Array.Empty<Uri>();

        public IReadOnlyList<string> ScopesSupported { get; set; } = Array.Empty<string>();

        public IReadOnlyList<string> BearerMethodsSupported { get; set; } = Array.Empty<string>();

        /// <summary>Gets or sets the URL the document was fetched from.</summary>
        public Uri? SourceUrl { get; set; }
    }
}
