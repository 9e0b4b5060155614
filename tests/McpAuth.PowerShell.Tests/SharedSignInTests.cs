using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using McpAuth.Testing;
using Xunit;

namespace McpAuth.HostedTests
{
    /// <summary>
    /// One sign-in for many processes and runspaces on one machine, against the fixture and the real keyring: the
    /// first signs in, the others wait and use its credential; a waiter takes over from a sign-in whose process
    /// died; a wait that runs out is a typed error naming the command to run.
    /// </summary>
    public sealed class SharedSignInTests : IClassFixture<PublicServerFixture>, IDisposable
    {
        // A handler that consents like a person who takes a few seconds: long enough for the others to arrive.
        private const string SlowConsent = "$SlowConsent = { param([uri] $url) [System.Threading.Thread]::Sleep(4000); & $global:AutoConsent $url }";

        private readonly FixtureServer server;
        private readonly PrivateKeyring keyring = PrivateKeyring.Start();
        private readonly string storeDir = Path.Combine(Path.GetTempPath(), "mcpauth-shared-" + Guid.NewGuid().ToString("N"));
        private readonly List<Process> started = new();

        public SharedSignInTests(PublicServerFixture fixture)
        {
            server = fixture.Server;
            server.AdminPost("/consent", new { mode = "allow" });
        }

        public void Dispose()
        {
            foreach (Process p in started)
            {
                if (!p.HasExited)
                {
                    p.Kill(entireProcessTree: true);
                }

                p.Dispose();
            }

            keyring.Dispose();
            try
            {
                Directory.Delete(storeDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        [Fact]
        public void Three_processes_started_together_sign_in_once_and_all_get_their_tool_result()
        {
            int registrations = Registrations();
            int authorizations = AuthorizationRequests();

            List<Running> runs = Enumerable.Range(0, 3)
                .Select(_ => Start(AutoConsent.Define + "\n" + SlowConsent + $"\nConnect-McpServer '{server.Mcp}' -AuthorizationHandler $SlowConsent | Invoke-McpTool whoami"))
                .ToList();

            foreach (Running run in runs)
            {
                Assert.True(run.Process.WaitForExit(120_000), "a process did not finish");
                run.Process.WaitForExit();
                Assert.True(run.Process.ExitCode == 0, run.Error);
                Assert.Contains("alice", run.Output);
            }

            Assert.Equal(registrations + 1, Registrations());
            Assert.Equal(authorizations + 1, AuthorizationRequests());
            Assert.Contains(runs, r => r.Error.Contains("Waiting for the sign-in to", StringComparison.Ordinal));
            Assert.Equal("1", StoredCount());
        }

        [Fact]
        public void When_the_process_signing_in_is_killed_a_waiter_takes_over_and_one_credential_is_stored()
        {
            int registrations = Registrations();
            string marker = Path.Combine(storeDir + "-marker");
            string stuck = $"$Stuck = {{ param([uri] $url) [System.IO.File]::WriteAllText('{marker}', 'signing in'); [System.Threading.Thread]::Sleep(600000) }}";
            Running first = Start(AutoConsent.Define + "\n" + stuck + $"\nConnect-McpServer '{server.Mcp}' -AuthorizationHandler $Stuck | Invoke-McpTool whoami");
            WaitUntil(() => File.Exists(marker), "the first process never reached its authorization handler: " + first.Error);

            Running waiter = Start(AutoConsent.Define + $"\nConnect-McpServer '{server.Mcp}' -AuthorizationHandler $AutoConsent -SignInTimeoutSec 300 | Invoke-McpTool whoami");
            WaitUntil(() => waiter.Error.Contains("Waiting for the sign-in to", StringComparison.Ordinal), "the second process did not wait: " + waiter.Error);
            first.Process.Kill();
            var sinceKill = Stopwatch.StartNew();

            Assert.True(waiter.Process.WaitForExit(120_000), "the waiter did not finish");
            waiter.Process.WaitForExit();
            Assert.True(waiter.Process.ExitCode == 0, waiter.Error);
            Assert.Contains("alice", waiter.Output);
            Assert.Contains("this one does it now", waiter.Error, StringComparison.Ordinal);

            // It took over at once, long before its own 300 s sign-in timeout.
            Assert.True(sinceKill.Elapsed < TimeSpan.FromSeconds(60), $"took {sinceKill.Elapsed} after the kill");
            Assert.Equal("1", StoredCount());
            Assert.Equal(registrations + 1, Registrations());
            File.Delete(marker);
        }

        [Fact]
        public void A_wait_that_outlasts_the_sign_in_timeout_is_a_typed_error_naming_the_command()
        {
            string marker = Path.Combine(storeDir + "-marker");
            string stuck = $"$Stuck = {{ param([uri] $url) [System.IO.File]::WriteAllText('{marker}', 'signing in'); [System.Threading.Thread]::Sleep(600000) }}";
            Running first = Start(AutoConsent.Define + "\n" + stuck + $"\nConnect-McpServer '{server.Mcp}' -AuthorizationHandler $Stuck | Out-Null");
            WaitUntil(() => File.Exists(marker), "the first process never reached its authorization handler: " + first.Error);

            (int code, string _, string error) = HostProcess.Run(AutoConsent.Define + $"\nConnect-McpServer '{server.Mcp}' -AuthorizationHandler $AutoConsent -SignInTimeoutSec 5", Environment());

            Assert.NotEqual(0, code);
            Assert.Contains("SignInWaitTimedOut", error, StringComparison.Ordinal);
            Assert.Contains($"Connect-McpServer -Uri {server.Mcp}", error, StringComparison.Ordinal);
            first.Process.Kill();
            File.Delete(marker);
        }

        [Fact]
        public void Twenty_runspaces_of_one_process_sign_in_once()
        {
            int authorizations = AuthorizationRequests();
            string script = "$defineText = @'\n" + AutoConsent.Define + "\n'@\n" + $@"
$iss = [System.Management.Automation.Runspaces.InitialSessionState]::CreateDefault2()
$iss.ImportPSModule((Get-Module McpAuth).Path)
$pool = [System.Management.Automation.Runspaces.RunspaceFactory]::CreateRunspacePool(1, 20, $iss, $Host)
$pool.Open()
$calls = foreach ($i in 1..20) {{
    $ps = [System.Management.Automation.PowerShell]::Create()
    $ps.RunspacePool = $pool
    $null = $ps.AddScript({{
        param($u, $define)
        . ([scriptblock]::Create($define))
        $slow = {{ param([uri] $url) [System.Threading.Thread]::Sleep(4000); & $global:AutoConsent $url }}
        Connect-McpServer $u -AuthorizationHandler $slow -Force | Invoke-McpTool whoami
    }}).AddArgument('{server.Mcp}').AddArgument($defineText)
    [pscustomobject]@{{ PowerShell = $ps; Async = $ps.BeginInvoke() }}
}}
foreach ($c in $calls) {{
    foreach ($line in $c.PowerShell.EndInvoke($c.Async)) {{ 'result ' + $line }}
    foreach ($e in $c.PowerShell.Streams.Error) {{ 'error ' + $e.FullyQualifiedErrorId }}
    $c.PowerShell.Dispose()
}}
$pool.Close()
$pool.Dispose()
";

            (int code, string output, string error) = HostProcess.Run(script, Environment(), timeoutSeconds: 180);

            Assert.True(code == 0, error + output);
            string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.DoesNotContain(lines, l => l.StartsWith("error ", StringComparison.Ordinal));
            Assert.Equal(20, lines.Count(l => l.StartsWith("result ", StringComparison.Ordinal) && l.Contains("alice", StringComparison.Ordinal)));
            Assert.Equal(authorizations + 1, AuthorizationRequests());
        }

        private Dictionary<string, string?> Environment()
        {
            Dictionary<string, string?> env = keyring.Environment(storeDir);
            env["MCPAUTH_NONINTERACTIVE"] = "1";
            env["MCPAUTH_ALLOW_PLAINTEXT_STORAGE"] = null;
            return env;
        }

        private Running Start(string script)
        {
            var run = new Running(HostProcess.Start(script, Environment()));
            started.Add(run.Process);
            return run;
        }

        private string StoredCount()
        {
            (int code, string output, string error) = HostProcess.Run("@(Get-McpCredential).Count", Environment());
            Assert.True(code == 0, error);
            return output.Trim();
        }

        private int Registrations() => server.Events().Count(e => (string?)e["type"] == "registration");

        private int AuthorizationRequests() => (int)server.AdminGet("/log")["authorizationRequests"]!;

        private static void WaitUntil(Func<bool> condition, string what)
        {
            var watch = Stopwatch.StartNew();
            while (!condition())
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(90), what);
                Thread.Sleep(100);
            }
        }

        /// <summary>A started process whose output is collected as it comes.</summary>
        private sealed class Running
        {
            private readonly ConcurrentQueue<string> output = new();
            private readonly ConcurrentQueue<string> error = new();

            public Running(Process process)
            {
                Process = process;
                process.OutputDataReceived += (_, e) => Add(output, e.Data, process.Id, "stdout");
                process.ErrorDataReceived += (_, e) => Add(error, e.Data, process.Id, "stderr");
                process.BeginOutputReadLine();
                process.BeginErrorReadLine();
            }

            public Process Process { get; }

            public string Output => string.Join("\n", output);

            public string Error => string.Join("\n", error);

            private static void Add(ConcurrentQueue<string> lines, string? line, int processId, string stream)
            {
                if (line is not null)
                {
                    lines.Enqueue(line);
                    TestOutputLog.Line(processId, stream, line);
                }
            }
        }
    }
}
