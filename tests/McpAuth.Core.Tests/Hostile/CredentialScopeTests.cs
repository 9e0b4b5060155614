using System.Linq;
using System.Threading.Tasks;
using McpAuth.Core.Mcp;
using McpAuth.Testing;
using McpAuth.Testing.Hostile;
using Xunit;

namespace McpAuth.Core.Tests.Hostile
{
    /// <summary>
    /// A credential is presented only to the resource it was issued for, as each server's own challenge and
    /// protected resource metadata establish it (issue #11, 1). Server A's metadata names the whole origin as its
    /// resource; server B on the same origin has its own metadata and authorization server.
    /// </summary>
    public sealed class CredentialScopeTests
    {
        [Fact]
        public async Task A_credential_for_the_origin_is_never_sent_to_another_server_on_it_nor_refreshed_for_it()
        {
            using var peer = new MiniMcpPeer();
            string a = peer.AddEndpoint("/a/mcp", resource: peer.Origin + "/", issuerPath: "/as");
            string b = peer.AddEndpoint("/b/mcp", issuerPath: "/as2");
            using var engine = new HostileEngine(peer);
            Assert.Equal("to A", await engine.EchoAsync(engine.Connect(a), "to A"));

            // A new command (a new connection, as in a new process) to B.
            Assert.Equal("to B", await engine.EchoAsync(engine.Connect(b), "to B"));

            Assert.Empty(engine.ForeignTokensSentTo("/b/mcp", peer.Origin + "/b/mcp"));
            Assert.DoesNotContain(peer.Events, e => e.StartsWith("token refresh_token", System.StringComparison.Ordinal));
            Assert.Contains("authorize " + peer.Origin + "/b/mcp", peer.Events);
        }

        [Fact]
        public async Task A_server_whose_own_metadata_names_the_same_resource_and_issuer_may_use_the_stored_credential_without_a_new_sign_in()
        {
            using var peer = new MiniMcpPeer();
            string a = peer.AddEndpoint("/a/mcp", resource: peer.Origin + "/");
            string c = peer.AddEndpoint("/c/mcp", resource: peer.Origin + "/");
            using var engine = new HostileEngine(peer);
            await engine.EchoAsync(engine.Connect(a), "to A");

            // C's own challenge and metadata establish the credential: no second sign-in, in a session that cannot sign in.
            Assert.Equal("to C", await engine.EchoAsync(engine.Connect(c, allowSignIn: false), "to C"));
            Assert.Single(peer.Events, e => e.StartsWith("authorize", System.StringComparison.Ordinal));
            Assert.Empty(engine.ForeignTokensSentTo("/c/mcp", peer.Origin + "/"));
        }

        [Fact]
        public async Task A_request_without_a_challenge_of_its_own_gets_no_credential_of_another_server()
        {
            using var peer = new MiniMcpPeer();
            string a = peer.AddEndpoint("/a/mcp", resource: peer.Origin + "/");
            using var engine = new HostileEngine(peer);
            await engine.EchoAsync(engine.Connect(a), "to A");

            // A public server on the same origin: it never asks for a token, so it never gets one.
            peer.Override = (request, role) => role == PeerRole.Other && request.Path == "/open/mcp"
                ? (MiniMcpPeer.McpAnswer(request) is string json ? TestResponse.Json(json) : TestResponse.Text(string.Empty, 202))
                : null;
            Assert.Equal("hi", await engine.EchoAsync(engine.Connect(peer.Origin + "/open/mcp"), "hi"));
            Assert.All(peer.Server.Requests.Where(r => r.Path == "/open/mcp"), r => Assert.Null(r.Bearer));
        }
    }
}
