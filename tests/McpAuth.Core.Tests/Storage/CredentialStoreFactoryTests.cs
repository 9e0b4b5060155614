using McpAuth.Testing;
using System;
using System.Collections.Generic;
using System.IO;
using McpAuth.Core.Storage;
using Microsoft.Identity.Client.Extensions.Msal;
using Xunit;

namespace McpAuth.Core.Tests.Storage
{
    public sealed class CredentialStoreFactoryTests
    {
        [Fact]
        public void Defaults_to_the_keychain_in_the_per_user_data_directory()
        {
            var env = new Dictionary<string, string?> { ["HOME"] = "/home/someone" };
            ICredentialStore store = CredentialStoreFactory.Create(new CredentialStoreOptions(), Lookup(env));
            var keychain = Assert.IsType<KeychainCredentialStore>(store);
            Assert.Equal("/home/someone/.local/share/McpAuth", keychain.Directory);

            env["XDG_DATA_HOME"] = "/data/someone";
            Assert.Equal("/data/someone/McpAuth", CredentialStoreFactory.ResolveDirectory(new CredentialStoreOptions(), Lookup(env)));
        }

        [Fact]
        public void The_environment_chooses_the_store_and_its_directory()
        {
            var env = new Dictionary<string, string?>
            {
                ["MCPAUTH_CREDENTIAL_STORE"] = "Plaintext",
                ["MCPAUTH_ALLOW_PLAINTEXT_STORAGE"] = "1",
                ["MCPAUTH_STORE_DIR"] = "/tmp/mcpauth-test-dir",
            };
            var plaintext = Assert.IsType<PlaintextFileCredentialStore>(CredentialStoreFactory.Create(new CredentialStoreOptions(), Lookup(env)));
            Assert.Equal("/tmp/mcpauth-test-dir/credentials.json", plaintext.FilePath);

            env["MCPAUTH_CREDENTIAL_STORE"] = "memory";
            ICredentialStore memory = CredentialStoreFactory.Create(new CredentialStoreOptions(), Lookup(env));
            Assert.IsType<MemoryCredentialStore>(memory);
            Assert.Same(memory, CredentialStoreFactory.Create(new CredentialStoreOptions(), Lookup(env)));
        }

        [Fact]
        public void Options_from_parameters_win_over_the_environment()
        {
            var env = new Dictionary<string, string?> { ["MCPAUTH_CREDENTIAL_STORE"] = "memory", ["MCPAUTH_STORE_DIR"] = "/tmp/from-env" };
            var options = new CredentialStoreOptions { Kind = CredentialStoreKind.Plaintext, AllowPlaintext = true, Directory = "/tmp/from-parameter" };
            var store = Assert.IsType<PlaintextFileCredentialStore>(CredentialStoreFactory.Create(options, Lookup(env)));
            Assert.Equal("/tmp/from-parameter", store.Directory);
        }

        [Theory]
        [InlineData(null)]
        [InlineData("0")]
        [InlineData("yes")]
        public void Plaintext_without_the_opt_in_is_refused(string? allow)
        {
            var env = new Dictionary<string, string?> { ["MCPAUTH_CREDENTIAL_STORE"] = "plaintext", ["MCPAUTH_ALLOW_PLAINTEXT_STORAGE"] = allow, ["MCPAUTH_STORE_DIR"] = "/tmp/x" };
            var ex = Assert.Throws<CredentialStoreException>(() => CredentialStoreFactory.Create(new CredentialStoreOptions(), Lookup(env)));
            Assert.Equal(ErrorIds.PlaintextStorageNotAllowed, ex.ErrorId);
            Assert.Equal(McpErrorKind.InvalidOperation, ex.Kind);
        }

        [Fact]
        public void An_unknown_store_name_is_an_error_naming_the_variable()
        {
            var env = new Dictionary<string, string?> { ["MCPAUTH_CREDENTIAL_STORE"] = "vault" };
            var ex = Assert.Throws<McpAuthException>(() => CredentialStoreFactory.Create(new CredentialStoreOptions(), Lookup(env)));
            Assert.Equal(ErrorIds.InvalidCredentialStoreSetting, ex.ErrorId);
            Assert.Contains("MCPAUTH_CREDENTIAL_STORE", ex.Message);
            Assert.Contains("vault", ex.Message);
        }

        private static Func<string, string?> Lookup(Dictionary<string, string?> env) => name => env.TryGetValue(name, out string? v) ? v : null;
    }

    public sealed class KeychainErrorsTests
    {
        [Fact]
        public void Missing_libsecret_is_KeychainUnavailable_with_the_install_command()
        {
            var thrown = new MsalCachePersistenceException(
                "Persistence check failed. Inspect inner exception for details",
                new TypeInitializationException("Libsecret", new DllNotFoundException("Unable to load shared library 'libsecret-1.so.0' or one of its dependencies.")));
            CredentialStoreException ex = KeychainErrors.Map(thrown, "the keychain");
            Assert.Equal(ErrorIds.KeychainUnavailable, ex.ErrorId);
            Assert.Equal(McpErrorKind.ResourceUnavailable, ex.Kind);
            Assert.Equal("apt-get install libsecret-1-0 gnome-keyring", ex.RecommendedAction);
            Assert.Contains("libsecret-1.so.0", ex.Message);
            Assert.Same(thrown, ex.InnerException);
        }

        [Fact]
        public void A_locked_collection_is_KeychainLocked_and_quotes_the_innermost_message()
        {
            var thrown = new MsalCachePersistenceException(
                "Persistence check failed. Reason: outer. OS error code 0.",
                new InvalidOperationException("wrapper", new InvalidOperationException("message:'Cannot create an item in a locked collection'")));
            CredentialStoreException ex = KeychainErrors.Map(thrown, "the keychain");
            Assert.Equal(ErrorIds.KeychainLocked, ex.ErrorId);
            Assert.Contains("Cannot create an item in a locked collection", ex.Message);
            Assert.DoesNotContain("wrapper", ex.Message);
        }

        [Fact]
        public void Anything_else_is_KeychainUnavailable_with_the_innermost_message()
        {
            var thrown = new MsalCachePersistenceException("Persistence check failed.", new IOException("Could not connect: No such file or directory"));
            CredentialStoreException ex = KeychainErrors.Map(thrown, "the keychain");
            Assert.Equal(ErrorIds.KeychainUnavailable, ex.ErrorId);
            Assert.Contains("Could not connect: No such file or directory", ex.Message);
            Assert.Contains("MCPAUTH_CREDENTIAL_STORE=memory", ex.Message);
        }
    }
}
