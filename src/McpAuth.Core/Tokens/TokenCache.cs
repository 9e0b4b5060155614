using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Discovery;
using McpAuth.Core.Registration;
using McpAuth.Core.Storage;

namespace McpAuth.Core.Tokens
{
    /// <summary>
    /// The credential cache: the credentials (client identity and tokens) this process holds, over one
    /// credential store. One instance per store (kind, directory, lock timeout) for the whole process, shared by
    /// every connection and runspace, so a store is opened (and a keychain checked) once, and a refresh or
    /// removal in one place is seen by all. (Not named CredentialCache: System.Net has one.) Every change goes through
    /// <see cref="UpdateAsync"/>: take the store's lock, read the record again, decide (which may await a
    /// request to the authorization server), write, then publish the result here.
    /// </summary>
    public sealed class TokenCache
    {
        private static readonly ConcurrentDictionary<string, TokenCache> Shared = new ConcurrentDictionary<string, TokenCache>(StringComparer.Ordinal);
        private static readonly object CreateGate = new object();

        /// <summary>The resource of the records that keep a dynamically registered client for reuse (the account names the redirect shape).</summary>
        private const string RegisteredClientResource = "urn:mcpauth:registered-client";

        private readonly ConcurrentDictionary<CredentialKey, Credential> live = new ConcurrentDictionary<CredentialKey, Credential>();
        private readonly ConcurrentDictionary<string, SemaphoreSlim> gates = new ConcurrentDictionary<string, SemaphoreSlim>(StringComparer.Ordinal);

        /// <summary>Creates a cache over <paramref name="store"/> (tests; production code uses <see cref="For"/>).</summary>
        public TokenCache(ICredentialStore store, IClock? clock = null)
        {
            Store = Guard.NotNull(store, nameof(store));
            Clock = clock ?? SystemClock.Instance;
        }

        /// <summary>Gets the store.</summary>
        public ICredentialStore Store { get; }

        /// <summary>Gets the clock that dates what is stored.</summary>
        public IClock Clock { get; }

        /// <summary>
        /// Returns the process's cache for the store <paramref name="options"/> name (with the environment's
        /// defaults), creating the store the first time. A store that cannot be created (plaintext without the
        /// opt-in, an unknown store setting) throws every time and is not remembered.
        /// </summary>
        public static TokenCache For(CredentialStoreOptions options)
        {
            Guard.NotNull(options, nameof(options));
            string identity = CredentialStoreFactory.Identity(options);
            if (Shared.TryGetValue(identity, out TokenCache? cache))
            {
                return cache;
            }

            lock (CreateGate)
            {
                return Shared.GetOrAdd(identity, _ => new TokenCache(CredentialStoreFactory.Create(options), options.Clock));
            }
        }

        /// <summary>Returns what this process holds for <paramref name="key"/>; null when nothing (or it was removed).</summary>
        public Credential? Get(CredentialKey key) => live.TryGetValue(Guard.NotNull(key, nameof(key)), out Credential? credential) ? credential : null;

        /// <summary>
        /// Finds the newest stored credential with tokens for <paramref name="serverUri"/> (its resource
        /// identifies the server), optionally only one of the client <paramref name="clientId"/> or of the account
        /// <paramref name="account"/>, and holds it.
        /// </summary>
        public async Task<Credential?> FindAsync(Uri serverUri, string? clientId, IEngineCallbacks callbacks, CancellationToken cancellationToken, string? account = null)
        {
            IReadOnlyList<CredentialRecord> records = await Store.ListAsync(callbacks, cancellationToken).ConfigureAwait(false);
            CredentialRecord? record = records
                .Where(r => !r.IsCorrupted && r.Tokens?.AccessToken is not null && r.Discovery is not null && r.Client is not null && CredentialMapping.ResourceMatches(r.Key.Resource, serverUri))
                .Where(r => clientId is null || r.Client!.ClientId == clientId)
                .Where(r => account is null || string.Equals(r.Key.Account, account, StringComparison.Ordinal))
                .OrderByDescending(r => r.UpdatedAt)
                .FirstOrDefault();
            if (record is null)
            {
                callbacks.Verbose($"No stored credential for {serverUri} in {Store.Location}.");
                return null;
            }

            return Publish(record.Key, record);
        }

        /// <summary>Reads the credential under <paramref name="key"/> as stored now, and holds it; null when there is none (or it is damaged).</summary>
        public async Task<Credential?> ReloadAsync(CredentialKey key, IEngineCallbacks callbacks, CancellationToken cancellationToken) =>
            Publish(key, await ReadAsync(key, callbacks, cancellationToken).ConfigureAwait(false));

        /// <summary>
        /// Returns the client registered dynamically at <paramref name="asm"/>'s issuer for redirect URIs of
        /// <paramref name="redirectShape"/>, kept for every credential and process on this machine; null when none
        /// is kept or its secret expired.
        /// </summary>
        public async Task<ClientIdentity?> RegisteredClientAsync(AuthorizationServerMetadata asm, string redirectShape, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            CredentialRecord? record = await ReadAsync(RegisteredClientKey(asm.IssuerString, redirectShape), callbacks, cancellationToken).ConfigureAwait(false);
            ClientIdentity? client = CredentialMapping.FromStored(record?.Client, asm.Issuer, null);
            return client is null || client.IsSecretExpired(Clock.UtcNow) ? null : client;
        }

        /// <summary>Keeps a dynamically registered client for reuse (see <see cref="RegisteredClientAsync"/>), replacing an earlier one.</summary>
        public Task SaveRegisteredClientAsync(AuthorizationServerMetadata asm, string redirectShape, ClientIdentity client, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            CredentialKey key = RegisteredClientKey(asm.IssuerString, redirectShape);
            return Store.UpdateAsync(key, _ => new CredentialRecord(key) { Client = CredentialMapping.ToStored(client) }, callbacks, cancellationToken);
        }

        /// <summary>Stops reusing the registered client <paramref name="clientId"/> of <paramref name="issuer"/>: the authorization server forgot it.</summary>
        public async Task ForgetRegisteredClientAsync(string issuer, string clientId, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            foreach (CredentialRecord record in await Store.ListAsync(callbacks, cancellationToken).ConfigureAwait(false))
            {
                if (record.Key.Resource == RegisteredClientResource && record.Key.Issuer == issuer && record.Client?.ClientId == clientId)
                {
                    await Store.RemoveAsync(record.Key, callbacks, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        /// <summary>Reads the record under <paramref name="key"/> as stored now; a damaged one is reported and read as none.</summary>
        public async Task<CredentialRecord?> ReadAsync(CredentialKey key, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            try
            {
                return await Store.GetAsync(key, callbacks, cancellationToken).ConfigureAwait(false);
            }
            catch (McpAuthException ex) when (ex.ErrorId == ErrorIds.CredentialCorrupted)
            {
                callbacks.Warning($"The stored credential for {key.Resource} is damaged and will be replaced after sign-in.");
                return null;
            }
        }

        /// <summary>
        /// Changes the record under <paramref name="key"/>: takes the store's lock, reads the record again and
        /// passes it to <paramref name="decide"/>, which returns the record to store (the instance it was given
        /// to change nothing, null to delete) and what it decided. Returns the credential the key now holds,
        /// which every connection of this process sees from then on, with that decision.
        /// </summary>
        public async Task<(Credential? Credential, TOutcome Outcome)> UpdateAsync<TOutcome>(
            CredentialKey key,
            Func<CredentialRecord?, CancellationToken, Task<(CredentialRecord? Next, TOutcome Outcome)>> decide,
            IEngineCallbacks callbacks,
            CancellationToken cancellationToken)
        {
            Guard.NotNull(decide, nameof(decide));
            using CredentialTransaction transaction = await Store.BeginUpdateAsync(key, callbacks, cancellationToken).ConfigureAwait(false);
            (CredentialRecord? next, TOutcome outcome) = await decide(transaction.Current, cancellationToken).ConfigureAwait(false);
            transaction.Save(next);
            return (Publish(key, transaction.Current), outcome);
        }

        /// <summary>Changes the record under <paramref name="key"/> with a decision that needs no waiting; returns the credential the key now holds.</summary>
        public async Task<Credential?> UpdateAsync(CredentialKey key, Func<CredentialRecord?, CredentialRecord?> change, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            Guard.NotNull(change, nameof(change));
            (Credential? credential, bool _) = await UpdateAsync(key, (record, _) => Task.FromResult((change(record), true)), callbacks, cancellationToken).ConfigureAwait(false);
            return credential;
        }

        /// <summary>Stores what a sign-in obtained, keeping nothing of an earlier record but its creation time.</summary>
        internal Task<Credential?> SaveAsync(
            CredentialKey key,
            DiscoveryResult discovery,
            SignInResult obtained,
            IEngineCallbacks callbacks,
            CancellationToken cancellationToken)
        {
            StoredDiscovery storedDiscovery = CredentialMapping.ToStored(discovery, Clock.UtcNow);
            return UpdateAsync(
                key,
                record => (record ?? new CredentialRecord(key)) with
                {
                    Client = CredentialMapping.ToStored(obtained.Client),
                    Tokens = CredentialMapping.ToStored(obtained.Tokens),
                    // Keep the MCP era a connection remembered: a step-up sign-in does not change the server.
                    Discovery = storedDiscovery with { McpProtocolVersion = record?.Discovery?.McpProtocolVersion },
                    AuthorizedBy = obtained.Method,
                    DpopKey = obtained.Dpop?.ToStored(),
                    Enterprise = obtained.Enterprise,
                    Workload = obtained.Workload,
                    Settings = obtained.Settings.ToStored(),
                    Subject = obtained.Tokens.IdToken is Secret idToken ? UnverifiedJwt.TryRead(idToken.Reveal())?.Subject ?? record?.Subject : record?.Subject,
                },
                callbacks,
                cancellationToken);
        }

        /// <summary>Forgets the tokens under <paramref name="key"/>, here and in the store; the client identity and discovery results stay.</summary>
        public Task<Credential?> ForgetTokensAsync(CredentialKey key, IEngineCallbacks callbacks, CancellationToken cancellationToken) =>
            UpdateAsync(key, record => record is null ? null : record with { Tokens = null }, callbacks, cancellationToken);

        /// <summary>Lists the stored credentials, optionally only those for one MCP server.</summary>
        public async Task<IReadOnlyList<CredentialRecord>> ListAsync(Uri? serverUri, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            IReadOnlyList<CredentialRecord> records = await Store.ListAsync(callbacks, cancellationToken).ConfigureAwait(false);
            return records.Where(r => r.Key.Resource != RegisteredClientResource && (serverUri is null || CredentialMapping.ResourceMatches(r.Key.Resource, serverUri))).ToList();
        }

        /// <summary>Removes the record under <paramref name="key"/> (also a damaged one), here and in the store.</summary>
        public async Task RemoveAsync(CredentialKey key, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            await Store.RemoveAsync(key, callbacks, cancellationToken).ConfigureAwait(false);
            live.TryRemove(key, out _);
        }

        /// <summary>Deletes every stored credential, here and in the store; works even when the stored data is damaged.</summary>
        public async Task ResetAsync(IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            await Store.ResetAsync(callbacks, cancellationToken).ConfigureAwait(false);
            live.Clear();
        }

        /// <summary>Gets the storm breaker of this process's renewals (per server).</summary>
        internal RenewalBreaker Breaker { get; } = new RenewalBreaker();

        /// <summary>The in-process half of a named lock (<see cref="SignInCoordinator"/>): one holder per name in this process.</summary>
        internal SemaphoreSlim Gate(string name) => gates.GetOrAdd(name, _ => new SemaphoreSlim(1, 1));

        private static CredentialKey RegisteredClientKey(string issuer, string redirectShape) => new CredentialKey(RegisteredClientResource, issuer, redirectShape);

        private Credential? Publish(CredentialKey key, CredentialRecord? record)
        {
            Credential? credential = Credential.FromRecord(record);
            if (credential is null)
            {
                live.TryRemove(key, out _);
            }
            else
            {
                live[key] = credential;
            }

            return credential;
        }
    }
}
