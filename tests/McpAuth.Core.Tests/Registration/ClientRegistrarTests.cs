using McpAuth.Core.Tests;
using System;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Discovery;
using McpAuth.Core.Http;
using McpAuth.Core.Registration;

using McpAuth.Core.Tokens;
using McpAuth.Testing;
using Xunit;

namespace McpAuth.Core.Tests.Registration
{
    public sealed class ClientRegistrarTests : IDisposable
    {
        private static readonly Uri RedirectUri = new("http://127.0.0.1:33418/callback");
        private static readonly Uri Resource = new("http://127.0.0.1:9/mcp");
        private static readonly DateTimeOffset Now = new(2025, 11, 25, 12, 0, 0, TimeSpan.Zero);

        private readonly TestHttpServer server = TestHttpServer.Start();
        private readonly HttpClient http = McpHttpClientFactory.Create(TimeSpan.FromSeconds(10));
        private readonly RecordingCallbacks callbacks = new();
        private readonly ClientRegistrar registrar = new(new ManualClock(Now));
        private readonly AuthorizationServerMetadata asm;

        public ClientRegistrarTests()
        {
            asm = server.Metadata();
        }

        public void Dispose()
        {
            http.Dispose();
            server.Dispose();
        }

        [Fact]
        public async Task Pre_registered_client_without_secret_is_public_and_nothing_is_sent()
        {
            ClientIdentity identity = await Resolve(new ClientOptions { ClientId = "my-app" });

            Assert.Equal("my-app", identity.ClientId);
            Assert.Equal(TokenEndpointAuthMethods.None, identity.TokenEndpointAuthMethod);
            Assert.Equal(ClientIdentitySource.PreRegistered, identity.Source);
            Assert.Equal(asm.Issuer, identity.Issuer);
            Assert.Equal(RedirectUri, identity.RedirectUri);
            Assert.Null(identity.ClientSecret);
            Assert.Empty(server.Requests);
        }

        [Theory]
        [InlineData(new string[0], TokenEndpointAuthMethods.ClientSecretBasic)]
        [InlineData(new[] { "client_secret_post", "client_secret_basic" }, TokenEndpointAuthMethods.ClientSecretBasic)]
        [InlineData(new[] { "client_secret_post", "none" }, TokenEndpointAuthMethods.ClientSecretPost)]
        [InlineData(new[] { "private_key_jwt" }, TokenEndpointAuthMethods.ClientSecretPost)]
        public async Task Pre_registered_client_with_secret_prefers_basic_when_the_server_allows_it(string[] supported, string expected)
        {
            asm.TokenEndpointAuthMethodsSupported = supported;

            ClientIdentity identity = await Resolve(new ClientOptions { ClientId = "my-app", ClientSecret = new Secret("s") });

            Assert.Equal(expected, identity.TokenEndpointAuthMethod);
            Assert.Equal("s", identity.ClientSecret!.Reveal());
        }

        [Fact]
        public async Task Pre_registered_method_the_user_told_is_used()
        {
            asm.TokenEndpointAuthMethodsSupported = new[] { "client_secret_basic" };

            ClientIdentity identity = await Resolve(new ClientOptions { ClientId = "my-app", ClientSecret = new Secret("s"), TokenEndpointAuthMethod = "client_secret_post" });

            Assert.Equal(TokenEndpointAuthMethods.ClientSecretPost, identity.TokenEndpointAuthMethod);
        }

        [Fact]
        public async Task Pre_registered_client_with_a_private_key_uses_private_key_jwt()
        {
            ClientIdentity identity = await Resolve(new ClientOptions { ClientId = "svc", PrivateKeyPem = new Secret("pem"), SigningAlgorithm = "ES256" });

            Assert.Equal(TokenEndpointAuthMethods.PrivateKeyJwt, identity.TokenEndpointAuthMethod);
            Assert.Equal("pem", identity.PrivateKeyPem!.Reveal());
            Assert.Equal("ES256", identity.SigningAlgorithm);
        }

        [Fact]
        public async Task Secret_without_client_id_is_refused()
        {
            var ex = await Assert.ThrowsAsync<McpAuthException>(() => Resolve(new ClientOptions { ClientSecret = new Secret("secret-without-id-123") }));

            Assert.Equal(ErrorIds.ClientIdentityRequired, ex.ErrorId);
            Assert.Equal(McpErrorKind.InvalidArgument, ex.Kind);
            Assert.DoesNotContain("secret-without-id-123", ex.ToString(), StringComparison.Ordinal);
            Assert.Empty(server.Requests);
        }

        [Fact]
        public async Task Secret_method_without_secret_is_refused()
        {
            var ex = await Assert.ThrowsAsync<McpAuthException>(() => Resolve(new ClientOptions { ClientId = "a", TokenEndpointAuthMethod = "client_secret_basic" }));

            Assert.Equal(ErrorIds.ClientIdentityRequired, ex.ErrorId);
        }

        [Fact]
        public async Task Metadata_document_url_becomes_the_client_id_when_the_server_supports_it()
        {
            asm.ClientIdMetadataDocumentSupported = true;

            ClientIdentity identity = await Resolve(new ClientOptions { ClientMetadataUrl = new Uri("https://app.example.com/oauth/client.json") });

            Assert.Equal("https://app.example.com/oauth/client.json", identity.ClientId);
            Assert.Equal(ClientIdentitySource.MetadataDocument, identity.Source);
            Assert.Equal(TokenEndpointAuthMethods.None, identity.TokenEndpointAuthMethod);
            Assert.Empty(server.Requests);
        }

        [Fact]
        public async Task Pre_registered_client_wins_over_a_metadata_document()
        {
            asm.ClientIdMetadataDocumentSupported = true;

            ClientIdentity identity = await Resolve(new ClientOptions { ClientId = "my-app", ClientMetadataUrl = new Uri("https://app.example.com/client.json") });

            Assert.Equal(ClientIdentitySource.PreRegistered, identity.Source);
        }

        [Theory]
        [InlineData("http://app.example.com/client.json")]
        [InlineData("https://app.example.com/")]
        [InlineData("https://app.example.com/client.json#x")]
        public async Task Metadata_document_url_must_be_https_with_a_path(string url)
        {
            asm.ClientIdMetadataDocumentSupported = true;

            var ex = await Assert.ThrowsAsync<McpAuthException>(() => Resolve(new ClientOptions { ClientMetadataUrl = new Uri(url) }));

            Assert.Equal(ErrorIds.ClientIdentityRequired, ex.ErrorId);
            Assert.Empty(server.Requests);
        }

        [Fact]
        public async Task Dynamic_registration_is_used_when_metadata_documents_are_not_supported_and_sends_a_native_public_client()
        {
            asm.ClientIdMetadataDocumentSupported = false;
            server.RespondWith(TestResponse.Json(201, new { client_id = "dcr-123", token_endpoint_auth_method = "none", client_id_issued_at = 1764072000 }));

            ClientIdentity identity = await Resolve(new ClientOptions { ClientMetadataUrl = new Uri("https://app.example.com/client.json"), Scopes = new[] { "mcp:tools", "offline_access" } });

            TestRequest request = Assert.Single(server.Requests);
            Assert.Equal("/register", request.Path);
            Assert.StartsWith("application/json", request.Header("Content-Type"), StringComparison.Ordinal);
            JsonElement body = request.Json();
            Assert.Equal("McpAuth (PowerShell)", body.GetProperty("client_name").GetString());
            Assert.Equal(new[] { "http://127.0.0.1:33418/callback" }, Strings(body, "redirect_uris"));
            Assert.Equal(new[] { "authorization_code", "refresh_token" }, Strings(body, "grant_types"));
            Assert.Equal(new[] { "code" }, Strings(body, "response_types"));
            Assert.Equal("none", body.GetProperty("token_endpoint_auth_method").GetString());
            Assert.Equal("native", body.GetProperty("application_type").GetString());
            Assert.Equal("mcp:tools offline_access", body.GetProperty("scope").GetString());

            Assert.Equal("dcr-123", identity.ClientId);
            Assert.Equal(ClientIdentitySource.DynamicRegistration, identity.Source);
            Assert.Equal(TokenEndpointAuthMethods.None, identity.TokenEndpointAuthMethod);
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1764072000), identity.RegisteredAt);
            Assert.Null(identity.ClientSecret);
        }

        [Fact]
        public async Task Dynamic_registration_without_scope_omits_it_and_records_now()
        {
            server.RespondWith(TestResponse.Json(201, new { client_id = "dcr-1" }));

            ClientIdentity identity = await Resolve(new ClientOptions());

            Assert.False(server.Requests[0].Json().TryGetProperty("scope", out _));
            Assert.Equal(Now, identity.RegisteredAt);
            Assert.Equal(TokenEndpointAuthMethods.None, identity.TokenEndpointAuthMethod);
        }

        [Fact]
        public async Task Auth_method_returned_by_registration_is_honoured_by_the_token_request()
        {
            server.Handler = r => r.Path == "/register"
                ? TestResponse.Json(201, new { client_id = "dcr-post", client_secret = "issued-secret-abcdef", token_endpoint_auth_method = "client_secret_post", client_secret_expires_at = 1893456000 })
                : TestResponse.Tokens("at");

            ClientIdentity identity = await Resolve(new ClientOptions());
            var tokens = new TokenEndpointClient(http, callbacks);
            await tokens.ExchangeCodeAsync(asm, identity, new Secret("code"), new Secret("verifier"), RedirectUri, Resource, null, CancellationToken.None);

            Assert.Equal(TokenEndpointAuthMethods.ClientSecretPost, identity.TokenEndpointAuthMethod);
            Assert.Equal("issued-secret-abcdef", identity.ClientSecret!.Reveal());
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1893456000), identity.SecretExpiresAt);
            TestRequest tokenRequest = server.Requests.Single(r => r.Path == "/token");
            Assert.Equal("dcr-post", tokenRequest.Field("client_id"));
            Assert.Equal("issued-secret-abcdef", tokenRequest.Field("client_secret"));
            Assert.Null(tokenRequest.Header("Authorization"));
            Assert.DoesNotContain("issued-secret-abcdef", callbacks.AllText, StringComparison.Ordinal);
            Assert.DoesNotContain("issued-secret-abcdef", identity.ToString(), StringComparison.Ordinal);
        }

        [Fact]
        public async Task Secret_without_a_returned_method_means_client_secret_basic_and_zero_expiry_means_never()
        {
            server.RespondWith(TestResponse.Json(201, new { client_id = "dcr-2", client_secret = "sec", client_secret_expires_at = 0 }));

            ClientIdentity identity = await Resolve(new ClientOptions());

            Assert.Equal(TokenEndpointAuthMethods.ClientSecretBasic, identity.TokenEndpointAuthMethod);
            Assert.Null(identity.SecretExpiresAt);
        }

        [Fact]
        public async Task Requested_auth_method_is_sent_in_registration()
        {
            server.RespondWith(TestResponse.Json(201, new { client_id = "dcr-3", client_secret = "sec", token_endpoint_auth_method = "client_secret_basic" }));

            ClientIdentity identity = await Resolve(new ClientOptions { TokenEndpointAuthMethod = "client_secret_basic" });

            Assert.Equal("client_secret_basic", server.Requests[0].Json().GetProperty("token_endpoint_auth_method").GetString());
            Assert.Equal(TokenEndpointAuthMethods.ClientSecretBasic, identity.TokenEndpointAuthMethod);
        }

        [Fact]
        public async Task Registration_returning_a_secret_method_without_a_secret_is_malformed()
        {
            server.RespondWith(TestResponse.Json(201, new { client_id = "dcr-4", token_endpoint_auth_method = "client_secret_basic" }));

            var ex = await Assert.ThrowsAsync<McpAuthException>(() => Resolve(new ClientOptions()));

            Assert.Equal(ErrorIds.MalformedResponse, ex.ErrorId);
        }

        [Fact]
        public async Task Registration_returning_an_unusable_method_is_refused()
        {
            server.RespondWith(TestResponse.Json(201, new { client_id = "dcr-5", token_endpoint_auth_method = "tls_client_auth" }));

            var ex = await Assert.ThrowsAsync<McpAuthException>(() => Resolve(new ClientOptions()));

            Assert.Equal(ErrorIds.ClientRegistrationFailed, ex.ErrorId);
        }

        [Theory]
        [InlineData(201, "{}")]
        [InlineData(201, "not json")]
        [InlineData(200, "{\"client_id\":42}")]
        public async Task Registration_response_without_client_id_is_malformed(int status, string body)
        {
            server.RespondWith(new TestResponse(status, body));

            var ex = await Assert.ThrowsAsync<McpAuthException>(() => Resolve(new ClientOptions()));

            Assert.Equal(ErrorIds.MalformedResponse, ex.ErrorId);
        }

        [Fact]
        public async Task Registration_error_carries_the_servers_error_and_description()
        {
            server.RespondWith(TestResponse.Error(400, "invalid_redirect_uri", "loopback\u0007 redirect URIs are not allowed"));

            var ex = await Assert.ThrowsAsync<McpAuthException>(() => Resolve(new ClientOptions()));

            Assert.Equal(ErrorIds.ClientRegistrationFailed, ex.ErrorId);
            Assert.Equal(McpErrorKind.AuthenticationError, ex.Kind);
            Assert.Contains("invalid_redirect_uri", ex.Message, StringComparison.Ordinal);
            Assert.Contains("redirect URIs are not allowed", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("\u0007", ex.Message, StringComparison.Ordinal);
            Assert.Contains("Register a client with it yourself", ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public async Task Insecure_registration_endpoint_is_refused()
        {
            asm.RegistrationEndpoint = new Uri("http://as.example.com/register");

            var ex = await Assert.ThrowsAsync<McpAuthException>(() => Resolve(new ClientOptions()));

            Assert.Equal(ErrorIds.InsecureEndpoint, ex.ErrorId);
        }

        [Fact]
        public async Task No_way_to_get_a_client_says_to_register_one()
        {
            asm.RegistrationEndpoint = null;
            asm.ClientIdMetadataDocumentSupported = false;

            var ex = await Assert.ThrowsAsync<McpAuthException>(() => Resolve(new ClientOptions { ClientMetadataUrl = new Uri("https://app.example.com/client.json") }));

            Assert.Equal(ErrorIds.ClientIdentityRequired, ex.ErrorId);
            Assert.Equal(McpErrorKind.AuthenticationError, ex.Kind);
            Assert.Contains("Register a client with it and sign in with that client's id", ex.Message, StringComparison.Ordinal);
            Assert.Empty(server.Requests);
        }

        [Fact]
        public async Task Registering_again_after_invalid_client_gives_a_new_identity()
        {
            int n = 0;
            server.Handler = _ => TestResponse.Json(201, new { client_id = "dcr-" + Interlocked.Increment(ref n) });
            ClientIdentity first = await Resolve(new ClientOptions());
            Assert.True(ClientRegistrar.CanRegisterAgain(first, asm));

            ClientIdentity second = await registrar.RegisterAsync(new ClientOptions(), asm, RedirectUri, http, callbacks, CancellationToken.None);

            Assert.Equal("dcr-1", first.ClientId);
            Assert.Equal("dcr-2", second.ClientId);
            Assert.Equal(2, server.Requests.Count);
            Assert.False(ClientRegistrar.CanRegisterAgain(new ClientIdentity("x", "none", ClientIdentitySource.PreRegistered, asm.Issuer), asm));
        }

        [Fact]
        public void Identity_belongs_only_to_its_issuer()
        {
            var identity = new ClientIdentity("x", "none", ClientIdentitySource.DynamicRegistration, new Uri("https://as.example.com/tenant"));

            Assert.True(identity.BelongsTo(new Uri("https://as.example.com/tenant")));
            Assert.False(identity.BelongsTo(new Uri("https://as.example.com/other")));
            Assert.False(identity.BelongsTo(new Uri("https://evil.example.com/tenant")));
        }

        private Task<ClientIdentity> Resolve(ClientOptions options) =>
            registrar.ResolveAsync(options, asm, RedirectUri, http, callbacks, CancellationToken.None);

        private static string[] Strings(JsonElement body, string name) =>
            body.GetProperty(name).EnumerateArray().Select(e => e.GetString()!).ToArray();
    }
}
