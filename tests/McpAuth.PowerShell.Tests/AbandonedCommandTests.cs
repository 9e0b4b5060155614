using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using McpAuth.Testing;
using Xunit;

namespace McpAuth.HostedTests
{
    /// <summary>
    /// A command that fails before its engine work ended leaves nothing running (issue #11, 4): a
    /// Connect-McpServer stopped by -WarningAction Stop on the plaintext warning used to go on signing in in the
    /// background, holding the process-wide connect lock until its sign-in timeout, so the next command (even to
    /// another server) waited for it.
    /// </summary>
    public class AbandonedCommandTests : IClassFixture<PublicServerFixture>
    {
        private readonly FixtureServer server;

        public AbandonedCommandTests(PublicServerFixture fixture)
        {
            server = fixture.Server;
        }

        [Theory]
        [InlineData("the same server")]
        [InlineData("another server")]
        public void A_failed_sign_in_leaves_nothing_behind_that_blocks_the_next_command(string next)
        {
            string dir = Path.Combine(Path.GetTempPath(), "mcpauth-abandon-" + Guid.NewGuid().ToString("N"));
            Environment.SetEnvironmentVariable("MCPAUTH_STORE_DIR", dir);
            try
            {
                using var ps = new HostedPowerShell();
                ps.Run(AutoConsent.Define + "\nReset-McpCredentialStore -CredentialStore Memory -Force").ThrowIfErrors();
                var vars = new Dictionary<string, object?> { ["u"] = server.Mcp, ["public"] = server.ModernPublic };

                // The sign-in would wait ten minutes for a callback nobody sends once the command has failed.
                PsResult failed = ps.Run("Connect-McpServer $u -AuthorizationHandler $AutoConsent -CredentialStore Plaintext -SignInTimeoutSec 600 -WarningAction Stop -Force", vars);
                Assert.Contains(failed.ErrorIds, id => id.Contains("ActionPreferenceStop", StringComparison.Ordinal));

                string script = next == "the same server"
                    ? "Connect-McpServer $u -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force | Invoke-McpTool whoami"
                    : "Connect-McpServer $public -CredentialStore Memory -Force | Get-McpTool";
                using PowerShell second = ps.Create(script, vars);
                IAsyncResult running = second.BeginInvoke();

                // Not a timing target: a held lock would keep it waiting for the rest of the ten minutes.
                bool ended = running.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(90));
                if (!ended)
                {
                    second.Stop();
                }

                Assert.True(ended, $"the next command to {next} waited for the failed command's sign-in");
                PSDataCollection<PSObject> output = second.EndInvoke(running);
                Assert.False(second.HadErrors, string.Join("\n", second.Streams.Error.Select(e => e.ToString())));
                Assert.NotEmpty(output);
            }
            finally
            {
                Environment.SetEnvironmentVariable("MCPAUTH_STORE_DIR", null);
                if (Directory.Exists(dir))
                {
                    Directory.Delete(dir, recursive: true);
                }
            }
        }
    }
}
