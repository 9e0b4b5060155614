using System;
using System.Net.Http;
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
    /// <summary>
    /// The bodies of the assertion grants against a local token endpoint: RFC 8693 token exchange at the
    /// identity provider (SEP-990) and the RFC 7523 JWT bearer grant at the MCP server's authorization server.
    /// </summary>
    public sealed class AssertionGrantRequestTests : IDisposable
    {
        private static readonly DateTimeOffset Now = new(2026, 7, 28, 9, 0, 0, TimeSpan.Zero);
        private static readonly Uri Resource = new("http://127.0.0.1:9/mcp");
        private const string IdToken = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJlcmluIn0.c2lnbmF0dXJl";
        private const string IdJag = "eyJ0eXAiOiJvYXV0aC1pZC1qYWcrand0In0.eyJzdWIiOiJlcmluIn0.amFn";

        private readonly TestHttpServer server = TestHttpServer.Start();
        private readonly HttpClient http = McpHttpClientFactory.Create(TimeSpan.FromSeconds(10));
        private readonly RecordingCallbacks callbacks = new();
        private readonly TokenEndpointClient tokens;
        private readonly AuthorizationServerMetadata asm;

        public AssertionGrantRequestTests()
        {
            tokens = new TokenEndpointClient(http, callbacks, new ManualClock(Now));
            asm = server.Metadata();
        }

        public void Dispose()
        {
            http.Dispose();
            server.Dispose();
        }

        private static TestResponse IdJagIssued(string type = EnterpriseOptions.IdJagType) => TestResponse.Json(200, new
        {
            access_token = IdJag,
            issued_token_type = type,
            token_type = "N_A",
            expires_in = 300,
        });

        [Fact]
        public async Task Token_exchange_asks_for_an_id_jag_for_the_authorization_server_and_resource_as_the_idp_client()
        {
            server.RespondWith(IdJagIssued());
            var client = new ClientIdentity("idp-client", TokenEndpointAuthMethods.ClientSecretPost, ClientIdentitySource.PreRegistered, asm.Issuer, new Secret("idp-secret"));

            IssuedAssertion issued = await tokens.ExchangeForIdJagAsync(
                asm, client, new Secret(IdToken), EnterpriseOptions.IdTokenType, "https://as.example.com", Resource.AbsoluteUri, new[] { "mcp:read", "mcp:write" }, CancellationToken.None);

            TestRequest request = Assert.Single(server.Requests);
            Assert.Equal("POST", request.Method);
            Assert.Equal("/token", request.Path);
            Assert.Equal("urn:ietf:params:oauth:grant-type:token-exchange", request.Field("grant_type"));
            Assert.Equal("urn:ietf:params:oauth:token-type:id-jag", request.Field("requested_token_type"));
            Assert.Equal(IdToken, request.Field("subject_token"));
            Assert.Equal("urn:ietf:params:oauth:token-type:id_token", request.Field("subject_token_type"));
            Assert.Equal("https://as.example.com", request.Field("audience"));
            Assert.Equal(Resource.AbsoluteUri, request.Field("resource"));
            Assert.Equal("mcp:read mcp:write", request.Field("scope"));
            Assert.Equal("idp-client", request.Field("client_id"));
            Assert.Equal("idp-secret", request.Field("client_secret"));
            Assert.Null(request.Field("assertion"));
            Assert.Null(request.Header("DPoP"));

            Assert.Equal(IdJag, issued.Value.Reveal());
            Assert.Equal(Now.AddSeconds(300), issued.ExpiresAt);
            Assert.DoesNotContain(IdToken, callbacks.AllText, StringComparison.Ordinal);
            Assert.DoesNotContain(IdJag, callbacks.AllText, StringComparison.Ordinal);
        }

        [Fact]
        public async Task A_saml_assertion_is_exchanged_as_saml2_and_no_scope_is_sent_when_none_is_asked_for()
        {
            server.RespondWith(IdJagIssued());
            var client = new ClientIdentity("idp-client", TokenEndpointAuthMethods.None, ClientIdentitySource.PreRegistered, asm.Issuer);

            await tokens.ExchangeForIdJagAsync(asm, client, new Secret("PHNhbWw+"), EnterpriseOptions.Saml2Type, "https://as.example.com", Resource.AbsoluteUri, null, CancellationToken.None);

            TestRequest request = Assert.Single(server.Requests);
            Assert.Equal("urn:ietf:params:oauth:token-type:saml2", request.Field("subject_token_type"));
            Assert.Equal("PHNhbWw+", request.Field("subject_token"));
            Assert.False(request.Form.ContainsKey("scope"));
            Assert.Equal("idp-client", request.Field("client_id"));
            Assert.Null(request.Header("Authorization"));
        }

        [Theory]
        [InlineData("urn:ietf:params:oauth:token-type:access_token")]
        [InlineData(null)]
        public async Task A_token_exchange_that_issues_something_other_than_an_id_jag_is_refused(string? issuedType)
        {
            server.RespondWith(issuedType is null
                ? TestResponse.Json(200, new { access_token = IdJag, token_type = "N_A" })
                : IdJagIssued(issuedType));
            var client = new ClientIdentity("idp-client", TokenEndpointAuthMethods.None, ClientIdentitySource.PreRegistered, asm.Issuer);

            McpAuthException e = await Assert.ThrowsAsync<McpAuthException>(() => tokens.ExchangeForIdJagAsync(
                asm, client, new Secret(IdToken), EnterpriseOptions.IdTokenType, "https://as.example.com", Resource.AbsoluteUri, null, CancellationToken.None));
            Assert.DoesNotContain(IdJag, e.Message, StringComparison.Ordinal);
            Assert.Single(server.Requests);
        }

        [Fact]
        public async Task The_jwt_bearer_grant_sends_the_assertion_scope_and_resource_with_client_authentication()
        {
            server.RespondWith(TestResponse.Tokens("at-jwt", scope: "mcp:read", expiresIn: 600));
            var client = new ClientIdentity("enterprise", TokenEndpointAuthMethods.ClientSecretBasic, ClientIdentitySource.PreRegistered, asm.Issuer, new Secret("ent-secret"));

            TokenSet set = await tokens.JwtBearerAsync(asm, client, new Secret(IdJag), new[] { "mcp:read" }, Resource, "ID-JAG", CancellationToken.None);

            TestRequest request = Assert.Single(server.Requests);
            Assert.Equal("urn:ietf:params:oauth:grant-type:jwt-bearer", request.Field("grant_type"));
            Assert.Equal(IdJag, request.Field("assertion"));
            Assert.Equal("mcp:read", request.Field("scope"));
            Assert.Equal(Resource.AbsoluteUri, request.Field("resource"));
            Assert.StartsWith("Basic ", request.Header("Authorization"), StringComparison.Ordinal);
            Assert.Null(request.Field("client_secret"));
            Assert.Null(request.Field("subject_token"));
            Assert.Null(request.Field("code"));

            Assert.Equal("at-jwt", set.AccessToken.Reveal());
            Assert.Equal(Now.AddSeconds(600), set.ExpiresAt);
            Assert.Equal(Resource, set.Resource);
            Assert.DoesNotContain(IdJag, callbacks.AllText, StringComparison.Ordinal);
        }

        [Fact]
        public async Task A_rejected_assertion_is_an_invalid_grant_at_once_with_no_retry_and_no_echo_of_the_assertion()
        {
            server.RespondWith(TestResponse.Error(400, "invalid_grant", "the assertion " + IdJag + " is expired"));
            var client = new ClientIdentity("workload", TokenEndpointAuthMethods.None, ClientIdentitySource.PreRegistered, asm.Issuer);

            McpAuthException e = await Assert.ThrowsAsync<McpAuthException>(() =>
                tokens.JwtBearerAsync(asm, client, new Secret(IdJag), null, Resource, "workload identity assertion", CancellationToken.None));

            Assert.Equal(ErrorIds.InvalidGrant, e.ErrorId);
            Assert.DoesNotContain(IdJag, e.Message, StringComparison.Ordinal);
            TestRequest request = Assert.Single(server.Requests);
            Assert.False(request.Form.ContainsKey("scope"));
            Assert.Equal("workload", request.Field("client_id"));
        }
    }
}
