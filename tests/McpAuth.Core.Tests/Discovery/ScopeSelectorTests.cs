using System;
using System.Collections.Generic;
using McpAuth.Core.Discovery;
using McpAuth.Core.Http;
using Xunit;

namespace McpAuth.Core.Tests.Discovery
{
    public class ScopeSelectorTests
    {
        private static readonly AuthorizationServerMetadata PlainAs = new() { Issuer = new Uri("https://as.example"), ScopesSupported = new[] { "a", "b" } };
        private static readonly AuthorizationServerMetadata OidcAs = new() { Issuer = new Uri("https://as.example"), ScopesSupported = new[] { "openid", "offline_access" } };
        private static readonly ProtectedResourceMetadata Prm = new() { Resource = new Uri("https://mcp.example/mcp"), ScopesSupported = new[] { "p1", "p2" } };

        private static BearerChallenge Challenge(string scope) =>
            BearerChallenge.GetBearer(WwwAuthenticateHeader.Parse($"Bearer scope=\"{scope}\""))!;

        [Fact]
        public void Users_explicit_scopes_win()
        {
            IReadOnlyList<string> s = ScopeSelector.Select(new[] { "mine" }, Challenge("c1"), Prm, PlainAs, out bool consent);
            Assert.Equal(new[] { "mine" }, s);
            Assert.False(consent);
        }

        [Fact]
        public void Challenge_scope_comes_next()
        {
            Assert.Equal(new[] { "c1", "c2" }, ScopeSelector.Select(null, Challenge("c1 c2"), Prm, PlainAs, out _));
            Assert.Equal(new[] { "c1" }, ScopeSelector.Select(Array.Empty<string>(), Challenge("c1"), Prm, PlainAs, out _));
        }

        [Fact]
        public void Then_all_protected_resource_scopes()
        {
            Assert.Equal(new[] { "p1", "p2" }, ScopeSelector.Select(null, Challenge(string.Empty), Prm, PlainAs, out _));
            Assert.Equal(new[] { "p1", "p2" }, ScopeSelector.Select(new[] { " " }, null, Prm, PlainAs, out _));
        }

        [Fact]
        public void Else_no_scope()
        {
            IReadOnlyList<string> s = ScopeSelector.Select(null, null, null, PlainAs, out bool consent);
            Assert.Empty(s);
            Assert.False(consent);
        }

        [Fact]
        public void Adds_offline_access_when_the_as_lists_it_and_asks_for_consent()
        {
            IReadOnlyList<string> s = ScopeSelector.Select(null, Challenge("c1"), Prm, OidcAs, out bool consent);
            Assert.Equal(new[] { "c1", "offline_access" }, s);
            Assert.True(consent);
        }

        [Fact]
        public void Adds_offline_access_to_explicit_scopes_once()
        {
            IReadOnlyList<string> s = ScopeSelector.Select(new[] { "offline_access", "x" }, null, null, OidcAs, out bool consent);
            Assert.Equal(new[] { "offline_access", "x" }, s);
            Assert.True(consent);
        }

        [Fact]
        public void Explicit_scopes_given_as_one_string_are_split_and_deduplicated()
        {
            Assert.Equal(new[] { "a", "b" }, ScopeSelector.Select(new[] { "a b", "a" }, null, null, PlainAs, out _));
        }

        [Fact]
        public void Union_keeps_granted_first_then_new_challenged_scopes()
        {
            Assert.Equal(new[] { "read", "tools", "write" }, ScopeSelector.Union(new[] { "read", "tools" }, new[] { "tools", "write" }));
            Assert.Equal(new[] { "x" }, ScopeSelector.Union(null, new[] { "x" }));
            Assert.Empty(ScopeSelector.Union(null, null));
        }
    }
}
