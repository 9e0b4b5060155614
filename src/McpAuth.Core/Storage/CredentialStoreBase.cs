using System;
using System.Collections.Generic;
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
        private readonly Func<DateTimeOffset> clock;

        private protected CredentialStoreBase(IEngineCallbacks callbacks, Func<DateTimeOffset>? clock)
        {
            Callbacks = callbacks ?? throw new ArgumentNullException(nameof(callbacks));
            this.clock = clock ?? (() => DateTimeOffset.UtcNow);
        }

        /// <inheritdoc/>
        public abstract string Location { get; }

        private protected IEngineCallbacks Callbacks { get; }

        /// <inheritdoc/>
        public async Task<CredentialRecord?> GetAsync(CredentialKey key, CancellationToken cancellationToken)
        {
            if (key is null)
            {
                throw new ArgumentNullException(nameof(key));
            }

            using (await LockAsync(cancellationToken).ConfigureAwait(false))
            {
                CredentialBlob blob = ReadDocument();
                CredentialBlob.Entry? entry = blob.Find(key);
                if (entry is null)
                {
                    Callbacks.Verbose($"Credential store {Location}: nothing stored for {key}.");
                    return null;
                }

                if (entry.Record is null)
                {
                    throw CorruptedRecord(key, entry.Problem);
                }

                Callbacks.Verbose($"Credential store {Location}: found the credential for {key}.");
                return entry.Record;
            }
        }

        /// <inheritdoc/>
        public async Task<IReadOnlyList<CredentialRecord>> ListAsync(CancellationToken cancellationToken)
        {
            using (await LockAsync(cancellationToken).ConfigureAwait(false))
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

                    Callbacks.Warning($"Credential store {Location}: {entry.Problem}; it is listed as corrupted. Remove it, or reset the store.");
                    var key = entry.Key ?? new CredentialKey("unknown:", "unknown:");
                    result.Add(new CredentialRecord(key) { Corruption = entry.Problem });
                }

                Callbacks.Verbose($"Credential store {Location}: {result.Count} entries.");
                return result;
            }
        }

        /// <inheritdoc/>
        public async Task UpdateAsync(CredentialKey key, Func<CredentialRecord?, CredentialRecord?> update, CancellationToken cancellationToken)
        {
            if (key is null)
            {
                throw new ArgumentNullException(nameof(key));
            }

            if (update is null)
            {
                throw new ArgumentNullException(nameof(update));
            }

            using (await LockAsync(cancellationToken).ConfigureAwait(false))
            {
                CredentialBlob blob = ReadDocument();
                CredentialBlob.Entry? entry = blob.Find(key);
                if (entry is not null && entry.Record is null)
                {
                    throw CorruptedRecord(key, entry.Problem);
                }

                CredentialRecord? current = entry?.Record;
                CredentialRecord? next = update(current);
                if (ReferenceEquals(next, current))
                {
                    Callbacks.Verbose($"Credential store {Location}: no change for {key}.");
                    return;
                }

                if (next is null)
                {
                    blob.Remove(key);
                    WriteDocument(blob);
                    Callbacks.Verbose($"Credential store {Location}: removed the credential for {key}.");
                    return;
                }

                if (!key.Equals(next.Key))
                {
                    throw new ArgumentException($"The updated record is for {next.Key}, not for {key}; a record is only stored under its own key.", nameof(update));
                }

                if (next.Discovery is not null && !string.Equals(next.Discovery.Issuer, key.Issuer, StringComparison.Ordinal))
                {
                    throw new ArgumentException($"The updated record's discovery results are for issuer {next.Discovery.Issuer}, not {key.Issuer}; credentials never cross issuers.", nameof(update));
                }

                DateTimeOffset now = clock();
                DateTimeOffset created = current?.CreatedAt ?? (next.CreatedAt == default ? now : next.CreatedAt);
                blob.Put(next with { Version = CredentialRecord.CurrentVersion, CreatedAt = created, UpdatedAt = now, Corruption = null });
                WriteDocument(blob);
                Callbacks.Verbose($"Credential store {Location}: stored the credential for {key}.");
            }
        }

        /// <inheritdoc/>
        public async Task RemoveAsync(CredentialKey key, CancellationToken cancellationToken)
        {
            if (key is null)
            {
                throw new ArgumentNullException(nameof(key));
            }

            using (await LockAsync(cancellationToken).ConfigureAwait(false))
            {
                CredentialBlob blob = ReadDocument();
                if (blob.Remove(key))
                {
                    WriteDocument(blob);
                    Callbacks.Verbose($"Credential store {Location}: removed the credential for {key}.");
                }
                else
                {
                    Callbacks.Verbose($"Credential store {Location}: nothing stored for {key}; nothing removed.");
                }
            }
        }

        /// <inheritdoc/>
        public async Task ResetAsync(CancellationToken cancellationToken)
        {
            using (await LockAsync(cancellationToken).ConfigureAwait(false))
            {
                Clear();
                Callbacks.Verbose($"Credential store {Location}: reset; every stored credential was deleted.");
            }
        }

        /// <summary>Takes the in-process and cross-process lock; dispose the result to release both.</summary>
        private protected abstract Task<IDisposable> LockAsync(CancellationToken cancellationToken);

        /// <summary>Reads the stored bytes (empty when nothing is stored). Called under the lock.</summary>
        private protected abstract byte[] ReadBytes();

        /// <summary>Replaces the stored bytes atomically. Called under the lock.</summary>
        private protected abstract void WriteBytes(byte[] data);

        /// <summary>Deletes whatever is stored, readable or not. Called under the lock.</summary>
        private protected abstract void Clear();

        private CredentialBlob ReadDocument() => CredentialBlob.Parse(ReadBytes(), Location);

        private void WriteDocument(CredentialBlob blob) => WriteBytes(blob.Serialize());

        private CredentialStoreException CorruptedRecord(CredentialKey key, string? problem) =>
            new CredentialStoreException(
                ErrorIds.CredentialCorrupted,
                McpErrorKind.InvalidData,
                $"The stored credential for {key} in {Location} cannot be read ({problem}). It is left as it is; "
                + "remove it and sign in again. Other stored credentials are not affected.",
                key.Resource,
                "Remove the stored credential for this server (ICredentialStore.RemoveAsync; the McpAuth remove command), then sign in again.");
    }
}
