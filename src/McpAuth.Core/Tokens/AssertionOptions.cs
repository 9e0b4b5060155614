using System;

namespace McpAuth.Core.Tokens
{
    /// <summary>
    /// Enterprise-managed authorization (SEP-990, "cross-app access"): the organisation's identity provider,
    /// McpAuth's client there, and the identity assertion to exchange (or none: McpAuth signs in at the IdP).
    /// </summary>
    public sealed record EnterpriseOptions
    {
        /// <summary>The RFC 8693 token type of an OpenID Connect ID token.</summary>
        public const string IdTokenType = "urn:ietf:params:oauth:token-type:id_token";

        /// <summary>The RFC 8693 token type of a SAML 2 assertion.</summary>
        public const string Saml2Type = "urn:ietf:params:oauth:token-type:saml2";

        /// <summary>The token type of an identity assertion JWT authorization grant (ID-JAG).</summary>
        public const string IdJagType = "urn:ietf:params:oauth:token-type:id-jag";

        /// <summary>Gets the identity provider's issuer; its metadata names the token endpoint.</summary>
        public Uri IdentityProvider { get; init; } = null!;

        /// <summary>Gets McpAuth's client id at the identity provider.</summary>
        public string ClientId { get; init; } = string.Empty;

        /// <summary>Gets that client's secret, when it has one.</summary>
        public Secret? ClientSecret { get; init; }

        /// <summary>Gets the identity assertion the user already has; null signs in at the identity provider.</summary>
        public Secret? Assertion { get; init; }

        /// <summary>Gets the assertion's RFC 8693 token type (<see cref="IdTokenType"/> or <see cref="Saml2Type"/>); null guesses from its form.</summary>
        public string? AssertionType { get; init; }
    }

    /// <summary>
    /// Workload identity: the RFC 7523 JWT bearer grant with an assertion the platform gives the job (CI
    /// services, Kubernetes, cloud runners), from a file or an environment variable, read on every exchange.
    /// </summary>
    public sealed record WorkloadIdentityOptions
    {
        /// <summary>Gets the path of the file that holds the assertion.</summary>
        public string? TokenPath { get; init; }

        /// <summary>Gets the name of the environment variable that holds the assertion.</summary>
        public string? TokenVariable { get; init; }
    }
}
