using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.Json.Nodes;
using McpAuth.Testing;
using Xunit;

namespace McpAuth.HostedTests
{
    /// <summary>
    /// Sign-ins without a browser of this session's own: enterprise-managed authorization (SEP-990; the fixture's
    /// identity provider exchanges an ID token or SAML assertion for an ID-JAG, the main authorization server takes
    /// the ID-JAG in the JWT bearer grant) and workload identity (a JWT the platform gives the job, from a file or
    /// an environment variable). Expiry is reached by moving the module's clock.
    /// </summary>
    public sealed class AssertionGrantTests : IClassFixture<ShortLivedTokenFixture>, IDisposable
    {
        private const string ClockOffsetVariable = "MCPAUTH_CLOCK_OFFSET_SECONDS";
        private const string Secret = "fixture-secret-1234567890";
        private readonly FixtureServer server;
        private readonly string dir = Path.Combine(Path.GetTempPath(), "mcpauth-assertions-" + Guid.NewGuid().ToString("N"));

        public AssertionGrantTests(ShortLivedTokenFixture fixture)
        {
            server = fixture.Server;
            Directory.CreateDirectory(dir);
        }

        public void Dispose()
        {
            Environment.SetEnvironmentVariable(ClockOffsetVariable, null);
            server.AdminPost("/identity", new { idTokenTtl = 3600 });
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        private static void MoveClock(int seconds) => Environment.SetEnvironmentVariable(ClockOffsetVariable, seconds.ToString(CultureInfo.InvariantCulture));

        private static HostedPowerShell NewShell()
        {
            var ps = new HostedPowerShell();
            ps.Run(AutoConsent.Define + "\nReset-McpCredentialStore -CredentialStore Memory -Force").ThrowIfErrors();
            return ps;
        }

        private Dictionary<string, object?> Vars(Dictionary<string, object?>? more = null)
        {
            var vars = new Dictionary<string, object?> { ["u"] = server.Mcp, ["idp"] = server.Idp, ["idpClient"] = server.IdpClient, ["secret"] = Secret };
            foreach (KeyValuePair<string, object?> kv in more ?? new Dictionary<string, object?>())
            {
                vars[kv.Key] = kv.Value;
            }

            return vars;
        }

        // The enterprise client's part of Connect-McpServer; $assertion (a string) is passed as a SecureString when set.
        private const string Enterprise =
            "$p = @{ Uri = $u; IdentityProvider = $idp; IdentityProviderClientId = $idpClient; ClientId = 'mcpauth-enterprise'; CredentialStore = 'Memory';"
            + " ClientSecret = [System.Net.NetworkCredential]::new('', $secret).SecurePassword }\n"
            + "if ($assertion) { $p.IdentityAssertion = [System.Net.NetworkCredential]::new('', $assertion).SecurePassword }\n";

        private List<JsonObject> Events(string type) => server.Events().Where(e => (string?)e["type"] == type).ToList();

        private int AuthorizationRequests() => (int)server.AdminGet("/log")["authorizationRequests"]!;

        private int TokenRequests() => (int?)server.AdminGet("/requests")["asCounts"]!["/oidc/token"] ?? 0;

        private static string Sub(PSObject output) => (string)JsonNode.Parse((string)output.BaseObject)!["sub"]!;

        [Fact]
        public void An_identity_assertion_is_exchanged_for_an_id_jag_and_the_credential_renews_by_exchanging_it_again()
        {
            string idToken = server.Mint("id-token", "id_token", new { sub = "erin" });
            using HostedPowerShell ps = NewShell();
            server.AdminPost("/log/clear");
            PsResult r = ps.Run(Enterprise + "$c = Connect-McpServer @p; $c.AuthorizationMethod; $c | Invoke-McpTool whoami", Vars(new() { ["assertion"] = idToken }));
            r.ThrowIfErrors();
            Assert.Equal("EnterpriseManaged", r.Output[0].BaseObject);
            Assert.Equal("erin", Sub(r.Output[1]));
            JsonObject exchange = Assert.Single(Events("token_exchange"));
            Assert.Equal("urn:ietf:params:oauth:token-type:id_token", (string?)exchange["subject_token_type"]);
            Assert.Equal(server.Issuer, (string?)exchange["audience"]);
            Assert.Equal(server.Mcp, (string?)exchange["resource"]);
            Assert.Equal("id-jag", (string?)Assert.Single(Events("jwt_bearer"))["kind"]);

            // The access token expires: the stored assertion is exchanged again, with nobody there.
            MoveClock(ShortLivedTokenFixture.AccessTtlSeconds + 2);
            r = ps.Run("Invoke-McpTool -Uri $u whoami", Vars());
            r.ThrowIfErrors();
            Assert.Equal("erin", Sub(r.Output.Single()));
            Assert.Equal(2, Events("token_exchange").Count);
            Assert.Equal(2, Events("jwt_bearer").Count);
            Assert.Equal(0, AuthorizationRequests());
        }

        [Fact]
        public void A_second_process_renews_an_enterprise_managed_credential_from_the_store()
        {
            string idToken = server.Mint("id-token", "id_token", new { sub = "erin" });
            var env = new Dictionary<string, string?>
            {
                ["MCPAUTH_CREDENTIAL_STORE"] = "plaintext",
                ["MCPAUTH_ALLOW_PLAINTEXT_STORAGE"] = "1",
                ["MCPAUTH_STORE_DIR"] = dir,
                ["MCPAUTH_NONINTERACTIVE"] = "1",
            };
            (int code, string output, string error) = HostProcess.Run(
                $"$s = [System.Net.NetworkCredential]::new('', '{Secret}').SecurePassword; $a = [System.Net.NetworkCredential]::new('', '{idToken}').SecurePassword\n"
                + $"Connect-McpServer '{server.Mcp}' -IdentityProvider '{server.Idp}' -IdentityProviderClientId {server.IdpClient} -IdentityAssertion $a -ClientId mcpauth-enterprise -ClientSecret $s | Invoke-McpTool whoami",
                env);
            Assert.True(code == 0, error);
            Assert.Contains("erin", output);
            int exchanges = Events("token_exchange").Count;

            env[ClockOffsetVariable] = (ShortLivedTokenFixture.AccessTtlSeconds + 2).ToString(CultureInfo.InvariantCulture);
            (code, output, error) = HostProcess.Run($"Invoke-McpTool -Uri '{server.Mcp}' whoami; (Get-McpCredential -Uri '{server.Mcp}').IdentityProvider", env);
            Assert.True(code == 0, error);
            Assert.Contains("erin", output);
            Assert.Contains(server.Idp, output);
            Assert.Equal(exchanges + 1, Events("token_exchange").Count);
        }

        [Fact]
        public void McpAuth_signs_in_at_the_identity_provider_and_renews_the_id_token_there_without_a_person()
        {
            server.AdminPost("/identity", new { idTokenTtl = 40 });
            using HostedPowerShell ps = NewShell();
            server.AdminPost("/log/clear");
            PsResult r = ps.Run(Enterprise + "$p.AuthorizationHandler = $AutoConsent; $p.AuthorizationParameters = @{ login_hint = 'frank' }\nConnect-McpServer @p | Invoke-McpTool whoami", Vars(new() { ["assertion"] = null }));
            r.ThrowIfErrors();
            Assert.Equal("frank", Sub(r.Output.Single()));
            Assert.Single(Events("idp.interaction"));
            Assert.Single(Events("token_exchange"));

            // Both the access token and the ID token are (nearly) expired: the IdP's refresh token gets a new ID token.
            MoveClock(15);
            r = ps.Run("Invoke-McpTool -Uri $u whoami", Vars());
            r.ThrowIfErrors();
            Assert.Equal("frank", Sub(r.Output.Single()));
            Assert.Single(Events("idp.interaction"));
            Assert.Contains(Events("idp.grant.success"), e => (string?)e["grant_type"] == "refresh_token");
            Assert.Equal(2, Events("token_exchange").Count);
            Assert.Equal(0, AuthorizationRequests());
        }

        [Fact]
        public void A_saml_assertion_is_exchanged_as_a_saml2_token()
        {
            string saml = server.Mint("saml", "assertion", new { sub = "sam" });
            using HostedPowerShell ps = NewShell();
            server.AdminPost("/log/clear");
            PsResult r = ps.Run(Enterprise + "Connect-McpServer @p | Invoke-McpTool whoami", Vars(new() { ["assertion"] = saml }));
            r.ThrowIfErrors();
            Assert.Equal("sam", Sub(r.Output.Single()));
            Assert.Equal("urn:ietf:params:oauth:token-type:saml2", (string?)Assert.Single(Events("token_exchange"))["subject_token_type"]);
        }

        [Fact]
        public void An_expired_assertion_nothing_can_renew_is_a_typed_error_naming_what_to_run()
        {
            string idToken = server.Mint("id-token", "id_token", new { sub = "erin", ttl = 40 });
            using HostedPowerShell ps = NewShell();
            PsResult r = ps.Run(Enterprise + "Connect-McpServer @p | Invoke-McpTool whoami", Vars(new() { ["assertion"] = idToken }));
            r.ThrowIfErrors();
            int exchanges = Events("token_exchange").Count;

            // (The server would still take the access token for a few seconds of real time: ask for a new one now.)
            MoveClock(15);
            r = ps.Run("Get-McpToken -Uri $u -ForceRefresh", Vars());
            ErrorRecord e = Assert.Single(r.Errors);
            Assert.Equal("IdentityAssertionRequired,McpAuth.Commands.GetMcpTokenCommand", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.AuthenticationError, e.CategoryInfo.Category);
            Assert.Contains("-IdentityAssertion", e.ErrorDetails?.RecommendedAction ?? string.Empty, StringComparison.Ordinal);
            Assert.Equal(exchanges, Events("token_exchange").Count);
        }

        [Fact]
        public void A_workload_identity_file_is_read_again_on_every_exchange_in_this_process_and_the_next()
        {
            string file = Path.Combine(dir, "token.jwt");
            File.WriteAllText(file, server.Mint("workload-token", "token", new { sub = "job-1" }));
            using HostedPowerShell ps = NewShell();
            PsResult r = ps.Run("$c = Connect-McpServer $u -WorkloadIdentityTokenPath $f -ClientId mcpauth-workload -CredentialStore Memory; $c.AuthorizationMethod; $c | Invoke-McpTool whoami", Vars(new() { ["f"] = file }));
            r.ThrowIfErrors();
            Assert.Equal("WorkloadIdentity", r.Output[0].BaseObject);
            Assert.Equal("job-1", Sub(r.Output[1]));

            // The platform rotates the token; the next exchange reads the new one.
            File.WriteAllText(file, server.Mint("workload-token", "token", new { sub = "job-2" }));
            MoveClock(ShortLivedTokenFixture.AccessTtlSeconds + 2);
            r = ps.Run("Invoke-McpTool -Uri $u whoami", Vars());
            r.ThrowIfErrors();
            Assert.Equal("job-2", Sub(r.Output.Single()));

            // Another process, from the stored path.
            var env = new Dictionary<string, string?>
            {
                ["MCPAUTH_CREDENTIAL_STORE"] = "plaintext",
                ["MCPAUTH_ALLOW_PLAINTEXT_STORAGE"] = "1",
                ["MCPAUTH_STORE_DIR"] = dir,
                ["MCPAUTH_NONINTERACTIVE"] = "1",
                [ClockOffsetVariable] = null,
            };
            (int code, string output, string error) = HostProcess.Run($"Connect-McpServer '{server.Mcp}' -WorkloadIdentityTokenPath '{file}' -ClientId mcpauth-workload | Invoke-McpTool whoami", env);
            Assert.True(code == 0, error);
            Assert.Contains("job-2", output);
            File.WriteAllText(file, server.Mint("workload-token", "token", new { sub = "job-3" }));
            env[ClockOffsetVariable] = (ShortLivedTokenFixture.AccessTtlSeconds + 2).ToString(CultureInfo.InvariantCulture);
            (code, output, error) = HostProcess.Run($"Invoke-McpTool -Uri '{server.Mcp}' whoami", env);
            Assert.True(code == 0, error);
            Assert.Contains("job-3", output);
            Assert.DoesNotContain(File.ReadAllText(file), File.ReadAllText(Directory.GetFiles(dir, "*.json", SearchOption.AllDirectories).Single()), StringComparison.Ordinal);
        }

        [Fact]
        public void A_workload_identity_from_an_environment_variable_signs_in()
        {
            Environment.SetEnvironmentVariable("MCPAUTH_TEST_WORKLOAD_TOKEN", server.Mint("workload-token", "token", new { sub = "job-env" }));
            try
            {
                using HostedPowerShell ps = NewShell();
                PsResult r = ps.Run("Connect-McpServer $u -WorkloadIdentityTokenVariable MCPAUTH_TEST_WORKLOAD_TOKEN -ClientId mcpauth-workload -CredentialStore Memory | Invoke-McpTool whoami", Vars());
                r.ThrowIfErrors();
                Assert.Equal("job-env", Sub(r.Output.Single()));
            }
            finally
            {
                Environment.SetEnvironmentVariable("MCPAUTH_TEST_WORKLOAD_TOKEN", null);
            }
        }

        [Theory]
        [InlineData(-60, "InvalidGrant")]
        [InlineData(0, "WorkloadIdentityUnavailable")]
        public void A_rejected_or_missing_workload_assertion_is_reported_at_once_with_no_retry_and_no_other_grant(int ttl, string errorId)
        {
            string file = Path.Combine(dir, "rejected.jwt");
            if (ttl != 0)
            {
                File.WriteAllText(file, server.Mint("workload-token", "token", new { sub = "job-x", ttl }));
            }

            using HostedPowerShell ps = NewShell();
            server.AdminPost("/requests/clear");
            server.AdminPost("/log/clear");
            PsResult r = ps.Run("Connect-McpServer $u -WorkloadIdentityTokenPath $f -ClientId mcpauth-workload -CredentialStore Memory", Vars(new() { ["f"] = file }));
            ErrorRecord e = Assert.Single(r.Errors);
            Assert.Equal(errorId + ",McpAuth.Commands.ConnectMcpServerCommand", e.FullyQualifiedErrorId);
            Assert.Equal(ttl == 0 ? 0 : 1, TokenRequests());
            Assert.Equal(0, AuthorizationRequests());
            Assert.DoesNotContain(server.Events(), ev => (string?)ev["type"] == "registration");
        }
    }
}
