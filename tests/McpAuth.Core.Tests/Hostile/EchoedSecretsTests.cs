using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using McpAuth.Core.Registration;
using McpAuth.Testing;
using McpAuth.Testing.Hostile;
using Xunit;

namespace McpAuth.Core.Tests.Hostile
{
    /// <summary>
    /// A server that echoes back what it was sent never gets a secret into error text or any message (issue #11, 7):
    /// the Authorization header in a 500 body or reason phrase, and the code, verifier, refresh token or client
    /// secret echoed raw, URL-encoded or base64-encoded inside a larger echo (the whole form, the Basic header, the
    /// "Bearer ..." header) in an OAuth error_description. Everything goes through the one redaction path
    /// (<see cref="OperationSecrets"/> via <c>ServerText.Sanitize</c>).
    /// </summary>
    public sealed class EchoedSecretsTests
    {
        public static IEnumerable<object[]> Echoes() => new[] { "raw", "base64", "base64url", "base64-offset", "url" }.Select(e => new object[] { e });

        private static string Encode(string how, string text) => how switch
        {
            "raw" => text,
            "url" => Uri.EscapeDataString(text),
            "base64" => Convert.ToBase64String(Encoding.UTF8.GetBytes(text)),
            "base64url" => Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_'),

            // The secret at every alignment of a base64 encoding: a prefix of one, two or three bytes.
            "base64-offset" => string.Join(" ", new[] { "x", "xy", "xyz" }.Select(p => Convert.ToBase64String(Encoding.UTF8.GetBytes(p + text)))),
            _ => throw new ArgumentOutOfRangeException(nameof(how)),
        };

        [Theory]
        [MemberData(nameof(Echoes))]
        public async Task An_MCP_500_echoing_the_Authorization_header_shows_no_token(string how)
        {
            using var peer = new MiniMcpPeer();
            string url = peer.AddEndpoint("/mcp");
            peer.Override = (request, role) =>
            {
                if (role != PeerRole.Mcp || request.Bearer is null || !request.Body.Contains("\"tools/call\"", StringComparison.Ordinal))
                {
                    return null;
                }

                string headers = string.Join("\n", request.Headers.Select(h => h.Key + ": " + h.Value));
                return WithBody(500, "Failed for " + Encode(how, "Bearer " + request.Bearer), "request was:\n" + Encode(how, headers));
            };
            using var engine = new HostileEngine(peer);

            McpAuthException error = await Assert.ThrowsAnyAsync<McpAuthException>(() => engine.EchoAsync(engine.Connect(url), "hi"));

            Assert.Equal(ErrorIds.HttpError, error.ErrorId);
            AssertNoSecret(peer, error, engine);
        }

        [Theory]
        [MemberData(nameof(Echoes))]
        public async Task A_token_error_echoing_the_code_exchange_shows_no_code_nor_verifier(string how)
        {
            using var peer = new MiniMcpPeer();
            string url = peer.AddEndpoint("/mcp");
            var sent = new List<string>();
            peer.Override = (request, role) =>
            {
                if (role != PeerRole.Token)
                {
                    return null;
                }

                Dictionary<string, string> form = request.FormFields;
                sent.Add(form["code"]);
                sent.Add(form["code_verifier"]);
                string description = $"bad request {Encode(how, request.Body)} code {Encode(how, form["code"])} verifier {Encode(how, form["code_verifier"])}";
                return OAuthError(description);
            };
            using var engine = new HostileEngine(peer);

            McpAuthException error = await Assert.ThrowsAnyAsync<McpAuthException>(() => engine.EchoAsync(engine.Connect(url), "hi"));

            Assert.NotEmpty(sent);
            AssertNoSecret(peer, error, engine, sent);
        }

        [Theory]
        [MemberData(nameof(Echoes))]
        public async Task A_token_error_echoing_the_client_secret_shows_no_secret(string how)
        {
            using var peer = new MiniMcpPeer();
            string url = peer.AddEndpoint("/mcp");
            const string clientSecret = "client-secret-0123456789abcdef";
            peer.Override = (request, role) => role switch
            {
                // The pre-registered client authenticates with client_secret_basic (the default when the AS names none).
                PeerRole.AuthorizationServerMetadata => TestResponse.Json(WithoutAuthMethods(peer.AsmJson("/as"))),
                PeerRole.Token => OAuthError($"client {Encode(how, request.Header("Authorization") ?? string.Empty)} secret {Encode(how, clientSecret)} form {Encode(how, request.Body)}"),
                _ => null,
            };
            using var engine = new HostileEngine(peer);
            var client = new ClientOptions { ClientId = "pre client/1", ClientSecret = new Secret(clientSecret) };

            McpAuthException error = await Assert.ThrowsAnyAsync<McpAuthException>(() => engine.EchoAsync(engine.Connect(url, client: client), "hi"));

            Assert.StartsWith("Basic ", peer.Server.Requests.Last(r => r.Path == "/as/token").Header("Authorization"), StringComparison.Ordinal);
            AssertNoSecret(peer, error, engine, new[] { clientSecret });
        }

        [Theory]
        [MemberData(nameof(Echoes))]
        public async Task A_refresh_error_echoing_the_refresh_token_shows_no_token(string how)
        {
            using var peer = new MiniMcpPeer { AccessTokenLifetime = TimeSpan.FromSeconds(1) };
            string url = peer.AddEndpoint("/mcp");
            using var engine = new HostileEngine(peer);
            Assert.Equal("hi", await engine.EchoAsync(engine.Connect(url), "hi"));
            await Task.Delay(TimeSpan.FromSeconds(2));

            peer.Override = (request, role) => role == PeerRole.Token
                ? OAuthError($"refresh {Encode(how, request.Body)} token {Encode(how, request.FormFields["refresh_token"])}", error: "server_error", status: 500)
                : null;
            McpAuthException error = await Assert.ThrowsAnyAsync<McpAuthException>(() => engine.EchoAsync(engine.Connect(url, allowSignIn: false), "again"));

            AssertNoSecret(peer, error, engine);
        }

        private static TestResponse WithBody(int status, string reason, string body)
        {
            TestResponse reply = TestResponse.Text(body, status);
            reply.ReasonPhrase = reason;
            return reply;
        }

        private static TestResponse OAuthError(string description, string error = "invalid_grant", int status = 400) =>
            TestResponse.Json(new JsonObject { ["error"] = error, ["error_description"] = description }.ToJsonString(), status);

        private static string WithoutAuthMethods(string asm)
        {
            JsonObject json = JsonNode.Parse(asm)!.AsObject();
            json.Remove("token_endpoint_auth_methods_supported");
            return json.ToJsonString();
        }

        /// <summary>No secret the peer issued or was sent appears, in any encoding, in the error (message, inner messages, ToString) or any callback message.</summary>
        private static void AssertNoSecret(MiniMcpPeer peer, McpAuthException error, HostileEngine engine, IEnumerable<string>? more = null)
        {
            string text = error.ToString() + "\n" + engine.Callbacks.AllText;
            foreach (string secret in peer.Issued.Concat(more ?? Array.Empty<string>()))
            {
                foreach (string form in new[] { secret, Uri.EscapeDataString(secret), Convert.ToBase64String(Encoding.UTF8.GetBytes(secret)).TrimEnd('=') })
                {
                    Assert.DoesNotContain(form, text, StringComparison.Ordinal);
                }

                // Any base64 run in the text that decodes to something containing the secret.
                foreach (string decoded in Base64Runs(text))
                {
                    Assert.DoesNotContain(secret, decoded, StringComparison.Ordinal);
                }
            }
        }

        private static IEnumerable<string> Base64Runs(string text)
        {
            foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(text, "[A-Za-z0-9+/_-]{8,}={0,2}"))
            {
                string run = m.Value.TrimEnd('=').Replace('-', '+').Replace('_', '/');
                for (int skip = 0; skip < 4 && run.Length - skip >= 8; skip++)
                {
                    string part = run.Substring(skip);
                    part = part.Substring(0, part.Length - (part.Length % 4 == 1 ? 1 : 0));
                    part += new string('=', (4 - (part.Length % 4)) % 4);
                    byte[] bytes;
                    try
                    {
                        bytes = Convert.FromBase64String(part);
                    }
                    catch (FormatException)
                    {
                        continue;
                    }

                    yield return Encoding.UTF8.GetString(bytes);
                }
            }
        }
    }
}
