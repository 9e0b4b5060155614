using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Storage;
using McpAuth.Core.Tokens;

namespace McpAuth.Core.Mcp
{
    /// <summary>
    /// Remembers which protocol version each server speaks, so only the first connection ever finds out:
    /// for the life of the process, and in the server's stored credential (its discovery record), so a new
    /// process sends its first real request at once, with no server/discover and no initialize (for a
    /// legacy server it goes straight to initialize). Reading and writing the store is best effort: a
    /// locked or missing keychain only means finding out again. Public servers have no stored credential.
    /// The same way it keeps a modern server's tool header rules (<see cref="StoredToolHeaders"/>) in the
    /// credential the connection presents, so a new process calls a tool with one request while the server's
    /// last tools/list is fresh.
    /// </summary>
    internal sealed class EraMemory
    {
        private static readonly ConcurrentDictionary<string, string> Known = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);

        private readonly CredentialStoreOptions? store;
        private readonly Func<CancellationToken, Task<CredentialKey?>>? credentialInUse;

        /// <param name="store">The credential store, or null (nothing is kept beyond the process).</param>
        /// <param name="credentialInUse">
        /// The stored credential the connection's requests carry (or will carry first), or null for none: the
        /// authorization context whose tool list may be used (MCP 2026-07-28 caching: a private list is not shared
        /// across authorization contexts).
        /// </param>
        public EraMemory(CredentialStoreOptions? store, Func<CancellationToken, Task<CredentialKey?>>? credentialInUse = null)
        {
            this.store = store;
            this.credentialInUse = credentialInUse;
        }

        /// <summary>The version remembered for the server, or null.</summary>
        public async Task<string?> RecallAsync(Uri endpoint, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            if (Known.TryGetValue(endpoint.AbsoluteUri, out string? known))
            {
                return known;
            }

            IReadOnlyList<CredentialRecord> records = await MatchingAsync(endpoint, callbacks, cancellationToken).ConfigureAwait(false);
            string? stored = records
                .Where(r => McpProtocol.IsSupported(r.Discovery!.McpProtocolVersion))
                .OrderByDescending(r => r.UpdatedAt)
                .Select(r => r.Discovery!.McpProtocolVersion)
                .FirstOrDefault();
            if (stored is not null)
            {
                Known[endpoint.AbsoluteUri] = stored;
                callbacks.Verbose($"The stored credential for {endpoint} says the server speaks MCP {stored}.");
            }

            return stored;
        }

        /// <summary>Remembers the version for the process, and in every stored credential for the server.</summary>
        public async Task RememberAsync(Uri endpoint, string version, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            Known[endpoint.AbsoluteUri] = version;
            foreach (CredentialRecord record in await MatchingAsync(endpoint, callbacks, cancellationToken).ConfigureAwait(false))
            {
                if (record.Discovery!.McpProtocolVersion == version)
                {
                    continue;
                }

                try
                {
                    await Open().UpdateAsync(
                        record.Key,
                        r => r?.Discovery is null || r.Discovery.McpProtocolVersion == version ? r : r with { Discovery = r.Discovery with { McpProtocolVersion = version } },
                        NullEngineCallbacks.Instance,
                        cancellationToken).ConfigureAwait(false);
                    callbacks.Debug($"Stored that {endpoint} speaks MCP {version}.");
                }
                catch (McpAuthException ex)
                {
                    callbacks.Debug("Could not store the server's protocol version: " + ex.Message);
                }
            }
        }

        /// <summary>The tool header rules kept for the server in the credential the connection presents, fresh or not; null when none.</summary>
        public async Task<StoredToolHeaders?> RecallToolsAsync(Uri endpoint, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            CredentialKey? key = await CredentialInUseAsync(callbacks, cancellationToken).ConfigureAwait(false);
            if (key is null)
            {
                return null;
            }

            try
            {
                CredentialRecord? record = await Open().ReadAsync(key, NullEngineCallbacks.Instance, cancellationToken).ConfigureAwait(false);
                return record?.Discovery?.McpToolHeaders is IReadOnlyDictionary<string, StoredToolHeaders> kept
                    && kept.TryGetValue(endpoint.AbsoluteUri, out StoredToolHeaders? headers) ? headers : null;
            }
            catch (McpAuthException ex)
            {
                callbacks.Debug("Could not read the stored tool header rules: " + ex.Message);
                return null;
            }
        }

        /// <summary>
        /// Keeps a listing's tool header rules in the credential the connection presents (replacing what was kept for
        /// the server). A listing with no freshness is kept only to replace an older one. Best effort.
        /// </summary>
        public async Task RememberToolsAsync(Uri endpoint, StoredToolHeaders headers, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            CredentialKey? key = await CredentialInUseAsync(callbacks, cancellationToken).ConfigureAwait(false);
            if (key is null)
            {
                return;
            }

            bool fresh = headers.FreshUntil > headers.ListedAt;
            try
            {
                // A list with no freshness replaces one kept earlier, and is not worth the store's lock otherwise.
                if (!fresh && (await Open().ReadAsync(key, NullEngineCallbacks.Instance, cancellationToken).ConfigureAwait(false))?.Discovery?.McpToolHeaders?.ContainsKey(endpoint.AbsoluteUri) != true)
                {
                    return;
                }

                await Open().UpdateAsync(
                    key,
                    r =>
                    {
                        if (r?.Discovery is null || (!fresh && r.Discovery.McpToolHeaders?.ContainsKey(endpoint.AbsoluteUri) != true))
                        {
                            return r;
                        }

                        var kept = new Dictionary<string, StoredToolHeaders>(StringComparer.Ordinal);
                        foreach (KeyValuePair<string, StoredToolHeaders> other in r.Discovery.McpToolHeaders ?? new Dictionary<string, StoredToolHeaders>())
                        {
                            kept[other.Key] = other.Value;
                        }

                        kept[endpoint.AbsoluteUri] = headers;
                        return r with { Discovery = r.Discovery with { McpToolHeaders = kept } };
                    },
                    NullEngineCallbacks.Instance,
                    cancellationToken).ConfigureAwait(false);
                if (fresh)
                {
                    callbacks.Debug($"Stored the header rules of {headers.Tools?.Count ?? 0} tools of {endpoint}, fresh until {headers.FreshUntil:u}.");
                }
            }
            catch (McpAuthException ex)
            {
                callbacks.Debug("Could not store the tool header rules: " + ex.Message);
            }
        }

        /// <summary>Forgets what the process remembered (the server answered otherwise than expected).</summary>
        public static void Forget(Uri endpoint) => Known.TryRemove(endpoint.AbsoluteUri, out _);

        private async Task<IReadOnlyList<CredentialRecord>> MatchingAsync(Uri endpoint, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            if (store is null)
            {
                return Array.Empty<CredentialRecord>();
            }

            try
            {
                IReadOnlyList<CredentialRecord> all = await Open().ListAsync(null, NullEngineCallbacks.Instance, cancellationToken).ConfigureAwait(false);
                return all.Where(r => !r.IsCorrupted && r.Discovery is not null && CredentialMapping.IsEstablishedFor(r, endpoint)).ToList();
            }
            catch (McpAuthException ex)
            {
                callbacks.Debug("Could not read the stored credentials for the server's protocol version: " + ex.Message);
                return Array.Empty<CredentialRecord>();
            }
        }

        private async Task<CredentialKey?> CredentialInUseAsync(IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            if (store is null || credentialInUse is null)
            {
                return null;
            }

            try
            {
                return await credentialInUse(cancellationToken).ConfigureAwait(false);
            }
            catch (McpAuthException ex)
            {
                callbacks.Debug("Could not find the stored credential in use: " + ex.Message);
                return null;
            }
        }

        // The process's one cache of the store; quiet: no store diagnostics or plaintext warning for this
        // bookkeeping (sign-in itself reports on the store).
        private TokenCache Open() => TokenCache.For(store!);
    }
}
