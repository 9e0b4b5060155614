using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Text;
using System.Text.Json.Nodes;
using McpAuth.Testing;
using Xunit;

namespace McpAuth.HostedTests
{
    /// <summary>
    /// MCP 2026-07-28 against the fixture's modern servers (SDK 2.x), no auth: per-request metadata and
    /// headers, x-mcp-header, tools/list caching, log levels, URL-mode elicitation, era detection with the
    /// legacy fallback, and hostile modern servers (each a typed error within the timeout).
    /// </summary>
    public class ModernProtocolTests : IClassFixture<PublicServerFixture>
    {
        private readonly FixtureServer server;

        public ModernProtocolTests(PublicServerFixture fixture)
        {
            server = fixture.Server;
        }

        private static Dictionary<string, object?> Vars(string url) => new Dictionary<string, object?> { ["u"] = url };

        private PsResult Run(string script, string url, PSHost? host = null)
        {
            using var ps = new HostedPowerShell(host);
            return ps.Run(script, Vars(url));
        }

        [Theory]
        [InlineData("legacy", "Legacy", "2025-11-25")]
        [InlineData("modern", "Modern", "2026-07-28")]
        public void Get_McpServer_shows_the_negotiated_version_and_era(string era, string expectedEra, string version)
        {
            PsResult r = Run("$null = Connect-McpServer $u -Force; $s = Get-McpServer -Name $u; $s.Era; $s.ProtocolVersion; $null -eq $s.SessionId; $s.Name", server.PublicOf(era));
            r.ThrowIfErrors();
            Assert.Equal(expectedEra, r.Output[0].BaseObject);
            Assert.Equal(version, r.Output[1].BaseObject);
            Assert.Equal(era == "modern", r.Output[2].BaseObject);
            Assert.StartsWith("mcpauth-fixture-", (string)r.Output[3].BaseObject);
        }

        [Fact]
        public void Every_modern_request_carries_its_version_in_meta_and_the_standard_headers()
        {
            server.AdminPost("/requests/clear");
            PsResult r = Run("Connect-McpServer $u -Force | Invoke-McpTool echo @{ message = 'hi' }", server.ModernPublic);
            r.ThrowIfErrors();
            Assert.Equal("hi", r.Output.Single().BaseObject);
            List<JsonObject> requests = server.RequestsTo(server.ModernPublic);
            Assert.Equal("server/discover", (string?)requests[0]["rpcMethod"]);
            Assert.All(requests, q =>
            {
                Assert.Equal("2026-07-28", (string?)q["protocolVersion"]);
                Assert.Equal("2026-07-28", (string?)q["metaProtocolVersion"]);
                Assert.Equal((string?)q["rpcMethod"], (string?)q["mcpMethod"]);
                Assert.Null((string?)q["sessionId"]);
            });
            Assert.DoesNotContain(requests, q => (string?)q["rpcMethod"] == "initialize");
            Assert.Equal("echo", (string?)requests.Single(q => (string?)q["rpcMethod"] == "tools/call")["mcpName"]);

            // Each request has an id of its own.
            Assert.Equal(requests.Count, requests.Select(q => q["rpcId"]!.ToJsonString()).Distinct().Count());
        }

        [Fact]
        public void A_tool_name_that_is_not_ascii_travels_Base64_encoded_in_Mcp_Name()
        {
            server.AdminPost("/requests/clear");
            PsResult r = Run("Invoke-McpTool -Uri $u 'grüße'", server.ModernPublic);
            r.ThrowIfErrors();
            Assert.Equal("hallo", r.Output.Single().BaseObject);
            JsonObject call = server.RequestsTo(server.ModernPublic).Single(q => (string?)q["rpcMethod"] == "tools/call");
            Assert.Equal("=?base64?" + Convert.ToBase64String(Encoding.UTF8.GetBytes("grüße")) + "?=", (string?)call["mcpName"]);
        }

        [Theory]
        [InlineData("eu-west-1", "eu-west-1")]
        [InlineData("eu west", "eu west")]
        [InlineData("München", "=?base64?TcO8bmNoZW4=?=")]
        [InlineData(" padded", "=?base64?IHBhZGRlZA==?=")]
        public void Arguments_marked_x_mcp_header_are_mirrored_into_Mcp_Param_headers(string region, string header)
        {
            PsResult r = Run($"Invoke-McpTool -Uri $u headers @{{ region = '{region}'; priority = 7; note = 'not mirrored' }}", server.ModernPublic);
            r.ThrowIfErrors();
            JsonObject seen = JsonNode.Parse((string)r.Output.Single().BaseObject)!.AsObject();
            Assert.Equal(header, (string?)seen["region"]);
            Assert.Equal("7", (string?)seen["priority"]);
            Assert.False(seen.ContainsKey("note"));
        }

        [Fact]
        public void A_stale_tool_definition_is_read_again_after_a_HeaderMismatch_and_the_call_is_retried_once()
        {
            using var ps = new HostedPowerShell();
            var vars = Vars(server.ModernPublic);
            ps.Run("$null = Connect-McpServer $u -Force; $null = Get-McpTool -Uri $u", vars).ThrowIfErrors();
            server.AdminPost("/modern", new { regionHeader = "Zone" });
            try
            {
                server.AdminPost("/requests/clear");
                PsResult r = ps.Run("Invoke-McpTool -Uri $u headers @{ region = 'eu' } -Verbose", vars);
                r.ThrowIfErrors();
                Assert.Equal("eu", (string?)JsonNode.Parse((string)r.Output.Single().BaseObject)!["zone"]);
                List<string?> methods = server.RequestsTo(server.ModernPublic).Select(q => (string?)q["rpcMethod"]).ToList();
                Assert.Equal("tools/call", methods.First());
                Assert.Equal("tools/call", methods.Last());
                Assert.Contains("tools/list", methods);
                Assert.Contains(r.Verbose, v => v.Contains("do not match", StringComparison.Ordinal));
            }
            finally
            {
                server.AdminPost("/modern", new { regionHeader = "Region" });
            }
        }

        [Fact]
        public void A_tools_list_is_reused_while_its_ttlMs_says_it_is_fresh()
        {
            using var ps = new HostedPowerShell();
            var vars = Vars(server.ModernPublic);
            int Lists() => server.RequestsTo(server.ModernPublic).Count(q => (string?)q["rpcMethod"] == "tools/list");
            try
            {
                ps.Run("$null = Connect-McpServer $u -Force", vars).ThrowIfErrors();
                server.AdminPost("/requests/clear");
                ps.Run("$null = Get-McpTool -Uri $u", vars).ThrowIfErrors();
                int first = Lists();
                Assert.True(first >= 4, "every page is read: " + first);
                ps.Run("$null = Get-McpTool -Uri $u; $null = Invoke-McpTool -Uri $u echo @{ message = 'x' }", vars).ThrowIfErrors();
                Assert.Equal(first, Lists());

                // ttlMs 0: stale at once, so every listing asks the server again.
                server.AdminPost("/modern", new { toolsTtlMs = 0 });
                ps.Run("$null = Connect-McpServer $u -Force; $null = Get-McpTool -Uri $u; $null = Get-McpTool -Uri $u", vars).ThrowIfErrors();
                Assert.Equal(first * 3, Lists());
            }
            finally
            {
                server.AdminPost("/modern", new { toolsTtlMs = 60000 });
            }
        }

        [Fact]
        public void Verbose_and_Debug_set_the_log_level_and_server_messages_become_verbose_and_debug_output()
        {
            using var ps = new HostedPowerShell();
            var vars = Vars(server.ModernPublic);
            ps.Run("$null = Get-McpTool -Uri $u", vars).ThrowIfErrors();
            JsonObject LastCall() => server.RequestsTo(server.ModernPublic).Last(q => (string?)q["rpcMethod"] == "tools/call");

            PsResult quiet = ps.Run("Invoke-McpTool -Uri $u log", vars);
            quiet.ThrowIfErrors();
            Assert.Null((string?)LastCall()["metaLogLevel"]);
            Assert.DoesNotContain(quiet.Verbose.Concat(quiet.Debug), m => m.Contains("from the fixture", StringComparison.Ordinal));

            PsResult verbose = ps.Run("Invoke-McpTool -Uri $u log -Verbose", vars);
            verbose.ThrowIfErrors();
            Assert.Equal("info", (string?)LastCall()["metaLogLevel"]);
            Assert.Contains(verbose.Verbose, m => m.Contains("info message from the fixture", StringComparison.Ordinal));
            Assert.DoesNotContain(verbose.Verbose.Concat(verbose.Debug), m => m.Contains("debug message from the fixture", StringComparison.Ordinal));

            PsResult debug = ps.Run("$DebugPreference = 'Continue'; Invoke-McpTool -Uri $u log", vars);
            debug.ThrowIfErrors();
            Assert.Equal("debug", (string?)LastCall()["metaLogLevel"]);
            Assert.Contains(debug.Debug, m => m.Contains("debug message from the fixture", StringComparison.Ordinal));
        }

        [Theory]
        [InlineData("", "accept")]
        [InlineData("no", "decline")]
        public void A_url_mode_elicitation_shows_the_site_and_asks_for_consent_through_the_host(string answer, string action)
        {
            var host = new ScriptedHost();
            host.InputLines.Enqueue(answer);
            PsResult r = Run("Invoke-McpTool -Uri $u elicit-url", server.ModernPublic, host);
            r.ThrowIfErrors();
            Assert.Equal(action, (string?)JsonNode.Parse((string)r.Output.Single().BaseObject)!["action"]);
            string prompt = Assert.Single(host.Shown, s => s.StartsWith("PROMPT:", StringComparison.Ordinal));
            Assert.Contains("page on 127.0.0.1", prompt);
            Assert.Contains("/modern/page", prompt);
        }

        [Fact]
        public void A_url_mode_elicitation_without_an_interactive_host_is_declined_with_a_warning()
        {
            PsResult r = Run("Invoke-McpTool -Uri $u elicit-url", server.ModernPublic);
            r.ThrowIfErrors();
            Assert.Equal("decline", (string?)JsonNode.Parse((string)r.Output.Single().BaseObject)!["action"]);
            Assert.Contains(r.Warnings, w => w.Contains("/modern/page", StringComparison.Ordinal) && w.Contains("not interactive", StringComparison.Ordinal));
        }

        [Fact]
        public void A_legacy_server_answers_the_modern_probe_with_an_error_and_gets_the_handshake_then_its_era_is_remembered()
        {
            using var ps = new HostedPowerShell();
            var vars = Vars(server.Public);
            server.AdminPost("/requests/clear");
            ps.Run("$null = Connect-McpServer $u -Force", vars).ThrowIfErrors();
            List<JsonObject> probe = server.RequestsTo(server.Public);
            Assert.Equal("server/discover", (string?)probe[0]["rpcMethod"]);
            Assert.Equal("initialize", (string?)probe[1]["rpcMethod"]);

            // A new connection in the same process goes straight to the handshake.
            server.AdminPost("/requests/clear");
            PsResult r = ps.Run("Disconnect-McpServer -Uri $u; Invoke-McpTool -Uri $u echo @{ message = 'again' }", vars);
            r.ThrowIfErrors();
            Assert.Equal("again", r.Output.Single().BaseObject);
            List<JsonObject> second = server.RequestsTo(server.Public).Where(q => (string?)q["method"] == "POST").ToList();
            Assert.Equal("initialize", (string?)second[0]["rpcMethod"]);
            Assert.DoesNotContain(second, q => (string?)q["rpcMethod"] == "server/discover");
        }

        [Theory]
        [InlineData("no-common-version", "Connect-McpServer $u", "UnsupportedProtocolVersion", "ConnectMcpServerCommand")]
        [InlineData("header-mismatch", "Invoke-McpTool -Uri $u echo @{ message = 'x' }", "HeaderMismatch", "InvokeMcpToolCommand")]
        [InlineData("endless-input", "Invoke-McpTool -Uri $u echo @{ message = 'x' }", "InputRequiredLoop", "InvokeMcpToolCommand")]
        [InlineData("unknown-result-type", "Invoke-McpTool -Uri $u echo @{ message = 'x' }", "UnknownResultType", "InvokeMcpToolCommand")]
        [InlineData("invalid-tool", "Invoke-McpTool -Uri $u bad-header @{ data = @{ a = 1 } }", "InvalidToolDefinition", "InvokeMcpToolCommand")]
        public void A_hostile_modern_server_gets_a_typed_error_and_nothing_hangs(string badCase, string script, string errorId, string command)
        {
            string url = $"{server.ModernBad}/{badCase}/mcp";
            var watch = Stopwatch.StartNew();
            PsResult r = Run(script, url);
            Assert.Empty(r.Output);
            ErrorRecord e = Assert.Single(r.Errors);
            Assert.Equal($"{errorId},McpAuth.Commands.{command}", e.FullyQualifiedErrorId);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), "took " + watch.Elapsed);
            if (badCase == "no-common-version")
            {
                Assert.Contains("2099-01-01", e.Exception.Message);
            }

            if (badCase == "header-mismatch")
            {
                // The client read the tool list again once and tried once more, then gave up.
                Assert.Equal(2, server.RequestsTo(url).Count(q => (string?)q["rpcMethod"] == "tools/call"));
            }
        }

        [Fact]
        public void A_tool_with_an_invalid_x_mcp_header_is_left_out_of_the_list_with_a_warning()
        {
            PsResult r = Run("$null = Connect-McpServer $u -Force; (Get-McpTool -Uri $u).Name", $"{server.ModernBad}/invalid-tool/mcp");
            r.ThrowIfErrors();
            Assert.Equal("echo", r.Output.Single().BaseObject);
            Assert.Contains(r.Warnings, w => w.Contains("'bad-header' is left out", StringComparison.Ordinal));
        }

        [Fact]
        public void A_broken_response_stream_is_sent_again_as_a_new_request_with_a_new_id()
        {
            string url = $"{server.ModernBad}/broken-stream/mcp";
            PsResult r = Run("Invoke-McpTool -Uri $u echo @{ message = 'after the break' } -Verbose", url);
            r.ThrowIfErrors();
            Assert.Equal("after the break", r.Output.Single().BaseObject);
            List<JsonObject> calls = server.RequestsTo(url).Where(q => (string?)q["rpcMethod"] == "tools/call").ToList();
            Assert.Equal(2, calls.Count);
            Assert.NotEqual(calls[0]["rpcId"]!.ToJsonString(), calls[1]["rpcId"]!.ToJsonString());
            Assert.All(calls, q => Assert.Null((string?)q["lastEventId"]));
        }
    }
}
