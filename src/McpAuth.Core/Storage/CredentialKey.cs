using System;
using System.Text.Json.Serialization;

namespace McpAuth.Core.Storage
{
    /// <summary>
    /// What a stored credential is for: one protected resource (the MCP server's resource URI), one
    /// authorization server (its issuer) and one account (empty when there is only one). Parts compare
    /// ordinally and exactly, so a credential is never found under another issuer.
    /// </summary>
    public sealed class CredentialKey : IEquatable<CredentialKey>
    {
        /// <summary>Initializes a key; <paramref name="resource"/> and <paramref name="issuer"/> must not be empty.</summary>
        [JsonConstructor]
        public CredentialKey(string resource, string issuer, string? account = null)
        {
            if (string.IsNullOrEmpty(resource))
            {
                throw new ArgumentException("The resource URI of a credential key must not be empty.", nameof(resource));
            }

            if (string.IsNullOrEmpty(issuer))
            {
                throw new ArgumentException("The issuer of a credential key must not be empty.", nameof(issuer));
            }

            Resource = resource;
            Issuer = issuer;
            Account = account ?? string.Empty;
        }

        /// <summary>Gets the protected resource URI (RFC 8707 <c>resource</c>) exactly as used in requests.</summary>
        [JsonPropertyName("resource")]
        public string Resource { get; }

        /// <summary>Gets the authorization server's issuer identifier exactly as discovered.</summary>
        [JsonPropertyName("issuer")]
        public string Issuer { get; }

        /// <summary>Gets the account name, or an empty string when the credential is not tied to a named account.</summary>
        [JsonPropertyName("account")]
        public string Account { get; }

        public bool Equals(CredentialKey? other) =>
            other is not null
            && string.Equals(Resource, other.Resource, StringComparison.Ordinal)
            && string.Equals(Issuer, other.Issuer, StringComparison.Ordinal)
            && string.Equals(Account, other.Account, StringComparison.Ordinal);

        public override bool Equals(object? obj) => obj is CredentialKey k && Equals(k);

        public override int GetHashCode()
        {
            unchecked
            {
                int hash = StringComparer.Ordinal.GetHashCode(Resource);
                hash = (hash * 397) ^ StringComparer.Ordinal.GetHashCode(Issuer);
                return (hash * 397) ^ StringComparer.Ordinal.GetHashCode(Account);
            }
        }

        /// <summary>Returns "resource (issuer)" with the account when there is one; no secrets here.</summary>
        public override string ToString() =>
            Account.Length == 0 ? $"{Resource} ({Issuer})" : $"{Resource} ({Issuer}, {Account})";
    }
}
