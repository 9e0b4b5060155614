using System;
using System.IO;
using McpAuth.Core.Storage;

namespace McpAuth
{
    /// <summary>
    /// The credential store of this session when the user picked one because the keychain could not be used.
    /// The choice is written to this process's environment (the variables the engine already reads), so every
    /// later command, the engine's refreshes included, uses it, and $env:MCPAUTH_CREDENTIAL_STORE shows it.
    /// </summary>
    internal static class StoreChoice
    {

        public const string StoreKindVariable = CredentialStoreFactory.StoreKindVariable;

        public const string AllowPlaintextVariable = CredentialStoreFactory.AllowPlaintextVariable;

        /// <summary>Gets the store the environment selects when no -CredentialStore is given.</summary>
        public static CredentialStoreKind DefaultKind()
        {
            string? kind = Environment.GetEnvironmentVariable(StoreKindVariable)?.Trim();
            if (string.Equals(kind, "memory", StringComparison.OrdinalIgnoreCase))
            {
                return CredentialStoreKind.Memory;
            }

            return string.Equals(kind, "plaintext", StringComparison.OrdinalIgnoreCase) ? CredentialStoreKind.Plaintext : CredentialStoreKind.Keychain;
        }


        /// <summary>Gets the file the plain-text store uses.</summary>
        public static string PlaintextPath()
            => Path.Combine(CredentialStoreFactory.ResolveDirectory(new CredentialStoreOptions()), PlaintextFileCredentialStore.FileName);

        /// <summary>Makes <paramref name="store"/> the default for the rest of this process.</summary>
        public static void UseForSession(McpCredentialStore store)
        {
            if (store == McpCredentialStore.Plaintext)
            {
                Environment.SetEnvironmentVariable(AllowPlaintextVariable, "1");
            }

            Environment.SetEnvironmentVariable(StoreKindVariable, store.ToString().ToLowerInvariant());
        }
    }
}
