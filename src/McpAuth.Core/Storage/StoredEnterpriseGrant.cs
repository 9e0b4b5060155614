using System;
using System.Text.Json.Serialization;

namespace McpAuth.Core.Storage
{
    /// <summary>
    /// What an enterprise-managed credential (SEP-990) needs to get new tokens without a person: the
    /// organisation's identity provider and the McpAuth client there, and the identity assertion (an ID token
    /// or SAML assertion) with its expiry, or the IdP's refresh token that gets a new one.
    /// </summary>
    public sealed record StoredEnterpriseGrant
    {
        /// <summary>Gets the identity provider's issuer.</summary>
        [JsonPropertyName("idp_issuer")]
        public string IdpIssuer { get; init; } = string.Empty;

        /// <summary>Gets the identity provider's token endpoint (token exchange, refresh).</summary>
        [JsonPropertyName("idp_token_endpoint")]
        public Uri? IdpTokenEndpoint { get; init; }

        /// <summary>Gets the identity provider's authorization endpoint (a sign-in there).</summary>
        [JsonPropertyName("idp_authorization_endpoint")]
        public Uri? IdpAuthorizationEndpoint { get; init; }

        /// <summary>Gets McpAuth's client id at the identity provider.</summary>
        [JsonPropertyName("idp_client_id")]
        public string IdpClientId { get; init; } = string.Empty;

        /// <summary>Gets the secret of that client, when it has one.</summary>
        [JsonPropertyName("idp_client_secret")]
        public Secret? IdpClientSecret { get; init; }

        /// <summary>Gets the identity assertion (subject token) the exchange uses.</summary>
        [JsonPropertyName("assertion")]
        public Secret? Assertion { get; init; }

        /// <summary>Gets the RFC 8693 token type of the assertion (an ID token or a SAML 2 assertion).</summary>
        [JsonPropertyName("assertion_type")]
        public string? AssertionType { get; init; }

        /// <summary>Gets when the assertion expires, when it says.</summary>
        [JsonPropertyName("assertion_expires_at")]
        public DateTimeOffset? AssertionExpiresAt { get; init; }

        /// <summary>Gets the identity provider's refresh token, when McpAuth signed in there and got one.</summary>
        [JsonPropertyName("idp_refresh_token")]
        public Secret? IdpRefreshToken { get; init; }
    }

    /// <summary>
    /// Where a workload identity credential reads its assertion (a file path or an environment variable's name),
    /// read again on every exchange because the platform rotates it. The assertion itself is never stored.
    /// </summary>
    public sealed record StoredWorkloadGrant
    {
        /// <summary>Gets the path of the file that holds the assertion.</summary>
        [JsonPropertyName("token_path")]
        public string? TokenPath { get; init; }

        /// <summary>Gets the name of the environment variable that holds the assertion.</summary>
        [JsonPropertyName("token_variable")]
        public string? TokenVariable { get; init; }
    }
}
