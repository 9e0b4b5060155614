using System;
using McpAuth.Core.Tokens;
using Xunit;

namespace McpAuth.Core.Tests.Tokens
{
    /// <summary>The storm breaker's policy, on a clock the test moves.</summary>
    public sealed class RenewalBreakerTests
    {
        private static readonly Uri Server = new("https://mcp.example.com/mcp");
        private static readonly Uri Other = new("https://other.example.com/mcp");
        private readonly ManualClock clock = new(new DateTimeOffset(2026, 7, 28, 12, 0, 0, TimeSpan.Zero));
        private readonly RenewalBreaker breaker = new();

        private void Renewed(Uri server)
        {
            breaker.CheckRenewal(server, clock.UtcNow);
            breaker.Obtained(server, clock.UtcNow, signIn: false);
        }

        private McpAuthException Throttled(Action action)
        {
            McpAuthException e = Assert.Throws<McpAuthException>(action);
            Assert.Equal(ErrorIds.TokenRenewalThrottled, e.ErrorId);
            Assert.Equal(McpErrorKind.AuthenticationError, e.Kind);
            return e;
        }

        [Fact]
        public void Four_renewals_a_minute_get_tokens_then_the_fifth_is_a_typed_error_until_the_first_is_a_minute_old()
        {
            Renewed(Server);
            for (int i = 0; i < RenewalBreaker.MaxTokenRequests - 1; i++)
            {
                clock.Advance(TimeSpan.FromSeconds(5));
                Renewed(Server);
            }

            McpAuthException e = Throttled(() => breaker.CheckRenewal(Server, clock.UtcNow));
            Assert.Contains(Server.AbsoluteUri, e.Message, StringComparison.Ordinal);
            Assert.Contains("try again in 45 s", e.Message, StringComparison.Ordinal);

            // Just before the first renewal is a minute old: still refused; at a minute: one more is allowed.
            clock.Advance(TimeSpan.FromSeconds(44));
            Throttled(() => breaker.CheckRenewal(Server, clock.UtcNow));
            clock.Advance(TimeSpan.FromSeconds(1));
            breaker.CheckRenewal(Server, clock.UtcNow);
        }

        [Fact]
        public void One_sign_in_a_minute_and_renewals_are_counted_apart()
        {
            breaker.CheckSignIn(Server, clock.UtcNow);
            breaker.Obtained(Server, clock.UtcNow, signIn: true);
            Throttled(() => breaker.CheckSignIn(Server, clock.UtcNow));

            // Renewals still have their own share.
            Renewed(Server);

            clock.Advance(RenewalBreaker.Window);
            breaker.CheckSignIn(Server, clock.UtcNow);
        }

        [Fact]
        public void Each_server_has_its_own_count()
        {
            for (int i = 0; i < RenewalBreaker.MaxTokenRequests; i++)
            {
                Renewed(Server);
            }

            Throttled(() => breaker.CheckRenewal(Server, clock.UtcNow));
            breaker.CheckRenewal(Other, clock.UtcNow);
            breaker.CheckSignIn(Other, clock.UtcNow);
        }

        [Fact]
        public void A_server_that_accepts_a_token_is_not_in_a_storm()
        {
            for (int i = 0; i < RenewalBreaker.MaxTokenRequests; i++)
            {
                Renewed(Server);
            }

            breaker.Obtained(Server, clock.UtcNow, signIn: true);
            breaker.Accepted(Server);
            breaker.CheckRenewal(Server, clock.UtcNow);
            breaker.CheckSignIn(Server, clock.UtcNow);
        }

        [Fact]
        public void Checks_alone_count_nothing_only_tokens_obtained_do()
        {
            for (int i = 0; i < 20; i++)
            {
                breaker.CheckRenewal(Server, clock.UtcNow);
                breaker.CheckSignIn(Server, clock.UtcNow);
            }
        }

        [Fact]
        public void A_clock_set_back_does_not_keep_the_breaker_open_for_ever()
        {
            for (int i = 0; i < RenewalBreaker.MaxTokenRequests; i++)
            {
                Renewed(Server);
            }

            // Times "in the future" of the clock (it was set back) are dropped, not counted for ever.
            breaker.CheckRenewal(Server, clock.UtcNow.AddHours(-1));
        }
    }
}
