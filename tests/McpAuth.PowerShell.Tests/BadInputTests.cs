using System.Collections.Generic;
using System.Diagnostics;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using McpAuth.Testing;
using Xunit;

namespace McpAuth.HostedTests
{
    /// <summary>Hostile or broken peers get a clear typed error, and nothing hangs.</summary>
    public class BadInputTests : IClassFixture<PublicServerFixture>
    {
        private readonly FixtureServer server;

        public BadInputTests(PublicServerFixture fixture)
        {
            server = fixture.Server;
        }

        private static ErrorRecord SingleError(string script, IDictionary<string, object?> vars)
        {
            using var ps = new HostedPowerShell();
            PsResult r = ps.Run(script, vars);
            Assert.Empty(r.Output);
            return Assert.Single(r.Errors);
        }

        [Fact]
        public void An_unreachable_server_is_ServerUnreachable()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            ErrorRecord e = SingleError("Connect-McpServer $u", new Dictionary<string, object?> { ["u"] = $"http://127.0.0.1:{port}/mcp" });
            Assert.Equal("ServerUnreachable,McpAuth.Commands.ConnectMcpServerCommand", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ConnectionError, e.CategoryInfo.Category);
        }

        [Theory]
        [InlineData("/notmcp", "NotAnMcpServer", ErrorCategory.ProtocolError)]
        [InlineData("/malformed", "MalformedResponse", ErrorCategory.InvalidData)]
        [InlineData("/truncated-sse", "StreamEndedEarly", ErrorCategory.ProtocolError)]
        [InlineData("/huge", "ResponseTooLarge", ErrorCategory.InvalidData)]
        [InlineData("/500", "HttpError", ErrorCategory.ProtocolError)]
        public void A_broken_server_gets_a_typed_error(string path, string errorId, ErrorCategory category)
        {
            var watch = Stopwatch.StartNew();
            ErrorRecord e = SingleError("Connect-McpServer $u", new Dictionary<string, object?> { ["u"] = server.Bad + path });
            Assert.Equal(errorId + ",McpAuth.Commands.ConnectMcpServerCommand", e.FullyQualifiedErrorId);
            Assert.Equal(category, e.CategoryInfo.Category);
            Assert.Equal(server.Bad + path, e.TargetObject?.ToString());
            Assert.True(watch.Elapsed.TotalSeconds < 30);
        }

        [Fact]
        public void A_server_that_never_answers_times_out()
        {
            ErrorRecord e = SingleError("Connect-McpServer $u -TimeoutSec 1", new Dictionary<string, object?> { ["u"] = server.Bad + "/hang" });
            Assert.Equal("RequestTimedOut,McpAuth.Commands.ConnectMcpServerCommand", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.OperationTimeout, e.CategoryInfo.Category);
        }

        [Theory]
        [InlineData("ftp://127.0.0.1/mcp", "InvalidServerUri")]
        [InlineData("http://mcp.example.com/mcp", "InsecureEndpoint")]
        public void A_bad_server_url_is_refused_before_any_request(string url, string errorId)
        {
            ErrorRecord e = SingleError("Connect-McpServer $u", new Dictionary<string, object?> { ["u"] = url });
            Assert.Equal(errorId + ",McpAuth.Commands.ConnectMcpServerCommand", e.FullyQualifiedErrorId);
        }

        [Theory]
        [InlineData("legacy")]
        [InlineData("modern")]
        public void Arguments_that_are_not_an_object_are_refused(string era)
        {
            ErrorRecord e = SingleError("Invoke-McpTool -Uri $u echo 42", new Dictionary<string, object?> { ["u"] = server.PublicOf(era) });
            Assert.Equal("InvalidToolArguments,McpAuth.Commands.InvokeMcpToolCommand", e.FullyQualifiedErrorId);
        }

        [Theory]
        [InlineData("legacy")]
        [InlineData("modern")]
        public void A_json_rpc_error_is_a_typed_error(string era)
        {
            ErrorRecord e = SingleError("Invoke-McpTool -Uri $u no-such-tool", new Dictionary<string, object?> { ["u"] = server.PublicOf(era) });
            Assert.Equal("InvalidParams,McpAuth.Commands.InvokeMcpToolCommand", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidResult, e.CategoryInfo.Category);
            Assert.Contains("-32602", e.Exception.Message);
            Assert.Contains("no-such-tool", e.Exception.Message);
        }
    }
}
