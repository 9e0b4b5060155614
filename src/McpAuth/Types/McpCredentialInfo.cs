using System;
using System.Linq;
using McpAuth.Core.Storage;

namespace McpAuth
{
    /// <summary>A stored credential, as Get-McpCredential shows it. It never carries a secret.</summary>
    public sealed class McpCredentialInfo
    {
        internal McpCredentialInfo(CredentialRecord record, string store, McpCredentialStore storeKind)
        {
            StoreKind = storeKind;
            Resource = record.Key.Resource;
            ServerUri = Uri.TryCreate(record.Key.Resource, UriKind.Absolute, out Uri? uri) ? uri : null;
            Issuer = record.Key.Issuer;
            Account = string.IsNullOrEmpty(record.Key.Account) ? record.Subject : record.Key.Account;
            Store = store;
            if (record.IsCorrupted)
            {
                Status = "Corrupted";
                Scopes = Array.Empty<string>();
                return;
            }

            ClientId = record.Client?.ClientId;
            ClientSource = record.Client?.Source.ToString();
            AuthorizationMethod = record.AuthorizedBy?.ToString();
            Scopes = record.Tokens?.Scopes.ToArray() ?? Array.Empty<string>();
            ExpiresOn = record.Tokens?.ExpiresAt;
            HasRefreshToken = record.Tokens?.RefreshToken is not null;
            IsDPoPBound = record.DpopKey is not null && string.Equals(record.Tokens?.TokenType, "DPoP", StringComparison.OrdinalIgnoreCase);
            IdentityProvider = record.Enterprise?.IdpIssuer;
            WorkloadIdentitySource = record.Workload?.TokenPath ?? (record.Workload?.TokenVariable is string variable ? "$env:" + variable : null);
            UpdatedAt = record.UpdatedAt;
            Status = record.Tokens?.AccessToken is null ? "SignedOut"
                : ExpiresOn is DateTimeOffset at && at <= Core.SystemClock.Instance.UtcNow ? (HasRefreshToken ? "Expired (refreshable)" : "Expired")
                : "Valid";
        }

        /// <summary>Gets the MCP server (the protected resource) as a URI, for piping to -Uri.</summary>
        public Uri? ServerUri { get; }

        /// <summary>Gets the resource identifier exactly as stored.</summary>
        public string Resource { get; }

        /// <summary>Gets the authorization server that issued the credential.</summary>
        public string Issuer { get; }

        /// <summary>Gets the account or subject, when known.</summary>
        public string? Account { get; }

        /// <summary>Gets the OAuth client id.</summary>
        public string? ClientId { get; }

        /// <summary>Gets how the client identity was obtained: PreRegistered, MetadataDocument or DynamicRegistration.</summary>
        public string? ClientSource { get; }

        /// <summary>Gets how the user authorized: Browser, Handler, DeviceCode, ClientCredentials, EnterpriseManaged or WorkloadIdentity.</summary>
        public string? AuthorizationMethod { get; }

        /// <summary>Gets the granted scopes.</summary>
        public string[] Scopes { get; }

        /// <summary>Gets when the access token expires.</summary>
        public DateTimeOffset? ExpiresOn { get; }

        /// <summary>Gets a value indicating whether a refresh token is stored.</summary>
        public bool HasRefreshToken { get; }

        /// <summary>Gets a value indicating whether the tokens are DPoP-bound (their key is stored with them).</summary>
        public bool IsDPoPBound { get; }

        /// <summary>Gets the identity provider an enterprise-managed credential renews at, when it is one.</summary>
        public string? IdentityProvider { get; }

        /// <summary>Gets where a workload identity credential reads its assertion (a path, or $env:NAME), when it is one.</summary>
        public string? WorkloadIdentitySource { get; }

        /// <summary>Gets Valid, Expired, Expired (refreshable), SignedOut or Corrupted.</summary>
        public string Status { get; }

        /// <summary>Gets when the record was last written.</summary>
        public DateTimeOffset? UpdatedAt { get; }

        /// <summary>Gets where the credential is stored: the keychain item and file, the plain-text file, or memory.</summary>
        public string Store { get; }

        /// <summary>Gets which store the credential came from: Keychain, Memory or Plaintext.</summary>
        public McpCredentialStore StoreKind { get; }

        public override string ToString() => $"{Resource} ({Issuer})";
    }
}
