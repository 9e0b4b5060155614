using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Http;
using McpAuth.Core.Storage;

namespace McpAuth.Core.Tokens
{
    /// <summary>Lists, removes (with RFC 7009 revocation) and resets stored credentials: the engine side of the credential commands.</summary>
    public static class CredentialManager
    {
        /// <summary>How long one revocation request may take.</summary>
        private static readonly TimeSpan RevocationTimeout = TimeSpan.FromSeconds(30);

        /// <summary>Lists the stored credentials in the store <paramref name="options"/> name, optionally only those for one MCP server.</summary>
        public static async Task<CredentialListing> ListAsync(CredentialStoreOptions options, Uri? serverUri, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            TokenCache cache = TokenCache.For(options);
            IReadOnlyList<CredentialRecord> records = await cache.ListAsync(serverUri, callbacks, cancellationToken).ConfigureAwait(false);
            return new CredentialListing(records, cache.Store.Location, cache.Store.Kind);
        }

        /// <summary>
        /// Removes the credentials stored for a server (all issuers, or one), revoking their tokens first when
        /// <paramref name="revoke"/> and the authorization server offers revocation. Every connection of this
        /// process stops using them. Returns the keys removed.
        /// </summary>
        /// <exception cref="McpAuthException"><c>CredentialNotFound</c> when nothing is stored for the server (and issuer).</exception>
        public static async Task<IReadOnlyList<CredentialKey>> RemoveAsync(CredentialStoreOptions options, Uri serverUri, string? issuer, bool revoke, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            Guard.NotNull(serverUri, nameof(serverUri));
            using IDisposable operation = OperationSecrets.Begin();
            TokenCache cache = TokenCache.For(options);
            IReadOnlyList<CredentialRecord> records = await cache.ListAsync(serverUri, callbacks, cancellationToken).ConfigureAwait(false);
            var removed = new List<CredentialKey>();
            using HttpClient http = McpHttpClientFactory.Create(RevocationTimeout);
            foreach (CredentialRecord record in records.Where(r => issuer is null || r.Key.Issuer == issuer))
            {
                if (revoke && Credential.FromRecord(record) is { Tokens: TokenSet tokens } credential)
                {
                    bool confirmed = await new TokenEndpointClient(http, callbacks, cache.Clock).RevokeAllAsync(credential.AuthorizationServer, credential.Client, tokens, cancellationToken).ConfigureAwait(false);
                    callbacks.Verbose($"Revocation of the tokens of {record.Key}: {(confirmed ? "done" : "not confirmed")}.");
                }

                await cache.RemoveAsync(record.Key, callbacks, cancellationToken).ConfigureAwait(false);
                callbacks.Verbose($"Removed the stored credential for {record.Key}.");
                removed.Add(record.Key);
            }

            if (removed.Count == 0)
            {
                string target = issuer is null ? serverUri.ToString() : $"{serverUri} ({issuer})";
                throw new McpAuthException(ErrorIds.CredentialNotFound, McpErrorKind.NotFound, $"No credential is stored for {target}.", serverUri);
            }

            return removed;
        }

        /// <summary>Deletes every stored credential; works even when the stored data is damaged. Connections of this process stop using them.</summary>
        public static Task ResetAsync(CredentialStoreOptions options, IEngineCallbacks callbacks, CancellationToken cancellationToken) =>
            TokenCache.For(options).ResetAsync(callbacks, cancellationToken);
    }

    /// <summary>Stored credentials, and where they are stored.</summary>
    public sealed class CredentialListing : ReadOnlyCollection<CredentialRecord>
    {
        internal CredentialListing(IReadOnlyList<CredentialRecord> records, string location, CredentialStoreKind storeKind)
            : base(records.ToList())
        {
            Location = location;
            StoreKind = storeKind;
        }

        /// <summary>Gets the kind of store the records came from.</summary>
        public CredentialStoreKind StoreKind { get; }

        /// <summary>Gets a description of the store the records came from.</summary>
        public string Location { get; }
    }
}
