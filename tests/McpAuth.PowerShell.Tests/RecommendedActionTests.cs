using System;
using System.Collections.Generic;
using System.Management.Automation;
using McpAuth.Testing;
using Xunit;

namespace McpAuth.HostedTests
{
    /// <summary>An authorization server that allows no dynamic registration (fixture --no-dcr).</summary>
    public sealed class NoRegistrationFixture : IDisposable
    {
        public FixtureServer Server { get; } = new FixtureServer("--no-dcr");

        public void Dispose() => Server.Dispose();
    }

    /// <summary>
    /// The engine says what happened and what to do in words; the cmdlet layer adds the PowerShell command, in
    /// ErrorDetails.RecommendedAction and at the end of the message PowerShell shows.
    /// </summary>
    public sealed class RecommendedActionTests : IClassFixture<NoRegistrationFixture>
    {
        private readonly FixtureServer server;

        public RecommendedActionTests(NoRegistrationFixture fixture)
        {
            server = fixture.Server;
        }

        [Fact]
        public void A_server_that_registers_no_clients_names_the_parameters_of_a_pre_registered_client()
        {
            using var ps = new HostedPowerShell();
            PsResult r = ps.Run(
                AutoConsent.Define + "\nConnect-McpServer $u -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force",
                new Dictionary<string, object?> { ["u"] = server.Mcp });

            ErrorRecord e = Assert.Single(r.Errors);
            Assert.Equal("ClientIdentityRequired,McpAuth.Commands.ConnectMcpServerCommand", e.FullyQualifiedErrorId);
            Assert.DoesNotContain("-ClientId", e.Exception.Message, StringComparison.Ordinal);
            Assert.StartsWith("Connect-McpServer -Uri ", e.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
            Assert.Contains("-ClientId <client id>", e.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
            Assert.StartsWith(e.Exception.Message, e.ErrorDetails.Message, StringComparison.Ordinal);
            Assert.EndsWith(e.ErrorDetails.RecommendedAction, e.ErrorDetails.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Removing_a_credential_that_is_not_stored_is_CredentialNotFound_from_the_engine()
        {
            using var ps = new HostedPowerShell();
            PsResult r = ps.Run("Remove-McpCredential -Uri $u -CredentialStore Memory -Force", new Dictionary<string, object?> { ["u"] = server.Mcp });

            ErrorRecord e = Assert.Single(r.Errors);
            Assert.Equal("CredentialNotFound,McpAuth.Commands.RemoveMcpCredentialCommand", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
            Assert.Contains(server.Mcp, e.Exception.Message, StringComparison.Ordinal);
        }
    }
}
