using System;
using McpAuth.Core.Discovery;
using McpAuth.Core.Registration;
using McpAuth.Core.Storage;

namespace McpAuth.Core.Tokens
{
    /// <summary>
    /// A stored credential as the engine uses it, immutable: which resource and issuer it is for, the
    /// authorization server's endpoints, the client identity, the tokens (null once they were cleared or
    /// revoked) and how they were obtained. A refresh or a sign-in makes a new one.
    /// </summary>
    public sealed class Credential
    {
        internal Credential(CredentialKey key, AuthorizationServerMetadata authorizationServer, ClientIdentity client, TokenSet? tokens, AuthorizationMethod? authorizedBy)
        {
            Key = key;
            AuthorizationServer = authorizationServer;
            Client = client;
            Tokens = tokens;
            AuthorizedBy = authorizedBy;
            Settings = ServerSettings.None;
        }

        /// <summary>Gets the settings the server's authorization server needs (stored with the credential).</summary>
        public ServerSettings Settings { get; private init; }

        /// <summary>Gets a value indicating whether the tokens are DPoP-bound: usable only with proofs signed by this credential's key.</summary>
        public bool IsDpopBound => DpopKey is not null && Tokens is { } tokens && tokens.IsDpop;

        /// <summary>Gets the DPoP key the tokens are bound to; null for bearer tokens.</summary>
        internal DpopKey? DpopKey { get; private init; }

        /// <summary>Gets what an enterprise-managed sign-in renews its tokens with; null for other sign-ins.</summary>
        internal StoredEnterpriseGrant? Enterprise { get; private init; }

        /// <summary>Gets where a workload identity sign-in reads its assertion; null for other sign-ins.</summary>
        internal StoredWorkloadGrant? Workload { get; private init; }

        /// <summary>Gets the resource, issuer and account this credential is for.</summary>
        public CredentialKey Key { get; }

        /// <summary>Gets the authorization server's metadata (as discovered, or rebuilt from the stored endpoints).</summary>
        public AuthorizationServerMetadata AuthorizationServer { get; }

        /// <summary>Gets the client identity at <see cref="AuthorizationServer"/>; a private key is never part of it (it is configuration).</summary>
        public ClientIdentity Client { get; }

        /// <summary>Gets the tokens; null when there are none (cleared after a dead refresh token, or revoked).</summary>
        public TokenSet? Tokens { get; }

        /// <summary>Gets how the tokens were obtained; null when not recorded.</summary>
        public AuthorizationMethod? AuthorizedBy { get; }

        /// <summary>Gets the resource (RFC 8707) the tokens are for, exactly as sent.</summary>
        public string Resource => Key.Resource;

        /// <summary>
        /// Reads a stored record; null when it cannot serve as a credential (damaged, or no discovery results
        /// or client identity to refresh with).
        /// </summary>
        internal static Credential? FromRecord(CredentialRecord? record)
        {
            if (record is null || record.IsCorrupted || record.Discovery is null || record.Client is null)
            {
                return null;
            }

            AuthorizationServerMetadata asm = CredentialMapping.ToMetadata(record.Discovery);
            ClientIdentity client = CredentialMapping.FromStored(record.Client, asm.Issuer, null)!;
            TokenSet? tokens = CredentialMapping.FromStored(record.Tokens, asm.Issuer, new Uri(record.Key.Resource, UriKind.Absolute));
            return new Credential(record.Key, asm, client, tokens, record.AuthorizedBy)
            {
                Settings = ServerSettings.FromStored(record.Settings),
                DpopKey = DpopKey.FromStored(record.DpopKey),
                Enterprise = record.Enterprise,
                Workload = record.Workload,
            };
        }

        /// <summary>How token requests for this credential are made: with its DPoP key and the resource its settings send.</summary>
        internal TokenRequestOptions RequestOptions(DpopNonces? nonces) => new TokenRequestOptions(DpopKey, Settings, nonces);

        /// <summary>
        /// Returns <see cref="Client"/> ready to authenticate: with the private key of <paramref name="options"/>
        /// when they name this very client (a key is configuration the user gives, never stored).
        /// </summary>
        internal ClientIdentity ClientFor(ClientOptions options) => CredentialMapping.WithKey(Client, options);

        /// <inheritdoc/>
        public override string ToString() => $"{Key}: client {Client.ClientId}, {(Tokens is null ? "no tokens" : Tokens.ToString())}";
    }
}
