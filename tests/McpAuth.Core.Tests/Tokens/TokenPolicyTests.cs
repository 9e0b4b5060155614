using System;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Discovery;
using McpAuth.Core.Http;
using McpAuth.Core.Registration;
using McpAuth.Core.Storage;
using McpAuth.Core.Tests.Storage;
using McpAuth.Core.Tokens;
using McpAuth.Testing;
using Xunit;

namespace McpAuth.Core.Tests.Tokens
{
    /// <summary>
    /// The refresh and step-up policy with the credential cache, against the real (plaintext file) store and a
    /// local token endpoint; time moves on a manual Clock.
    /// </summary>
    public sealed class TokenPolicyTests : TokenLayerTest
    {
        [Fact]
        public void A_token_is_stale_within_a_tenth_of_its_lifetime_of_expiry_at_most_the_configured_skew()
        {
            var policy = new TokenPolicy(Options());
            TokenSet hourLong = Tokens("at", Start.AddHours(1));

            Assert.False(policy.IsStale(hourLong));
            Clock.Advance(TimeSpan.FromMinutes(58));
            Assert.False(policy.IsStale(hourLong));
            Clock.Advance(TimeSpan.FromMinutes(1));
            Assert.True(policy.IsStale(hourLong));

            // 60 s skew would make a one-minute token stale at once: a tenth of its lifetime, 6 s, applies.
            Assert.False(policy.IsStale(Tokens("at", Clock.UtcNow.AddMinutes(1), issuedAt: Clock.UtcNow)));
            Assert.False(policy.IsStale(null));
        }

        [Fact]
        public async Task A_refresh_stores_the_rotated_refresh_token_before_it_returns()
        {
            TokenCache cache = await CacheWithCredentialAsync("at-old", "rt-old");
            AuthorizationServer.RespondWith(TestResponse.Tokens("at-new", "rt-new", "mcp:read", 3600));
            Clock.Advance(TimeSpan.FromHours(2));

            (Credential? after, RefreshOutcome outcome) = await Refresh(cache);

            Assert.Equal(RefreshOutcome.Refreshed, outcome);
            Assert.Equal("at-new", after!.Tokens!.AccessToken.Reveal());
            Assert.Equal(Clock.UtcNow.AddHours(1), after.Tokens.ExpiresAt);
            TestRequest request = Assert.Single(AuthorizationServer.Requests);
            Assert.Equal("rt-old", request.Field("refresh_token"));
            CredentialRecord stored = (await NewStore().GetAsync(Key, Callbacks, CancellationToken.None))!;
            Assert.Equal("rt-new", stored.Tokens!.RefreshToken!.Reveal());
            Assert.Equal(Clock.UtcNow, stored.UpdatedAt);
            Assert.Same(after, cache.Get(Key));
        }

        [Fact]
        public async Task A_fresh_token_another_process_stored_is_adopted_without_a_request()
        {
            TokenCache cache = await CacheWithCredentialAsync("at-old", "rt-old");
            Credential held = cache.Get(Key)!;
            await NewStore().UpdateAsync(Key, r => r! with { Tokens = TestCredentials.Tokens("at-other-process", "rt-other-process", Clock.UtcNow.AddHours(1)) }, Callbacks, CancellationToken.None);

            (Credential? after, RefreshOutcome outcome) = await new TokenPolicy(Options()).RefreshAsync(cache, held, Endpoint(), null, Callbacks, CancellationToken.None);

            Assert.Equal(RefreshOutcome.Adopted, outcome);
            Assert.Equal("at-other-process", after!.Tokens!.AccessToken.Reveal());
            Assert.Empty(AuthorizationServer.Requests);
        }

        [Fact]
        public async Task A_dead_refresh_token_clears_the_stored_tokens_and_keeps_the_client()
        {
            TokenCache cache = await CacheWithCredentialAsync("at-old", "rt-dead");
            AuthorizationServer.RespondWith(TestResponse.Error(400, "invalid_grant", "grant revoked"));

            (Credential? after, RefreshOutcome outcome) = await Refresh(cache);

            Assert.Equal(RefreshOutcome.RefreshTokenDead, outcome);
            Assert.Null(after!.Tokens);
            CredentialRecord stored = (await NewStore().GetAsync(Key, Callbacks, CancellationToken.None))!;
            Assert.Null(stored.Tokens);
            Assert.Equal(TestCredentials.ClientId, stored.Client!.ClientId);
        }

        [Fact]
        public async Task A_client_the_server_forgot_is_dropped_so_that_a_sign_in_registers_again()
        {
            TokenCache cache = await CacheWithCredentialAsync("at-old", "rt-old");
            AuthorizationServer.RespondWith(TestResponse.Error(401, "invalid_client"));

            (Credential? after, RefreshOutcome outcome) = await Refresh(cache);

            Assert.Equal(RefreshOutcome.ClientForgotten, outcome);
            Assert.Null(after);
            Assert.Null(cache.Get(Key));
            Assert.Null((await NewStore().GetAsync(Key, Callbacks, CancellationToken.None))!.Client);
        }

        [Fact]
        public async Task A_credential_removed_meanwhile_is_not_refreshed_back_into_the_store()
        {
            TokenCache cache = await CacheWithCredentialAsync("at-old", "rt-old");
            Credential held = cache.Get(Key)!;
            await NewStore().RemoveAsync(Key, Callbacks, CancellationToken.None);

            (Credential? after, RefreshOutcome outcome) = await new TokenPolicy(Options()).RefreshAsync(cache, held, Endpoint(), null, Callbacks, CancellationToken.None);

            Assert.Equal(RefreshOutcome.Removed, outcome);
            Assert.Null(after);
            Assert.Empty(AuthorizationServer.Requests);
            Assert.Null(await NewStore().GetAsync(Key, Callbacks, CancellationToken.None));
        }

        [Fact]
        public async Task Many_refreshes_through_two_caches_on_one_store_send_one_request()
        {
            // Two caches over two store instances on one directory: two processes, as far as the store can tell.
            TokenCache first = await CacheWithCredentialAsync("at-old", "rt-old");
            var second = new TokenCache(NewStore(), Clock);
            Credential fromStore = (await second.FindAsync(Server, null, Callbacks, CancellationToken.None))!;
            int sent = 0;
            AuthorizationServer.Handler = _ =>
            {
                int n = Interlocked.Increment(ref sent);
                return TestResponse.Tokens("at-" + n, "rt-" + n, "mcp:read", 3600);
            };
            Clock.Advance(TimeSpan.FromHours(2));
            var policy = new TokenPolicy(Options());

            var outcomes = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
                policy.RefreshAsync(i % 2 == 0 ? first : second, i % 2 == 0 ? first.Get(Key)! : fromStore, Endpoint(), null, Callbacks, CancellationToken.None)));

            Assert.Equal(1, sent);
            Assert.Single(outcomes, o => o.Outcome == RefreshOutcome.Refreshed);
            Assert.All(outcomes, o => Assert.Equal("at-1", o.Credential!.Tokens!.AccessToken.Reveal()));
        }

        [Fact]
        public void Step_up_asks_for_the_granted_and_the_challenged_scopes_and_gives_up_when_consent_did_not_help()
        {
            var policy = new TokenPolicy(Options() with { MaxStepUpAttempts = 2 });
            string[] granted = { "mcp:read", "offline_access" };

            Assert.Equal(new[] { "mcp:read", "offline_access", "mcp:write" }, policy.StepUpScopes(Server, new[] { "mcp:write" }, granted, attempt: 0, canAuthorize: true));

            var again = Assert.Throws<InsufficientScopeException>(() => policy.StepUpScopes(Server, new[] { "mcp:read" }, granted, attempt: 1, canAuthorize: true));
            Assert.Equal(new[] { "mcp:read" }, again.RequiredScopes);
            Assert.Throws<InsufficientScopeException>(() => policy.StepUpScopes(Server, new[] { "mcp:write" }, granted, attempt: 2, canAuthorize: true));
            var nobody = Assert.Throws<InsufficientScopeException>(() => policy.StepUpScopes(Server, new[] { "mcp:write" }, granted, attempt: 0, canAuthorize: false));
            Assert.Equal(Server, nobody.Target);
        }

        [Fact]
        public async Task A_stored_device_code_or_client_credentials_sign_in_is_repeated_unless_the_caller_chose_a_way()
        {
            TokenCache cache = await CacheWithCredentialAsync("at", "rt", AuthorizationMethod.DeviceCode);
            Credential stored = cache.Get(Key)!;

            Assert.Equal(AuthorizationMethod.DeviceCode, new TokenPolicy(Options()).MethodFor(stored));
            Assert.Equal(AuthorizationMethod.Handler, new TokenPolicy(Options() with { Method = AuthorizationMethod.Handler, MethodChosen = true }).MethodFor(stored));
            Assert.Equal(AuthorizationMethod.Browser, new TokenPolicy(Options()).MethodFor(null));
        }

        private SignInOptions Options() => new() { Clock = Clock };

        private Task<(Credential? Credential, RefreshOutcome Outcome)> Refresh(TokenCache cache) =>
            new TokenPolicy(Options()).RefreshAsync(cache, cache.Get(Key)!, Endpoint(), null, Callbacks, CancellationToken.None);

        private async Task<TokenCache> CacheWithCredentialAsync(string accessToken, string refreshToken, AuthorizationMethod method = AuthorizationMethod.Handler)
        {
            var cache = new TokenCache(NewStore(), Clock);
            await cache.UpdateAsync(Key, _ => TestCredentials.Record(Key, AuthorizationServer.Metadata(), accessToken, refreshToken, Start.AddHours(1), method), Callbacks, CancellationToken.None);
            return cache;
        }

        private TokenSet Tokens(string accessToken, DateTimeOffset expiresAt, DateTimeOffset? issuedAt = null) =>
            new(new Secret(accessToken), "Bearer", new[] { "mcp:read" }, expiresAt, AuthorizationServer.Issuer, Server) { IssuedAt = issuedAt ?? Start };
    }
}
