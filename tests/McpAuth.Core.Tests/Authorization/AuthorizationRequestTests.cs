using System;
using System.Collections.Generic;
using System.Linq;
using McpAuth.Core;
using McpAuth.Core.Authorization;
using McpAuth.Core.Discovery;
using Xunit;

namespace McpAuth.Core.Tests.Authorization
{
    public class AuthorizationRequestTests
    {
        private static readonly Uri Redirect = new("http://127.0.0.1:50123/callback");

        private static List<KeyValuePair<string, string>> Query(Uri url) =>
            url.Query.TrimStart('?').Split('&').Select(p =>
            {
                int eq = p.IndexOf('=');
                return new KeyValuePair<string, string>(Uri.UnescapeDataString(p.Substring(0, eq)), Uri.UnescapeDataString(p.Substring(eq + 1)));
            }).ToList();

        private static string One(Uri url, string name) => Assert.Single(Query(url), p => p.Key == name).Value;

        [Fact]
        public void Builds_the_authorize_url_with_every_parameter()
        {
            var request = new AuthorizationRequest(new Uri("https://as.example/authorize"), "client-1", Redirect, new[] { "tools:read", "offline_access" }, "https://mcp.example/mcp", promptConsent: true);
            Uri url = request.Url;

            Assert.Equal("https://as.example/authorize", url.GetLeftPart(UriPartial.Path));
            Assert.Equal("code", One(url, "response_type"));
            Assert.Equal("client-1", One(url, "client_id"));
            Assert.Equal("http://127.0.0.1:50123/callback", One(url, "redirect_uri"));
            Assert.Equal("tools:read offline_access", One(url, "scope"));
            Assert.Equal(request.State, One(url, "state"));
            Assert.Equal(request.Pkce.Challenge, One(url, "code_challenge"));
            Assert.Equal("S256", One(url, "code_challenge_method"));
            Assert.Equal("https://mcp.example/mcp", One(url, "resource"));
            Assert.Equal("consent", One(url, "prompt"));
            Assert.DoesNotContain(request.Pkce.Verifier.Reveal(), url.AbsoluteUri, StringComparison.Ordinal);
            Assert.Contains("scope=tools%3Aread%20offline_access", url.AbsoluteUri, StringComparison.Ordinal);
        }

        [Fact]
        public void Omits_scope_when_empty_and_prompt_when_not_asked()
        {
            var request = new AuthorizationRequest(new Uri("https://as.example/authorize"), "c", Redirect, Array.Empty<string>(), "https://mcp.example", promptConsent: false);
            Assert.DoesNotContain(Query(request.Url), p => p.Key == "scope");
            Assert.DoesNotContain(Query(request.Url), p => p.Key == "prompt");
        }

        [Fact]
        public void Keeps_the_endpoint_query_but_not_conflicting_parameters()
        {
            var request = new AuthorizationRequest(new Uri("https://as.example/oauth2/authorize?tenant=a%20b&p=policy&client_id=evil#frag"), "c", Redirect, null, "https://mcp.example", false);
            List<KeyValuePair<string, string>> q = Query(request.Url);
            Assert.Equal("tenant", q[0].Key);
            Assert.Equal("a b", q[0].Value);
            Assert.Equal("p", q[1].Key);
            Assert.Equal("c", One(request.Url, "client_id"));
            Assert.Equal(string.Empty, request.Url.Fragment);
        }

        [Fact]
        public void State_is_random_and_at_least_128_bits()
        {
            var states = new HashSet<string>();
            for (int i = 0; i < 100; i++)
            {
                string state = new AuthorizationRequest(new Uri("https://as.example/a"), "c", Redirect, null, "https://r.example", false).State;
                Assert.True(state.Length >= 22);
                Assert.Matches("^[A-Za-z0-9_-]+$", state);
                Assert.True(states.Add(state));
            }
        }

        [Fact]
        public void Refuses_an_insecure_authorization_endpoint()
        {
            var ex = Assert.Throws<McpAuthException>(() => new AuthorizationRequest(new Uri("http://as.example/authorize"), "c", Redirect, null, "https://r.example", false));
            Assert.Equal(ErrorIds.InsecureEndpoint, ex.ErrorId);
        }

        [Fact]
        public void Create_requires_s256_support()
        {
            var asm = new AuthorizationServerMetadata { Issuer = new Uri("https://as.example"), AuthorizationEndpoint = new Uri("https://as.example/a") };
            var ex = Assert.Throws<McpAuthException>(() => AuthorizationRequest.Create(asm, "c", Redirect, null, "https://r.example", false));
            Assert.Equal(ErrorIds.PkceNotSupported, ex.ErrorId);

            asm.CodeChallengeMethodsSupported = new[] { "S256" };
            Assert.Equal("https://as.example/a", AuthorizationRequest.Create(asm, "c", Redirect, null, "https://r.example", false).Url.GetLeftPart(UriPartial.Path));
        }

        [Fact]
        public void Create_requires_an_authorization_endpoint()
        {
            var asm = new AuthorizationServerMetadata { Issuer = new Uri("https://as.example"), CodeChallengeMethodsSupported = new[] { "S256" } };
            var ex = Assert.Throws<McpAuthException>(() => AuthorizationRequest.Create(asm, "c", Redirect, null, "https://r.example", false));
            Assert.Equal(ErrorIds.AuthorizationServerMetadataNotFound, ex.ErrorId);
        }

        [Fact]
        public void Uses_a_given_state_and_pkce_pair()
        {
            PkceChallenge pkce = PkceChallenge.FromVerifier(new Secret("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
            var request = new AuthorizationRequest(new Uri("https://as.example/a"), "c", Redirect, null, "https://r.example", false, pkce, "fixed-state");
            Assert.Equal("fixed-state", One(request.Url, "state"));
            Assert.Equal("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", One(request.Url, "code_challenge"));
        }
    }
}
