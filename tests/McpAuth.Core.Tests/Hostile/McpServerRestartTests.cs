using System;
using System.Threading.Tasks;
using McpAuth.Core.Mcp;
using McpAuth.Testing;
using Xunit;

namespace McpAuth.Core.Tests.Hostile
{
    /// <summary>
    /// Fault test (issue #11): the MCP server restarts under a live connection (the fixture's process is killed and
    /// started again on the same ports, losing its sessions). A legacy server's session is gone: the next call
    /// gets 404 for it, and the client starts a new session and goes on. A modern server has no session: the next
    /// call simply goes to the new process. While the server is down a call fails typed, within the timeout.
    /// </summary>
    public sealed class McpServerRestartTests
    {
        [Theory]
        [InlineData("legacy")]
        [InlineData("modern")]
        public async Task A_live_connection_goes_on_after_the_server_restarts(string era)
        {
            using var first = new FixtureServer("--keep-alive-ms", "60000");
            string url = first.PublicOf(era);
            var origins = (new Uri(first.Issuer).Port, new Uri(url).Port);
            using var engine = new HostileEngine { Timeout = TimeSpan.FromSeconds(10) };
            McpConnection connection = engine.Connect(url);
            try
            {
                Assert.Equal("one", await engine.EchoAsync(connection, "one"));
            }
            finally
            {
                first.Kill();
            }

            // Down: typed, not a hang.
            McpAuthException down = await Assert.ThrowsAnyAsync<McpAuthException>(() => engine.EchoAsync(connection, "down"));
            Assert.Equal(ErrorIds.ServerUnreachable, down.ErrorId);

            using var second = new FixtureServer("--as-port", origins.Item1.ToString(), "--mcp-port", origins.Item2.ToString());
            Assert.Equal(url, second.PublicOf(era));
            Assert.Equal("two", await engine.EchoAsync(connection, "two"));
            Assert.Equal("three", await engine.EchoAsync(connection, "three"));
            if (era == "legacy")
            {
                // The old session was answered 404 and a new one started on the new process.
                Assert.Contains(second.RequestsTo(url), r => (string?)r["rpcMethod"] == "initialize");
                Assert.Contains(second.RequestsTo(url), r => (int?)r["status"] == 404 && r["sessionId"] is not null);
            }
        }
    }
}
