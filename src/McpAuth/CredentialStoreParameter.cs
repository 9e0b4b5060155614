using McpAuth.Core.Storage;

namespace McpAuth
{
    /// <summary>Maps the -CredentialStore parameter to the engine's store options.</summary>
    internal static class CredentialStoreParameter
    {
        public static CredentialStoreOptions ToOptions(McpCredentialStore? store) => new CredentialStoreOptions
        {
            Kind = store switch
            {
                McpCredentialStore.Keychain => CredentialStoreKind.Keychain,
                McpCredentialStore.Memory => CredentialStoreKind.Memory,
                McpCredentialStore.Plaintext => CredentialStoreKind.Plaintext,
                _ => null,
            },
            AllowPlaintext = store == McpCredentialStore.Plaintext,
        };

        public static McpCredentialStore FromKind(CredentialStoreKind kind) => kind switch
        {
            CredentialStoreKind.Memory => McpCredentialStore.Memory,
            CredentialStoreKind.Plaintext => McpCredentialStore.Plaintext,
            _ => McpCredentialStore.Keychain,
        };
    }
}
