using System.Text.Json.Serialization;
using McpAuth.Core.Http;

namespace McpAuth.Core.Tokens
{
    /// <summary>A successful token response (RFC 6749 §5.1): the members this client reads.</summary>
    internal sealed record TokenResponse
    {
        [JsonPropertyName("access_token")]
        public string? AccessToken { get; init; }

        [JsonPropertyName("token_type")]
        public string? TokenType { get; init; }

        /// <summary>Gets the lifetime in seconds; some servers send it as a string.</summary>
        [JsonPropertyName("expires_in")]
        [JsonConverter(typeof(LenientInt64Converter))]
        public long? ExpiresIn { get; init; }

        [JsonPropertyName("refresh_token")]
        public string? RefreshToken { get; init; }

        [JsonPropertyName("scope")]
        public string? Scope { get; init; }

        [JsonPropertyName("id_token")]
        public string? IdToken { get; init; }
    }

    /// <summary>A token exchange response (RFC 8693 §2.2.1): the members this client reads.</summary>
    internal sealed record TokenExchangeResponse
    {
        [JsonPropertyName("access_token")]
        public string? AccessToken { get; init; }

        [JsonPropertyName("issued_token_type")]
        public string? IssuedTokenType { get; init; }

        [JsonPropertyName("token_type")]
        public string? TokenType { get; init; }

        [JsonPropertyName("expires_in")]
        [JsonConverter(typeof(LenientInt64Converter))]
        public long? ExpiresIn { get; init; }
    }

    /// <summary>The claims of a JWT this client reads but does not verify (an ID token's or an assertion's expiry and audience).</summary>
    internal sealed record JwtClaims
    {
        [JsonPropertyName("iss")]
        public string? Issuer { get; init; }

        [JsonPropertyName("sub")]
        public string? Subject { get; init; }

        [JsonPropertyName("exp")]
        [JsonConverter(typeof(LenientInt64Converter))]
        public long? ExpiresAt { get; init; }

        [JsonPropertyName("nonce")]
        public string? Nonce { get; init; }
    }

    /// <summary>A device authorization response (RFC 8628 §3.2).</summary>
    internal sealed record DeviceAuthorizationResponse
    {
        [JsonPropertyName("device_code")]
        public string? DeviceCode { get; init; }

        [JsonPropertyName("user_code")]
        public string? UserCode { get; init; }

        [JsonPropertyName("verification_uri")]
        public string? VerificationUri { get; init; }

        /// <summary>Gets the verification URI under the name some servers (Google, early drafts) use.</summary>
        [JsonPropertyName("verification_url")]
        public string? VerificationUrl { get; init; }

        [JsonPropertyName("verification_uri_complete")]
        public string? VerificationUriComplete { get; init; }

        [JsonPropertyName("expires_in")]
        [JsonConverter(typeof(LenientInt64Converter))]
        public long? ExpiresIn { get; init; }

        [JsonPropertyName("interval")]
        [JsonConverter(typeof(LenientInt64Converter))]
        public long? Interval { get; init; }
    }

    /// <summary>The JOSE header of a client assertion (RFC 7515 §4).</summary>
    internal sealed record JwtHeader
    {
        [JsonPropertyName("alg")]
        public string Algorithm { get; init; } = string.Empty;

        [JsonPropertyName("typ")]
        public string Type { get; init; } = "JWT";
    }

    /// <summary>The claims of a client assertion (RFC 7523 §3).</summary>
    internal sealed record ClientAssertionClaims
    {
        [JsonPropertyName("iss")]
        public string Issuer { get; init; } = string.Empty;

        [JsonPropertyName("sub")]
        public string Subject { get; init; } = string.Empty;

        [JsonPropertyName("aud")]
        public string Audience { get; init; } = string.Empty;

        [JsonPropertyName("jti")]
        public string Id { get; init; } = string.Empty;

        [JsonPropertyName("iat")]
        public long IssuedAt { get; init; }

        [JsonPropertyName("exp")]
        public long ExpiresAt { get; init; }
    }

    /// <summary>The source-generated JSON contracts of the token, device authorization and assertion messages.</summary>
    [JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonSerializable(typeof(TokenResponse))]
    [JsonSerializable(typeof(DeviceAuthorizationResponse))]
    [JsonSerializable(typeof(TokenExchangeResponse))]
    [JsonSerializable(typeof(JwtClaims))]
    [JsonSerializable(typeof(JwtHeader))]
    [JsonSerializable(typeof(ClientAssertionClaims))]
    internal sealed partial class TokensJsonContext : JsonSerializerContext
    {
    }
}
