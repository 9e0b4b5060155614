using System;
using System.Diagnostics;
using System.Threading.Tasks;
using McpAuth.Testing;
using McpAuth.Testing.Hostile;
using Xunit;

namespace McpAuth.Core.Tests.Hostile
{
    /// <summary>
    /// One deadline per request covers its headers, its body and, for an event stream, the time without a message
    /// (issue #11, 3): a peer that trickles a body a byte a second, stalls mid-body, or keeps a stream open with
    /// keep-alives only (or nothing) gets RequestTimedOut after the timeout, not after it gives up.
    /// </summary>
    public sealed class DeadlineTests
    {
        private static readonly TimeSpan Limit = TimeSpan.FromSeconds(2);

        // Far more than the limit allows; every case stalls for at least this long.
        private static readonly string LongBody = "{\"padding\":\"" + new string('x', 120) + "\"}";

        [Theory]
        [InlineData("protected resource metadata trickled")]
        [InlineData("authorization server metadata trickled")]
        [InlineData("registration response trickled")]
        [InlineData("token response trickled")]
        [InlineData("token response stalls mid-body")]
        [InlineData("MCP JSON body stalls")]
        [InlineData("MCP JSON body trickled")]
        [InlineData("MCP event stream of keep-alives only")]
        [InlineData("MCP event stream that stays silent")]
        public async Task A_stalling_peer_is_RequestTimedOut_after_the_timeout(string hostile)
        {
            using var peer = new MiniMcpPeer();
            string url = peer.AddEndpoint("/mcp");
            peer.Override = (request, role) => Misbehave(hostile, request, role);
            using var engine = new HostileEngine(peer) { Timeout = Limit };

            var watch = Stopwatch.StartNew();
            Task<string> call = engine.EchoAsync(engine.Connect(url), "hi");
            Assert.True(await Task.WhenAny(call, Task.Delay(TimeSpan.FromSeconds(60))) == call, $"{hostile}: still waiting after 60 s (timeout {Limit.TotalSeconds} s)");
            McpAuthException error = await Assert.ThrowsAnyAsync<McpAuthException>(() => call);
            watch.Stop();

            Assert.Equal(ErrorIds.RequestTimedOut, error.ErrorId);
            Assert.Equal(McpErrorKind.Timeout, error.Kind);

            // Not a timing target: a stalled peer would hold the request for minutes; this bounds "ended at the deadline".
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"{hostile}: ended after {watch.Elapsed}");
        }

        private static TestResponse? Misbehave(string hostile, TestRequest request, PeerRole role)
        {
            TimeSpan second = TimeSpan.FromSeconds(1);
            bool toolCall = role == PeerRole.Mcp && request.Bearer is not null && request.Body.Contains("\"tools/call\"", StringComparison.Ordinal);
            return hostile switch
            {
                "protected resource metadata trickled" when role == PeerRole.ProtectedResourceMetadata => TestResponse.Trickle(200, LongBody, "application/json", second),
                "authorization server metadata trickled" when role == PeerRole.AuthorizationServerMetadata => TestResponse.Trickle(200, LongBody, "application/json", second),
                "registration response trickled" when role == PeerRole.Registration => TestResponse.Trickle(201, LongBody, "application/json", second),
                "token response trickled" when role == PeerRole.Token => TestResponse.Trickle(200, LongBody, "application/json", second),
                "token response stalls mid-body" when role == PeerRole.Token => TestResponse.Stall(200, "{\"access_token\":\"at-", "application/json", declaredLength: 400),
                "MCP JSON body stalls" when toolCall => TestResponse.Stall(200, "{\"jsonrpc\":\"2.0\",", "application/json", declaredLength: 400),
                "MCP JSON body trickled" when toolCall => TestResponse.Trickle(200, LongBody, "application/json", second),
                "MCP event stream of keep-alives only" when toolCall => TestResponse.KeepAlivesOnly(TimeSpan.FromMilliseconds(300)),
                "MCP event stream that stays silent" when toolCall => TestResponse.EventStream(Array.Empty<string>(), TimeSpan.Zero, holdOpen: true),
                _ => null,
            };
        }
    }
}
