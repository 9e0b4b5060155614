using System;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Core.Storage
{
    /// <summary>
    /// Keeps credentials in this process only, for throwaway automation and tests. It stores the same
    /// serialised document the persistent stores do, so callers never share mutable objects with it.
    /// </summary>
    public sealed class MemoryCredentialStore : CredentialStoreBase
    {
        private readonly SemaphoreSlim gate = new SemaphoreSlim(1, 1);
        private byte[] data = Array.Empty<byte>();

        /// <summary>Initializes an empty in-memory store.</summary>
        public MemoryCredentialStore(IClock? clock = null)
            : base(clock)
        {
        }

        /// <inheritdoc/>
        public override string Location => "memory (this process only)";

        /// <inheritdoc/>
        public override CredentialStoreKind Kind => CredentialStoreKind.Memory;

        /// <inheritdoc/>
        public override string? LockDirectory => null;

        private protected override async Task<IDisposable> LockAsync(IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            return new Releaser(gate);
        }

        private protected override byte[] ReadBytes() => data;

        private protected override void WriteBytes(byte[] bytes) => data = bytes;

        private protected override void Clear() => data = Array.Empty<byte>();

        private sealed class Releaser : IDisposable
        {
            private SemaphoreSlim? gate;

            public Releaser(SemaphoreSlim gate) => this.gate = gate;

            public void Dispose() => Interlocked.Exchange(ref gate, null)?.Release();
        }
    }
}
