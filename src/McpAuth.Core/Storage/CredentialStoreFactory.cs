using System;
using System.IO;
using System.Runtime.InteropServices;

namespace McpAuth.Core.Storage
{
    /// <summary>Creates the credential store the options and environment ask for.</summary>
    public static class CredentialStoreFactory
    {
        /// <summary>Selects the store: <c>keychain</c> (default), <c>plaintext</c> or <c>memory</c>.</summary>
        public const string StoreKindVariable = "MCPAUTH_CREDENTIAL_STORE";

        /// <summary>Moves the store directory (tests point it at a temporary directory).</summary>
        public const string StoreDirectoryVariable = "MCPAUTH_STORE_DIR";

        /// <summary>Set to 1 to allow the unencrypted file store.</summary>
        public const string AllowPlaintextVariable = "MCPAUTH_ALLOW_PLAINTEXT_STORAGE";

        // The memory store lives as long as the process, like the session cache, so every command in a
        // session sees what an earlier one stored.
        private static readonly MemoryCredentialStore ProcessMemoryStore = new MemoryCredentialStore();

        /// <summary>Creates the store; the memory store is one per process.</summary>
        /// <exception cref="McpAuthException">
        /// <see cref="ErrorIds.PlaintextStorageNotAllowed"/> for plaintext without opt-in;
        /// <see cref="ErrorIds.InvalidCredentialStoreSetting"/> for an unknown <c>MCPAUTH_CREDENTIAL_STORE</c>.
        /// </exception>
        public static ICredentialStore Create(CredentialStoreOptions options) => Create(options, Environment.GetEnvironmentVariable);

        /// <summary>Gets the directory the store uses for these options and this environment.</summary>
        public static string ResolveDirectory(CredentialStoreOptions options) => ResolveDirectory(options, Environment.GetEnvironmentVariable);

        /// <summary>
        /// Names the store these options and this environment select (kind, directory, lock timeout), so that one
        /// process opens each store once.
        /// </summary>
        internal static string Identity(CredentialStoreOptions options)
        {
            Func<string, string?> environment = Environment.GetEnvironmentVariable;
            CredentialStoreKind kind = options.Kind ?? ParseKind(environment(StoreKindVariable));
            string where = kind + "|" + ResolveDirectory(options, environment) + "|" + options.LockTimeout.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture);
            switch (kind)
            {
                case CredentialStoreKind.Memory:
                    return "memory";
                case CredentialStoreKind.Plaintext:
                    // The opt-in is part of the identity: a store opened with it is never handed to a caller without it.
                    return where + "|" + (PlaintextAllowed(options, environment) ? "allowed" : "refused");
                default:
                    return where;
            }
        }

        internal static ICredentialStore Create(CredentialStoreOptions options, Func<string, string?> environment)
        {
            if (options is null)
            {
                throw new ArgumentNullException(nameof(options));
            }

            CredentialStoreKind kind = options.Kind ?? ParseKind(environment(StoreKindVariable));
            options.Callbacks.Verbose($"Credential store: {kind}.");
            switch (kind)
            {
                case CredentialStoreKind.Memory:
                    return ProcessMemoryStore;
                case CredentialStoreKind.Plaintext:
                    return new PlaintextFileCredentialStore(ResolveDirectory(options, environment), PlaintextAllowed(options, environment), options.LockTimeout, options.Clock);
                default:
                    return new KeychainCredentialStore(ResolveDirectory(options, environment), options.LockTimeout, options.Clock);
            }
        }

        internal static string ResolveDirectory(CredentialStoreOptions options, Func<string, string?> environment)
        {
            if (!string.IsNullOrEmpty(options.Directory))
            {
                return Path.GetFullPath(options.Directory);
            }

            string? fromEnvironment = environment(StoreDirectoryVariable);
            if (!string.IsNullOrWhiteSpace(fromEnvironment))
            {
                return Path.GetFullPath(fromEnvironment!.Trim());
            }

            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "McpAuth");
            }

            string home = environment("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX))
            {
                return Path.Combine(home, "Library", "Application Support", "McpAuth");
            }

            string? dataHome = environment("XDG_DATA_HOME");
            return Path.Combine(
                !string.IsNullOrEmpty(dataHome) && Path.IsPathRooted(dataHome) ? dataHome! : Path.Combine(home, ".local", "share"),
                "McpAuth");
        }

        private static bool PlaintextAllowed(CredentialStoreOptions options, Func<string, string?> environment) =>
            options.AllowPlaintext || string.Equals(environment(AllowPlaintextVariable)?.Trim(), "1", StringComparison.Ordinal);

        private static CredentialStoreKind ParseKind(string? value)
        {
            switch (value?.Trim().ToUpperInvariant())
            {
                case null:
                case "":
                case "KEYCHAIN":
                case "KEYRING":
                    return CredentialStoreKind.Keychain;
                case "PLAINTEXT":
                    return CredentialStoreKind.Plaintext;
                case "MEMORY":
                    return CredentialStoreKind.Memory;
                default:
                    throw new McpAuthException(
                        ErrorIds.InvalidCredentialStoreSetting,
                        McpErrorKind.InvalidArgument,
                        $"{StoreKindVariable} is '{value}', which is not a credential store. Use keychain, plaintext or memory.",
                        StoreKindVariable);
            }
        }
    }
}
