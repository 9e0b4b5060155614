using System;
using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace McpAuth.Core.Storage
{
    /// <summary>The tokens the authorization server issued for one credential key.</summary>
    public sealed record StoredTokenSet
    {
        /// <summary>Gets the access token.</summary>
        [JsonPropertyName("access_token")]
        public Secret? AccessToken { get; init; }

        /// <summary>Gets the refresh token, when one was issued.</summary>
        [JsonPropertyName("refresh_token")]
        public Secret? RefreshToken { get; init; }

        /// <summary>Gets the token type (normally Bearer).</summary>
        [JsonPropertyName("token_type")]
        public string? TokenType { get; init; }

        /// <summary>Gets the scopes granted (the token response's <c>scope</c>, or those requested when it was absent).</summary>
        [JsonPropertyName("scopes")]
        public IReadOnlyList<string> Scopes { get; init; } = Array.Empty<string>();

        /// <summary>Gets the absolute UTC time the access token expires, when known.</summary>
        [JsonPropertyName("expires_at")]
        public DateTimeOffset? ExpiresAt { get; init; }

        /// <summary>Gets when the tokens were received (with expires_at, the token's lifetime).</summary>
        [JsonPropertyName("issued_at")]
        public DateTimeOffset? IssuedAt { get; init; }

        /// <summary>Gets the OpenID Connect ID token, when one was issued.</summary>
        [JsonPropertyName("id_token")]
        public Secret? IdToken { get; init; }
    }
}
