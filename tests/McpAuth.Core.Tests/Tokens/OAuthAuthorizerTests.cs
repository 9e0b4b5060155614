using System;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Http;
using McpAuth.Core.Storage;
using McpAuth.Core.Tests.Storage;
using McpAuth.Core.Tokens;
using McpAuth.Testing;
using Xunit;

namespace McpAuth.Core.Tests.Tokens
{
    /// <summary>One connection's authorizer over a credential cache, the real (plaintext file) store and a local token endpoint.</summary>
    public sealed class OAuthAuthorizerTests : TokenLayerTest
    {
        private readonly TokenCache cache;

        public OAuthAuthorizerTests()
        {
            cache = new TokenCache(NewStore(), Clock);
        }

        [Fact]
        public async Task A_401_binds_the_connection_to_the_stored_credential_which_is_presented_while_fresh()
        {
            await StoreCredentialAsync("at-stored", "rt-stored");
            OAuthAuthorizer authorizer = NewAuthorizer();
            Assert.False(authorizer.HasToken);

            Assert.True(await authorizer.HandleChallengeAsync(Unauthorized(), 0, Callbacks, CancellationToken.None));

            Assert.Equal("Bearer at-stored", await PresentedAsync(authorizer));
            Assert.Equal(AuthorizationMethod.Handler, authorizer.Method);
            Assert.Empty(AuthorizationServer.Requests);
        }

        [Fact]
        public async Task A_stored_credential_goes_on_the_first_request_without_waiting_for_a_challenge()
        {
            await StoreCredentialAsync("at-stored", "rt-stored");
            OAuthAuthorizer authorizer = NewAuthorizer();

            Assert.Equal("Bearer at-stored", await PresentedAsync(authorizer));
            Assert.True(authorizer.HasToken);
            Assert.Empty(AuthorizationServer.Requests);
        }

        [Fact]
        public async Task A_stored_credential_that_is_stale_is_refreshed_before_the_first_request()
        {
            await StoreCredentialAsync("at-stored", "rt-stored");
            AuthorizationServer.RespondWith(TestResponse.Tokens("at-renewed", "rt-renewed", "mcp:read", 3600));
            Clock.Advance(TimeSpan.FromHours(2));

            Assert.Equal("Bearer at-renewed", await PresentedAsync(NewAuthorizer()));
            Assert.Equal("rt-stored", Assert.Single(AuthorizationServer.Requests).Field("refresh_token"));
        }

        [Fact]
        public async Task Without_a_stored_credential_the_first_request_goes_out_bare_and_a_later_one_finds_a_credential_stored_since_only_on_a_challenge()
        {
            OAuthAuthorizer authorizer = NewAuthorizer();
            Assert.Null(await PresentedAsync(authorizer));

            // The store is searched before the first request only: another process's credential is adopted on the challenge.
            await StoreCredentialAsync("at-stored", "rt-stored");
            Assert.Null(await PresentedAsync(authorizer));
            Assert.True(await authorizer.HandleChallengeAsync(Unauthorized(), 0, Callbacks, CancellationToken.None));
            Assert.Equal("Bearer at-stored", await PresentedAsync(authorizer));
        }

        [Fact]
        public async Task A_token_that_turned_stale_on_the_clock_is_renewed_before_the_request()
        {
            await StoreCredentialAsync("at-stored", "rt-stored");
            OAuthAuthorizer authorizer = NewAuthorizer();
            await authorizer.HandleChallengeAsync(Unauthorized(), 0, Callbacks, CancellationToken.None);
            AuthorizationServer.RespondWith(TestResponse.Tokens("at-renewed", "rt-renewed", "mcp:read", 3600));

            Clock.Advance(TimeSpan.FromMinutes(59));

            Assert.Equal("Bearer at-renewed", await PresentedAsync(authorizer));
            Assert.Equal("rt-stored", Assert.Single(AuthorizationServer.Requests).Field("refresh_token"));
            Assert.Equal("Bearer at-renewed", await PresentedAsync(authorizer));
            Assert.Single(AuthorizationServer.Requests);
        }

        [Fact]
        public async Task Every_connection_sees_a_refresh_or_a_removal_made_through_the_cache()
        {
            await StoreCredentialAsync("at-stored", "rt-stored");
            OAuthAuthorizer one = NewAuthorizer();
            OAuthAuthorizer two = NewAuthorizer();
            await one.HandleChallengeAsync(Unauthorized(), 0, Callbacks, CancellationToken.None);
            await two.HandleChallengeAsync(Unauthorized(), 0, Callbacks, CancellationToken.None);
            AuthorizationServer.RespondWith(TestResponse.Tokens("at-renewed", "rt-renewed", "mcp:read", 3600));

            TokenSet renewed = await one.GetTokenAsync(null, forceRefresh: true, Callbacks, CancellationToken.None);

            Assert.Equal("at-renewed", renewed.AccessToken.Reveal());
            Assert.Equal("Bearer at-renewed", await PresentedAsync(two));
            await cache.RemoveAsync(Key, Callbacks, CancellationToken.None);
            Assert.False(two.HasToken);
            Assert.Null(await PresentedAsync(two));
        }

        [Fact]
        public async Task Without_a_stored_credential_a_session_nobody_can_sign_in_from_gets_InteractionRequired_before_any_request()
        {
            OAuthAuthorizer authorizer = NewAuthorizer();

            var ex = await Assert.ThrowsAsync<InteractionRequiredException>(() => authorizer.HandleChallengeAsync(Unauthorized(), 0, Callbacks, CancellationToken.None));

            Assert.Equal(ErrorIds.InteractionRequired, ex.ErrorId);
            Assert.Equal(Server, ex.Target);
            Assert.Empty(AuthorizationServer.Requests);
        }

        [Fact]
        public async Task Revoking_forgets_the_tokens_here_and_in_the_store_and_keeps_the_client()
        {
            await StoreCredentialAsync("at-stored", "rt-stored");
            OAuthAuthorizer authorizer = NewAuthorizer();
            await authorizer.HandleChallengeAsync(Unauthorized(), 0, Callbacks, CancellationToken.None);
            AuthorizationServer.RespondWith(new TestResponse(200, string.Empty));

            await authorizer.ChangeAsync(CredentialChange.Revoke(), Callbacks, CancellationToken.None);

            Assert.False(authorizer.HasToken);
            Assert.Equal(new[] { "rt-stored", "at-stored" }, new[] { AuthorizationServer.Requests[0].Field("token"), AuthorizationServer.Requests[1].Field("token") });
            CredentialRecord stored = (await cache.Store.GetAsync(Key, Callbacks, CancellationToken.None))!;
            Assert.Null(stored.Tokens);
            Assert.Equal(TestCredentials.ClientId, stored.Client!.ClientId);
        }

        private OAuthAuthorizer NewAuthorizer() => new(Server, Http, new SignInOptions { Clock = Clock }, cache);

        private static HttpResponseMessage Unauthorized()
        {
            var response = new HttpResponseMessage(HttpStatusCode.Unauthorized) { RequestMessage = new HttpRequestMessage(HttpMethod.Post, Server) };
            response.Headers.TryAddWithoutValidation("WWW-Authenticate", "Bearer error=\"invalid_token\"");
            return response;
        }

        private async Task<string?> PresentedAsync(OAuthAuthorizer authorizer)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, Server);
            await authorizer.AuthorizeAsync(request, Callbacks, CancellationToken.None);
            return request.Headers.Authorization?.ToString();
        }

        private Task StoreCredentialAsync(string accessToken, string refreshToken) =>
            cache.Store.UpdateAsync(Key, _ => TestCredentials.Record(Key, AuthorizationServer.Metadata(), accessToken, refreshToken, Start.AddHours(1)), Callbacks, CancellationToken.None);
    }
}
