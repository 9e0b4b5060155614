using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.Json.Nodes;
using McpAuth.Testing;
using Xunit;

namespace McpAuth.HostedTests
{
    /// <summary>
    /// Tab completion of -Uri, -Name and -Arguments through TabExpansion2 in the real engine, against the
    /// real fixture. The scenarios that sign in run in a fresh pwsh process, so no other test's
    /// connections or memory-store resets can touch them (and the registry starts empty there).
    /// </summary>
    public class CompletionTests : IClassFixture<PublicServerFixture>
    {
        private readonly FixtureServer server;

        public CompletionTests(PublicServerFixture fixture)
        {
            server = fixture.Server;
        }

        [Fact]
        public void Uri_completes_a_live_connection()
        {
            using var ps = new HostedPowerShell();
            ps.Run("$null = Connect-McpServer $u", Vars()).ThrowIfErrors();

            List<CompletionResult> all = Complete(ps, "Invoke-McpTool -Uri ");
            Assert.Contains(all, m => m.CompletionText == server.Public && m.ResultType == CompletionResultType.ParameterValue && m.ToolTip.Contains("Connected: mcpauth-fixture-public"));

            string prefix = server.Public.Substring(0, server.Public.Length - "blic/mcp".Length);
            List<CompletionResult> matched = Complete(ps, "Get-McpTool -Uri " + prefix.ToUpperInvariant());
            Assert.Contains(matched, m => m.CompletionText == server.Public);
            Assert.All(matched, m => Assert.StartsWith(prefix, m.ListItemText, StringComparison.OrdinalIgnoreCase));
            Assert.Equal(matched.Count, matched.Select(m => m.CompletionText).Distinct().Count());
        }

        [Fact]
        public void Uri_matches_without_the_scheme_and_keeps_the_quote_the_user_opened()
        {
            using var ps = new HostedPowerShell();
            ps.Run("$null = Connect-McpServer $u", Vars()).ThrowIfErrors();
            string withoutScheme = server.Public.Substring("http://".Length);

            CompletionResult single = Assert.Single(Complete(ps, "Disconnect-McpServer -Uri '" + withoutScheme.Substring(0, withoutScheme.Length - 2)));
            Assert.Equal("'" + server.Public + "'", single.CompletionText);
            Assert.Equal(server.Public, single.ListItemText);

            CompletionResult dq = Assert.Single(Complete(ps, "Connect-McpServer -Uri \"" + server.Public.Substring(0, server.Public.Length - 2)));
            Assert.Equal("\"" + server.Public + "\"", dq.CompletionText);
        }

        [Fact]
        public void Uri_with_characters_PowerShell_would_parse_is_completed_in_quotes()
        {
            using var ps = new HostedPowerShell();
            string odd = server.PublicJson + "?a=1&b=2";
            ps.Run("$null = Connect-McpServer $u", Vars(odd)).ThrowIfErrors();

            List<CompletionResult> matched = Complete(ps, "Invoke-McpTool -Uri " + server.PublicJson + "?");
            CompletionResult m = Assert.Single(matched);
            Assert.Equal("'" + odd + "'", m.CompletionText);

            // The completed line parses and runs.
            PsResult r = ps.Run("Invoke-McpTool -Uri " + m.CompletionText + " -Name echo -Arguments @{ message = 'quoted' }");
            r.ThrowIfErrors();
            Assert.Equal("quoted", Assert.Single(r.Output).BaseObject);
        }

        [Fact]
        public void Tool_names_complete_after_Connect()
        {
            using var ps = new HostedPowerShell();
            ps.Run("$null = Connect-McpServer $u -Force", Vars()).ThrowIfErrors();

            CompletionResult echo = Assert.Single(Complete(ps, $"Invoke-McpTool -Uri {server.Public} -Name ec"));
            Assert.Equal("echo", echo.CompletionText);
            Assert.Equal("Returns the message.", echo.ToolTip);

            List<CompletionResult> every = Complete(ps, $"Get-McpTool -Uri {server.Public} -Name ");
            Assert.Equal(24, every.Count);
            Assert.Equal(every.Select(m => m.CompletionText).OrderBy(n => n, StringComparer.OrdinalIgnoreCase), every.Select(m => m.CompletionText));
            Assert.Contains(every, m => m.CompletionText == "t12");
        }

        [Fact]
        public void Tool_names_complete_for_a_connection_object_a_positional_name_a_quote_and_a_wildcard()
        {
            using var ps = new HostedPowerShell();
            ps.Run("$c = Connect-McpServer $u", Vars()).ThrowIfErrors();

            Assert.Equal(new[] { "add", "audio" }, Texts(Complete(ps, "Invoke-McpTool -Connection $c -Name a")));
            Assert.Equal(new[] { "add", "audio" }, Texts(Complete(ps, $"Invoke-McpTool -Uri {server.Public} A")));
            List<CompletionResult> quoted = Complete(ps, $"Get-McpTool -Uri {server.Public} -Name 't0");
            Assert.Equal(9, quoted.Count);
            Assert.All(quoted, m => Assert.Matches("^'t0[1-9]'$", m.CompletionText));
            Assert.Equal(new[] { "progress" }, Texts(Complete(ps, $"Invoke-McpTool -Uri {server.Public} -Name *ss")));
            Assert.Equal(new[] { "slow" }, Texts(Complete(ps, $"Get-McpTool -Uri {server.Public} -Name S*W")));
        }

        [Fact]
        public void Tool_names_come_from_the_cached_list_after_the_first_Tab()
        {
            using var ps = new HostedPowerShell();
            ps.Run("$null = Connect-McpServer $u -Force", Vars()).ThrowIfErrors();
            int before = ToolsListRequests();

            Assert.Equal(new[] { "whoami", "write" }, Texts(Complete(ps, $"Invoke-McpTool -Uri {server.Public} -Name w")));
            int afterFirst = ToolsListRequests();
            Assert.True(afterFirst > before, "the first Tab lists the tools");

            Assert.Equal(new[] { "echo", "elicit" }, Texts(Complete(ps, $"Invoke-McpTool -Uri {server.Public} -Name e")));
            Assert.Equal(new[] { "message" }, Complete(ps, $"Invoke-McpTool -Uri {server.Public} -Name echo -Arguments m").Select(m => m.ListItemText));
            Assert.Equal(afterFirst, ToolsListRequests());
        }

        [Fact]
        public void Arguments_complete_a_hashtable_for_echo()
        {
            using var ps = new HostedPowerShell();
            ps.Run("$null = Connect-McpServer $u", Vars()).ThrowIfErrors();

            List<CompletionResult> all = Complete(ps, $"Invoke-McpTool -Uri {server.Public} -Name echo -Arguments ");
            CompletionResult skeleton = Assert.Single(all);
            Assert.Equal("@{ message = '' }", skeleton.CompletionText);
            Assert.Contains("message (string, required)", skeleton.ToolTip);

            CompletionResult byName = Assert.Single(Complete(ps, $"Invoke-McpTool -Uri {server.Public} -Name echo -Arguments MES"));
            Assert.Equal(CompletionResultType.ParameterName, byName.ResultType);
            Assert.Equal("message", byName.ListItemText);
            Assert.Equal("@{ message = '' }", byName.CompletionText);
        }

        [Fact]
        public void Arguments_complete_for_add_with_number_placeholders_and_the_result_runs()
        {
            using var ps = new HostedPowerShell();
            ps.Run("$null = Connect-McpServer $u", Vars()).ThrowIfErrors();

            List<CompletionResult> all = Complete(ps, $"Invoke-McpTool -Uri {server.Public} add ");
            Assert.Equal("@{ a = 0; b = 0 }", all[0].CompletionText);
            Assert.Equal(CompletionResultType.ParameterValue, all[0].ResultType);
            Assert.StartsWith("add: Adds two numbers.", all[0].ToolTip);
            Assert.Equal(new[] { "a", "b" }, all.Where(m => m.ResultType == CompletionResultType.ParameterName).Select(m => m.ListItemText));
            Assert.Equal("@{ b = 0 }", Assert.Single(Complete(ps, $"Invoke-McpTool -Uri {server.Public} -Name add -Arguments b")).CompletionText);
            Assert.Equal(new[] { "@{ a = 0; b = 0 }", "@{ a = 0 }", "@{ b = 0 }" }, Texts(Complete(ps, $"Invoke-McpTool -Uri {server.Public} -Name add -Arguments @")));
            Assert.Equal(new[] { "@{}" }, Texts(Complete(ps, $"Invoke-McpTool -Uri {server.Public} -Name fail -Arguments ")));

            PsResult r = ps.Run($"(Invoke-McpTool -Uri {server.Public} add {all[0].CompletionText}).sum");
            r.ThrowIfErrors();
            Assert.Equal(0L, Assert.Single(r.Output).BaseObject);
        }

        [Fact]
        public void Nothing_is_offered_for_a_server_without_a_live_connection_and_nothing_throws()
        {
            using var ps = new HostedPowerShell();
            string none = "http://127.0.0.1:9/mcp";
            Assert.Empty(Complete(ps, $"Invoke-McpTool -Uri {none} -Name ec"));
            Assert.Empty(Complete(ps, $"Invoke-McpTool -Uri {none} -Name echo -Arguments "));
            Assert.Empty(Complete(ps, "Invoke-McpTool -Uri ftp://example.com/x -Name ec"));
            Assert.Empty(Complete(ps, "Invoke-McpTool -Uri http://example.com/remote-plain-http -Name echo -Arguments "));
            Assert.Empty(Complete(ps, "Invoke-McpTool -Uri http://xn--broken-name-/ -Name echo -Arguments @"));

            // Completion made no connection to answer.
            PsResult live = ps.Run("@(Get-McpServer | Where-Object { $_.ServerUri.Port -eq 9 }).Count");
            live.ThrowIfErrors();
            Assert.Equal(0, Assert.Single(live.Output).BaseObject);
        }

        [Fact]
        public void A_fresh_process_with_no_connection_completes_nothing_without_errors()
        {
            string cwd = Directory.CreateTempSubdirectory("mcpauth-completion-").FullName;
            try
            {
                ProcessResult run = McpAuthHost.Run(
                    CompleteFunction
                    + "Complete uri 'Invoke-McpTool -Uri '\n"
                    + "Complete name 'Invoke-McpTool -Name '\n"
                    + "Complete args 'Invoke-McpTool -Name echo -Arguments '\n"
                    + "Complete cred 'Get-McpCredential -Uri '\n"
                    + "'done'",
                    new Dictionary<string, string?> { ["MCPAUTH_CREDENTIAL_STORE"] = "keychain" },
                    workingDirectory: cwd);
                Assert.True(run.ExitCode == 0, run.ToString());
                Dictionary<string, List<string[]>> r = Parse(run.StdOut);
                Assert.Empty(r["uri"]);
                Assert.Empty(r["name"]);
                Assert.Empty(r["args"]);
                Assert.Empty(r["cred"]);
                Assert.EndsWith("done", run.StdOut.Trim());
            }
            finally
            {
                Directory.Delete(cwd, recursive: true);
            }
        }

        [Fact]
        public void Stored_credentials_complete_and_disconnect_offers_live_connections_only()
        {
            ProcessResult run = McpAuthHost.Run(
                AutoConsent.Define
                + CompleteFunction
                + $"$null = Connect-McpServer {server.Mcp} -AuthorizationHandler $AutoConsent -CredentialStore Memory\n"
                + $"Complete signedin 'Invoke-McpTool -Uri {server.Mcp} -Name wh'\n"
                + $"Disconnect-McpServer -Uri {server.Mcp}\n"
                + "Complete connect 'Connect-McpServer -Uri '\n"
                + "Complete cred 'Get-McpCredential -CredentialStore Memory -Uri '\n"
                + "Complete keychain 'Get-McpCredential -CredentialStore Keychain -Uri '\n"
                + "Complete disconnect 'Disconnect-McpServer -Uri '\n",
                new Dictionary<string, string?> { ["MCPAUTH_CREDENTIAL_STORE"] = "memory" });
            Assert.True(run.ExitCode == 0, run.ToString());
            Dictionary<string, List<string[]>> r = Parse(run.StdOut);

            // A connection signed in through a handler lists its tools with the token it holds.
            Assert.Equal(new[] { "whoami" }, r["signedin"].Select(m => m[0]));

            string[] stored = Assert.Single(r["connect"]);
            Assert.Equal(server.Mcp, stored[0]);
            Assert.Contains("Stored credential from " + server.Issuer, stored[3]);
            Assert.Equal(server.Mcp, Assert.Single(r["cred"])[0]);
            Assert.Empty(r["keychain"]);
            Assert.Empty(r["disconnect"]);
        }

        [Fact]
        public void Completion_never_starts_a_sign_in()
        {
            // Client credentials could sign in silently, so a connection whose token was removed must offer
            // nothing rather than ask the authorization server for a new one; a browser connection likewise.
            ProcessResult run = McpAuthHost.Run(
                AutoConsent.Define
                + CompleteFunction
                + "function global:Log { [System.Net.Http.HttpClient]::new().GetStringAsync($admin + '/log').GetAwaiter().GetResult() }\n"
                + "$s = [System.Net.NetworkCredential]::new('', 'fixture-secret-1234567890').SecurePassword\n"
                + $"$null = Connect-McpServer {server.Mcp} -ClientCredentials -ClientId mcpauth-machine -ClientSecret $s -CredentialStore Memory -Force\n"
                + "'LOG1 ' + (Log)\n"
                + $"Complete machine 'Invoke-McpTool -Uri {server.Mcp} -Name wh'\n"
                + $"Remove-McpCredential -Uri {server.Mcp} -CredentialStore Memory -NoRevoke -Force\n"
                + $"$null = Connect-McpServer {server.Mcp} -ClientCredentials -ClientId mcpauth-machine -ClientSecret $s -CredentialStore Memory -Force\n"
                + $"Remove-McpCredential -Uri {server.Mcp} -CredentialStore Memory -NoRevoke -Force\n"
                + "'LOG2 ' + (Log)\n"
                + $"Complete machinegone 'Invoke-McpTool -Uri {server.Mcp} -Name wh'\n"
                + $"Complete machinegoneargs 'Invoke-McpTool -Uri {server.Mcp} -Name whoami -Arguments '\n"
                + "'LOG3 ' + (Log)\n"
                + $"$null = Connect-McpServer {server.Mcp} -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force\n"
                + $"Disconnect-McpServer -Uri {server.Mcp}\n"
                + $"$null = Connect-McpServer {server.Mcp} -CredentialStore Memory\n"
                + $"Remove-McpCredential -Uri {server.Mcp} -CredentialStore Memory -NoRevoke -Force\n"
                + "'LOG4 ' + (Log)\n"
                + $"Complete browsergone 'Invoke-McpTool -Uri {server.Mcp} -Name wh'\n"
                + "'LOG5 ' + (Log)\n",
                new Dictionary<string, string?> { ["MCPAUTH_CREDENTIAL_STORE"] = "memory", ["MCPAUTH_ADMIN"] = server.Admin },
                prelude: "$admin = $env:MCPAUTH_ADMIN\n");
            Assert.True(run.ExitCode == 0, run.ToString());
            Dictionary<string, List<string[]>> r = Parse(run.StdOut);

            // With a token: listed in a side session that only presents it; no grant while completing.
            Assert.Equal(new[] { "whoami" }, r["machine"].Select(m => m[0]));
            Assert.Equal(SignInEvents(Log(run, "LOG1")), SignInEvents(Log(run, "LOG2")) - 1);

            // Without one: nothing, and no grant, authorization request, registration or device request.
            Assert.Empty(r["machinegone"]);
            Assert.Empty(r["machinegoneargs"]);
            Assert.Equal(SignInEvents(Log(run, "LOG2")), SignInEvents(Log(run, "LOG3")));
            Assert.Empty(r["browsergone"]);
            Assert.Equal(SignInEvents(Log(run, "LOG4")), SignInEvents(Log(run, "LOG5")));
        }

        private const string CompleteFunction = @"
function global:Complete([string] $label, [string] $line) {
    $r = TabExpansion2 -inputScript $line -cursorColumn $line.Length
    '#' + $label
    foreach ($m in $r.CompletionMatches) {
        '=' + (@($m.CompletionText, $m.ListItemText, $m.ResultType, ($m.ToolTip -replace ""`r?`n"", ' | ')) -join ""`t"")
    }
}
";

        private static Dictionary<string, List<string[]>> Parse(string stdout)
        {
            var result = new Dictionary<string, List<string[]>>(StringComparer.Ordinal);
            List<string[]>? current = null;
            foreach (string line in stdout.Split('\n'))
            {
                string l = line.TrimEnd('\r');
                if (l.StartsWith('#'))
                {
                    current = result[l.Substring(1)] = new List<string[]>();
                }
                else if (l.StartsWith('=') && current is not null)
                {
                    current.Add(l.Substring(1).Split('\t'));
                }
            }

            return result;
        }

        private static JsonObject Log(ProcessResult run, string marker)
        {
            string line = run.StdOut.Split('\n').Single(l => l.StartsWith(marker + " ", StringComparison.Ordinal));
            return JsonNode.Parse(line.Substring(marker.Length + 1))!.AsObject();
        }

        // Every event of the authorization server that a sign-in (of any kind) produces.
        private static int SignInEvents(JsonObject log) => log["events"]!.AsArray().Count(e =>
            (string?)e!["type"] is "grant.success" or "grant.error" or "authorization.request" or "registration" or "device_authorization");

        private static List<CompletionResult> Complete(HostedPowerShell ps, string line)
        {
            PsResult r = ps.Run("TabExpansion2 -inputScript $line -cursorColumn $line.Length", new Dictionary<string, object?> { ["line"] = line });
            r.ThrowIfErrors();
            var completion = (CommandCompletion)Assert.Single(r.Output).BaseObject;
            return completion.CompletionMatches.ToList();
        }

        private static string[] Texts(IEnumerable<CompletionResult> matches) => matches.Select(m => m.CompletionText).ToArray();

        private int ToolsListRequests() => server.Requests().Count(q => (string?)q["rpcMethod"] == "tools/list");

        private Dictionary<string, object?> Vars(string? url = null) => new Dictionary<string, object?> { ["u"] = url ?? server.Public };
    }
}
