using System;
using System.Threading;

namespace McpAuth.Core.Storage
{
    /// <summary>
    /// One read-decide-write on a credential store, holding its lock from <see cref="ICredentialStore.BeginUpdateAsync"/>
    /// until <see cref="Dispose"/>. <see cref="Current"/> was read after the lock was taken, so a decision
    /// based on it cannot lose another writer's update.
    /// </summary>
    public sealed class CredentialTransaction : IDisposable
    {
        private readonly Func<CredentialRecord?, CredentialRecord?, CredentialRecord?> write;
        private IDisposable? held;

        internal CredentialTransaction(CredentialKey key, CredentialRecord? current, Func<CredentialRecord?, CredentialRecord?, CredentialRecord?> write, IDisposable held)
        {
            Key = key;
            Current = current;
            this.write = write;
            this.held = held;
        }

        /// <summary>Gets the key this transaction is for.</summary>
        public CredentialKey Key { get; }

        /// <summary>Gets the record as stored when the lock was taken, or as last saved here (with the times the store set); null when there is none.</summary>
        public CredentialRecord? Current { get; private set; }

        /// <summary>
        /// Stores <paramref name="next"/> at once (null deletes the record; the instance <see cref="Current"/>
        /// writes nothing). The record must have the transaction's key; the store sets its times.
        /// </summary>
        public void Save(CredentialRecord? next)
        {
            if (held is null)
            {
                throw new ObjectDisposedException(nameof(CredentialTransaction), "The transaction has ended; its lock is released.");
            }

            if (ReferenceEquals(next, Current))
            {
                return;
            }

            Current = write(Current, next);
        }

        /// <summary>Releases the lock.</summary>
        public void Dispose() => Interlocked.Exchange(ref held, null)?.Dispose();
    }
}
