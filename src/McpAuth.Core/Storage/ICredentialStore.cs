using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Core.Storage
{
    /// <summary>
    /// Persists <see cref="CredentialRecord"/>s. Every operation holds the store's lock (in-process and
    /// across processes), so a read-modify-write never loses another writer's update. Records are found
    /// only under their exact key: never under another issuer. A store keeps no per-caller state: one
    /// instance serves a whole process, and each call reports through the callbacks it is given.
    /// </summary>
    public interface ICredentialStore
    {
        /// <summary>Gets a short description of where records live (a path or "keyring ..."), for messages.</summary>
        string Location { get; }

        /// <summary>Gets the kind of store this is.</summary>
        CredentialStoreKind Kind { get; }

        /// <summary>
        /// Gets the directory for locks that other processes sharing this store honour (a sign-in, a client
        /// registration); null for a store no other process sees (memory).
        /// </summary>
        string? LockDirectory { get; }

        /// <summary>Returns the record stored under <paramref name="key"/>, or null.</summary>
        /// <exception cref="McpAuthException"><see cref="ErrorIds.CredentialCorrupted"/> when that record (or the whole store) cannot be read.</exception>
        Task<CredentialRecord?> GetAsync(CredentialKey key, IEngineCallbacks callbacks, CancellationToken cancellationToken);

        /// <summary>
        /// Returns every record. Entries that cannot be read come back flagged
        /// (<see cref="CredentialRecord.IsCorrupted"/>) instead of failing the listing.
        /// </summary>
        Task<IReadOnlyList<CredentialRecord>> ListAsync(IEngineCallbacks callbacks, CancellationToken cancellationToken);

        /// <summary>
        /// Takes the lock and reads the record under <paramref name="key"/> afresh; the caller decides (it may
        /// await, for example a refresh at the authorization server), saves, and disposes the transaction to
        /// release the lock: take the lock, read again, decide, write.
        /// </summary>
        /// <exception cref="McpAuthException"><see cref="ErrorIds.CredentialCorrupted"/> when that record cannot be read.</exception>
        Task<CredentialTransaction> BeginUpdateAsync(CredentialKey key, IEngineCallbacks callbacks, CancellationToken cancellationToken);

        /// <summary>
        /// A transaction for a decision that needs no waiting: passes the current record to
        /// <paramref name="update"/> and stores what that returns; returning null deletes the record, and
        /// returning the very instance it was given writes nothing.
        /// </summary>
        Task UpdateAsync(CredentialKey key, Func<CredentialRecord?, CredentialRecord?> update, IEngineCallbacks callbacks, CancellationToken cancellationToken);

        /// <summary>Removes the record under <paramref name="key"/>, also when it is a flagged, unreadable one.</summary>
        Task RemoveAsync(CredentialKey key, IEngineCallbacks callbacks, CancellationToken cancellationToken);

        /// <summary>Deletes everything this store holds without reading it, so it works on a damaged store too.</summary>
        Task ResetAsync(IEngineCallbacks callbacks, CancellationToken cancellationToken);
    }
}
