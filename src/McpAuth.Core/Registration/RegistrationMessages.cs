using System.Collections.Generic;
using System.Text.Json.Serialization;
using McpAuth.Core.Http;

namespace McpAuth.Core.Registration
{
    /// <summary>An RFC 7591 §2 client registration request, as this client sends it.</summary>
    internal sealed record ClientRegistrationRequest
    {
        [JsonPropertyName("client_name")]
        public string ClientName { get; init; } = ClientOptions.DefaultClientName;

        /// <summary>Gets the redirect URIs; omitted (null) for a client of the device authorization grant, which has none.</summary>
        [JsonPropertyName("redirect_uris")]
        public IReadOnlyList<string>? RedirectUris { get; init; }

        [JsonPropertyName("grant_types")]
        public IReadOnlyList<string> GrantTypes { get; init; } = new[] { "authorization_code", "refresh_token" };

        [JsonPropertyName("response_types")]
        public IReadOnlyList<string> ResponseTypes { get; init; } = new[] { "code" };

        [JsonPropertyName("token_endpoint_auth_method")]
        public string TokenEndpointAuthMethod { get; init; } = TokenEndpointAuthMethods.None;

        [JsonPropertyName("application_type")]
        public string ApplicationType { get; init; } = "native";

        /// <summary>Gets the space-separated scopes; omitted when null.</summary>
        [JsonPropertyName("scope")]
        public string? Scope { get; init; }
    }

    /// <summary>The members of an RFC 7591 §3.2.1 client information response this client uses.</summary>
    internal sealed record ClientRegistrationResponse
    {
        [JsonPropertyName("client_id")]
        public string? ClientId { get; init; }

        [JsonPropertyName("client_secret")]
        public string? ClientSecret { get; init; }

        [JsonPropertyName("token_endpoint_auth_method")]
        public string? TokenEndpointAuthMethod { get; init; }

        /// <summary>Gets the Unix time the client id was issued; absent, or not a number, is null.</summary>
        [JsonPropertyName("client_id_issued_at")]
        [JsonConverter(typeof(LenientInt64Converter))]
        public long? ClientIdIssuedAt { get; init; }

        /// <summary>Gets the Unix time the secret expires; 0 means never (RFC 7591).</summary>
        [JsonPropertyName("client_secret_expires_at")]
        [JsonConverter(typeof(LenientInt64Converter))]
        public long? ClientSecretExpiresAt { get; init; }
    }

    /// <summary>The source-generated JSON contract of dynamic registration.</summary>
    [JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonSerializable(typeof(ClientRegistrationRequest))]
    [JsonSerializable(typeof(ClientRegistrationResponse))]
    internal sealed partial class RegistrationJsonContext : JsonSerializerContext
    {
    }
}
