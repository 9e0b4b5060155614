using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using McpAuth.Core.Mcp;
using McpAuth.Core.Storage;
using McpAuth.Core.Tokens;
using McpAuth.Testing;
using McpAuth.Testing.Hostile;
using Xunit;

namespace McpAuth.Core.Tests.Hostile
{
    /// <summary>
    /// Fault test (issue #11): the authorization server dies in the middle of a refresh. Every way of dying is a
    /// typed error within the timeout, the stored credential is what it was (nothing half-written, no refresh
    /// token lost), and once the server is back the next refresh presents the same refresh token and succeeds.
    /// When the server rotated the token before it died, the client never saw the new one: the replay is the
    /// server's reuse detection, and the outcome is the typed InteractionRequired, never a crash or a hang.
    /// </summary>
    public sealed class AuthorizationServerFaultTests
    {
        public static IEnumerable<object[]> Deaths() => new[] { "drops the connection", "resets mid-answer", "stalls mid-answer", "answers 503", "refuses connections" }.Select(d => new object[] { d });

        [Theory]
        [MemberData(nameof(Deaths))]
        public async Task A_refresh_the_authorization_server_dies_in_is_typed_and_loses_nothing(string death)
        {
            using var peer = new MiniMcpPeer();
            string url = peer.AddEndpoint("/mcp");
            using var engine = new HostileEngine(peer) { Timeout = TimeSpan.FromSeconds(3) };
            McpConnection connection = engine.Connect(url);
            Assert.Equal("before", await engine.EchoAsync(connection, "before"));
            string storePath = Path.Combine(engine.StoreDir, PlaintextFileCredentialStore.FileName);
            string storedBefore = File.ReadAllText(storePath);
            string refreshBefore = connection.OAuth.Tokens!.RefreshToken!.Reveal();

            peer.Override = (request, role) => role != PeerRole.Token ? null : death switch
            {
                "drops the connection" => TestResponse.Drop(),
                "resets mid-answer" => TestResponse.Reset(200, "{\"access_token\":\"at-", "application/json", 400),
                "stalls mid-answer" => TestResponse.Stall(200, "{\"access_token\":\"at-", "application/json", 400),
                "answers 503" => TestResponse.Text("down for maintenance", 503),
                "refuses connections" => null,
                _ => throw new ArgumentOutOfRangeException(nameof(death)),
            };
            if (death == "refuses connections")
            {
                peer.Stop();
            }

            Exception? failed = await Record.ExceptionAsync(() => RefreshAsync(engine, connection));
            McpAuthException typed = Assert.IsAssignableFrom<McpAuthException>(failed);
            Assert.False(string.IsNullOrEmpty(typed.ErrorId));
            if (death == "refuses connections")
            {
                Assert.Equal(ErrorIds.ServerUnreachable, typed.ErrorId);
                peer.Start();
            }

            Assert.Equal(storedBefore, File.ReadAllText(storePath));
            Assert.Equal(refreshBefore, connection.OAuth.Tokens!.RefreshToken!.Reveal());

            // Back again: the same refresh token is presented once, and the rotated one is stored.
            peer.Override = null;
            await RefreshAsync(engine, connection);
            Assert.DoesNotContain(peer.Events, e => e.StartsWith("refresh-reuse", StringComparison.Ordinal));
            string rotated = connection.OAuth.Tokens!.RefreshToken!.Reveal();
            Assert.NotEqual(refreshBefore, rotated);
            Assert.Contains(rotated, File.ReadAllText(storePath));
            Assert.Equal("after", await engine.EchoAsync(engine.Connect(url, allowSignIn: false), "after"));
        }

        [Fact]
        public async Task A_server_that_rotated_and_died_before_answering_ends_in_a_typed_sign_in_request()
        {
            using var peer = new MiniMcpPeer();
            string url = peer.AddEndpoint("/mcp");
            using var engine = new HostileEngine(peer) { Timeout = TimeSpan.FromSeconds(3) };
            McpConnection later = engine.Connect(url, allowSignIn: false);
            Assert.Equal("before", await engine.EchoAsync(engine.Connect(url), "before"));
            Assert.Equal("later", await engine.EchoAsync(later, "later"));

            peer.AfterAnswer = (request, role, answer) => role == PeerRole.Token ? TestResponse.Drop() : answer;
            Assert.IsAssignableFrom<McpAuthException>(await Record.ExceptionAsync(() => RefreshAsync(engine, later)));
            Assert.Single(peer.Events, e => e.StartsWith("token refresh_token", StringComparison.Ordinal));

            // The client replays the only refresh token it ever saw; the server calls it reuse and revokes the grant.
            peer.AfterAnswer = null;
            McpAuthException replay = Assert.IsAssignableFrom<McpAuthException>(await Record.ExceptionAsync(() => RefreshAsync(engine, later)));
            Assert.Contains(replay.ErrorId, new[] { ErrorIds.AuthenticationRequired, ErrorIds.InteractionRequired, ErrorIds.InvalidGrant });
            Assert.Contains(peer.Events, e => e.StartsWith("refresh-reuse", StringComparison.Ordinal));
            Assert.DoesNotContain(peer.Issued, secret => replay.ToString().Contains(secret, StringComparison.Ordinal) || engine.Callbacks.AllText.Contains(secret, StringComparison.Ordinal));
        }

        private static Task<bool> RefreshAsync(HostileEngine engine, McpConnection connection) => HostileEngine.RunAsync(async t =>
        {
            await connection.OAuth.ChangeAsync(CredentialChange.Refresh(), engine.Callbacks, t);
            return true;
        });
    }
}
