using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace McpAuth.Core.Storage
{
    /// <summary>
    /// What one server's authorization server needs that the metadata does not say, as the user gave it at
    /// sign-in, so later sign-ins and refreshes (in any process) do the same.
    /// </summary>
    public sealed record StoredServerSettings
    {
        /// <summary>Gets the RFC 8707 resource to send instead of the discovered one.</summary>
        [JsonPropertyName("resource")]
        public string? Resource { get; init; }

        /// <summary>Gets a value indicating whether to send no resource at all (Microsoft Entra ID).</summary>
        [JsonPropertyName("omit_resource")]
        public bool OmitResource { get; init; }

        /// <summary>Gets the issuer accepted although the metadata was fetched for another one.</summary>
        [JsonPropertyName("trusted_issuer")]
        public string? TrustedIssuer { get; init; }

        /// <summary>Gets the authorization server chosen among several the server names.</summary>
        [JsonPropertyName("authorization_server")]
        public string? AuthorizationServer { get; init; }

        /// <summary>Gets extra authorization request parameters (login_hint, audience, acr_values, ...).</summary>
        [JsonPropertyName("authorization_parameters")]
        public IReadOnlyDictionary<string, string>? AuthorizationParameters { get; init; }

        /// <summary>Gets whether to use DPoP: true always, false never, absent when the servers decide.</summary>
        [JsonPropertyName("dpop")]
        public bool? Dpop { get; init; }
    }
}
