using System;
using System.Collections.Generic;

namespace McpAuth.Core.Discovery
{
    /// <summary>
    /// RFC 8414 / OpenID Connect discovery metadata of an authorization server: the fields this client
    /// uses. Parsing and validation live in this file too (owner: discovery).
    /// </summary>
    public sealed partial class AuthorizationServerMetadata
    {
        /// <summary>Gets or sets the issuer identifier; identical to the issuer the document was fetched for.</summary>
        public Uri Issuer { get; set; } = null!;

        public Uri? AuthorizationEndpoint { get; set; }

        public Uri? TokenEndpoint { get; set; }

        public Uri? RegistrationEndpoint { get; set; }

        public Uri? RevocationEndpoint { get; set; }

        public Uri? DeviceAuthorizationEndpoint { get; set; }

        public IReadOnlyList<string> ScopesSupported { get; set; } = Array.Empty<string>();

        public IReadOnlyList<string> ResponseTypesSupported { get; set; } = Array.Empty<string>();

        public IReadOnlyList<string> GrantTypesSupported { get; set; } = Array.Empty<string>();

        /// <summary>Gets or sets the token endpoint auth methods; empty means the RFC 8414 default, client_secret_basic.</summary>
        public IReadOnlyList<string> TokenEndpointAuthMethodsSupported { get; set; } = Array.Empty<string>();

        public IReadOnlyList<string> CodeChallengeMethodsSupported { get; set; } = Array.Empty<string>();

        /// <summary>Gets or sets a value indicating whether the AS advertises RFC 9207 <c>iss</c> in authorization responses.</summary>
        public bool AuthorizationResponseIssParameterSupported { get; set; }

        /// <summary>Gets or sets a value indicating whether the AS accepts client ID metadata documents (a URL as client_id).</summary>
        public bool ClientIdMetadataDocumentSupported { get; set; }

        /// <summary>Gets or sets the URL the document was fetched from (null for the 2025-03-26 fallback).</summary>
        public Uri? SourceUrl { get; set; }

        /// <summary>Gets or sets a value indicating whether this came from the 2025-03-26 no-metadata fallback.</summary>
        public bool IsFallback { get; set; }
    }
}
