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
using McpAuth.Core.Tokens;
using McpAuth.Testing;
using Xunit;

namespace McpAuth.Core.Tests.Tokens
{
    public sealed class PrivateKeyJwtTests : IDisposable
    {
        private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
        private static readonly Uri Resource = new("http://127.0.0.1:9/mcp");

        private readonly TestHttpServer server = TestHttpServer.Start();
        private readonly HttpClient http = McpHttpClientFactory.Create(TimeSpan.FromSeconds(10));
        private readonly TokenEndpointClient tokens;
        private readonly AuthorizationServerMetadata asm;

        public PrivateKeyJwtTests()
        {
            tokens = new TokenEndpointClient(http, NullEngineCallbacks.Instance, new ManualClock(Now));
            asm = server.Metadata();
            server.RespondWith(TestResponse.Tokens("cc-token", scope: "mcp:read"));
        }

        public void Dispose()
        {
            http.Dispose();
            server.Dispose();
        }

        [Fact]
        public async Task Rsa_pkcs8_assertion_is_signed_RS256_with_rfc7523_claims_and_verifies_with_the_public_key()
        {
            using RSA rsa = RSA.Create(2048);
            ClientIdentity client = Client(rsa.ExportPkcs8PrivateKeyPem());

            TokenSet set = await tokens.ClientCredentialsAsync(asm, client, new[] { "mcp:read" }, Resource, CancellationToken.None);

            TestRequest request = Assert.Single(server.Requests);
            Assert.Equal("client_credentials", request.Field("grant_type"));
            Assert.Equal("urn:ietf:params:oauth:client-assertion-type:jwt-bearer", request.Field("client_assertion_type"));
            Assert.Equal("http://127.0.0.1:9/mcp", request.Field("resource"));
            Assert.Null(request.Field("client_secret"));
            Assert.Null(request.Header("Authorization"));

            (JsonElement header, JsonElement claims) = Verify(request.Field("client_assertion")!, (data, sig) => rsa.VerifyData(data, sig, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
            Assert.Equal("RS256", header.GetProperty("alg").GetString());
            AssertClaims(claims);
            Assert.Equal("cc-token", set.AccessToken.Reveal());
        }

        [Fact]
        public async Task Rsa_pkcs1_key_with_PS256_verifies_with_the_public_key()
        {
            using RSA rsa = RSA.Create(3072);
            ClientIdentity client = Client(rsa.ExportRSAPrivateKeyPem(), "PS256");

            await tokens.ClientCredentialsAsync(asm, client, null, Resource, CancellationToken.None);

            (JsonElement header, JsonElement claims) = Verify(server.Requests[0].Field("client_assertion")!, (data, sig) => rsa.VerifyData(data, sig, HashAlgorithmName.SHA256, RSASignaturePadding.Pss));
            Assert.Equal("PS256", header.GetProperty("alg").GetString());
            AssertClaims(claims);
        }

        [Theory]
        [InlineData("P256", "ES256")]
        [InlineData("P384", "ES384")]
        [InlineData("P521", "ES512")]
        public async Task Ec_pkcs8_assertion_is_signed_with_the_curve_algorithm_and_verifies(string curveName, string alg)
        {
            ECCurve curve = curveName switch
            {
                "P256" => ECCurve.NamedCurves.nistP256,
                "P384" => ECCurve.NamedCurves.nistP384,
                _ => ECCurve.NamedCurves.nistP521,
            };
            HashAlgorithmName hash = alg switch
            {
                "ES256" => HashAlgorithmName.SHA256,
                "ES384" => HashAlgorithmName.SHA384,
                _ => HashAlgorithmName.SHA512,
            };
            using ECDsa ec = ECDsa.Create(curve);
            ClientIdentity client = Client(ec.ExportPkcs8PrivateKeyPem());

            await tokens.ClientCredentialsAsync(asm, client, null, Resource, CancellationToken.None);

            (JsonElement header, JsonElement claims) = Verify(server.Requests[0].Field("client_assertion")!, (data, sig) => ec.VerifyData(data, sig, hash));
            Assert.Equal(alg, header.GetProperty("alg").GetString());
            AssertClaims(claims);
        }

        [Fact]
        public async Task Sec1_ec_key_after_an_ec_parameters_block_is_read()
        {
            using ECDsa ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            string pem = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n" + ec.ExportECPrivateKeyPem();

            await tokens.ClientCredentialsAsync(asm, Client(pem), null, Resource, CancellationToken.None);

            Verify(server.Requests[0].Field("client_assertion")!, (data, sig) => ec.VerifyData(data, sig, HashAlgorithmName.SHA256));
        }

        [Fact]
        public async Task Each_assertion_has_a_fresh_jti()
        {
            using ECDsa ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            ClientIdentity client = Client(ec.ExportPkcs8PrivateKeyPem());

            await tokens.ClientCredentialsAsync(asm, client, null, Resource, CancellationToken.None);
            await tokens.ClientCredentialsAsync(asm, client, null, Resource, CancellationToken.None);

            string[] ids = server.Requests
                .Select(r => Verify(r.Field("client_assertion")!, (data, sig) => ec.VerifyData(data, sig, HashAlgorithmName.SHA256)).Claims.GetProperty("jti").GetString()!)
                .ToArray();
            Assert.Equal(2, ids.Distinct().Count());
        }

        [Fact]
        public async Task Invalid_client_with_an_assertion_does_not_echo_the_assertion_or_key()
        {
            using RSA rsa = RSA.Create(2048);
            string pem = rsa.ExportPkcs8PrivateKeyPem();
            string? assertion = null;
            server.Handler = r =>
            {
                assertion = r.Field("client_assertion");
                return TestResponse.Error(401, "invalid_client", "assertion " + assertion + " rejected");
            };

            var ex = await Assert.ThrowsAsync<McpAuthException>(() => tokens.ClientCredentialsAsync(asm, Client(pem), null, Resource, CancellationToken.None));

            Assert.Equal(ErrorIds.InvalidClient, ex.ErrorId);
            Assert.NotNull(assertion);
            Assert.DoesNotContain(assertion!, ex.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(pem.Split('\n')[1], ex.ToString(), StringComparison.Ordinal);
        }

        [Theory]
        [InlineData("not a pem at all")]
        [InlineData("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI\n-----END ENCRYPTED PRIVATE KEY-----")]
        [InlineData("-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEA\n-----END PRIVATE KEY-----")]
        [InlineData("-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----")]
        public async Task Unusable_keys_fail_with_InvalidClientKey_before_sending(string pem)
        {
            var ex = await Assert.ThrowsAsync<McpAuthException>(() => tokens.ClientCredentialsAsync(asm, Client(pem), null, Resource, CancellationToken.None));

            Assert.Equal(ErrorIds.InvalidClientKey, ex.ErrorId);
            Assert.Equal(McpErrorKind.InvalidArgument, ex.Kind);
            Assert.Empty(server.Requests);
        }

        [Fact]
        public async Task Algorithm_that_does_not_fit_the_key_is_refused()
        {
            using ECDsa ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);

            var ex = await Assert.ThrowsAsync<McpAuthException>(() => tokens.ClientCredentialsAsync(asm, Client(ec.ExportPkcs8PrivateKeyPem(), "RS256"), null, Resource, CancellationToken.None));

            Assert.Equal(ErrorIds.InvalidClientKey, ex.ErrorId);
            Assert.Empty(server.Requests);
        }

        private static (JsonElement Header, JsonElement Claims) Verify(string jwt, Func<byte[], byte[], bool> verify)
        {
            string[] parts = jwt.Split('.');
            Assert.Equal(3, parts.Length);
            Assert.True(verify(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), FromBase64Url(parts[2])), "The assertion's signature does not verify with the public key.");
            using JsonDocument header = JsonDocument.Parse(FromBase64Url(parts[0]));
            using JsonDocument claims = JsonDocument.Parse(FromBase64Url(parts[1]));
            Assert.Equal("JWT", header.RootElement.GetProperty("typ").GetString());
            return (header.RootElement.Clone(), claims.RootElement.Clone());
        }

        private void AssertClaims(JsonElement claims)
        {
            Assert.Equal("svc-client", claims.GetProperty("iss").GetString());
            Assert.Equal("svc-client", claims.GetProperty("sub").GetString());
            Assert.Equal(server.Issuer.OriginalString, claims.GetProperty("aud").GetString());
            Assert.False(string.IsNullOrEmpty(claims.GetProperty("jti").GetString()));
            long iat = claims.GetProperty("iat").GetInt64();
            long exp = claims.GetProperty("exp").GetInt64();
            Assert.Equal(Now.ToUnixTimeSeconds(), iat);
            Assert.InRange(exp - iat, 30, 300);
        }

        private ClientIdentity Client(string pem, string? alg = null) =>
            new("svc-client", TokenEndpointAuthMethods.PrivateKeyJwt, ClientIdentitySource.PreRegistered, asm.Issuer, privateKeyPem: new Secret(pem), signingAlgorithm: alg);

        private static byte[] FromBase64Url(string text)
        {
            string s = text.Replace('-', '+').Replace('_', '/');
            return Convert.FromBase64String(s + new string('=', (4 - (s.Length % 4)) % 4));
        }
    }
}
