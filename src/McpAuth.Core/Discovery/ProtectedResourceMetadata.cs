using System;
using System.Collections.Generic;

namespace McpAuth.Core.Discovery
{
    /// <summary>RFC 9728 protected resource metadata: the fields this client uses (owner: discovery).</summary>
    public sealed partial class ProtectedResourceMetadata
    {
        private const string DocumentName = "protected resource metadata";

        /// <summary>Gets or sets the resource identifier; must identify the MCP server.</summary>
        public Uri Resource { get; set; } = null!;

        public IReadOnlyList<Uri> AuthorizationServers { get; set; } = Array.Empty<Uri>();

        public IReadOnlyList<string> ScopesSupported { get; set; } = Array.Empty<string>();

        public IReadOnlyList<string> BearerMethodsSupported { get; set; } = Array.Empty<string>();

        /// <summary>Gets or sets the DPoP proof algorithms the resource accepts (RFC 9728 §2); empty when it says nothing.</summary>
        public IReadOnlyList<string> DpopSigningAlgValuesSupported { get; set; } = Array.Empty<string>();

        /// <summary>Gets or sets a value indicating whether the resource takes only DPoP-bound tokens (RFC 9728 §2).</summary>
        public bool DpopBoundAccessTokensRequired { get; set; }

        /// <summary>Gets or sets the URL the document was fetched from.</summary>
        public Uri? SourceUrl { get; set; }

        /// <summary>Gets the <c>resource</c> exactly as the document spelled it: the RFC 8707 value to send.</summary>
        public string ResourceString => Resource.OriginalString;

        /// <summary>
        /// Parses a protected resource metadata document. <c>resource</c> is required and must be an absolute
        /// http(s) URL without a fragment; <c>authorization_servers</c> must be absolute http(s) URLs; list members
        /// must be arrays of strings. Unknown members are ignored; JSON null counts as absent.
        /// </summary>
        /// <param name="json">The document text.</param>
        /// <param name="sourceUrl">Where it came from, for messages and <see cref="SourceUrl"/>.</param>
        /// <exception cref="McpAuthException"><c>MalformedMetadata</c> (InvalidData) when the document is not usable.</exception>
        public static ProtectedResourceMetadata Parse(string json, Uri? sourceUrl = null)
        {
            MetadataJson doc = MetadataJson.Parse(json, DocumentName, sourceUrl);
            return new ProtectedResourceMetadata
            {
                Resource = doc.RequireUrl("resource"),
                AuthorizationServers = doc.GetUrlArray("authorization_servers"),
                ScopesSupported = doc.GetStringArray("scopes_supported"),
                BearerMethodsSupported = doc.GetStringArray("bearer_methods_supported"),
                DpopSigningAlgValuesSupported = doc.GetStringArray("dpop_signing_alg_values_supported"),
                DpopBoundAccessTokensRequired = doc.GetBoolean("dpop_bound_access_tokens_required"),
                SourceUrl = sourceUrl,
            };
        }

        /// <summary>
        /// Returns true when <see cref="Resource"/> identifies <paramref name="serverUrl"/>: the same URL after
        /// normalisation (scheme and host case, default port, a trailing slash, the fragment), or a path prefix of it
        /// on the same origin that ends at a segment boundary (<c>https://h/</c> covers <c>https://h/mcp</c>;
        /// <c>https://h/mc</c> does not). A resource with a query must match path and query exactly.
        /// </summary>
        public bool IdentifiesServer(Uri serverUrl)
        {
            if (serverUrl is null)
            {
                throw new ArgumentNullException(nameof(serverUrl));
            }

            return Identifies(Resource, serverUrl);
        }

        internal static bool Identifies(Uri resource, Uri serverUrl)
        {
            if (resource is null || !resource.IsAbsoluteUri || !serverUrl.IsAbsoluteUri)
            {
                return false;
            }

            if (Uri.Compare(resource, serverUrl, UriComponents.SchemeAndServer, UriFormat.UriEscaped, StringComparison.OrdinalIgnoreCase) != 0)
            {
                return false;
            }

            string resourcePath = resource.AbsolutePath.TrimEnd('/');
            string serverPath = serverUrl.AbsolutePath.TrimEnd('/');
            if (resource.Query.Length > 0)
            {
                return string.Equals(resourcePath, serverPath, StringComparison.Ordinal) &&
                       string.Equals(resource.Query, serverUrl.Query, StringComparison.Ordinal);
            }

            return resourcePath.Length == 0 ||
                   string.Equals(resourcePath, serverPath, StringComparison.Ordinal) ||
                   serverPath.StartsWith(resourcePath + "/", StringComparison.Ordinal);
        }
    }
}
