using System;
using System.Text.Json.Serialization;

namespace McpAuth.Core.Storage
{
    /// <summary>
    /// Everything persisted for one <see cref="CredentialKey"/>: the client identity used with the
    /// authorization server, the tokens it issued, what discovery found and how sign-in happened. It
    /// serialises to versioned JSON (<c>"v":1</c>). Secrets are <see cref="Secret"/> values, so
    /// <see cref="object.ToString"/> never shows them.
    /// </summary>
    public sealed record CredentialRecord
    {
        /// <summary>The record format this code writes.</summary>
        public const int CurrentVersion = 1;

        /// <summary>Initializes a record for <paramref name="key"/>.</summary>
        public CredentialRecord(CredentialKey key)
        {
            Key = key ?? throw new ArgumentNullException(nameof(key));
        }

        /// <summary>Gets the format version; the store always writes <see cref="CurrentVersion"/>.</summary>
        [JsonPropertyName("v")]
        public int Version { get; init; } = CurrentVersion;

        /// <summary>Gets the resource, issuer and account this record belongs to.</summary>
        [JsonPropertyName("key")]
        public CredentialKey Key { get; init; }

        /// <summary>Gets the client identity registered with (or given for) the issuer.</summary>
        [JsonPropertyName("client")]
        public StoredClientIdentity? Client { get; init; }

        /// <summary>Gets the tokens, or null when only the client identity is kept.</summary>
        [JsonPropertyName("tokens")]
        public StoredTokenSet? Tokens { get; init; }

        /// <summary>Gets the subject (<c>sub</c>) of the signed-in account, when known.</summary>
        [JsonPropertyName("subject")]
        public string? Subject { get; init; }

        /// <summary>Gets what discovery found, with the time it was fetched.</summary>
        [JsonPropertyName("discovery")]
        public StoredDiscovery? Discovery { get; init; }

        /// <summary>Gets how the tokens were obtained.</summary>
        [JsonPropertyName("authorized_by")]
        public AuthorizationMethod? AuthorizedBy { get; init; }

        /// <summary>Gets when the record was first stored (set by the store).</summary>
        [JsonPropertyName("created_at")]
        public DateTimeOffset CreatedAt { get; init; }

        /// <summary>Gets when the record was last stored (set by the store).</summary>
        [JsonPropertyName("updated_at")]
        public DateTimeOffset UpdatedAt { get; init; }

        /// <summary>
        /// Gets why this entry could not be read, or null for a good record. Only
        /// <see cref="ICredentialStore.ListAsync"/> returns such entries; their other fields are empty and
        /// <see cref="Key"/> holds what could be recovered (resource and issuer <c>unknown:</c> when not even
        /// the key was readable; only a reset removes such an entry). Never persisted.
        /// </summary>
        [JsonIgnore]
        public string? Corruption { get; init; }

        /// <summary>Gets a value indicating whether this entry is a flagged, unreadable one.</summary>
        [JsonIgnore]
        public bool IsCorrupted => Corruption is not null;
    }

    /// <summary>How a credential's tokens were obtained.</summary>
    public enum AuthorizationMethod
    {
        /// <summary>Authorization code flow in the system browser with a loopback redirect.</summary>
        [JsonStringEnumMemberName("browser")]
        Browser,

        /// <summary>Authorization code flow driven by a caller-supplied handler (automation).</summary>
        [JsonStringEnumMemberName("handler")]
        Handler,

        /// <summary>RFC 8628 device authorization grant.</summary>
        [JsonStringEnumMemberName("device-code")]
        DeviceCode,

        /// <summary>Client credentials grant (a machine identity).</summary>
        [JsonStringEnumMemberName("client-credentials")]
        ClientCredentials,
    }
}
