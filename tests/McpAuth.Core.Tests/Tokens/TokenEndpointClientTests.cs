using McpAuth.Core.Tests;
using System;
using System.Net.Http;
using System.Text;
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
    public sealed class TokenEndpointClientTests : IDisposable
    {
        private static readonly DateTimeOffset Now = new(2025, 11, 25, 12, 0, 0, TimeSpan.Zero);
        private static readonly Uri Resource = new("http://127.0.0.1:9/mcp");
        private static readonly Uri RedirectUri = new("http://127.0.0.1:33418/callback");

        private readonly TestHttpServer server = TestHttpServer.Start();
        private readonly HttpClient http = McpHttpClientFactory.Create(TimeSpan.FromSeconds(10));
        private readonly RecordingCallbacks callbacks = new();
        private readonly TokenEndpointClient tokens;
        private readonly AuthorizationServerMetadata asm;

        public TokenEndpointClientTests()
        {
            tokens = new TokenEndpointClient(http, callbacks, new ManualClock(Now));
            asm = server.Metadata();
        }

        public void Dispose()
        {
            http.Dispose();
            server.Dispose();
        }

        [Fact]
        public async Task Exchange_code_as_public_client_sends_client_id_code_verifier_redirect_and_resource()
        {
            server.RespondWith(TestResponse.Tokens("at-1", "rt-1", "read write", 3600));

            TokenSet set = await tokens.ExchangeCodeAsync(asm, Public(), new Secret("code-abc"), new Secret("verifier-xyz"), RedirectUri, Resource, new[] { "read" }, CancellationToken.None);

            TestRequest request = Assert.Single(server.Requests);
            Assert.Equal("POST", request.Method);
            Assert.Equal("/token", request.Path);
            Assert.Equal("authorization_code", request.Field("grant_type"));
            Assert.Equal("code-abc", request.Field("code"));
            Assert.Equal("verifier-xyz", request.Field("code_verifier"));
            Assert.Equal("http://127.0.0.1:33418/callback", request.Field("redirect_uri"));
            Assert.Equal("http://127.0.0.1:9/mcp", request.Field("resource"));
            Assert.Equal("public-client", request.Field("client_id"));
            Assert.Null(request.Field("client_secret"));
            Assert.Null(request.Header("Authorization"));

            Assert.Equal("at-1", set.AccessToken.Reveal());
            Assert.Equal("rt-1", set.RefreshToken!.Reveal());
            Assert.Equal(new[] { "read", "write" }, set.Scopes);
            Assert.Equal(Now.AddHours(1), set.ExpiresAt);
            Assert.Equal(asm.Issuer, set.Issuer);
            Assert.Equal(Resource, set.Resource);
            Assert.DoesNotContain("at-1", callbacks.AllText);
            Assert.DoesNotContain("code-abc", callbacks.AllText);
        }

        [Fact]
        public async Task A_scope_that_echoes_the_code_is_masked_in_the_verbose_line()
        {
            server.RespondWith(TestResponse.Tokens("at-1", "rt-1", "read code-Zq81xV0pL2mN " + Convert.ToBase64String(Encoding.UTF8.GetBytes("code-Zq81xV0pL2mN")), 3600));
            using IDisposable operation = OperationSecrets.Begin();

            await tokens.ExchangeCodeAsync(asm, Public(), new Secret("code-Zq81xV0pL2mN"), new Secret("verifier-xyz"), RedirectUri, Resource, new[] { "read" }, CancellationToken.None);

            string said = string.Join("\n", callbacks.Messages);
            Assert.Contains("scopes 'read *** ***'", said, StringComparison.Ordinal);
            Assert.DoesNotContain("Zq81xV0pL2mN", said, StringComparison.Ordinal);
        }

        [Fact]
        public async Task A_token_response_that_is_not_in_its_declared_gzip_encoding_is_a_typed_error()
        {
            server.RespondWith(TestResponse.Tokens("at-1", "rt-1", "read", 3600).WithHeader("Content-Encoding", "gzip"));

            McpAuthException ex = await Assert.ThrowsAsync<McpAuthException>(() => tokens.ExchangeCodeAsync(asm, Public(), new Secret("code-abc"), new Secret("verifier-xyz"), RedirectUri, Resource, new[] { "read" }, CancellationToken.None));

            Assert.Equal(ErrorIds.MalformedResponse, ex.ErrorId);
            Assert.Contains("Content-Encoding", ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public async Task Exchange_code_uses_requested_scopes_when_response_names_none()
        {
            server.RespondWith(TestResponse.Tokens("at-1", scope: null, expiresIn: null, tokenType: "bearer"));

            TokenSet set = await tokens.ExchangeCodeAsync(asm, Public(), new Secret("c"), new Secret("v"), RedirectUri, Resource, new[] { "mcp:tools", "offline_access" }, CancellationToken.None);

            Assert.Equal(new[] { "mcp:tools", "offline_access" }, set.Scopes);
            Assert.Null(set.ExpiresAt);
            Assert.Null(set.RefreshToken);
            Assert.Equal("bearer", set.TokenType);
        }

        [Fact]
        public async Task Client_secret_basic_sends_form_encoded_credentials_in_Authorization_header_only()
        {
            server.RespondWith(TestResponse.Tokens("at-1"));
            var client = new ClientIdentity("my client:1", TokenEndpointAuthMethods.ClientSecretBasic, ClientIdentitySource.PreRegistered, asm.Issuer, new Secret("s3cr3t/+:%é x"));

            await tokens.ExchangeCodeAsync(asm, client, new Secret("c"), new Secret("v"), RedirectUri, Resource, null, CancellationToken.None);

            TestRequest request = Assert.Single(server.Requests);
            string header = request.Header("Authorization")!;
            Assert.StartsWith("Basic ", header, StringComparison.Ordinal);
            string decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header.Substring(6)));
            Assert.Equal("my+client%3A1:s3cr3t%2F%2B%3A%25%C3%A9+x", decoded);
            string[] parts = decoded.Split(':');
            Assert.Equal("my client:1", TestRequest.Decode(parts[0]));
            Assert.Equal("s3cr3t/+:%é x", TestRequest.Decode(parts[1]));
            Assert.Null(request.Field("client_id"));
            Assert.Null(request.Field("client_secret"));
            Assert.Equal("http://127.0.0.1:9/mcp", request.Field("resource"));
        }

        [Fact]
        public async Task Client_secret_post_sends_credentials_in_body_without_Authorization_header()
        {
            server.RespondWith(TestResponse.Tokens("at-1"));
            var client = new ClientIdentity("cid", TokenEndpointAuthMethods.ClientSecretPost, ClientIdentitySource.PreRegistered, asm.Issuer, new Secret("the-secret-value"));

            await tokens.ExchangeCodeAsync(asm, client, new Secret("c"), new Secret("v"), RedirectUri, Resource, null, CancellationToken.None);

            TestRequest request = Assert.Single(server.Requests);
            Assert.Null(request.Header("Authorization"));
            Assert.Equal("cid", request.Field("client_id"));
            Assert.Equal("the-secret-value", request.Field("client_secret"));
        }

        [Fact]
        public async Task Refresh_sends_client_id_and_resource_for_public_client()
        {
            server.RespondWith(TestResponse.Tokens("at-2", "rt-2"));

            await tokens.RefreshAsync(asm, Public(), new Secret("rt-1"), Resource, null, CancellationToken.None);

            TestRequest request = Assert.Single(server.Requests);
            Assert.Equal("refresh_token", request.Field("grant_type"));
            Assert.Equal("rt-1", request.Field("refresh_token"));
            Assert.Equal("public-client", request.Field("client_id"));
            Assert.Equal("http://127.0.0.1:9/mcp", request.Field("resource"));
            Assert.Null(request.Field("scope"));
        }

        [Fact]
        public async Task Refresh_keeps_old_refresh_token_when_none_returned()
        {
            server.RespondWith(TestResponse.Tokens("at-2", refreshToken: null));

            TokenSet set = await tokens.RefreshAsync(asm, Public(), new Secret("rt-old"), Resource, new[] { "read" }, CancellationToken.None);

            Assert.Equal("at-2", set.AccessToken.Reveal());
            Assert.Equal("rt-old", set.RefreshToken!.Reveal());
            Assert.Equal("read", server.Requests[0].Field("scope"));
            Assert.Equal(new[] { "read" }, set.Scopes);
        }

        [Fact]
        public async Task Refresh_returns_rotated_refresh_token()
        {
            server.RespondWith(TestResponse.Tokens("at-2", refreshToken: "rt-new"));

            TokenSet set = await tokens.RefreshAsync(asm, Public(), new Secret("rt-old"), Resource, null, CancellationToken.None);

            Assert.Equal("rt-new", set.RefreshToken!.Reveal());
        }

        [Fact]
        public async Task Refresh_of_a_token_set_keeps_its_scopes_and_resource_when_response_names_none()
        {
            server.RespondWith(TestResponse.Tokens("at-2"));
            var current = new TokenSet(new Secret("at-1"), "Bearer", new[] { "a", "b" }, Now, asm.Issuer, Resource, new Secret("rt-1"));

            TokenSet set = await tokens.RefreshAsync(asm, Public(), current, null, CancellationToken.None);

            Assert.Equal(new[] { "a", "b" }, set.Scopes);
            Assert.Equal(Resource, set.Resource);
            Assert.Equal("rt-1", set.RefreshToken!.Reveal());
            Assert.Null(server.Requests[0].Field("scope"));
            Assert.Equal("http://127.0.0.1:9/mcp", server.Requests[0].Field("resource"));
        }

        [Fact]
        public async Task Invalid_grant_maps_to_InvalidGrant_and_never_echoes_the_refresh_token()
        {
            const string refreshToken = "rt-very-secret-0123456789";
            server.RespondWith(TestResponse.Error(400, "invalid_grant", "refresh token " + refreshToken + " is revoked\r\n\u001b[31mFAKE LOG LINE"));

            var ex = await Assert.ThrowsAsync<McpAuthException>(() => tokens.RefreshAsync(asm, Public(), new Secret(refreshToken), Resource, null, CancellationToken.None));

            Assert.Equal(ErrorIds.InvalidGrant, ex.ErrorId);
            Assert.Equal(McpErrorKind.AuthenticationError, ex.Kind);
            Assert.Contains("invalid_grant", ex.Message, StringComparison.Ordinal);
            Assert.Contains("is revoked", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(refreshToken, ex.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("\u001b", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("\n", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(refreshToken, callbacks.AllText, StringComparison.Ordinal);
        }

        [Fact]
        public async Task Invalid_client_maps_to_InvalidClient_and_never_shows_the_secret()
        {
            const string secret = "client-secret-abcdef-123";
            server.RespondWith(TestResponse.Error(401, "invalid_client", "bad secret " + secret));
            var client = new ClientIdentity("cid", TokenEndpointAuthMethods.ClientSecretBasic, ClientIdentitySource.PreRegistered, asm.Issuer, new Secret(secret));

            var ex = await Assert.ThrowsAsync<McpAuthException>(() => tokens.ExchangeCodeAsync(asm, client, new Secret("code-1234567890"), new Secret("verifier-1234567890"), RedirectUri, Resource, null, CancellationToken.None));

            Assert.Equal(ErrorIds.InvalidClient, ex.ErrorId);
            Assert.Equal(McpErrorKind.AuthenticationError, ex.Kind);
            Assert.Contains("'cid'", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, ex.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("code-1234567890", ex.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("verifier-1234567890", ex.ToString(), StringComparison.Ordinal);
        }

        [Fact]
        public async Task Other_oauth_errors_map_to_TokenRequestFailed_with_a_truncated_description()
        {
            server.RespondWith(TestResponse.Error(400, "invalid_request", new string('x', 5000)));

            var ex = await Assert.ThrowsAsync<McpAuthException>(() => tokens.RefreshAsync(asm, Public(), new Secret("rt"), Resource, null, CancellationToken.None));

            Assert.Equal(ErrorIds.TokenRequestFailed, ex.ErrorId);
            Assert.Contains("invalid_request", ex.Message, StringComparison.Ordinal);
            Assert.True(ex.Message.Length < 600, ex.Message.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        [Fact]
        public async Task Error_in_a_200_response_is_still_an_error()
        {
            server.RespondWith(TestResponse.Json(200, new { error = "invalid_grant" }));

            var ex = await Assert.ThrowsAsync<McpAuthException>(() => tokens.RefreshAsync(asm, Public(), new Secret("rt"), Resource, null, CancellationToken.None));

            Assert.Equal(ErrorIds.InvalidGrant, ex.ErrorId);
        }

        [Theory]
        [InlineData(200, "<html>hello</html>", "text/html", ErrorIds.MalformedResponse)]
        [InlineData(200, "[1,2]", "application/json", ErrorIds.MalformedResponse)]
        [InlineData(200, "{\"token_type\":\"Bearer\"}", "application/json", ErrorIds.MalformedResponse)]
        [InlineData(200, "{\"access_token\":\"a\"}", "application/json", ErrorIds.MalformedResponse)]
        [InlineData(200, "{\"access_token\":\"a\",\"token_type\":\"DPoP\"}", "application/json", ErrorIds.TokenRequestFailed)]
        [InlineData(502, "Bad gateway", "text/plain", ErrorIds.TokenRequestFailed)]
        public async Task Unusable_token_responses_are_refused(int status, string body, string contentType, string expectedId)
        {
            server.RespondWith(new TestResponse(status, body, contentType));

            var ex = await Assert.ThrowsAsync<McpAuthException>(() => tokens.RefreshAsync(asm, Public(), new Secret("rt"), Resource, null, CancellationToken.None));

            Assert.Equal(expectedId, ex.ErrorId);
        }

        [Fact]
        public async Task Expires_in_given_as_a_string_is_understood()
        {
            server.RespondWith(new TestResponse(200, "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"expires_in\":\"120\"}"));

            TokenSet set = await tokens.RefreshAsync(asm, Public(), new Secret("rt"), Resource, null, CancellationToken.None);

            Assert.Equal(Now.AddSeconds(120), set.ExpiresAt);
        }

        [Fact]
        public async Task Id_token_is_kept_as_a_secret()
        {
            server.RespondWith(new TestResponse(200, "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"id_token\":\"eyJ.id.token\"}"));

            TokenSet set = await tokens.RefreshAsync(asm, Public(), new Secret("rt"), Resource, null, CancellationToken.None);

            Assert.Equal("eyJ.id.token", set.IdToken!.Reveal());
            Assert.DoesNotContain("eyJ", set.ToString(), StringComparison.Ordinal);
        }

        [Fact]
        public async Task Insecure_token_endpoint_is_refused_before_sending()
        {
            asm.TokenEndpoint = new Uri("http://example.com/token");

            var ex = await Assert.ThrowsAsync<McpAuthException>(() => tokens.RefreshAsync(asm, Public(), new Secret("rt"), Resource, null, CancellationToken.None));

            Assert.Equal(ErrorIds.InsecureEndpoint, ex.ErrorId);
            Assert.Empty(server.Requests);
        }

        [Fact]
        public async Task Client_of_another_issuer_is_refused_before_sending()
        {
            var foreign = new ClientIdentity("cid", TokenEndpointAuthMethods.None, ClientIdentitySource.DynamicRegistration, new Uri("https://other.example.com"));

            var ex = await Assert.ThrowsAsync<McpAuthException>(() => tokens.RefreshAsync(asm, foreign, new Secret("rt"), Resource, null, CancellationToken.None));

            Assert.Equal(ErrorIds.IssuerMismatch, ex.ErrorId);
            Assert.Equal(McpErrorKind.SecurityError, ex.Kind);
            Assert.Empty(server.Requests);
        }

        [Fact]
        public async Task Unreachable_token_endpoint_maps_to_ServerUnreachable()
        {
            Uri dead = new(server.BaseUri, "token");
            server.Dispose();
            asm.TokenEndpoint = dead;

            var ex = await Assert.ThrowsAsync<McpAuthException>(() => tokens.RefreshAsync(asm, Public(), new Secret("rt-secret-value-123"), Resource, null, CancellationToken.None));

            Assert.Equal(ErrorIds.ServerUnreachable, ex.ErrorId);
            Assert.DoesNotContain("rt-secret-value-123", ex.ToString(), StringComparison.Ordinal);
        }

        [Fact]
        public async Task Cancellation_reaches_the_request()
        {
            server.Handler = _ =>
            {
                Thread.Sleep(3000);
                return TestResponse.Tokens("late");
            };
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => tokens.RefreshAsync(asm, Public(), new Secret("rt"), Resource, null, cts.Token));
        }

        [Fact]
        public async Task Client_credentials_with_client_secret_basic_sends_scope_and_resource()
        {
            server.RespondWith(TestResponse.Tokens("cc-token", scope: "mcp:read"));
            var client = new ClientIdentity("svc", TokenEndpointAuthMethods.ClientSecretBasic, ClientIdentitySource.PreRegistered, asm.Issuer, new Secret("svc-secret"));

            TokenSet set = await tokens.ClientCredentialsAsync(asm, client, new[] { "mcp:read" }, Resource, CancellationToken.None);

            TestRequest request = Assert.Single(server.Requests);
            Assert.Equal("client_credentials", request.Field("grant_type"));
            Assert.Equal("mcp:read", request.Field("scope"));
            Assert.Equal("http://127.0.0.1:9/mcp", request.Field("resource"));
            Assert.Equal("svc:svc-secret", Encoding.UTF8.GetString(Convert.FromBase64String(request.Header("Authorization")!.Substring(6))));
            Assert.Equal("cc-token", set.AccessToken.Reveal());
        }

        [Fact]
        public async Task Client_credentials_refuses_a_public_client()
        {
            var ex = await Assert.ThrowsAsync<McpAuthException>(() => tokens.ClientCredentialsAsync(asm, Public(), null, Resource, CancellationToken.None));

            Assert.Equal(ErrorIds.ClientIdentityRequired, ex.ErrorId);
            Assert.Empty(server.Requests);
        }

        [Fact]
        public async Task Revoke_sends_token_hint_and_client_authentication()
        {
            server.RespondWith(new TestResponse(200, string.Empty));
            var client = new ClientIdentity("cid", TokenEndpointAuthMethods.ClientSecretPost, ClientIdentitySource.PreRegistered, asm.Issuer, new Secret("sec"));

            bool revoked = await tokens.RevokeAsync(asm, client, new Secret("rt-to-revoke"), "refresh_token", CancellationToken.None);

            Assert.True(revoked);
            TestRequest request = Assert.Single(server.Requests);
            Assert.Equal("/revoke", request.Path);
            Assert.Equal("rt-to-revoke", request.Field("token"));
            Assert.Equal("refresh_token", request.Field("token_type_hint"));
            Assert.Equal("cid", request.Field("client_id"));
            Assert.Equal("sec", request.Field("client_secret"));
        }

        [Fact]
        public async Task Revoke_is_best_effort()
        {
            server.RespondWith(TestResponse.Error(503, "temporarily_unavailable"));

            Assert.False(await tokens.RevokeAsync(asm, Public(), new Secret("t"), null, CancellationToken.None));
            Assert.Single(server.Requests);

            asm.RevocationEndpoint = null;
            Assert.False(await tokens.RevokeAsync(asm, Public(), new Secret("t"), null, CancellationToken.None));
            Assert.Single(server.Requests);

            asm.RevocationEndpoint = new Uri("http://example.com/revoke");
            Assert.False(await tokens.RevokeAsync(asm, Public(), new Secret("t"), null, CancellationToken.None));
            Assert.Single(server.Requests);
        }

        private ClientIdentity Public() =>
            new("public-client", TokenEndpointAuthMethods.None, ClientIdentitySource.DynamicRegistration, asm.Issuer, redirectUri: RedirectUri);
    }
}
