using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using McpAuth.Testing;
using Xunit;

namespace McpAuth.HostedTests
{
    /// <summary>
    /// Sign-in, refresh, step-up and a second process, the same way against the OAuth-protected legacy
    /// server (SDK 1.x) and the modern one (SDK 2.x, MCP 2026-07-28): OAuth rides below the transport, so
    /// the era changes nothing about it. Tokens live four seconds.
    /// </summary>
    public class EraOAuthTests : IClassFixture<ShortLivedTokenFixture>, IDisposable
    {
        private readonly FixtureServer server;
        private readonly string storeDir = Path.Combine(Path.GetTempPath(), "mcpauth-era-" + Guid.NewGuid().ToString("N"));

        public EraOAuthTests(ShortLivedTokenFixture fixture)
        {
            server = fixture.Server;
            server.AdminPost("/consent", new { mode = "allow" });
        }

        public void Dispose()
        {
            try
            {
                Directory.Delete(storeDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        private static HostedPowerShell NewShell()
        {
            var ps = new HostedPowerShell();
            ps.Run(AutoConsent.Define + "\nReset-McpCredentialStore -CredentialStore Memory -Force").ThrowIfErrors();
            return ps;
        }

        private Dictionary<string, object?> Vars(string era) => new Dictionary<string, object?> { ["u"] = server.ProtectedOf(era) };

        private int Grants(string grantType) => server.Events().Count(e => (string?)e["type"] == "grant.success" && (string?)e["grant_type"] == grantType);

        /// <summary>
        /// The POSTs to <paramref name="url"/> as "method status", leaving out those the server answered 401 when a
        /// refresh happened since <paramref name="refreshesBefore"/>: the tokens here live 4 s, so a second process
        /// that starts late can present one that expires on the way, and the 401, refresh and resend are right. Without
        /// a refresh a 401 stays in the list, and fails the test's sequence.
        /// </summary>
        private List<string> Posts(string url, int refreshesBefore)
        {
            bool refreshed = Grants("refresh_token") > refreshesBefore;
            return server.RequestsTo(url)
                .Where(q => (string?)q["method"] == "POST" && !(refreshed && (int?)q["status"] == 401))
                .Select(q => $"{q["rpcMethod"]} {q["status"]}")
                .ToList();
        }

        // The plaintext store in a private folder, shared by this test's processes.
        private Dictionary<string, string?> StoreEnvironment() => new Dictionary<string, string?>
        {
            ["MCPAUTH_CREDENTIAL_STORE"] = "plaintext",
            ["MCPAUTH_ALLOW_PLAINTEXT_STORAGE"] = "1",
            ["MCPAUTH_STORE_DIR"] = storeDir,
            ["MCPAUTH_NONINTERACTIVE"] = "1",
        };

        [Theory]
        [InlineData("legacy")]
        [InlineData("modern")]
        public void Connect_signs_in_and_the_piped_call_returns_the_echo(string era)
        {
            using HostedPowerShell ps = NewShell();
            PsResult r = ps.Run("Connect-McpServer $u -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force | Invoke-McpTool echo @{ message = 'hi' }; Invoke-McpTool -Uri $u whoami", Vars(era));
            r.ThrowIfErrors();
            Assert.Equal("hi", r.Output[0].BaseObject);
            JsonObject me = JsonNode.Parse((string)r.Output[1].BaseObject)!.AsObject();
            Assert.Equal("alice", (string?)me["sub"]);
            Assert.Equal(server.ProtectedOf(era), (string?)me["aud"]);
        }

        [Theory]
        [InlineData("legacy")]
        [InlineData("modern")]
        public void An_expired_token_is_refreshed_once_and_the_call_succeeds(string era)
        {
            using HostedPowerShell ps = NewShell();
            ps.Run("Connect-McpServer $u -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force | Invoke-McpTool echo @{ message = 'first' }", Vars(era)).ThrowIfErrors();
            int refreshes = Grants("refresh_token");
            Thread.Sleep(TimeSpan.FromSeconds(ShortLivedTokenFixture.AccessTtlSeconds + 1));
            PsResult r = ps.Run("Invoke-McpTool -Uri $u echo @{ message = 'after expiry' }", Vars(era));
            r.ThrowIfErrors();
            Assert.Equal("after expiry", r.Output.Single().BaseObject);
            Assert.Equal(refreshes + 1, Grants("refresh_token"));
        }

        [Theory]
        [InlineData("legacy")]
        [InlineData("modern")]
        public void Step_up_asks_for_consent_to_more_scopes_then_the_call_succeeds(string era)
        {
            using HostedPowerShell ps = NewShell();
            ps.Run("Connect-McpServer $u -AuthorizationHandler $AutoConsent -Scopes mcp:read -CredentialStore Memory -Force | Out-Null", Vars(era)).ThrowIfErrors();
            server.AdminPost("/log/clear");
            PsResult r = ps.Run("Invoke-McpTool -Uri $u write @{ text = 'x' }", Vars(era));
            r.ThrowIfErrors();
            Assert.Equal("written", r.Output.Single().BaseObject);
            JsonObject request = Assert.Single(server.Events(), e => (string?)e["type"] == "authorization.request");
            Assert.Contains("mcp:write", ((string)request["scope"]!).Split(' '));
            Assert.Equal("consent", (string?)request["prompt"]);
        }

        [Fact]
        public void A_step_up_sign_in_keeps_the_remembered_era_in_the_stored_credential()
        {
            string url = server.ModernMcp;
            server.AdminPost("/log/clear");
            (int code, string output, string error) = HostProcess.Run(
                AutoConsent.Define + $"\nConnect-McpServer '{url}' -AuthorizationHandler $AutoConsent -Scopes mcp:read | Invoke-McpTool write @{{ text = 'x' }}",
                StoreEnvironment());
            Assert.True(code == 0, error);
            Assert.Contains("written", output);
            // The sign-in and the step-up: two authorization requests, the second rewrote the stored record.
            Assert.Equal(2, server.Events().Count(e => (string?)e["type"] == "authorization.request"));
            string stored = string.Concat(Directory.GetFiles(storeDir, "*", SearchOption.AllDirectories).Select(File.ReadAllText)).Replace(" ", string.Empty, StringComparison.Ordinal);
            Assert.Contains("\"mcp_protocol_version\":\"2026-07-28\"", stored);
        }

        [Theory]
        [InlineData("legacy", "initialize")]
        [InlineData("modern", "tools/call")]
        public void A_second_process_remembers_the_era_and_sends_the_stored_credential_with_its_first_request(string era, string firstRequest)
        {
            string url = server.ProtectedOf(era);
            (int code, string output, string error) = HostProcess.Run(
                AutoConsent.Define + $"\nConnect-McpServer '{url}' -AuthorizationHandler $AutoConsent | Invoke-McpTool echo @{{ message = 'one' }}",
                StoreEnvironment());
            Assert.True(code == 0, error);
            Assert.Contains("one", output);
            string stored = string.Concat(Directory.GetFiles(storeDir, "*", SearchOption.AllDirectories).Select(File.ReadAllText));
            Assert.Contains($"\"mcp_protocol_version\":\"{(era == "modern" ? "2026-07-28" : "2025-11-25")}\"", stored.Replace(" ", string.Empty, StringComparison.Ordinal));

            server.AdminPost("/requests/clear");
            int refreshes = Grants("refresh_token");
            (code, output, error) = HostProcess.Run($"Invoke-McpTool -Uri '{url}' echo @{{ message = 'two' }}", StoreEnvironment());
            Assert.True(code == 0, error);
            Assert.Contains("two", output);
            List<string?> methods = server.RequestsTo(url).Where(q => (string?)q["method"] == "POST").Select(q => (string?)q["rpcMethod"]).ToList();
            Assert.Equal(firstRequest, methods[0]);
            Assert.DoesNotContain("server/discover", methods);

            // The stored credential went with the first request: every request carried it, and none got a 401. (The
            // tokens here live 4 s: when the second process started late enough for its token to expire on the way,
            // the server's 401 and a refresh are right, so the count holds only when no refresh happened.)
            List<JsonObject> requests = server.RequestsTo(url);
            Assert.All(requests, q => Assert.Equal("Bearer", (string?)q["authorization"]));
            if (Grants("refresh_token") == refreshes)
            {
                string seen = string.Join(", ", requests.Select(q => $"{q["method"]} {q["rpcMethod"]} -> {q["status"]}"));
                Assert.False(requests.Any(q => (int?)q["status"] == 401), "a 401 on a cold start with a valid stored credential: " + seen);
            }
            if (era == "modern")
            {
                // The tool list the first process read (fresh for the fixture's 60 s) is kept with the stored
                // credential: the second process needs no tools/list and no initialize, only the call.
                Assert.Equal(new[] { "tools/call 200" }, Posts(url, refreshes));
                Assert.Single(requests, q => (int?)q["status"] != 401);
            }
        }

        [Fact]
        public void A_second_process_lists_the_tools_again_when_the_kept_list_is_no_longer_fresh()
        {
            string url = server.ModernMcp;
            server.AdminPost("/modern", new { toolsTtlMs = 1500 });
            try
            {
                (int code, string output, string error) = HostProcess.Run(
                    AutoConsent.Define + $"\nConnect-McpServer '{url}' -AuthorizationHandler $AutoConsent | Invoke-McpTool headers @{{ region = 'eu-stale' }}",
                    StoreEnvironment());
                Assert.True(code == 0, error);
                Assert.Contains("eu-stale", output);
                Thread.Sleep(TimeSpan.FromSeconds(2)); // the list the first process kept was fresh for 1.5 s

                server.AdminPost("/requests/clear");
                int refreshes = Grants("refresh_token");
                (code, output, error) = HostProcess.Run($"Invoke-McpTool -Uri '{url}' headers @{{ region = 'eu-second' }}", StoreEnvironment());
                Assert.True(code == 0, error);
                Assert.Contains("eu-second", output);
                Assert.Equal(new[] { "tools/list 200", "tools/list 200", "tools/list 200", "tools/list 200", "tools/call 200" }, Posts(url, refreshes));
            }
            finally
            {
                server.AdminPost("/modern", new { toolsTtlMs = 60000 });
            }
        }

        [Fact]
        public void A_second_process_calls_a_tool_whose_header_annotation_changed_with_the_new_header()
        {
            string url = server.ModernMcp;
            try
            {
                (int code, string output, string error) = HostProcess.Run(
                    AutoConsent.Define + $"\nConnect-McpServer '{url}' -AuthorizationHandler $AutoConsent | Invoke-McpTool headers @{{ region = 'region-value-first' }}",
                    StoreEnvironment());
                Assert.True(code == 0, error);
                Assert.Contains("\"region\":\"region-value-first\"", output.Replace(" ", string.Empty, StringComparison.Ordinal));
                string stored = string.Concat(Directory.GetFiles(storeDir, "*", SearchOption.AllDirectories).Select(File.ReadAllText));
                Assert.Contains("mcp_tool_headers", stored);
                Assert.DoesNotContain("region-value-first", stored);

                // Within the list's freshness the server renames the header: the kept rule is wrong now.
                server.AdminPost("/modern", new { regionHeader = "Zone" });
                server.AdminPost("/requests/clear");
                int refreshes = Grants("refresh_token");
                (code, output, error) = HostProcess.Run($"Invoke-McpTool -Uri '{url}' headers @{{ region = 'region-value-second' }}", StoreEnvironment());
                Assert.True(code == 0, error);
                Assert.Contains("\"zone\":\"region-value-second\"", output.Replace(" ", string.Empty, StringComparison.Ordinal));
                Assert.Equal(
                    new[] { "tools/call 400", "tools/list 200", "tools/list 200", "tools/list 200", "tools/list 200", "tools/call 200" },
                    Posts(url, refreshes));
            }
            finally
            {
                server.AdminPost("/modern", new { regionHeader = "Region" });
            }
        }
    }
}
