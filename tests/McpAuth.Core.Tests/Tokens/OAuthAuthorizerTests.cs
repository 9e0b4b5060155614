using System;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Discovery;
using McpAuth.Core.Http;
using McpAuth.Core.Registration;
using McpAuth.Core.Storage;
using McpAuth.Core.Tests.Storage;
using McpAuth.Core.Tokens;
using Xunit;

namespace McpAuth.Core.Tests.Tokens
{
    /// <summary>One connection's authorizer over a credential cache, the real (plaintext file) store and a local token endpoint.</summary>
    public sealed class OAuthAuthorizerTests : IDisposable
    {
        private static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
        private static readonly Uri Server = new("http://127.0.0.1:9/mcp");

        private readonly TempDirectory temp = new();
        private readonly TestHttpServer authorizationServer = TestHttpServer.Start();
        private readonly HttpClient http = McpHttpClientFactory.Create(TimeSpan.FromSeconds(10));
        private readonly RecordingCallbacks callbacks = new();
        private readonly ManualClock clock = new(Start);
        private readonly TokenCache cache;
        private readonly CredentialKey key;

        public OAuthAuthorizerTests()
        {
            cache = new TokenCache(new PlaintextFileCredentialStore(temp.StoreDir, allowPlaintext: true, clock: clock), clock);
            key = new CredentialKey(Server.OriginalString, authorizationServer.Issuer.OriginalString);
        }

        public void Dispose()
        {
            http.Dispose();
            authorizationServer.Dispose();
            temp.Dispose();
        }

        [Fact]
        public async Task A_401_binds_the_connection_to_the_stored_credential_which_is_presented_while_fresh()
        {
            await StoreCredentialAsync("at-stored", "rt-stored");
            OAuthAuthorizer authorizer = NewAuthorizer();
            Assert.False(authorizer.HasToken);

            Assert.True(await authorizer.HandleChallengeAsync(Unauthorized(), 0, callbacks, CancellationToken.None));

            Assert.Equal("Bearer at-stored", await PresentedAsync(authorizer));
            Assert.Equal(AuthorizationMethod.Handler, authorizer.Method);
            Assert.Empty(authorizationServer.Requests);
        }

        [Fact]
        public async Task A_token_that_turned_stale_on_the_clock_is_renewed_before_the_request()
        {
            await StoreCredentialAsync("at-stored", "rt-stored");
            OAuthAuthorizer authorizer = NewAuthorizer();
            await authorizer.HandleChallengeAsync(Unauthorized(), 0, callbacks, CancellationToken.None);
            authorizationServer.RespondWith(TestResponse.Tokens("at-renewed", "rt-renewed", "mcp:read", 3600));

            clock.Advance(TimeSpan.FromMinutes(59));

            Assert.Equal("Bearer at-renewed", await PresentedAsync(authorizer));
            Assert.Equal("rt-stored", Assert.Single(authorizationServer.Requests).Field("refresh_token"));
            Assert.Equal("Bearer at-renewed", await PresentedAsync(authorizer));
            Assert.Single(authorizationServer.Requests);
        }

        [Fact]
        public async Task Every_connection_sees_a_refresh_or_a_removal_made_through_the_cache()
        {
            await StoreCredentialAsync("at-stored", "rt-stored");
            OAuthAuthorizer one = NewAuthorizer();
            OAuthAuthorizer two = NewAuthorizer();
            await one.HandleChallengeAsync(Unauthorized(), 0, callbacks, CancellationToken.None);
            await two.HandleChallengeAsync(Unauthorized(), 0, callbacks, CancellationToken.None);
            authorizationServer.RespondWith(TestResponse.Tokens("at-renewed", "rt-renewed", "mcp:read", 3600));

            TokenSet renewed = await one.GetTokenAsync(null, forceRefresh: true, callbacks, CancellationToken.None);

            Assert.Equal("at-renewed", renewed.AccessToken.Reveal());
            Assert.Equal("Bearer at-renewed", await PresentedAsync(two));
            await cache.RemoveAsync(key, callbacks, CancellationToken.None);
            Assert.False(two.HasToken);
            Assert.Null(await PresentedAsync(two));
        }

        [Fact]
        public async Task Without_a_stored_credential_a_session_nobody_can_sign_in_from_gets_InteractionRequired_before_any_request()
        {
            OAuthAuthorizer authorizer = NewAuthorizer();

            var ex = await Assert.ThrowsAsync<InteractionRequiredException>(() => authorizer.HandleChallengeAsync(Unauthorized(), 0, callbacks, CancellationToken.None));

            Assert.Equal(ErrorIds.InteractionRequired, ex.ErrorId);
            Assert.Equal(Server, ex.Target);
            Assert.Empty(authorizationServer.Requests);
        }

        [Fact]
        public async Task Revoking_forgets_the_tokens_here_and_in_the_store_and_keeps_the_client()
        {
            await StoreCredentialAsync("at-stored", "rt-stored");
            OAuthAuthorizer authorizer = NewAuthorizer();
            await authorizer.HandleChallengeAsync(Unauthorized(), 0, callbacks, CancellationToken.None);
            authorizationServer.RespondWith(new TestResponse(200, string.Empty));

            await authorizer.ChangeAsync(CredentialChange.Revoke(), callbacks, CancellationToken.None);

            Assert.False(authorizer.HasToken);
            Assert.Equal(new[] { "rt-stored", "at-stored" }, new[] { authorizationServer.Requests[0].Field("token"), authorizationServer.Requests[1].Field("token") });
            CredentialRecord stored = (await cache.Store.GetAsync(key, callbacks, CancellationToken.None))!;
            Assert.Null(stored.Tokens);
            Assert.Equal("dyn-client", stored.Client!.ClientId);
        }

        private OAuthAuthorizer NewAuthorizer() => new(Server, http, new SignInOptions { Clock = clock }, cache);

        private static HttpResponseMessage Unauthorized()
        {
            var response = new HttpResponseMessage(HttpStatusCode.Unauthorized) { RequestMessage = new HttpRequestMessage(HttpMethod.Post, Server) };
            response.Headers.TryAddWithoutValidation("WWW-Authenticate", "Bearer error=\"invalid_token\"");
            return response;
        }

        private async Task<string?> PresentedAsync(OAuthAuthorizer authorizer)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, Server);
            await authorizer.AuthorizeAsync(request, callbacks, CancellationToken.None);
            return request.Headers.Authorization?.ToString();
        }

        private Task StoreCredentialAsync(string accessToken, string refreshToken)
        {
            AuthorizationServerMetadata asm = authorizationServer.Metadata();
            return cache.Store.UpdateAsync(
                key,
                _ => new CredentialRecord(key)
                {
                    Client = new StoredClientIdentity("dyn-client", ClientIdentitySource.DynamicRegistration) { TokenEndpointAuthMethod = TokenEndpointAuthMethods.None },
                    Tokens = new StoredTokenSet
                    {
                        AccessToken = new Secret(accessToken),
                        RefreshToken = new Secret(refreshToken),
                        TokenType = "Bearer",
                        Scopes = new[] { "mcp:read" },
                        ExpiresAt = Start.AddHours(1),
                        IssuedAt = Start,
                    },
                    Discovery = new StoredDiscovery(asm.IssuerString) { TokenEndpoint = asm.TokenEndpoint, RevocationEndpoint = asm.RevocationEndpoint },
                    AuthorizedBy = AuthorizationMethod.Handler,
                },
                callbacks,
                CancellationToken.None);
        }
    }
}
