using McpAuth.Testing;
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using McpAuth.Core.Storage;
using Xunit;

namespace McpAuth.Core.Tests.Storage
{
    /// <summary>
    /// The keychain store against a real gnome-keyring on a private D-Bus session bus. libsecret reads
    /// DBUS_SESSION_BUS_ADDRESS from the real process environment when it first connects, so each case
    /// runs the store in a child process (tests/McpAuth.StoreProbe) with the environment it needs.
    /// </summary>
    public sealed class KeychainCredentialStoreTests : IDisposable
    {
        private const string Resource = "https://mcp.example.com/mcp";
        private const string Issuer = "https://as.example.com";
        private readonly TempDirectory temp = new TempDirectory();

        public void Dispose() => temp.Dispose();

        [Fact]
        public void Round_trips_through_the_keyring_across_processes()
        {
            using PrivateKeyring keyring = PrivateKeyring.Start();
            var env = keyring.Environment(temp.StoreDir);

            AssertOk(ChildProcess.Probe(env, "put", Resource, Issuer, "tok-roundtrip-1"), "stored");
            AssertOk(ChildProcess.Probe(env, "put", "https://mcp2.example.com/", Issuer, "tok-roundtrip-2"), "stored");
            AssertOk(ChildProcess.Probe(env, "get", Resource, Issuer), "found tok-roundtrip-1");
            AssertOk(ChildProcess.Probe(env, "get", Resource, "https://other-as.example.com"), "none");
            ProcessResult list = ChildProcess.Probe(env, "list");
            Assert.True(list.ExitCode == 0, list.ToString());
            Assert.Equal(2, list.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.StartsWith("ok ", StringComparison.Ordinal)));

            AssertOk(ChildProcess.Probe(env, "remove", Resource, Issuer), "removed");
            AssertOk(ChildProcess.Probe(env, "get", Resource, Issuer), "none");
            AssertOk(ChildProcess.Probe(env, "get", "https://mcp2.example.com/", Issuer), "found tok-roundtrip-2");
        }

        [Fact]
        public void The_secret_is_in_the_keyring_and_in_no_file_of_the_store_directory()
        {
            using PrivateKeyring keyring = PrivateKeyring.Start();
            const string token = "tok-only-in-the-keyring-8c1f";
            AssertOk(ChildProcess.Probe(keyring.Environment(temp.StoreDir), "put", Resource, Issuer, token), "stored");

            ProcessResult search = keyring.Bash("secret-tool search --all McpAuthStore credentials");
            Assert.True(search.ExitCode == 0, search.ToString());
            Assert.Contains("label = McpAuth credentials", search.StdOut + search.StdErr);
            Assert.Contains("attribute.McpAuthVersion = 1", search.StdOut + search.StdErr);
            string secretLine = search.StdOut.Split('\n').Single(l => l.StartsWith("secret = ", StringComparison.Ordinal));
            string base64 = secretLine.Substring("secret = ".Length).Trim();
            string document = Encoding.UTF8.GetString(Convert.FromBase64String(base64));
            Assert.Contains(token, document);
            Assert.StartsWith("{\"v\":1,\"records\":[", document);

            string[] files = Directory.GetFiles(temp.StoreDir, "*", SearchOption.AllDirectories);
            Assert.Contains(Path.Combine(temp.StoreDir, KeychainCredentialStore.CacheFileName), files);
            foreach (string file in files)
            {
                string content = File.ReadAllText(file);
                Assert.DoesNotContain(token, content);
                Assert.DoesNotContain(base64, content);
            }
        }

        [Fact]
        public void No_secret_service_on_the_bus_is_KeychainUnavailable()
        {
            var env = new Dictionary<string, string?>
            {
                ["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=" + Path.Combine(temp.Path, "no-such-bus"),
                ["MCPAUTH_STORE_DIR"] = temp.StoreDir,
            };
            ProcessResult result = ChildProcess.Probe(env, "put", Resource, Issuer, "tok-unavailable");
            Assert.True(result.ExitCode == 2, result.ToString());
            Assert.Contains("error KeychainUnavailable", result.StdOut);
            Assert.Contains("Could not connect", result.StdErr);
            Assert.DoesNotContain("tok-unavailable", result.StdErr);

            // A bus without a Secret Service behind it is the same condition.
            using PrivateKeyring keyring = PrivateKeyring.Start();
            ProcessResult stopped = keyring.Bash("kill \"$KEYRING_DAEMON_PID\"; for i in $(seq 1 100); do keyring_has_service || exit 0; sleep 0.02; done; exit 1");
            Assert.True(stopped.ExitCode == 0, stopped.ToString());
            ProcessResult noService = ChildProcess.Probe(keyring.Environment(temp.StoreDir), "get", Resource, Issuer);
            Assert.True(noService.ExitCode == 2, noService.ToString());
            Assert.Contains("error KeychainUnavailable", noService.StdOut);
            Assert.Contains("org.freedesktop.secrets", noService.StdErr);
        }

        [Fact]
        public void A_locked_keyring_is_KeychainLocked_for_reads_and_writes()
        {
            using PrivateKeyring keyring = PrivateKeyring.Start();
            var env = keyring.Environment(temp.StoreDir);
            AssertOk(ChildProcess.Probe(env, "put", Resource, Issuer, "tok-before-lock"), "stored");
            keyring.Lock();

            foreach (string[] args in new[] { new[] { "get", Resource, Issuer }, new[] { "put", Resource, Issuer, "tok-after-lock" }, new[] { "reset" } })
            {
                ProcessResult result = ChildProcess.Probe(env, args);
                Assert.True(result.ExitCode == 2, result.ToString());
                Assert.Contains("error KeychainLocked", result.StdOut);
                Assert.Contains("action Unlock", result.StdOut);
            }
        }

        [Fact]
        public void A_keyring_item_McpAuth_did_not_write_is_CredentialCorrupted_until_reset()
        {
            using PrivateKeyring keyring = PrivateKeyring.Start();
            var env = keyring.Environment(temp.StoreDir);
            AssertOk(ChildProcess.Probe(env, "put", Resource, Issuer, "tok-1"), "stored");
            ProcessResult overwrite = keyring.Bash("printf %s 'this is not base64!' | secret-tool store --label='McpAuth credentials' McpAuthVersion 1 McpAuthStore credentials");
            Assert.True(overwrite.ExitCode == 0, overwrite.ToString());

            ProcessResult get = ChildProcess.Probe(env, "get", Resource, Issuer);
            Assert.True(get.ExitCode == 2, get.ToString());
            Assert.Contains("error CredentialCorrupted", get.StdOut);
            ProcessResult put = ChildProcess.Probe(env, "put", Resource, Issuer, "tok-2");
            Assert.Contains("error CredentialCorrupted", put.StdOut);
            Assert.Contains("this is not base64!", keyring.Bash("secret-tool lookup McpAuthVersion 1 McpAuthStore credentials").StdOut);

            AssertOk(ChildProcess.Probe(env, "reset"), "reset");
            AssertOk(ChildProcess.Probe(env, "get", Resource, Issuer), "none");
            AssertOk(ChildProcess.Probe(env, "put", Resource, Issuer, "tok-3"), "stored");
            AssertOk(ChildProcess.Probe(env, "get", Resource, Issuer), "found tok-3");
        }

        internal static void AssertOk(ProcessResult result, string expectedLine)
        {
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Equal(expectedLine, result.StdOut.Trim());
        }
    }
}
