using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text.Json.Nodes;
using McpAuth.Testing;
using Xunit;

namespace McpAuth.HostedTests
{
    /// <summary>
    /// Refresh, single flight, rotation, persistence across processes, and step-up, against the real fixture.
    /// Expiry is reached by moving the module's clock (MCPAUTH_CLOCK_OFFSET_SECONDS, for this process and the
    /// processes it starts), not by waiting for it.
    /// </summary>
    public class TokenLifecycleTests : IClassFixture<ShortLivedTokenFixture>, IDisposable
    {
        private readonly FixtureServer server;
        private readonly string storeDir = Path.Combine(Path.GetTempPath(), "mcpauth-lifecycle-" + Guid.NewGuid().ToString("N"));
        private string? clockOffset;

        public TokenLifecycleTests(ShortLivedTokenFixture fixture)
        {
            server = fixture.Server;
            server.AdminPost("/consent", new { mode = "allow" });
        }

        public void Dispose()
        {
            Environment.SetEnvironmentVariable(ClockOffsetVariable, null);
            try
            {
                Directory.Delete(storeDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        private const string ClockOffsetVariable = "MCPAUTH_CLOCK_OFFSET_SECONDS";

        /// <summary>Moves the module's clock past the access tokens' lifetime, here and in processes started from now on.</summary>
        private void WaitForExpiry()
        {
            clockOffset = (ShortLivedTokenFixture.AccessTtlSeconds + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            Environment.SetEnvironmentVariable(ClockOffsetVariable, clockOffset);
        }

        private HostedPowerShell NewShell()
        {
            var ps = new HostedPowerShell();
            ps.Run(AutoConsent.Define + "\nReset-McpCredentialStore -CredentialStore Memory -Force").ThrowIfErrors();
            return ps;
        }

        private Dictionary<string, object?> Vars() => new Dictionary<string, object?> { ["u"] = server.Mcp };

        private List<JsonObject> Grants(string grantType) => server.Events().Where(e => (string?)e["type"] == "grant.success" && (string?)e["grant_type"] == grantType).ToList();

        private int AuthorizationRequests() => (int)server.AdminGet("/log")["authorizationRequests"]!;

        // The plaintext store in a private folder: shared by this test's processes, invisible to other tests.
        private Dictionary<string, string?> StoreEnvironment() => new Dictionary<string, string?>
        {
            ["MCPAUTH_CREDENTIAL_STORE"] = "plaintext",
            ["MCPAUTH_ALLOW_PLAINTEXT_STORAGE"] = "1",
            ["MCPAUTH_STORE_DIR"] = storeDir,
            ["MCPAUTH_NONINTERACTIVE"] = "1",
            [ClockOffsetVariable] = clockOffset,
        };

        private void SignInInChildProcess(string extra = "")
        {
            (int code, string output, string error) = HostProcess.Run(
                AutoConsent.Define + $"\n$c = Connect-McpServer '{server.Mcp}' -AuthorizationHandler $AutoConsent {extra}\n$c | Invoke-McpTool whoami",
                StoreEnvironment());
            Assert.True(code == 0, error);
            Assert.Contains("alice", output);
        }

        [Fact]
        public void An_expired_access_token_is_refreshed_and_the_call_succeeds_in_the_same_session()
        {
            using HostedPowerShell ps = NewShell();
            ps.Run("Connect-McpServer $u -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force | Invoke-McpTool whoami", Vars()).ThrowIfErrors();
            int authorizations = AuthorizationRequests();
            int refreshes = Grants("refresh_token").Count;
            WaitForExpiry();
            PsResult r = ps.Run("Invoke-McpTool -Uri $u whoami", Vars());
            r.ThrowIfErrors();
            Assert.Contains("alice", (string)r.Output.Single().BaseObject);
            Assert.Equal(refreshes + 1, Grants("refresh_token").Count);
            Assert.Equal(authorizations, AuthorizationRequests());
        }

        [Fact]
        public void A_registered_client_the_server_forgot_is_registered_again_once_and_the_session_goes_on()
        {
            using HostedPowerShell ps = NewShell();
            PsResult first = ps.Run("(Connect-McpServer $u -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force).ClientId", Vars());
            first.ThrowIfErrors();
            string oldClient = (string)first.Output.Single().BaseObject;
            server.AdminPost("/forget-client", new { client_id = oldClient });
            int registrations = server.Events().Count(e => (string?)e["type"] == "registration");
            WaitForExpiry();
            PsResult r = ps.Run("Invoke-McpTool -Uri $u whoami", Vars());
            r.ThrowIfErrors();
            string newClient = (string)JsonNode.Parse((string)r.Output.Single().BaseObject)!["client_id"]!;
            Assert.NotEqual(oldClient, newClient);
            Assert.Equal(registrations + 1, server.Events().Count(e => (string?)e["type"] == "registration"));
        }

        [Fact]
        public void Twenty_parallel_calls_on_an_expired_token_cause_exactly_one_refresh()
        {
            using HostedPowerShell ps = NewShell();
            ps.Run("Connect-McpServer $u -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force | Out-Null", Vars()).ThrowIfErrors();

            // Counted before expiry: whatever renews the token after it expires, it is renewed once in all.
            int refreshes = Grants("refresh_token").Count;
            WaitForExpiry();
            var iss = InitialSessionState.CreateDefault2();
            iss.ImportPSModule(new[] { ModuleLocator.ModuleManifest });
            using RunspacePool pool = RunspaceFactory.CreateRunspacePool(iss);
            pool.SetMaxRunspaces(20);
            pool.Open();
            var calls = Enumerable.Range(0, 20).Select(i =>
            {
                PowerShell p = PowerShell.Create();
                p.RunspacePool = pool;
                p.AddScript($"Invoke-McpTool -Uri '{server.Mcp}' echo @{{ message = 'call {i}' }}");
                return (p, p.BeginInvoke());
            }).ToList();
            var results = calls.Select(c => (c.p, Output: c.p.EndInvoke(c.Item2))).ToList();
            foreach (var (p, output) in results)
            {
                Assert.Empty(p.Streams.Error);
                Assert.StartsWith("call ", (string)output.Single().BaseObject);
                p.Dispose();
            }

            Assert.Equal(refreshes + 1, Grants("refresh_token").Count);
        }

        [Fact]
        public void Signed_in_once_a_new_process_calls_tools_without_any_sign_in()
        {
            SignInInChildProcess();
            int authorizations = AuthorizationRequests();
            (int code, string output, string error) = HostProcess.Run($"Invoke-McpTool -Uri '{server.Mcp}' whoami", StoreEnvironment());
            Assert.True(code == 0, error);
            Assert.Contains("alice", output);
            Assert.Equal(authorizations, AuthorizationRequests());
        }

        [Fact]
        public void A_pre_registered_clients_refresh_in_a_new_process_sends_its_client_id()
        {
            SignInInChildProcess("-ClientId mcpauth-confidential -ClientSecret ([System.Net.NetworkCredential]::new('', 'fixture-secret-1234567890').SecurePassword)");
            WaitForExpiry();
            int authorizations = AuthorizationRequests();
            int refreshes = Grants("refresh_token").Count(g => (string?)g["client_id"] == "mcpauth-confidential");
            (int code, string output, string error) = HostProcess.Run($"Invoke-McpTool -Uri '{server.Mcp}' whoami", StoreEnvironment());
            Assert.True(code == 0, error);
            Assert.Contains("mcpauth-confidential", output);
            Assert.Equal(refreshes + 1, Grants("refresh_token").Count(g => (string?)g["client_id"] == "mcpauth-confidential"));
            Assert.Equal(authorizations, AuthorizationRequests());
        }

        [Fact]
        public void A_machine_identity_signs_in_again_with_client_credentials_in_a_new_process_after_expiry()
        {
            (int code, string _, string error) = HostProcess.Run(
                $"Connect-McpServer '{server.Mcp}' -ClientCredentials -ClientId mcpauth-machine -ClientSecret ([System.Net.NetworkCredential]::new('', 'fixture-secret-1234567890').SecurePassword) | Out-Null",
                StoreEnvironment());
            Assert.True(code == 0, error);
            WaitForExpiry();
            int grants = Grants("client_credentials").Count;
            (code, string output, error) = HostProcess.Run($"Invoke-McpTool -Uri '{server.Mcp}' whoami", StoreEnvironment());
            Assert.True(code == 0, error);
            Assert.Contains("mcpauth-machine", output);
            Assert.Equal(grants + 1, Grants("client_credentials").Count);
        }

        [Fact]
        public void Four_processes_on_an_expired_token_refresh_once_and_never_present_a_rotated_refresh_token()
        {
            SignInInChildProcess();
            WaitForExpiry();
            int refreshes = Grants("refresh_token").Count;
            int errors = server.Events().Count(e => (string?)e["type"] == "grant.error");
            var processes = Enumerable.Range(0, 4)
                .Select(i => HostProcess.Start($"Invoke-McpTool -Uri '{server.Mcp}' echo @{{ message = 'process {i}' }}", StoreEnvironment()))
                .ToList();
            foreach (System.Diagnostics.Process p in processes)
            {
                string error = p.StandardError.ReadToEnd();
                string output = p.StandardOutput.ReadToEnd();
                Assert.True(p.WaitForExit(120_000));
                TestOutputLog.Append(p, output, error);
                Assert.True(p.ExitCode == 0, error);
                Assert.StartsWith("process ", output.Trim());
                p.Dispose();
            }

            Assert.Equal(refreshes + 1, Grants("refresh_token").Count);
            Assert.Equal(errors, server.Events().Count(e => (string?)e["type"] == "grant.error"));
        }

        [Fact]
        public void A_dead_refresh_token_is_cleared_and_a_non_interactive_session_gets_a_typed_error_naming_the_command()
        {
            SignInInChildProcess();
            string file = Directory.GetFiles(storeDir, "*.json", SearchOption.AllDirectories).Single();
            string stale = File.ReadAllText(file);
            WaitForExpiry();
            (int code, string _, string error) = HostProcess.Run($"Invoke-McpTool -Uri '{server.Mcp}' whoami", StoreEnvironment());
            Assert.True(code == 0, error);

            // Put back the record with the refresh token that was just rotated away: presenting it is reuse.
            File.WriteAllText(file, stale);
            (code, _, error) = HostProcess.Run($"Invoke-McpTool -Uri '{server.Mcp}' whoami", StoreEnvironment());
            Assert.NotEqual(0, code);
            Assert.Contains("InteractionRequired", error);
            Assert.Contains("Connect-McpServer", error);
            Assert.Contains(server.Events(), e => (string?)e["type"] == "grant.error");

            (code, string output, error) = HostProcess.Run($"(Get-McpCredential -Uri '{server.Mcp}').Status", StoreEnvironment());
            Assert.True(code == 0, error);
            Assert.Equal("SignedOut", output.Trim());
        }

        [Fact]
        public void Get_McpToken_returns_a_SecureString_by_default_and_plain_text_only_when_asked()
        {
            using HostedPowerShell ps = NewShell();
            PsResult r = ps.Run(
                "Connect-McpServer $u -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force | Out-Null\n"
                + "$t = Get-McpToken -Uri $u; $t.Token.GetType().Name; $t.Scopes -join ' '; $t.Resource; $t.ToString()\n"
                + "(Get-McpToken -Uri $u -AsPlainText).Split('.').Count",
                Vars());
            r.ThrowIfErrors();
            Assert.Equal("SecureString", r.Output[0].BaseObject);
            Assert.Contains("mcp:read", (string)r.Output[1].BaseObject);
            Assert.Equal(server.Mcp, r.Output[2].BaseObject);
            Assert.DoesNotContain("ey", (string)r.Output[3].BaseObject);
            Assert.Equal(3, r.Output[4].BaseObject);
        }

        [Fact]
        public void Get_McpToken_ForceRefresh_refreshes_now()
        {
            using HostedPowerShell ps = NewShell();
            ps.Run("Connect-McpServer $u -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force | Out-Null", Vars()).ThrowIfErrors();
            int refreshes = Grants("refresh_token").Count;
            PsResult r = ps.Run("$a = Get-McpToken -Uri $u -AsPlainText; $b = Get-McpToken -Uri $u -ForceRefresh -AsPlainText; $a -ne $b", Vars());
            r.ThrowIfErrors();
            Assert.True((bool)r.Output.Single().BaseObject);
            Assert.Equal(refreshes + 1, Grants("refresh_token").Count);
        }

        [Fact]
        public void Step_up_asks_for_consent_to_the_union_of_scopes_then_the_call_succeeds()
        {
            using HostedPowerShell ps = NewShell();
            ps.Run("Connect-McpServer $u -AuthorizationHandler $AutoConsent -Scopes mcp:read -CredentialStore Memory -Force | Out-Null", Vars()).ThrowIfErrors();
            server.AdminPost("/log/clear");
            int refreshes = Grants("refresh_token").Count;
            PsResult r = ps.Run("Invoke-McpTool -Uri $u write @{ text = 'x' }; (Get-McpServer -Name $u).Scopes -join ' '", Vars());
            r.ThrowIfErrors();
            Assert.Equal("written", r.Output[0].BaseObject);
            Assert.Contains("mcp:write", ((string)r.Output[1].BaseObject).Split(' '));
            JsonObject request = Assert.Single(server.Events(), e => (string?)e["type"] == "authorization.request");
            string[] scope = ((string)request["scope"]!).Split(' ');
            Assert.Contains("mcp:read", scope);
            Assert.Contains("mcp:write", scope);
            Assert.Equal("consent", (string?)request["prompt"]);
            Assert.Equal(refreshes, Grants("refresh_token").Count);
        }

        [Fact]
        public void Step_up_with_consent_denied_is_a_typed_error_and_the_old_credential_stays()
        {
            using HostedPowerShell ps = NewShell();
            ps.Run("Connect-McpServer $u -AuthorizationHandler $AutoConsent -Scopes mcp:read -CredentialStore Memory -Force | Out-Null", Vars()).ThrowIfErrors();
            string before = (string)ps.Run("Get-McpToken -Uri $u -AsPlainText", Vars()).Output.Single().BaseObject;
            server.AdminPost("/consent", new { mode = "deny" });
            PsResult r = ps.Run("Invoke-McpTool -Uri $u write @{ text = 'x' }", Vars());
            server.AdminPost("/consent", new { mode = "allow" });
            ErrorRecord e = Assert.Single(r.Errors);
            Assert.Equal("AuthorizationDenied,McpAuth.Commands.InvokeMcpToolCommand", e.FullyQualifiedErrorId);
            PsResult after = ps.Run("Get-McpToken -Uri $u -AsPlainText; Invoke-McpTool -Uri $u echo @{ message = 'still works' }", Vars());
            after.ThrowIfErrors();
            Assert.Equal(before, after.Output[0].BaseObject);
            Assert.Equal("still works", after.Output[1].BaseObject);
        }

        [Fact]
        public void Step_up_in_a_non_interactive_session_is_InsufficientScope_carrying_the_required_scopes()
        {
            using HostedPowerShell ps = NewShell();
            ps.Run("Connect-McpServer $u -AuthorizationHandler $AutoConsent -Scopes mcp:read -CredentialStore Memory -Force | Out-Null", Vars()).ThrowIfErrors();

            // A connection made without a handler in a host with no person: nobody can consent.
            PsResult r = ps.Run("Connect-McpServer $u -CredentialStore Memory -Force | Invoke-McpTool write @{ text = 'x' }", Vars());
            ErrorRecord e = Assert.Single(r.Errors);
            Assert.Equal("InsufficientScope,McpAuth.Commands.InvokeMcpToolCommand", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.PermissionDenied, e.CategoryInfo.Category);
            var required = (IReadOnlyList<string>)e.Exception.GetType().GetProperty("RequiredScopes")!.GetValue(e.Exception)!;
            Assert.Contains("mcp:write", required);
            Assert.Contains("Update-McpCredential", e.ErrorDetails?.RecommendedAction ?? string.Empty);
        }

        [Fact]
        public void Update_McpCredential_adds_scopes_with_consent_and_passes_the_connection_through()
        {
            using HostedPowerShell ps = NewShell();
            ps.Run("Connect-McpServer $u -AuthorizationHandler $AutoConsent -Scopes mcp:read -CredentialStore Memory -Force | Out-Null", Vars()).ThrowIfErrors();
            PsResult r = ps.Run("(Update-McpCredential -Uri $u -Scopes mcp:write -PassThru).Scopes -join ' '", Vars());
            r.ThrowIfErrors();
            Assert.Contains("mcp:write", ((string)r.Output.Single().BaseObject).Split(' '));
        }

        [Fact]
        public void Update_McpCredential_WhatIf_changes_nothing()
        {
            using HostedPowerShell ps = NewShell();
            ps.Run("Connect-McpServer $u -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force | Out-Null", Vars()).ThrowIfErrors();
            int refreshes = Grants("refresh_token").Count;
            ps.Run("Update-McpCredential -Uri $u -WhatIf", Vars()).ThrowIfErrors();
            Assert.Equal(refreshes, Grants("refresh_token").Count);
            ps.Run("Update-McpCredential -Uri $u", Vars()).ThrowIfErrors();
            Assert.Equal(refreshes + 1, Grants("refresh_token").Count);
        }

        [Fact]
        public void Update_McpCredential_Revoke_revokes_at_the_authorization_server_and_forgets_the_tokens()
        {
            using HostedPowerShell ps = NewShell();
            ps.Run("Connect-McpServer $u -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force | Out-Null", Vars()).ThrowIfErrors();
            PsResult r = ps.Run("Update-McpCredential -Uri $u -Revoke -PassThru | ForEach-Object AuthorizationMethod; (Get-McpCredential -Uri $u -CredentialStore Memory).Status", Vars());
            r.ThrowIfErrors();
            Assert.Equal("None", r.Output[0].BaseObject);
            Assert.Equal("SignedOut", r.Output[1].BaseObject);
            Assert.Contains(server.Events(), e => (string?)e["type"] == "revocation");
        }

        /// <summary>Issue #11, 9: Get-McpToken after -Revoke said the server "accepts requests without sign-in".</summary>
        [Fact]
        public void After_Revoke_Get_McpToken_signs_in_again_rather_than_saying_the_server_needs_no_sign_in()
        {
            using HostedPowerShell ps = NewShell();
            ps.Run("Connect-McpServer $u -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force | Out-Null", Vars()).ThrowIfErrors();
            string revoked = (string)ps.Run("Get-McpToken -Uri $u -AsPlainText", Vars()).Output.Single().BaseObject;
            ps.Run("Update-McpCredential -Uri $u -Revoke", Vars()).ThrowIfErrors();
            int signIns = Grants("authorization_code").Count;

            // The connection signs in again the way it did (its authorization handler) and hands out the new token.
            PsResult r = ps.Run("Get-McpToken -Uri $u -AsPlainText", Vars());
            Assert.DoesNotContain("without sign-in", r.AllText(), StringComparison.Ordinal);
            r.ThrowIfErrors();
            string renewed = (string)r.Output.Single().BaseObject;
            Assert.NotEqual(revoked, renewed);
            Assert.Equal(signIns + 1, Grants("authorization_code").Count);

            // A server that never asked for a token still says so.
            PsResult open = ps.Run("Connect-McpServer $p -CredentialStore Memory -Force | Out-Null; Get-McpToken -Uri $p", new Dictionary<string, object?> { ["p"] = server.Public });
            Assert.Contains("TokenNotAvailable", string.Join(" ", open.ErrorIds), StringComparison.Ordinal);
        }
    }
}
