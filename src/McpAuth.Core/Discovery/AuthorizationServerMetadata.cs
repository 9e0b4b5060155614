using System;
using System.Collections.Generic;
using System.Linq;

namespace McpAuth.Core.Discovery
{
    /// <summary>
    /// RFC 8414 / OpenID Connect discovery metadata of an authorization server: the fields this client
    /// uses. Parsing and validation live in this file too (owner: discovery).
    /// </summary>
    public sealed partial class AuthorizationServerMetadata
    {
        private const string DocumentName = "authorization server metadata";

        /// <summary>The PKCE method this client uses, and requires.</summary>
        public const string S256 = "S256";

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

        /// <summary>Gets or sets the JWS algorithms the AS accepts in DPoP proofs (RFC 9449 §5.1); empty when it does not do DPoP.</summary>
        public IReadOnlyList<string> DpopSigningAlgValuesSupported { get; set; } = Array.Empty<string>();

        /// <summary>Gets or sets the URL the document was fetched from (null for the 2025-03-26 fallback).</summary>
        public Uri? SourceUrl { get; set; }

        /// <summary>Gets or sets a value indicating whether this came from the 2025-03-26 no-metadata fallback.</summary>
        public bool IsFallback { get; set; }

        /// <summary>
        /// Gets the issuer identifier exactly as the document spelled it. Issuer comparisons (RFC 8414 §3.3,
        /// RFC 9207) are plain ordinal comparisons of this string.
        /// </summary>
        public string IssuerString => Issuer.OriginalString;

        /// <summary>Gets a value indicating whether the AS does DPoP with a proof algorithm of <paramref name="algorithm"/>.</summary>
        public bool SupportsDpop(string algorithm) => DpopSigningAlgValuesSupported.Contains(algorithm, StringComparer.Ordinal);

        /// <summary>Gets a value indicating whether <c>code_challenge_methods_supported</c> lists S256.</summary>
        public bool SupportsS256 => CodeChallengeMethodsSupported.Contains(S256, StringComparer.Ordinal);

        /// <summary>
        /// Parses an RFC 8414 / OpenID Connect discovery document. <c>issuer</c> is required: an absolute http(s)
        /// URL with no query or fragment. Endpoints, when present, must be absolute http(s) URLs (whether they are
        /// secure enough is <see cref="Http.EndpointPolicy"/>'s call, made by the discovery client). Lists must be
        /// arrays of strings, flags booleans. Unknown members are ignored; JSON null counts as absent.
        /// </summary>
        /// <param name="json">The document text.</param>
        /// <param name="sourceUrl">Where it came from, for messages and <see cref="SourceUrl"/>.</param>
        /// <exception cref="McpAuthException"><c>MalformedMetadata</c> (InvalidData) when the document is not usable.</exception>
        public static AuthorizationServerMetadata Parse(string json, Uri? sourceUrl = null)
        {
            MetadataJson doc = MetadataJson.Parse(json, DocumentName, sourceUrl);
            return new AuthorizationServerMetadata
            {
                Issuer = doc.RequireUrl("issuer", allowQuery: false),
                AuthorizationEndpoint = doc.GetUrl("authorization_endpoint"),
                TokenEndpoint = doc.GetUrl("token_endpoint"),
                RegistrationEndpoint = doc.GetUrl("registration_endpoint"),
                RevocationEndpoint = doc.GetUrl("revocation_endpoint"),
                DeviceAuthorizationEndpoint = doc.GetUrl("device_authorization_endpoint"),
                ScopesSupported = doc.GetStringArray("scopes_supported"),
                ResponseTypesSupported = doc.GetStringArray("response_types_supported"),
                GrantTypesSupported = doc.GetStringArray("grant_types_supported"),
                TokenEndpointAuthMethodsSupported = doc.GetStringArray("token_endpoint_auth_methods_supported"),
                CodeChallengeMethodsSupported = doc.GetStringArray("code_challenge_methods_supported"),
                AuthorizationResponseIssParameterSupported = doc.GetBoolean("authorization_response_iss_parameter_supported"),
                ClientIdMetadataDocumentSupported = doc.GetBoolean("client_id_metadata_document_supported"),
                DpopSigningAlgValuesSupported = doc.GetStringArray("dpop_signing_alg_values_supported"),
                SourceUrl = sourceUrl,
            };
        }

        /// <summary>
        /// Throws <c>PkceNotSupported</c> (SecurityError) unless <c>code_challenge_methods_supported</c> lists S256:
        /// the MCP authorization spec forbids proceeding without it.
        /// </summary>
        public void RequireS256()
        {
            if (SupportsS256)
            {
                return;
            }

            string what = CodeChallengeMethodsSupported.Count == 0
                ? "does not advertise code_challenge_methods_supported"
                : "does not list S256 in code_challenge_methods_supported";
            throw new McpAuthException(
                ErrorIds.PkceNotSupported,
                McpErrorKind.SecurityError,
                $"The authorization server {IssuerString} {what}, so sign-in with PKCE cannot be done safely. Ask its operator to enable PKCE with S256.",
                Issuer);
        }
    }
}
