using System;
using System.Text.Json.Serialization;

namespace McpAuth.Core.Storage
{
    /// <summary>
    /// What discovery found for a credential: the protected resource metadata URL, the authorization
    /// server's issuer and a copy of the endpoints this client uses, with the time they were fetched.
    /// </summary>
    public sealed record StoredDiscovery
    {
        /// <summary>Initializes discovery results for <paramref name="issuer"/>.</summary>
        public StoredDiscovery(string issuer)
        {
            if (string.IsNullOrEmpty(issuer))
            {
                throw new ArgumentException("An issuer must not be empty.", nameof(issuer));
            }

            Issuer = issuer;
        }

        /// <summary>Gets the URL the protected resource metadata came from.</summary>
        [JsonPropertyName("resource_metadata_url")]
        public Uri? ResourceMetadataUrl { get; init; }

        /// <summary>Gets the authorization server's issuer; always equal to the record key's issuer.</summary>
        [JsonPropertyName("issuer")]
        public string Issuer { get; init; }

        [JsonPropertyName("authorization_endpoint")]
        public Uri? AuthorizationEndpoint { get; init; }

        [JsonPropertyName("token_endpoint")]
        public Uri? TokenEndpoint { get; init; }

        [JsonPropertyName("registration_endpoint")]
        public Uri? RegistrationEndpoint { get; init; }

        [JsonPropertyName("revocation_endpoint")]
        public Uri? RevocationEndpoint { get; init; }

        [JsonPropertyName("device_authorization_endpoint")]
        public Uri? DeviceAuthorizationEndpoint { get; init; }

        /// <summary>Gets when the metadata was fetched.</summary>
        [JsonPropertyName("fetched_at")]
        public DateTimeOffset FetchedAt { get; init; }

        /// <summary>
        /// Gets the MCP endpoints whose own challenge and protected resource metadata named this credential's
        /// resource and issuer: the only servers it is presented to. Null in records written before it was kept;
        /// such a record serves only the server whose URL is its resource.
        /// </summary>
        [JsonPropertyName("servers")]
        public System.Collections.Generic.IReadOnlyList<string>? Servers { get; init; }

        /// <summary>Gets the MCP protocol version the server was last found to speak (so its era), or null when not known yet.</summary>
        [JsonPropertyName("mcp_protocol_version")]
        public string? McpProtocolVersion { get; init; }

        /// <summary>
        /// Gets, per MCP endpoint, the header rules of its tools from the last <c>tools/list</c> made with this
        /// credential, and until when they are fresh; null when none is kept. A new sign-in drops them.
        /// </summary>
        [JsonPropertyName("mcp_tool_headers")]
        public System.Collections.Generic.IReadOnlyDictionary<string, StoredToolHeaders>? McpToolHeaders { get; init; }
    }
}
