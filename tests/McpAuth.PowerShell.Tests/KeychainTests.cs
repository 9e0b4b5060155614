using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using McpAuth.Testing;
using Xunit;

namespace McpAuth.HostedTests
{
    /// <summary>Credentials in the real OS keychain (gnome-keyring on a private D-Bus session), shared by processes.</summary>
    public class KeychainTests : IClassFixture<PublicServerFixture>, IDisposable
    {
        private readonly FixtureServer server;
        private readonly PrivateKeyring keyring = PrivateKeyring.Start();
        private readonly string storeDir = Path.Combine(Path.GetTempPath(), "mcpauth-keychain-" + Guid.NewGuid().ToString("N"));

        public KeychainTests(PublicServerFixture fixture)
        {
            server = fixture.Server;
        }

        public void Dispose()
        {
            keyring.Dispose();
            try
            {
                Directory.Delete(storeDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        private Dictionary<string, string?> Environment()
        {
            Dictionary<string, string?> env = keyring.Environment(storeDir);
            env["MCPAUTH_NONINTERACTIVE"] = "1";
            env["MCPAUTH_ALLOW_PLAINTEXT_STORAGE"] = null;
            return env;
        }

        [Fact]
        public void Sign_in_from_one_process_then_a_new_process_calls_a_tool_with_no_sign_in_and_the_secret_is_only_in_the_keyring()
        {
            (int code, string output, string error) = HostProcess.Run(
                AutoConsent.Define + $"\nConnect-McpServer '{server.Mcp}' -AuthorizationHandler $AutoConsent -Force | Invoke-McpTool whoami",
                Environment());
            Assert.True(code == 0, error);
            Assert.Contains("alice", output);
            int authorizations = (int)server.AdminGet("/log")["authorizationRequests"]!;

            (code, output, error) = HostProcess.Run(
                $"Invoke-McpTool -Uri '{server.Mcp}' whoami; Get-McpToken -Uri '{server.Mcp}' -AsPlainText; (Get-McpCredential -Uri '{server.Mcp}').Status",
                Environment());
            Assert.True(code == 0, error);
            string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Contains("alice", lines[0]);
            string token = lines[1];
            Assert.Equal(3, token.Split('.').Length);
            Assert.Equal("Valid", lines[2]);
            Assert.Equal(authorizations, (int)server.AdminGet("/log")["authorizationRequests"]!);

            // In the keyring...
            ProcessResult search = keyring.Bash("secret-tool search --all McpAuthStore credentials");
            Assert.True(search.ExitCode == 0, search.ToString());
            Assert.Contains("McpAuth", search.StdOut + search.StdErr);

            // ...and in no file on disk.
            foreach (string file in Directory.Exists(storeDir) ? Directory.GetFiles(storeDir, "*", SearchOption.AllDirectories) : Array.Empty<string>())
            {
                Assert.DoesNotContain(token, File.ReadAllText(file));
            }
        }

        [Fact]
        public void A_locked_keyring_is_a_typed_error_naming_the_remedy()
        {
            HostProcess.Run(AutoConsent.Define + $"\nConnect-McpServer '{server.Mcp}' -AuthorizationHandler $AutoConsent -Force | Out-Null", Environment());
            keyring.Lock();
            (int code, string _, string error) = HostProcess.Run($"Get-McpCredential", Environment());
            Assert.NotEqual(0, code);
            Assert.Contains("KeychainLocked", error);
        }

        [Fact]
        public void No_keyring_service_is_a_typed_error_and_nothing_hangs()
        {
            Dictionary<string, string?> env = Environment();
            env["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=/nonexistent/mcpauth-bus";
            var watch = System.Diagnostics.Stopwatch.StartNew();
            (int code, string _, string error) = HostProcess.Run("Get-McpCredential", env);
            Assert.NotEqual(0, code);
            Assert.Contains("KeychainUnavailable", error);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60));
        }
    }
}
