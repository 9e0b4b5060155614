using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using McpAuth.Testing;
using Xunit;

namespace McpAuth.HostedTests
{
    /// <summary>Get-McpCredential, Remove-McpCredential and Reset-McpCredentialStore.</summary>
    public class CredentialCmdletTests : IClassFixture<PublicServerFixture>
    {
        private readonly FixtureServer server;

        public CredentialCmdletTests(PublicServerFixture fixture)
        {
            server = fixture.Server;
        }

        private HostedPowerShell SignedIn()
        {
            var ps = new HostedPowerShell();
            ps.Run(AutoConsent.Define + "\nReset-McpCredentialStore -CredentialStore Memory -Force\n"
                + "Connect-McpServer $u -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force | Out-Null", Vars()).ThrowIfErrors();
            return ps;
        }

        private Dictionary<string, object?> Vars() => new Dictionary<string, object?> { ["u"] = server.Mcp };

        [Fact]
        public void Get_McpCredential_lists_server_issuer_client_scopes_and_expiry_but_no_secret()
        {
            using HostedPowerShell ps = SignedIn();
            PsResult r = ps.Run("Get-McpCredential -Uri $u -CredentialStore Memory", Vars());
            r.ThrowIfErrors();
            PSObject info = Assert.Single(r.Output);
            Assert.Equal(server.Mcp, info.Properties["Resource"].Value);
            Assert.Equal(server.Issuer, info.Properties["Issuer"].Value);
            Assert.Equal("DynamicRegistration", info.Properties["ClientSource"].Value);
            Assert.Equal("Valid", info.Properties["Status"].Value);
            Assert.True((bool)info.Properties["HasRefreshToken"].Value);
            string token = (string)ps.Run("Get-McpToken -Uri $u -AsPlainText", Vars()).Output.Single().BaseObject;
            string all = string.Join("\n", info.Properties.Select(p => p.Name + "=" + p.Value));
            Assert.DoesNotContain(token, all);
        }

        [Fact]
        public void Remove_McpCredential_revokes_at_the_authorization_server_and_removes_the_record()
        {
            using HostedPowerShell ps = SignedIn();
            int revocations = server.Events().Count(e => (string?)e["type"] == "revocation");
            PsResult r = ps.Run("Remove-McpCredential -Uri $u -CredentialStore Memory -Force; @(Get-McpCredential -Uri $u -CredentialStore Memory).Count", Vars());
            r.ThrowIfErrors();
            Assert.Equal(0, r.Output.Single().BaseObject);
            Assert.True(server.Events().Count(e => (string?)e["type"] == "revocation") > revocations);
        }

        [Fact]
        public void Remove_McpCredential_WhatIf_removes_nothing()
        {
            using HostedPowerShell ps = SignedIn();
            PsResult r = ps.Run("Remove-McpCredential -Uri $u -CredentialStore Memory -WhatIf; @(Get-McpCredential -Uri $u -CredentialStore Memory).Count", Vars());
            r.ThrowIfErrors();
            Assert.Equal(1, r.Output.Single().BaseObject);
        }

        [Fact]
        public void Remove_McpCredential_for_a_server_with_nothing_stored_is_CredentialNotFound()
        {
            using var ps = new HostedPowerShell();
            PsResult r = ps.Run("Remove-McpCredential -Uri 'http://127.0.0.1:9/nothing' -CredentialStore Memory -Force");
            Assert.Equal("CredentialNotFound,McpAuth.Commands.RemoveMcpCredentialCommand", Assert.Single(r.Errors).FullyQualifiedErrorId);
        }

        [Fact]
        public void Reset_McpCredentialStore_deletes_everything_and_live_connections_forget_their_tokens()
        {
            using HostedPowerShell ps = SignedIn();
            PsResult r = ps.Run("Reset-McpCredentialStore -CredentialStore Memory -Force; @(Get-McpCredential -CredentialStore Memory).Count", Vars());
            r.ThrowIfErrors();
            Assert.Equal(0, r.Output.Single().BaseObject);
        }

        [Fact]
        public void Plaintext_storage_is_an_explicit_opt_in_with_a_warning_each_time_and_owner_only_permissions()
        {
            string dir = Path.Combine(Path.GetTempPath(), "mcpauth-plain-" + Guid.NewGuid().ToString("N"));
            Environment.SetEnvironmentVariable("MCPAUTH_STORE_DIR", dir);
            try
            {
                using var ps = new HostedPowerShell();
                PsResult r = ps.Run(AutoConsent.Define + "\nConnect-McpServer $u -AuthorizationHandler $AutoConsent -CredentialStore Plaintext -Force | Out-Null; Get-McpCredential -CredentialStore Plaintext | Out-Null", Vars());
                r.ThrowIfErrors();
                Assert.True(r.Warnings.Count(w => w.Contains("UNENCRYPTED", StringComparison.Ordinal)) >= 2);
                string file = Directory.GetFiles(dir, "*.json", SearchOption.AllDirectories).Single();
                if (!OperatingSystem.IsWindows())
                {
                    Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
                }
            }
            finally
            {
                Environment.SetEnvironmentVariable("MCPAUTH_STORE_DIR", null);
                Directory.Delete(dir, recursive: true);
            }
        }
    }
}
