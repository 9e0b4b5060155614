using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using McpAuth.Testing;
using Xunit;

namespace McpAuth.HostedTests
{
    /// <summary>
    /// DPoP (RFC 9449) against the real peers: the fixture's oidc-provider binds tokens to the proof key, and its
    /// DPoP-protected MCP endpoint takes only DPoP-bound tokens with a fresh proof per request. Expiry is reached by
    /// moving the module's clock a few seconds (proofs carry that clock's iat; the servers allow minutes).
    /// </summary>
    public sealed class DpopTests : IClassFixture<ShortLivedTokenFixture>, IDisposable
    {
        private const string ClockOffsetVariable = "MCPAUTH_CLOCK_OFFSET_SECONDS";
        private readonly FixtureServer server;

        public DpopTests(ShortLivedTokenFixture fixture)
        {
            server = fixture.Server;
            server.AdminPost("/identity", new { asNonce = false, rsNonce = false });
        }

        public void Dispose()
        {
            Environment.SetEnvironmentVariable(ClockOffsetVariable, null);
            server.AdminPost("/identity", new { asNonce = false, rsNonce = false });
        }

        private static HostedPowerShell NewShell()
        {
            var ps = new HostedPowerShell();
            ps.Run(AutoConsent.Define + "\nReset-McpCredentialStore -CredentialStore Memory -Force").ThrowIfErrors();
            return ps;
        }

        private Dictionary<string, object?> Vars() => new() { ["u"] = server.Dpop };

        private List<JsonObject> Events(string type) => server.Events().Where(e => (string?)e["type"] == type).ToList();

        private int TokenRequests() => (int?)server.AdminGet("/requests")["asCounts"]!["/oidc/token"] ?? 0;

        [Fact]
        public void A_dpop_sign_in_binds_the_token_to_the_key_and_every_request_carries_a_fresh_proof()
        {
            using HostedPowerShell ps = NewShell();
            server.AdminPost("/log/clear");
            PsResult r = ps.Run(
                "$c = Connect-McpServer $u -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force\n"
                + "$c.IsDPoPBound\n"
                + "1..3 | ForEach-Object { $c | Invoke-McpTool whoami }\n"
                + "$t = Get-McpToken -Connection $c; $t.TokenType; $t.IsDPoPBound",
                Vars());
            r.ThrowIfErrors();
            Assert.True((bool)r.Output[0].BaseObject);
            Assert.All(r.Output.Skip(1).Take(3), o => Assert.Equal("alice", (string?)JsonNode.Parse((string)o.BaseObject)!["sub"]));
            Assert.Equal("DPoP", r.Output[4].BaseObject);
            Assert.True((bool)r.Output[5].BaseObject);

            // Every MCP request the server accepted carried its own proof of the one key the token is bound to.
            List<JsonObject> accepted = Events("dpop.accepted");
            Assert.True(accepted.Count >= 4, "accepted proofs: " + accepted.Count);
            Assert.Equal(accepted.Count, accepted.Select(e => (string?)e["jti"]).Distinct().Count());
            Assert.Single(accepted.Select(e => (string?)e["jkt"]).Distinct());
            Assert.DoesNotContain(Events("dpop.rejected"), e => (string?)e["error"] != "invalid_token");
        }

        [Fact]
        public void A_refresh_in_a_second_process_proves_possession_with_the_key_kept_only_in_the_keychain()
        {
            using PrivateKeyring keyring = PrivateKeyring.Start();
            string storeDir = Path.Combine(Path.GetTempPath(), "mcpauth-dpop-" + Guid.NewGuid().ToString("N"));
            try
            {
                Dictionary<string, string?> env = keyring.Environment(storeDir);
                env["MCPAUTH_NONINTERACTIVE"] = "1";
                (int code, string output, string error) = HostProcess.Run(
                    AutoConsent.Define + $"\nConnect-McpServer '{server.Dpop}' -AuthorizationHandler $AutoConsent -Force | Invoke-McpTool whoami",
                    env);
                Assert.True(code == 0, error);
                Assert.Contains("alice", output);
                int authorizations = (int)server.AdminGet("/log")["authorizationRequests"]!;
                int refreshes = Refreshes();

                // A new process, after the access token expired: it refreshes (the refresh token is bound to the
                // key too) and calls, proving possession with the key it read from the keychain.
                env[ClockOffsetVariable] = (ShortLivedTokenFixture.AccessTtlSeconds + 2).ToString(System.Globalization.CultureInfo.InvariantCulture);
                (code, output, error) = HostProcess.Run(
                    $"Invoke-McpTool -Uri '{server.Dpop}' whoami; (Get-McpCredential -Uri '{server.Dpop}').IsDPoPBound",
                    env);
                Assert.True(code == 0, error);
                Assert.Contains("alice", output);
                Assert.Contains("True", output);
                Assert.Equal(refreshes + 1, Refreshes());
                Assert.Equal(authorizations, (int)server.AdminGet("/log")["authorizationRequests"]!);

                // The private key is in the keychain item with the credential, and in no file.
                ProcessResult lookup = keyring.Bash("secret-tool lookup McpAuthStore credentials");
                Assert.True(lookup.ExitCode == 0, lookup.ToString());
                // (the keyring item holds the store's document, base64)
                string document = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(lookup.StdOut.Trim()));
                JsonObject record = JsonNode.Parse(document)!["records"]!.AsArray()
                    .Select(n => n!.AsObject()).Single(o => (string?)o["key"]!["resource"] == server.Dpop);
                string d = (string)record["dpop_key"]!["d"]!;
                Assert.True(d.Length >= 40);
                Assert.Equal(2, (int)record["v"]!);
                foreach (string file in Directory.Exists(storeDir) ? Directory.GetFiles(storeDir, "*", SearchOption.AllDirectories) : Array.Empty<string>())
                {
                    Assert.DoesNotContain(d, File.ReadAllText(file), StringComparison.Ordinal);
                }
            }
            finally
            {
                try
                {
                    Directory.Delete(storeDir, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }

        [Fact]
        public void When_both_servers_require_a_nonce_the_token_request_and_the_first_mcp_request_are_sent_once_more_with_it()
        {
            server.AdminPost("/identity", new { asNonce = true, rsNonce = true });
            using HostedPowerShell ps = NewShell();
            server.AdminPost("/log/clear");
            server.AdminPost("/requests/clear");
            PsResult r = ps.Run("$c = Connect-McpServer $u -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force\n1..2 | ForEach-Object { $c | Invoke-McpTool whoami }", Vars());
            r.ThrowIfErrors();
            Assert.All(r.Output, o => Assert.Equal("alice", (string?)JsonNode.Parse((string)o.BaseObject)!["sub"]));

            // The authorization server: the code exchange once without, once with its nonce.
            Assert.Equal(2, TokenRequests());
            Assert.Single(server.Events(), e => (string?)e["type"] == "grant.success");

            // The MCP server: one use_dpop_nonce, then every proof carries its nonce (the connection keeps it).
            // (Not counting the DELETE that closes an earlier test's connection, which never learnt the nonce.)
            Assert.Single(Events("dpop.rejected"), e => (string?)e["error"] == "use_dpop_nonce" && (string?)e["method"] == "POST");
            List<JsonObject> accepted = Events("dpop.accepted");
            Assert.True(accepted.Count >= 3);
            Assert.All(accepted, e => Assert.StartsWith("rs-nonce-", (string?)e["nonce"]));
        }

        [Fact]
        public void A_bearer_only_server_behind_a_dpop_capable_authorization_server_gets_bearer_tokens()
        {
            // The fixture's AS advertises DPoP; /mcp takes Bearer tokens only and says nothing of DPoP.
            using HostedPowerShell ps = NewShell();
            PsResult r = ps.Run("$c = Connect-McpServer $u -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force -Verbose; $c.IsDPoPBound; $c | Invoke-McpTool whoami", new Dictionary<string, object?> { ["u"] = server.Mcp });
            r.ThrowIfErrors();
            Assert.False((bool)r.Output[0].BaseObject);
            Assert.Contains(r.Verbose, v => v.Contains("Not using DPoP", StringComparison.Ordinal));
        }

        private int Refreshes() => server.Events().Count(e => (string?)e["type"] == "grant.success" && (string?)e["grant_type"] == "refresh_token");
    }
}
