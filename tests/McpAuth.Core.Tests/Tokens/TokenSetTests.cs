using System;
using McpAuth.Core.Tokens;
using Xunit;

namespace McpAuth.Core.Tests.Tokens
{
    public sealed class TokenSetTests
    {
        private static readonly DateTimeOffset ExpiresAt = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

        [Fact]
        public void Is_expired_counts_the_skew()
        {
            TokenSet set = Create(ExpiresAt);
            TimeSpan skew = TimeSpan.FromSeconds(60);

            Assert.False(set.IsExpired(ExpiresAt.AddSeconds(-61), skew));
            Assert.True(set.IsExpired(ExpiresAt.AddSeconds(-60), skew));
            Assert.True(set.IsExpired(ExpiresAt.AddSeconds(1), TimeSpan.Zero));
            Assert.False(set.IsExpired(ExpiresAt.AddSeconds(-1), TimeSpan.Zero));
        }

        [Fact]
        public void Token_without_expiry_is_never_expired_by_the_clock()
        {
            Assert.False(Create(null).IsExpired(DateTimeOffset.MaxValue.AddDays(-1), TimeSpan.FromHours(1)));
        }

        [Fact]
        public void ToString_shows_no_secret()
        {
            var set = new TokenSet(new Secret("access-123"), "Bearer", new[] { "read" }, ExpiresAt, new Uri("https://as.example.com"), new Uri("https://mcp.example.com/mcp"), new Secret("refresh-456"), new Secret("id-789"));

            string text = set.ToString();

            Assert.DoesNotContain("access-123", text, StringComparison.Ordinal);
            Assert.DoesNotContain("refresh-456", text, StringComparison.Ordinal);
            Assert.DoesNotContain("id-789", text, StringComparison.Ordinal);
            Assert.Contains("https://mcp.example.com/mcp", text, StringComparison.Ordinal);
            Assert.Contains("read", text, StringComparison.Ordinal);
        }

        [Fact]
        public void With_refresh_token_replaces_only_the_refresh_token()
        {
            TokenSet set = Create(ExpiresAt).WithRefreshToken(new Secret("rt-2"));

            Assert.Equal("rt-2", set.RefreshToken!.Reveal());
            Assert.Equal("at", set.AccessToken.Reveal());
            Assert.Equal(ExpiresAt, set.ExpiresAt);
        }

        private static TokenSet Create(DateTimeOffset? expiresAt) =>
            new(new Secret("at"), "Bearer", Array.Empty<string>(), expiresAt, new Uri("https://as.example.com"), new Uri("https://mcp.example.com/mcp"), new Secret("rt"));
    }
}
