using System;

namespace McpAuth.Core.Storage
{
    /// <summary>Where credentials are kept.</summary>
    public enum CredentialStoreKind
    {
        /// <summary>The operating system's keychain (default).</summary>
        Keychain,

        /// <summary>An unencrypted file; needs an explicit opt-in.</summary>
        Plaintext,

        /// <summary>This process's memory only.</summary>
        Memory,
    }

    /// <summary>
    /// How <see cref="CredentialStoreFactory"/> chooses a store. Values set here (from cmdlet parameters) win
    /// over the environment variables, which win over the defaults.
    /// </summary>
    public sealed class CredentialStoreOptions
    {
        /// <summary>The default time to wait for another process holding the store's lock.</summary>
        public static readonly TimeSpan DefaultLockTimeout = TimeSpan.FromSeconds(30);

        /// <summary>Gets or sets the store kind; null means <c>MCPAUTH_CREDENTIAL_STORE</c>, else keychain.</summary>
        public CredentialStoreKind? Kind { get; set; }

        /// <summary>Gets or sets the store directory; null means <c>MCPAUTH_STORE_DIR</c>, else the per-user default.</summary>
        public string? Directory { get; set; }

        /// <summary>Gets or sets a value indicating whether the user allowed plaintext storage (also <c>MCPAUTH_ALLOW_PLAINTEXT_STORAGE=1</c>).</summary>
        public bool AllowPlaintext { get; set; }

        /// <summary>Gets or sets how long to wait for another process holding the store's lock.</summary>
        public TimeSpan LockTimeout { get; set; } = DefaultLockTimeout;

        /// <summary>Gets or sets the clock that dates stored records (the system clock by default).</summary>
        public IClock Clock { get; set; } = SystemClock.Instance;

        /// <summary>Gets or sets where the factory's own diagnostics go (which store it chose, and why).</summary>
        public IEngineCallbacks Callbacks { get; set; } = NullEngineCallbacks.Instance;
    }
}
