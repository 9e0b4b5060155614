using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Core.Storage
{
    /// <summary>
    /// The logic all stores share: one document (<see cref="CredentialBlob"/>) read and written as a
    /// whole under a lock. Derived classes only move bytes and provide the lock.
    /// </summary>
    public abstract class CredentialStoreBase : ICredentialStore
    {
        private readonly IClock clock;

        private protected CredentialStoreBase(IClock? clock)
        {
            this.clock = clock ?? SystemClock.Instance;
        }

        /// <inheritdoc/>
        public abstract string Location { get; }

        /// <inheritdoc/>
        public abstract CredentialStoreKind Kind { get; }

        /// <inheritdoc/>
        public abstract string? LockDirectory { get; }

        /// <inheritdoc/>
        public async Task<CredentialRecord?> GetAsync(CredentialKey key, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            Guard.NotNull(key, nameof(key));
            using (await LockAsync(callbacks, cancellationToken).ConfigureAwait(false))
            {
                CredentialRecord? record = Find(ReadDocument(), key);
                callbacks.Verbose(record is null
                    ? $"Credential store {Location}: nothing stored for {key}."
                    : $"Credential store {Location}: found the credential for {key}.");
                return record;
            }
        }

        /// <inheritdoc/>
        public async Task<IReadOnlyList<CredentialRecord>> ListAsync(IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            using (await LockAsync(callbacks, cancellationToken).ConfigureAwait(false))
            {
                CredentialBlob blob = ReadDocument();
                var result = new List<CredentialRecord>(blob.Entries.Count);
                foreach (CredentialBlob.Entry entry in blob.Entries)
                {
                    if (entry.Record is not null)
                    {
                        result.Add(entry.Record);
                        continue;
                    }

                    callbacks.Warning($"Credential store {Location}: {entry.Problem}; it is listed as corrupted. Remove it, or reset the store.");
                    var key = entry.Key ?? new CredentialKey("unknown:", "unknown:");
                    result.Add(new CredentialRecord(key) { Corruption = entry.Problem });
                }

                callbacks.Verbose($"Credential store {Location}: {result.Count} entries.");
                return result;
            }
        }

        /// <inheritdoc/>
        public async Task<CredentialTransaction> BeginUpdateAsync(CredentialKey key, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            Guard.NotNull(key, nameof(key));
            Guard.NotNull(callbacks, nameof(callbacks));
            IDisposable held = await LockAsync(callbacks, cancellationToken).ConfigureAwait(false);
            try
            {
                // The document read here stays current for the whole transaction: nobody else writes while the lock is held.
                CredentialBlob blob = ReadDocument();
                return new CredentialTransaction(key, Find(blob, key), (before, next) => Write(blob, key, before, next, callbacks), held);
            }
            catch
            {
                held.Dispose();
                throw;
            }
        }

        /// <inheritdoc/>
        public async Task UpdateAsync(CredentialKey key, Func<CredentialRecord?, CredentialRecord?> update, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            Guard.NotNull(update, nameof(update));
            using CredentialTransaction transaction = await BeginUpdateAsync(key, callbacks, cancellationToken).ConfigureAwait(false);
            CredentialRecord? next = update(transaction.Current);
            if (ReferenceEquals(next, transaction.Current))
            {
                callbacks.Verbose($"Credential store {Location}: no change for {key}.");
            }

            transaction.Save(next);
        }

        /// <inheritdoc/>
        public async Task RemoveAsync(CredentialKey key, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            Guard.NotNull(key, nameof(key));
            using (await LockAsync(callbacks, cancellationToken).ConfigureAwait(false))
            {
                CredentialBlob blob = ReadDocument();
                if (blob.Remove(key))
                {
                    WriteDocument(blob);
                    callbacks.Verbose($"Credential store {Location}: removed the credential for {key}.");
                }
                else
                {
                    callbacks.Verbose($"Credential store {Location}: nothing stored for {key}; nothing removed.");
                }
            }
        }

        /// <inheritdoc/>
        public async Task ResetAsync(IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            using (await LockAsync(callbacks, cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    Clear();
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    throw NotWritten(ex);
                }

                callbacks.Verbose($"Credential store {Location}: reset; every stored credential was deleted.");
            }
        }

        /// <summary>Takes the in-process and cross-process lock; dispose the result to release both.</summary>
        private protected abstract Task<IDisposable> LockAsync(IEngineCallbacks callbacks, CancellationToken cancellationToken);

        /// <summary>Reads the stored bytes (empty when nothing is stored). Called under the lock.</summary>
        private protected abstract byte[] ReadBytes();

        /// <summary>Replaces the stored bytes atomically. Called under the lock.</summary>
        private protected abstract void WriteBytes(byte[] data);

        /// <summary>Deletes whatever is stored, readable or not. Called under the lock.</summary>
        private protected abstract void Clear();

        private CredentialRecord? Find(CredentialBlob blob, CredentialKey key)
        {
            CredentialBlob.Entry? entry = blob.Find(key);
            if (entry is not null && entry.Record is null)
            {
                throw CorruptedRecord(key, entry.Problem);
            }

            return entry?.Record;
        }

        /// <summary>Writes <paramref name="next"/> in place of <paramref name="before"/>; called under the lock.</summary>
        private CredentialRecord? Write(CredentialBlob blob, CredentialKey key, CredentialRecord? before, CredentialRecord? next, IEngineCallbacks callbacks)
        {
            if (next is null)
            {
                blob.Remove(key);
                WriteDocument(blob);
                callbacks.Verbose($"Credential store {Location}: removed the credential for {key}.");
                return null;
            }

            if (!key.Equals(next.Key))
            {
                throw new ArgumentException($"The updated record is for {next.Key}, not for {key}; a record is only stored under its own key.", nameof(next));
            }

            if (next.Discovery is not null && !string.Equals(next.Discovery.Issuer, key.Issuer, StringComparison.Ordinal))
            {
                throw new ArgumentException($"The updated record's discovery results are for issuer {next.Discovery.Issuer}, not {key.Issuer}; credentials never cross issuers.", nameof(next));
            }

            DateTimeOffset now = clock.UtcNow;
            DateTimeOffset created = before?.CreatedAt ?? (next.CreatedAt == default ? now : next.CreatedAt);
            CredentialRecord stored = next with { Version = CredentialRecord.CurrentVersion, CreatedAt = created, UpdatedAt = now, Corruption = null };
            blob.Put(stored);
            WriteDocument(blob);
            callbacks.Verbose($"Credential store {Location}: stored the credential for {key}.");
            return stored;
        }

        private CredentialBlob ReadDocument() => CredentialBlob.Parse(ReadBytes(), Location);

        private void WriteDocument(CredentialBlob blob)
        {
            try
            {
                WriteBytes(blob.Serialize());
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                // A full disk, a read-only file system, lost permissions: nothing was replaced (writes are atomic).
                throw NotWritten(ex);
            }
        }

        private CredentialStoreException NotWritten(Exception ex) => new CredentialStoreException(
            ErrorIds.CredentialNotSaved,
            McpErrorKind.ResourceUnavailable,
            $"The credential store {Location} could not be written ({ex.Message}). What it held is unchanged.",
            Location,
            "Free space or fix the permissions of the credential store, then run the command again.",
            ex);

        private CredentialStoreException CorruptedRecord(CredentialKey key, string? problem) =>
            new CredentialStoreException(
                ErrorIds.CredentialCorrupted,
                McpErrorKind.InvalidData,
                $"The stored credential for {key} in {Location} cannot be read ({problem}). It is left as it is; "
                + "remove it and sign in again. Other stored credentials are not affected.",
                key.Resource,
                "Remove the stored credential for this server, then sign in again.")
            {
                Key = key,
            };
    }
}
