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
using Xunit;

namespace McpAuth.Core.Tests.Tokens
{
    /// <summary>
    /// The refresh and step-up policy with the credential cache, against the real (plaintext file) store and a
    /// local token endpoint; time moves on a manual clock.
    /// </summary>
    public sealed class TokenPolicyTests : IDisposable
    {
        private static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
        private static readonly Uri Server = new("http://127.0.0.1:9/mcp");

        private readonly TempDirectory temp = new();
        private readonly TestHttpServer authorizationServer = TestHttpServer.Start();
        private readonly HttpClient http = McpHttpClientFactory.Create(TimeSpan.FromSeconds(10));
        private readonly RecordingCallbacks callbacks = new();
        private readonly ManualClock clock = new(Start);
        private readonly CredentialKey key;

        public TokenPolicyTests()
        {
            key = new CredentialKey(Server.OriginalString, authorizationServer.Issuer.OriginalString);
        }

        public void Dispose()
        {
            http.Dispose();
            authorizationServer.Dispose();
            temp.Dispose();
        }

        [Fact]
        public void A_token_is_stale_within_a_tenth_of_its_lifetime_of_expiry_at_most_the_configured_skew()
        {
            var policy = new TokenPolicy(Options());
            TokenSet hourLong = Tokens("at", Start.AddHours(1));

            Assert.False(policy.IsStale(hourLong));
            clock.Advance(TimeSpan.FromMinutes(58));
            Assert.False(policy.IsStale(hourLong));
            clock.Advance(TimeSpan.FromMinutes(1));
            Assert.True(policy.IsStale(hourLong));

            // 60 s skew would make a one-minute token stale at once: a tenth of its lifetime, 6 s, applies.
            Assert.False(policy.IsStale(Tokens("at", clock.UtcNow.AddMinutes(1), issuedAt: clock.UtcNow)));
            Assert.False(policy.IsStale(null));
        }

        [Fact]
        public async Task A_refresh_stores_the_rotated_refresh_token_before_it_returns()
        {
            TokenCache cache = await CacheWithCredentialAsync("at-old", "rt-old");
            authorizationServer.RespondWith(TestResponse.Tokens("at-new", "rt-new", "mcp:read", 3600));
            clock.Advance(TimeSpan.FromHours(2));

            (Credential? after, RefreshOutcome outcome) = await Refresh(cache);

            Assert.Equal(RefreshOutcome.Refreshed, outcome);
            Assert.Equal("at-new", after!.Tokens!.AccessToken.Reveal());
            Assert.Equal(clock.UtcNow.AddHours(1), after.Tokens.ExpiresAt);
            TestRequest request = Assert.Single(authorizationServer.Requests);
            Assert.Equal("rt-old", request.Field("refresh_token"));
            CredentialRecord stored = (await NewStore().GetAsync(key, callbacks, CancellationToken.None))!;
            Assert.Equal("rt-new", stored.Tokens!.RefreshToken!.Reveal());
            Assert.Equal(clock.UtcNow, stored.UpdatedAt);
            Assert.Same(after, cache.Get(key));
        }

        [Fact]
        public async Task A_fresh_token_another_process_stored_is_adopted_without_a_request()
        {
            TokenCache cache = await CacheWithCredentialAsync("at-old", "rt-old");
            Credential held = cache.Get(key)!;
            await NewStore().UpdateAsync(key, r => r! with { Tokens = Stored("at-other-process", "rt-other-process", clock.UtcNow.AddHours(1)) }, callbacks, CancellationToken.None);

            (Credential? after, RefreshOutcome outcome) = await new TokenPolicy(Options()).RefreshAsync(cache, held, Endpoint(), callbacks, CancellationToken.None);

            Assert.Equal(RefreshOutcome.Adopted, outcome);
            Assert.Equal("at-other-process", after!.Tokens!.AccessToken.Reveal());
            Assert.Empty(authorizationServer.Requests);
        }

        [Fact]
        public async Task A_dead_refresh_token_clears_the_stored_tokens_and_keeps_the_client()
        {
            TokenCache cache = await CacheWithCredentialAsync("at-old", "rt-dead");
            authorizationServer.RespondWith(TestResponse.Error(400, "invalid_grant", "grant revoked"));

            (Credential? after, RefreshOutcome outcome) = await Refresh(cache);

            Assert.Equal(RefreshOutcome.RefreshTokenDead, outcome);
            Assert.Null(after!.Tokens);
            CredentialRecord stored = (await NewStore().GetAsync(key, callbacks, CancellationToken.None))!;
            Assert.Null(stored.Tokens);
            Assert.Equal("dyn-client", stored.Client!.ClientId);
        }

        [Fact]
        public async Task A_client_the_server_forgot_is_dropped_so_that_a_sign_in_registers_again()
        {
            TokenCache cache = await CacheWithCredentialAsync("at-old", "rt-old");
            authorizationServer.RespondWith(TestResponse.Error(401, "invalid_client"));

            (Credential? after, RefreshOutcome outcome) = await Refresh(cache);

            Assert.Equal(RefreshOutcome.ClientForgotten, outcome);
            Assert.Null(after);
            Assert.Null(cache.Get(key));
            Assert.Null((await NewStore().GetAsync(key, callbacks, CancellationToken.None))!.Client);
        }

        [Fact]
        public async Task A_credential_removed_meanwhile_is_not_refreshed_back_into_the_store()
        {
            TokenCache cache = await CacheWithCredentialAsync("at-old", "rt-old");
            Credential held = cache.Get(key)!;
            await NewStore().RemoveAsync(key, callbacks, CancellationToken.None);

            (Credential? after, RefreshOutcome outcome) = await new TokenPolicy(Options()).RefreshAsync(cache, held, Endpoint(), callbacks, CancellationToken.None);

            Assert.Equal(RefreshOutcome.Removed, outcome);
            Assert.Null(after);
            Assert.Empty(authorizationServer.Requests);
            Assert.Null(await NewStore().GetAsync(key, callbacks, CancellationToken.None));
        }

        [Fact]
        public async Task Many_refreshes_through_two_caches_on_one_store_send_one_request()
        {
            // Two caches over two store instances on one directory: two processes, as far as the store can tell.
            TokenCache first = await CacheWithCredentialAsync("at-old", "rt-old");
            var second = new TokenCache(NewStore(), clock);
            Credential fromStore = (await second.FindAsync(Server, null, callbacks, CancellationToken.None))!;
            int sent = 0;
            authorizationServer.Handler = _ =>
            {
                int n = Interlocked.Increment(ref sent);
                return TestResponse.Tokens("at-" + n, "rt-" + n, "mcp:read", 3600);
            };
            clock.Advance(TimeSpan.FromHours(2));
            var policy = new TokenPolicy(Options());

            var outcomes = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
                policy.RefreshAsync(i % 2 == 0 ? first : second, i % 2 == 0 ? first.Get(key)! : fromStore, Endpoint(), callbacks, CancellationToken.None)));

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
            Credential stored = cache.Get(key)!;

            Assert.Equal(AuthorizationMethod.DeviceCode, new TokenPolicy(Options()).MethodFor(stored));
            Assert.Equal(AuthorizationMethod.Handler, new TokenPolicy(Options() with { Method = AuthorizationMethod.Handler, MethodChosen = true }).MethodFor(stored));
            Assert.Equal(AuthorizationMethod.Browser, new TokenPolicy(Options()).MethodFor(null));
        }

        private SignInOptions Options() => new() { Clock = clock };

        private TokenEndpointClient Endpoint() => new(http, callbacks, clock);

        private Task<(Credential? Credential, RefreshOutcome Outcome)> Refresh(TokenCache cache) =>
            new TokenPolicy(Options()).RefreshAsync(cache, cache.Get(key)!, Endpoint(), callbacks, CancellationToken.None);

        private PlaintextFileCredentialStore NewStore() => new(temp.StoreDir, allowPlaintext: true, clock: clock);

        private async Task<TokenCache> CacheWithCredentialAsync(string accessToken, string refreshToken, AuthorizationMethod method = AuthorizationMethod.Handler)
        {
            var cache = new TokenCache(NewStore(), clock);
            AuthorizationServerMetadata asm = authorizationServer.Metadata();
            await cache.UpdateAsync(
                key,
                _ => new CredentialRecord(key)
                {
                    Client = new StoredClientIdentity("dyn-client", ClientIdentitySource.DynamicRegistration) { TokenEndpointAuthMethod = TokenEndpointAuthMethods.None },
                    Tokens = Stored(accessToken, refreshToken, Start.AddHours(1)),
                    Discovery = new StoredDiscovery(asm.IssuerString) { TokenEndpoint = asm.TokenEndpoint, RegistrationEndpoint = asm.RegistrationEndpoint },
                    AuthorizedBy = method,
                },
                callbacks,
                CancellationToken.None);
            return cache;
        }

        private StoredTokenSet Stored(string accessToken, string refreshToken, DateTimeOffset expiresAt) => new()
        {
            AccessToken = new Secret(accessToken),
            RefreshToken = new Secret(refreshToken),
            TokenType = "Bearer",
            Scopes = new[] { "mcp:read" },
            ExpiresAt = expiresAt,
            IssuedAt = expiresAt.AddHours(-1),
        };

        private TokenSet Tokens(string accessToken, DateTimeOffset expiresAt, DateTimeOffset? issuedAt = null) =>
            new(new Secret(accessToken), "Bearer", new[] { "mcp:read" }, expiresAt, authorizationServer.Issuer, Server) { IssuedAt = issuedAt ?? Start };
    }
}
