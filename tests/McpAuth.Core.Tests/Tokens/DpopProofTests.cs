using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Discovery;
using McpAuth.Core.Http;
using McpAuth.Core.Registration;
using McpAuth.Core.Storage;
using McpAuth.Core.Tokens;
using McpAuth.Testing;
using Xunit;

namespace McpAuth.Core.Tests.Tokens
{
    /// <summary>
    /// DPoP proofs (RFC 9449 §4.2), each checked as a server checks it: the signature verified with the public key
    /// the header carries, then the claims.
    /// </summary>
    public sealed class DpopProofTests : IDisposable
    {
        private static readonly DateTimeOffset Now = new(2026, 7, 28, 9, 30, 15, TimeSpan.Zero);
        private static readonly Uri Resource = new("http://127.0.0.1:9/mcp");

        private readonly TestHttpServer server = TestHttpServer.Start();
        private readonly HttpClient http = McpHttpClientFactory.Create(TimeSpan.FromSeconds(10));
        private readonly RecordingCallbacks callbacks = new();
        private readonly ManualClock clock = new(Now);

        public void Dispose()
        {
            http.Dispose();
            server.Dispose();
        }

        /// <summary>A proof as a verifier sees it, after its signature checked out against the header's jwk.</summary>
        private sealed record VerifiedProof(JsonElement Header, JsonElement Payload);

        private static byte[] Decode(string part)
        {
            string s = part.Replace('-', '+').Replace('_', '/');
            return Convert.FromBase64String(s + new string('=', (4 - (s.Length % 4)) % 4));
        }

        private static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        private static string Sha256Url(string text)
        {
            using SHA256 sha = SHA256.Create();
            return Encode(sha.ComputeHash(Encoding.ASCII.GetBytes(text)));
        }

        private static JsonElement Json(byte[] bytes)
        {
            using JsonDocument document = JsonDocument.Parse(bytes);
            return document.RootElement.Clone();
        }

        /// <summary>Verifies the ES256 signature with the jwk in the header (as RFC 9449 §4.3 asks) and returns the parts.</summary>
        private static VerifiedProof Verify(string proof)
        {
            string[] parts = proof.Split('.');
            Assert.Equal(3, parts.Length);
            JsonElement header = Json(Decode(parts[0]));
            JsonElement jwk = header.GetProperty("jwk");
            using ECDsa verifier = ECDsa.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = Decode(jwk.GetProperty("x").GetString()!), Y = Decode(jwk.GetProperty("y").GetString()!) },
            });
            byte[] signature = Decode(parts[2]);
            Assert.Equal(64, signature.Length);
            Assert.True(verifier.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature, HashAlgorithmName.SHA256), "the proof's signature does not verify");
            return new VerifiedProof(header, Json(Decode(parts[1])));
        }

        [Fact]
        public void A_proof_is_signed_by_the_key_in_its_header_which_carries_no_private_part()
        {
            DpopKey key = DpopKey.Create();
            VerifiedProof proof = Verify(key.Proof("GET", new Uri("https://mcp.example.com/mcp"), Now, null, null));

            Assert.Equal("dpop+jwt", proof.Header.GetProperty("typ").GetString());
            Assert.Equal("ES256", proof.Header.GetProperty("alg").GetString());
            JsonElement jwk = proof.Header.GetProperty("jwk");
            Assert.Equal(new[] { "crv", "kty", "x", "y" }, jwk.EnumerateObject().Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal));
            Assert.Equal("EC", jwk.GetProperty("kty").GetString());
            Assert.Equal("P-256", jwk.GetProperty("crv").GetString());
            Assert.Equal(key.X, jwk.GetProperty("x").GetString());
            Assert.Equal(key.Y, jwk.GetProperty("y").GetString());
            Assert.DoesNotContain(key.ToStored().D!.Reveal(), proof.Header.GetRawText() + proof.Payload.GetRawText(), StringComparison.Ordinal);

            // The thumbprint a bound token names (RFC 7638) is of exactly that public key.
            Assert.Equal(Sha256Url("{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"" + key.X + "\",\"y\":\"" + key.Y + "\"}"), key.Thumbprint);
        }

        [Fact]
        public void A_tampered_proof_does_not_verify()
        {
            string proof = DpopKey.Create().Proof("POST", new Uri("https://as.example.com/token"), Now, null, null);
            string[] parts = proof.Split('.');
            string otherPayload = Encode(Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Decode(parts[1])).Replace("POST", "GET\u0020")));
            Assert.ThrowsAny<Exception>(() => Verify(parts[0] + "." + otherPayload + "." + parts[2]));
        }

        [Fact]
        public void Claims_name_the_method_and_url_without_query_or_fragment_the_time_a_fresh_jti_the_nonce_and_the_token_hash()
        {
            DpopKey key = DpopKey.Create();
            var token = new Secret("an-access-token.with+odd/chars");
            var target = new Uri("https://mcp.example.com:8443/tenant/mcp?session=1&x=y#part");

            JsonElement claims = Verify(key.Proof("POST", target, Now, "server-nonce-7", token)).Payload;

            Assert.Equal("POST", claims.GetProperty("htm").GetString());
            Assert.Equal("https://mcp.example.com:8443/tenant/mcp", claims.GetProperty("htu").GetString());
            Assert.Equal(Now.ToUnixTimeSeconds(), claims.GetProperty("iat").GetInt64());
            Assert.Equal("server-nonce-7", claims.GetProperty("nonce").GetString());
            Assert.Equal(Sha256Url("an-access-token.with+odd/chars"), claims.GetProperty("ath").GetString());
            Assert.True(claims.GetProperty("jti").GetString()!.Length >= 16);
            Assert.DoesNotContain("an-access-token", claims.GetRawText(), StringComparison.Ordinal);

            // Without a token or a nonce, the proof has neither claim.
            JsonElement bare = Verify(key.Proof("GET", target, Now, null, null)).Payload;
            Assert.False(bare.TryGetProperty("ath", out _));
            Assert.False(bare.TryGetProperty("nonce", out _));
        }

        [Fact]
        public void Every_proof_has_its_own_jti()
        {
            DpopKey key = DpopKey.Create();
            var target = new Uri("https://mcp.example.com/mcp");
            string[] ids = Enumerable.Range(0, 200)
                .Select(_ => Verify(key.Proof("POST", target, Now, null, null)).Payload.GetProperty("jti").GetString()!)
                .ToArray();
            Assert.Equal(ids.Length, ids.Distinct(StringComparer.Ordinal).Count());
        }

        [Fact]
        public void A_key_read_back_from_the_store_signs_proofs_of_the_same_key()
        {
            DpopKey key = DpopKey.Create();
            StoredDpopKey stored = key.ToStored();
            DpopKey again = DpopKey.FromStored(stored)!;
            Assert.Equal(key.Thumbprint, again.Thumbprint);
            JsonElement jwk = Verify(again.Proof("GET", new Uri("https://mcp.example.com/mcp"), Now, null, null)).Header.GetProperty("jwk");
            Assert.Equal(key.X, jwk.GetProperty("x").GetString());

            // A damaged or foreign stored key is no key (its tokens cannot be used), never an exception.
            Assert.Null(DpopKey.FromStored(stored with { D = new Secret("short") }));
            Assert.Null(DpopKey.FromStored(stored with { Algorithm = "RS256" }));
            Assert.Null(DpopKey.FromStored(stored with { D = null }));
            Assert.Null(DpopKey.FromStored(null));
        }

        [Fact]
        public async Task A_token_request_carries_a_proof_with_the_injected_clocks_time_and_retries_once_with_the_servers_nonce()
        {
            DpopKey key = DpopKey.Create();
            server.RespondWith(
                TestResponse.Error(400, "use_dpop_nonce", "Authorization server requires nonce in DPoP proof").WithHeader("DPoP-Nonce", "as-nonce-1"),
                TestResponse.Tokens("at-dpop", "rt-dpop", tokenType: "DPoP"));
            AuthorizationServerMetadata asm = server.Metadata();
            var client = new ClientIdentity("machine", TokenEndpointAuthMethods.ClientSecretPost, ClientIdentitySource.PreRegistered, asm.Issuer, new Secret("machine-secret"));
            var tokens = new TokenEndpointClient(http, callbacks, clock, new TokenRequestOptions(key, null, null));

            TokenSet set = await tokens.ClientCredentialsAsync(asm, client, null, Resource, CancellationToken.None);

            Assert.Equal("DPoP", set.TokenType);
            Assert.Equal(2, server.Requests.Count);
            VerifiedProof first = Verify(server.Requests[0].Header("DPoP")!);
            VerifiedProof second = Verify(server.Requests[1].Header("DPoP")!);
            foreach (VerifiedProof proof in new[] { first, second })
            {
                Assert.Equal("POST", proof.Payload.GetProperty("htm").GetString());
                Assert.Equal(asm.TokenEndpoint!.AbsoluteUri, proof.Payload.GetProperty("htu").GetString());
                Assert.Equal(Now.ToUnixTimeSeconds(), proof.Payload.GetProperty("iat").GetInt64());
                Assert.False(proof.Payload.TryGetProperty("ath", out _));
                Assert.Equal(key.X, proof.Header.GetProperty("jwk").GetProperty("x").GetString());
            }

            Assert.False(first.Payload.TryGetProperty("nonce", out _));
            Assert.Equal("as-nonce-1", second.Payload.GetProperty("nonce").GetString());
            Assert.NotEqual(first.Payload.GetProperty("jti").GetString(), second.Payload.GetProperty("jti").GetString());

            // The clock moves: the next proof says so, and carries the nonce remembered for that server at once.
            clock.Advance(TimeSpan.FromSeconds(90));
            server.RespondWith(TestResponse.Tokens("at-dpop-2", tokenType: "DPoP"));
            await tokens.ClientCredentialsAsync(asm, client, null, Resource, CancellationToken.None);
            Assert.Equal(3, server.Requests.Count);
            JsonElement third = Verify(server.Requests[2].Header("DPoP")!).Payload;
            Assert.Equal(Now.AddSeconds(90).ToUnixTimeSeconds(), third.GetProperty("iat").GetInt64());
            Assert.Equal("as-nonce-1", third.GetProperty("nonce").GetString());
        }

        [Fact]
        public async Task A_second_use_dpop_nonce_is_not_retried_again()
        {
            server.RespondWith(
                TestResponse.Error(400, "use_dpop_nonce").WithHeader("DPoP-Nonce", "n-1"),
                TestResponse.Error(400, "use_dpop_nonce").WithHeader("DPoP-Nonce", "n-2"),
                TestResponse.Tokens("never", tokenType: "DPoP"));
            AuthorizationServerMetadata asm = server.Metadata();
            var client = new ClientIdentity("machine", TokenEndpointAuthMethods.ClientSecretPost, ClientIdentitySource.PreRegistered, asm.Issuer, new Secret("machine-secret"));
            var tokens = new TokenEndpointClient(http, callbacks, clock, new TokenRequestOptions(DpopKey.Create(), null, null));

            await Assert.ThrowsAsync<McpAuthException>(() => tokens.ClientCredentialsAsync(asm, client, null, Resource, CancellationToken.None));
            Assert.Equal(2, server.Requests.Count);
        }
    }
}
