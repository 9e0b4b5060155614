using System;
using System.Text.Json.Serialization;

namespace McpAuth.Core.Storage
{
    /// <summary>
    /// Everything persisted for one <see cref="CredentialKey"/>: the client identity used with the
    /// authorization server, the tokens it issued, what discovery found and how sign-in happened. It
    /// serialises to versioned JSON (<c>"v":2</c>). Secrets are <see cref="Secret"/> values, so
    /// <see cref="object.ToString"/> never shows them.
    /// </summary>
    /// <remarks>
    /// Versions: 1 had the client, tokens, subject, discovery and method. 2 adds the DPoP key
    /// (<see cref="DpopKey"/>), what renews the tokens without a person (<see cref="Enterprise"/>,
    /// <see cref="Workload"/>) and the per-server settings (<see cref="Settings"/>), all optional, so a
    /// version 1 record reads as a version 2 record without them. A record is always written as the current
    /// version; an older McpAuth keeps a newer record as it is (unreadable to it) instead of rewriting it
    /// without the members it does not know (a DPoP key lost that way would strand its tokens).
    /// </remarks>
    public sealed record CredentialRecord
    {
        /// <summary>The record format this code writes.</summary>
        public const int CurrentVersion = 2;

        /// <summary>The oldest record format this code reads.</summary>
        public const int OldestReadableVersion = 1;

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

        /// <summary>Gets the DPoP private key the tokens are bound to (RFC 9449), when they are (version 2).</summary>
        [JsonPropertyName("dpop_key")]
        public StoredDpopKey? DpopKey { get; init; }

        /// <summary>Gets what an enterprise-managed sign-in (SEP-990) renews its tokens with (version 2).</summary>
        [JsonPropertyName("enterprise")]
        public StoredEnterpriseGrant? Enterprise { get; init; }

        /// <summary>Gets where a workload identity sign-in reads its assertion (version 2).</summary>
        [JsonPropertyName("workload")]
        public StoredWorkloadGrant? Workload { get; init; }

        /// <summary>Gets the settings this server needs for its authorization server (version 2).</summary>
        [JsonPropertyName("settings")]
        public StoredServerSettings? Settings { get; init; }

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

        /// <summary>Enterprise-managed authorization (SEP-990): an identity assertion exchanged at the IdP for an ID-JAG, then the JWT bearer grant.</summary>
        [JsonStringEnumMemberName("enterprise-managed")]
        EnterpriseManaged,

        /// <summary>Workload identity: the JWT bearer grant (RFC 7523) with an assertion the platform gives the job.</summary>
        [JsonStringEnumMemberName("workload-identity")]
        WorkloadIdentity,
    }
}
