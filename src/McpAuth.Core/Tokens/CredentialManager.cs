using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Discovery;
using McpAuth.Core.Registration;
using McpAuth.Core.Storage;

namespace McpAuth.Core.Tokens
{
    /// <summary>Lists, removes (with RFC 7009 revocation) and resets stored credentials.</summary>
    public static class CredentialManager
    {
        /// <summary>Creates the store the options name, reporting through these callbacks.</summary>
        public static ICredentialStore OpenStore(CredentialStoreOptions options, IEngineCallbacks callbacks) => CredentialStoreFactory.Create(new CredentialStoreOptions
        {
            Kind = options.Kind,
            Directory = options.Directory,
            AllowPlaintext = options.AllowPlaintext,
            LockTimeout = options.LockTimeout,
            Callbacks = callbacks,
        });

        /// <summary>Lists stored credentials, optionally only those for one MCP server.</summary>
        public static Task<IReadOnlyList<CredentialRecord>> ListAsync(CredentialStoreOptions options, Uri? serverUri, IEngineCallbacks callbacks, CancellationToken cancellationToken)
            => ListAsync(OpenStore(options, callbacks), serverUri, cancellationToken);

        /// <summary>Lists the credentials in a store, optionally only those for one MCP server.</summary>
        public static async Task<IReadOnlyList<CredentialRecord>> ListAsync(ICredentialStore store, Uri? serverUri, CancellationToken cancellationToken)
        {
            IReadOnlyList<CredentialRecord> records = await store.ListAsync(cancellationToken).ConfigureAwait(false);
            return records.Where(r => serverUri is null || CredentialMapping.ResourceMatches(r.Key.Resource, serverUri)).ToList();
        }

        /// <summary>
        /// Removes the credentials stored for a server (all issuers, or one), revoking their tokens first
        /// when the authorization server offers revocation. Returns the keys removed.
        /// </summary>
        public static async Task<IReadOnlyList<CredentialKey>> RemoveAsync(CredentialStoreOptions options, Uri serverUri, string? issuer, bool revoke, HttpClient http, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            ICredentialStore store = OpenStore(options, callbacks);
            IReadOnlyList<CredentialRecord> records = await store.ListAsync(cancellationToken).ConfigureAwait(false);
            var removed = new List<CredentialKey>();
            foreach (CredentialRecord record in records.Where(r => CredentialMapping.ResourceMatches(r.Key.Resource, serverUri) && (issuer is null || r.Key.Issuer == issuer)))
            {
                if (revoke && !record.IsCorrupted)
                {
                    await RevokeAsync(record, http, callbacks, cancellationToken).ConfigureAwait(false);
                }

                await store.RemoveAsync(record.Key, cancellationToken).ConfigureAwait(false);
                callbacks.Verbose($"Removed the stored credential for {record.Key}.");
                removed.Add(record.Key);
            }

            McpAuth.Core.Mcp.McpConnectionRegistry.Find(serverUri)?.OAuth?.Forget();
            return removed;
        }

        /// <summary>Deletes every stored credential; works even when the stored data is damaged.</summary>
        public static Task ResetAsync(CredentialStoreOptions options, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            foreach (Mcp.McpConnection connection in Mcp.McpConnectionRegistry.All)
            {
                connection.OAuth?.Forget();
            }

            return OpenStore(options, callbacks).ResetAsync(cancellationToken);
        }

        private static async Task RevokeAsync(CredentialRecord record, HttpClient http, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            if (record.Discovery?.RevocationEndpoint is null || record.Tokens is null || record.Client is null)
            {
                callbacks.Verbose($"Not revoking {record.Key}: the authorization server offers no revocation endpoint.");
                return;
            }

            AuthorizationServerMetadata asm = CredentialMapping.ToMetadata(record.Discovery);
            ClientIdentity? client = CredentialMapping.FromStored(record.Client, asm.Issuer, new ClientOptions());
            if (client is null)
            {
                return;
            }

            var endpoint = new TokenEndpointClient(http, callbacks);
            if (record.Tokens.RefreshToken is not null)
            {
                bool ok = await endpoint.RevokeAsync(asm, client, record.Tokens.RefreshToken, "refresh_token", cancellationToken).ConfigureAwait(false);
                callbacks.Verbose($"Revocation of the refresh token at {asm.RevocationEndpoint}: {(ok ? "done" : "not confirmed")}.");
            }

            if (record.Tokens.AccessToken is not null)
            {
                await endpoint.RevokeAsync(asm, client, record.Tokens.AccessToken, "access_token", cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
