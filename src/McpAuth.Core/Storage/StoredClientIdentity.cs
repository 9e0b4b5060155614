using System;
using McpAuth.Core.Registration;
using System.Text.Json.Serialization;

namespace McpAuth.Core.Storage
{
    /// <summary>The client identity used with one authorization server; never reused with another issuer.</summary>
    public sealed record StoredClientIdentity
    {
        /// <summary>Initializes a client identity.</summary>
        public StoredClientIdentity(string clientId, ClientIdentitySource source)
        {
            if (string.IsNullOrEmpty(clientId))
            {
                throw new ArgumentException("A client id must not be empty.", nameof(clientId));
            }

            ClientId = clientId;
            Source = source;
        }

        /// <summary>Gets the client id (a URL for a client ID metadata document).</summary>
        [JsonPropertyName("client_id")]
        public string ClientId { get; init; }

        /// <summary>Gets the client secret, for confidential clients.</summary>
        [JsonPropertyName("client_secret")]
        public Secret? ClientSecret { get; init; }

        /// <summary>Gets when the client secret expires (RFC 7591 <c>client_secret_expires_at</c>), if it does.</summary>
        [JsonPropertyName("client_secret_expires_at")]
        public DateTimeOffset? ClientSecretExpiresAt { get; init; }

        /// <summary>Gets the token endpoint auth method the AS returned or the user chose (none, client_secret_basic, client_secret_post).</summary>
        [JsonPropertyName("token_endpoint_auth_method")]
        public string? TokenEndpointAuthMethod { get; init; }

        /// <summary>Gets the redirect URI registered for this client.</summary>
        [JsonPropertyName("redirect_uri")]
        public string? RedirectUri { get; init; }

        /// <summary>Gets where the identity came from.</summary>
        [JsonPropertyName("source")]
        public ClientIdentitySource Source { get; init; }

        /// <summary>Gets when the client was registered or first used.</summary>
        [JsonPropertyName("registered_at")]
        public DateTimeOffset? RegisteredAt { get; init; }
    }
}
