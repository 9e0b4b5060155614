using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Core.Storage
{
    /// <summary>
    /// Persists <see cref="CredentialRecord"/>s. Every operation holds the store's lock (in-process and
    /// across processes), so a read-modify-write through <see cref="UpdateAsync"/> never loses another
    /// writer's update. Records are found only under their exact key: never under another issuer.
    /// </summary>
    public interface ICredentialStore
    {
        /// <summary>Gets a short description of where records live (a path or "keyring ..."), for messages.</summary>
        string Location { get; }

        /// <summary>Returns the record stored under <paramref name="key"/>, or null.</summary>
        /// <exception cref="McpAuthException"><see cref="ErrorIds.CredentialCorrupted"/> when that record (or the whole store) cannot be read.</exception>
        Task<CredentialRecord?> GetAsync(CredentialKey key, CancellationToken cancellationToken);

        /// <summary>
        /// Returns every record. Entries that cannot be read come back flagged
        /// (<see cref="CredentialRecord.IsCorrupted"/>) instead of failing the listing.
        /// </summary>
        Task<IReadOnlyList<CredentialRecord>> ListAsync(CancellationToken cancellationToken);

        /// <summary>
        /// Reads the current record under the lock (freshly, after taking it), passes it to
        /// <paramref name="update"/> and stores what that returns; returning null deletes the record, and
        /// returning the very instance it was given writes nothing. The returned record must have the same
        /// key. The store sets <see cref="CredentialRecord.CreatedAt"/> and <see cref="CredentialRecord.UpdatedAt"/>.
        /// </summary>
        Task UpdateAsync(CredentialKey key, Func<CredentialRecord?, CredentialRecord?> update, CancellationToken cancellationToken);

        /// <summary>Removes the record under <paramref name="key"/>, also when it is a flagged, unreadable one.</summary>
        Task RemoveAsync(CredentialKey key, CancellationToken cancellationToken);

        /// <summary>Deletes everything this store holds without reading it, so it works on a damaged store too.</summary>
        Task ResetAsync(CancellationToken cancellationToken);
    }
}
