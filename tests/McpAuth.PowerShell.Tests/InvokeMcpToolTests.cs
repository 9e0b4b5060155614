using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Text.Json.Nodes;
using McpAuth.Testing;
using Xunit;

namespace McpAuth.HostedTests
{
    /// <summary>
    /// Invoke-McpTool, Get-McpTool and Connect-McpServer against the real SDK servers, no auth: each test that
    /// is about the client API runs against a legacy (SDK 1.x, 2025-11-25) and a modern (SDK 2.x, 2026-07-28)
    /// server; the session tests are legacy only.
    /// </summary>
    public class InvokeMcpToolTests : IClassFixture<PublicServerFixture>
    {
        private readonly FixtureServer server;

        public InvokeMcpToolTests(PublicServerFixture fixture)
        {
            server = fixture.Server;
        }

        [Theory]
        [InlineData("legacy", false)]
        [InlineData("legacy", true)]
        [InlineData("modern", false)]
        [InlineData("modern", true)]
        public void Connect_piped_to_Invoke_returns_the_echo(string era, bool json)
        {
            using var ps = new HostedPowerShell();
            string url = server.PublicOf(era, json);
            PsResult r = ps.Run("Connect-McpServer $u | Invoke-McpTool echo @{ message = 'hi' }", new Dictionary<string, object?> { ["u"] = url });
            r.ThrowIfErrors();
            Assert.Equal("hi", Assert.Single(r.Output).BaseObject);
        }

        [Theory]
        [InlineData("legacy")]
        [InlineData("modern")]
        public void Arguments_may_be_an_object_with_properties(string era)
        {
            using var ps = new HostedPowerShell();
            PsResult r = ps.Run("$a = [pscustomobject]@{ message = 'from object' }; Invoke-McpTool -Uri $u -Name echo -Arguments $a", new Dictionary<string, object?> { ["u"] = server.PublicOf(era) });
            r.ThrowIfErrors();
            Assert.Equal("from object", Assert.Single(r.Output).BaseObject);
        }

        [Theory]
        [InlineData("legacy")]
        [InlineData("modern")]
        public void Structured_content_comes_out_as_an_object(string era)
        {
            using var ps = new HostedPowerShell();
            PsResult r = ps.Run("(Invoke-McpTool -Uri $u add @{ a = 2; b = 40 }).sum", new Dictionary<string, object?> { ["u"] = server.PublicOf(era) });
            r.ThrowIfErrors();
            Assert.Equal(42L, Assert.Single(r.Output).BaseObject);
        }

        [Theory]
        [InlineData("legacy")]
        [InlineData("modern")]
        public void Get_McpTool_follows_every_page_of_tools_list(string era)
        {
            using var ps = new HostedPowerShell();
            string url = server.PublicOf(era);
            ps.Run("$null = Connect-McpServer $u -Force", new Dictionary<string, object?> { ["u"] = url }).ThrowIfErrors();
            server.AdminPost("/requests/clear");
            PsResult r = ps.Run("Get-McpTool -Uri $u", new Dictionary<string, object?> { ["u"] = url });
            r.ThrowIfErrors();
            List<string> names = r.Output.Select(o => (string)o.Properties["Name"].Value).ToList();
            Assert.Equal(names.Count, names.Distinct().Count());
            Assert.Contains("echo", names);
            Assert.Contains("t01", names);
            Assert.Contains("t12", names);
            Assert.True(names.Count >= 20, "expected every page, got " + names.Count);

            // The fixture pages by 7, so more than two tools/list requests were made.
            int lists = server.RequestsTo(url).Count(q => (string?)q["rpcMethod"] == "tools/list");
            Assert.True(lists >= 3);
        }

        [Theory]
        [InlineData("legacy")]
        [InlineData("modern")]
        public void Get_McpTool_filters_by_wildcard_and_reports_a_missing_name(string era)
        {
            using var ps = new HostedPowerShell();
            PsResult r = ps.Run("Get-McpTool -Uri $u -Name 'ec*', 'nosuchtool'", new Dictionary<string, object?> { ["u"] = server.PublicOf(era) });
            Assert.Equal("echo", Assert.Single(r.Output).Properties["Name"].Value);
            Assert.Equal("ToolNotFound,McpAuth.Commands.GetMcpToolCommand", Assert.Single(r.Errors).FullyQualifiedErrorId);
        }

        [Theory]
        [InlineData("legacy")]
        [InlineData("modern")]
        public void Get_McpTool_describes_each_tools_arguments(string era)
        {
            using var ps = new HostedPowerShell();
            PsResult r = ps.Run("$t = Get-McpTool -Uri $u -Name add; $t.Parameters -join ','; $t.InputSchema.type", new Dictionary<string, object?> { ["u"] = server.PublicOf(era) });
            r.ThrowIfErrors();
            Assert.Equal("a,b", r.Output[0].BaseObject);
            Assert.Equal("object", r.Output[1].BaseObject);
        }

        [Theory]
        [InlineData("legacy")]
        [InlineData("modern")]
        public void Get_McpTool_pipes_into_Invoke_McpTool_by_property_name(string era)
        {
            using var ps = new HostedPowerShell();
            PsResult r = ps.Run("Get-McpTool -Uri $u -Name echo | Invoke-McpTool -Arguments @{ message = 'piped' }", new Dictionary<string, object?> { ["u"] = server.PublicOf(era) });
            r.ThrowIfErrors();
            Assert.Equal("piped", Assert.Single(r.Output).BaseObject);
        }

        [Theory]
        [InlineData("legacy")]
        [InlineData("modern")]
        public void A_tool_result_with_isError_is_a_non_terminating_error_with_the_tools_message(string era)
        {
            using var ps = new HostedPowerShell();
            PsResult r = ps.Run("Invoke-McpTool -Uri $u fail; 'after'", new Dictionary<string, object?> { ["u"] = server.PublicOf(era) });
            ErrorRecord e = Assert.Single(r.Errors);
            Assert.Equal("ToolError,McpAuth.Commands.InvokeMcpToolCommand", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidResult, e.CategoryInfo.Category);
            Assert.Contains("the tool failed on purpose", e.Exception.Message);
            Assert.Equal("fail", e.TargetObject);
            Assert.Equal("after", Assert.Single(r.Output).BaseObject);
        }

        [Theory]
        [InlineData("legacy")]
        [InlineData("modern")]
        public void Raw_returns_the_whole_result(string era)
        {
            using var ps = new HostedPowerShell();
            PsResult r = ps.Run("Invoke-McpTool -Uri $u fail -Raw", new Dictionary<string, object?> { ["u"] = server.PublicOf(era) });
            r.ThrowIfErrors();
            PSObject o = Assert.Single(r.Output);
            Assert.True((bool)o.Properties["IsError"].Value);
            Assert.Contains("failed on purpose", (string)o.Properties["Text"].Value);
        }

        [Theory]
        [InlineData("legacy", "2025-11-25")]
        [InlineData("modern", "2026-07-28")]
        public void A_warm_call_costs_one_http_request(string era, string version)
        {
            using var ps = new HostedPowerShell();
            var vars = new Dictionary<string, object?> { ["u"] = server.PublicOf(era, json: true) };
            ps.Run("Invoke-McpTool -Uri $u echo @{ message = 'warm up' }", vars).ThrowIfErrors();
            server.AdminPost("/requests/clear");
            PsResult r = ps.Run("Invoke-McpTool -Uri $u echo @{ message = 'again' }", vars);
            r.ThrowIfErrors();
            List<JsonObject> requests = server.Requests();
            JsonObject only = Assert.Single(requests);
            Assert.Equal("tools/call", (string?)only["rpcMethod"]);
            Assert.Equal(version, (string?)only["protocolVersion"]);

            // A legacy server keeps a session; a modern one has none.
            Assert.Equal(era == "legacy", only["sessionId"] is not null);
        }

        [Fact]
        public void A_session_the_server_forgot_is_initialized_again_transparently()
        {
            using var ps = new HostedPowerShell();
            var vars = new Dictionary<string, object?> { ["u"] = server.Public };
            PsResult first = ps.Run("(Connect-McpServer $u -Force).SessionId", vars);
            first.ThrowIfErrors();
            string before = (string)first.Output.Single().BaseObject;
            server.AdminPost("/drop-sessions");
            PsResult r = ps.Run("Invoke-McpTool -Uri $u echo @{ message = 'still here' }; (Get-McpServer -Name $u).SessionId", vars);
            r.ThrowIfErrors();
            Assert.Equal("still here", r.Output[0].BaseObject);
            Assert.NotEqual(before, r.Output[1].BaseObject);
        }

        [Fact]
        public void Disconnect_from_a_modern_server_sends_nothing()
        {
            using var ps = new HostedPowerShell();
            var vars = new Dictionary<string, object?> { ["u"] = server.ModernPublic };
            ps.Run("$null = Connect-McpServer $u -Force", vars).ThrowIfErrors();
            server.AdminPost("/requests/clear");
            PsResult r = ps.Run("Disconnect-McpServer -Uri $u; @(Get-McpServer -Name $u).Count", vars);
            r.ThrowIfErrors();
            Assert.Equal(0, r.Output.Single().BaseObject);
            Assert.Empty(server.RequestsTo(server.ModernPublic));
        }

        [Fact]
        public void Disconnect_deletes_the_session_on_the_server()
        {
            using var ps = new HostedPowerShell();
            var vars = new Dictionary<string, object?> { ["u"] = server.Public };
            PsResult r = ps.Run("$c = Connect-McpServer $u -Force; $c | Disconnect-McpServer; $c.SessionId; $c.IsConnected", vars);
            r.ThrowIfErrors();
            string id = (string)r.Output[0].BaseObject;
            Assert.False((bool)r.Output[1].BaseObject);
            Assert.Contains(server.Requests(), q => (string?)q["method"] == "DELETE" && (string?)q["sessionId"] == id);
        }

        [Theory]
        [InlineData("legacy")]
        [InlineData("modern")]
        public void Tool_progress_becomes_Write_Progress(string era)
        {
            using var ps = new HostedPowerShell();
            PsResult r = ps.Run("Invoke-McpTool -Uri $u progress @{ steps = 3 }", new Dictionary<string, object?> { ["u"] = server.PublicOf(era) });
            r.ThrowIfErrors();
            Assert.Equal("done", Assert.Single(r.Output).BaseObject);
            Assert.Contains(r.Progress, p => p.Activity == "Tool progress" && p.RecordType == ProgressRecordType.Processing);
            Assert.Contains(r.Progress, p => p.RecordType == ProgressRecordType.Completed);
            Assert.True((bool)LastToolCall(server.PublicOf(era))["metaProgressToken"]!);
        }

        [Theory]
        [InlineData("legacy", "$ProgressPreference = 'SilentlyContinue'; Invoke-McpTool -Uri $u progress @{ steps = 3 }", false)]
        [InlineData("modern", "$ProgressPreference = 'SilentlyContinue'; Invoke-McpTool -Uri $u progress @{ steps = 3 }", false)]
        [InlineData("legacy", "Invoke-McpTool -Uri $u progress @{ steps = 3 } -ProgressAction Ignore", false)]
        [InlineData("modern", "$ProgressPreference = 'SilentlyContinue'; Invoke-McpTool -Uri $u progress @{ steps = 3 } -ProgressAction Continue", true)]
        [InlineData("legacy", "$ProgressPreference = 'Continue'; Invoke-McpTool -Uri $u progress @{ steps = 3 }", true)]
        public void A_tool_call_asks_for_progress_only_when_Write_Progress_would_show_it(string era, string script, bool asks)
        {
            using var ps = new HostedPowerShell();
            PsResult r = ps.Run(script, new Dictionary<string, object?> { ["u"] = server.PublicOf(era) });
            r.ThrowIfErrors();
            Assert.Equal("done", Assert.Single(r.Output).BaseObject);
            Assert.Equal(asks, (bool)LastToolCall(server.PublicOf(era))["metaProgressToken"]!);
            Assert.Equal(asks, r.Progress.Any(p => p.Activity == "Tool progress"));
        }

        [Theory]
        [InlineData("legacy")]
        [InlineData("modern")]
        public void Each_tool_call_of_a_connection_sends_a_progress_token_of_its_own_a_number(string era)
        {
            using var ps = new HostedPowerShell();
            string u = server.PublicOf(era);
            PsResult r = ps.Run("Invoke-McpTool -Uri $u echo @{ message = 'a' }; Invoke-McpTool -Uri $u echo @{ message = 'b' }", new Dictionary<string, object?> { ["u"] = u });
            r.ThrowIfErrors();
            JsonNode[] tokens = server.RequestsTo(u).Where(q => (string?)q["rpcMethod"] == "tools/call").TakeLast(2).Select(q => q["progressToken"]!).ToArray();
            Assert.Equal(2, tokens.Length);
            Assert.All(tokens, t => Assert.Equal(System.Text.Json.JsonValueKind.Number, t.GetValueKind()));
            Assert.NotEqual(tokens[0].GetValue<long>(), tokens[1].GetValue<long>());
        }

        private JsonObject LastToolCall(string endpoint) => server.RequestsTo(endpoint).Last(q => (string?)q["rpcMethod"] == "tools/call");

        [Theory]
        [InlineData("legacy")]
        [InlineData("modern")]
        public void Elicitation_in_an_interactive_host_prompts_and_applies_schema_defaults(string era)
        {
            var host = new ScriptedHost();
            host.InputLines.Enqueue("Grace");
            using var ps = new HostedPowerShell(host);
            PsResult r = ps.Run("Invoke-McpTool -Uri $u elicit", new Dictionary<string, object?> { ["u"] = server.PublicOf(era) });
            r.ThrowIfErrors();
            string text = (string)Assert.Single(r.Output).BaseObject;
            JsonObject answer = JsonNode.Parse(text)!.AsObject();
            Assert.Equal("accept", (string?)answer["action"]);
            Assert.Equal("Grace", (string?)answer["content"]!["name"]);
            Assert.Equal(3, (int)answer["content"]!["count"]!);
            Assert.True((bool)answer["content"]!["ok"]!);
            Assert.Contains(host.Shown, s => s.StartsWith("PROMPT:", StringComparison.Ordinal));
        }

        [Theory]
        [InlineData("legacy")]
        [InlineData("modern")]
        public void Elicitation_without_an_interactive_host_is_declined_with_a_warning(string era)
        {
            using var ps = new HostedPowerShell();
            PsResult r = ps.Run("Invoke-McpTool -Uri $u elicit", new Dictionary<string, object?> { ["u"] = server.PublicOf(era) });
            r.ThrowIfErrors();
            JsonObject answer = JsonNode.Parse((string)Assert.Single(r.Output).BaseObject)!.AsObject();
            Assert.Equal("decline", (string?)answer["action"]);
            Assert.Contains(r.Warnings, w => w.Contains("not interactive", StringComparison.Ordinal));
        }

        [Theory]
        [InlineData("legacy")]
        [InlineData("modern")]
        public void Stop_cancels_a_long_tool_call_promptly(string era)
        {
            using var ps = new HostedPowerShell();
            using PowerShell pipeline = ps.Create("Invoke-McpTool -Uri $u slow @{ ms = 60000 }", new Dictionary<string, object?> { ["u"] = server.PublicOf(era) });
            ps.Run("Connect-McpServer $u | Out-Null; $null = Get-McpTool -Uri $u", new Dictionary<string, object?> { ["u"] = server.PublicOf(era) }).ThrowIfErrors();
            IAsyncResult pending = pipeline.BeginInvoke();
            System.Threading.Thread.Sleep(700);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            pipeline.Stop();
            Assert.True(pending.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(10)));
            Assert.Equal(PSInvocationState.Stopped, pipeline.InvocationStateInfo.State);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), "stopping took " + watch.Elapsed);

            if (era == "legacy")
            {
                // The server was told: notifications/cancelled reached it.
                Assert.Contains(server.Requests(), q => (string?)q["rpcMethod"] == "notifications/cancelled");
            }
            else
            {
                // MCP 2026-07-28: closing the response stream is the cancellation; the tool saw it.
                Assert.True(SpinWait.SpinUntil(() => server.Events().Any(e => (string?)e["type"] == "modern.cancelled"), TimeSpan.FromSeconds(10)));
                Assert.DoesNotContain(server.RequestsTo(server.ModernPublic), q => (string?)q["rpcMethod"] == "notifications/cancelled");
            }
        }
    }
}
