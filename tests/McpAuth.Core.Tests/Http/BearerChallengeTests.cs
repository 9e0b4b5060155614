using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using McpAuth.Core;
using McpAuth.Core.Http;
using McpAuth.Testing;
using Xunit;

namespace McpAuth.Core.Tests.Http
{
    public class BearerChallengeTests
    {
        private static BearerChallenge? Bearer(string header, string? requestUri = null) =>
            BearerChallenge.GetBearer(WwwAuthenticateHeader.Parse(header), requestUri is null ? null : new Uri(requestUri));

        [Fact]
        public void Reads_error_description_scope_realm_and_metadata()
        {
            BearerChallenge b = Bearer(
                "Bearer realm=\"mcp\", error=\"insufficient_scope\", error_description=\"needs write\", scope=\"files:read files:write\", resource_metadata=\"https://mcp.example.com/.well-known/oauth-protected-resource/mcp\"")!;
            Assert.Equal("mcp", b.Realm);
            Assert.Equal("insufficient_scope", b.Error);
            Assert.True(b.IsInsufficientScope);
            Assert.False(b.IsInvalidToken);
            Assert.Equal("needs write", b.ErrorDescription);
            Assert.Equal(new[] { "files:read", "files:write" }, b.Scope);
            Assert.Equal(new Uri("https://mcp.example.com/.well-known/oauth-protected-resource/mcp"), b.ResourceMetadata);
        }

        [Fact]
        public void Missing_parameters_are_null_or_empty()
        {
            BearerChallenge b = Bearer("Bearer")!;
            Assert.Null(b.Error);
            Assert.Null(b.ErrorDescription);
            Assert.Null(b.Realm);
            Assert.Null(b.ResourceMetadata);
            Assert.Empty(b.Scope);
        }

        [Fact]
        public void Picks_the_bearer_challenge_among_others()
        {
            BearerChallenge b = Bearer("Basic realm=\"x\", DPoP algs=\"ES256\", bearer scope=\"a\"")!;
            Assert.Equal(new[] { "a" }, b.Scope);
        }

        [Fact]
        public void No_bearer_challenge_gives_null()
        {
            Assert.Null(Bearer("Basic realm=\"x\""));
            Assert.Null(BearerChallenge.GetBearer(Array.Empty<AuthChallenge>()));
        }

        [Fact]
        public void Relative_resource_metadata_resolves_against_the_request_url()
        {
            BearerChallenge b = Bearer("Bearer resource_metadata=\"/.well-known/oauth-protected-resource/mcp\"", "https://mcp.example.com/mcp?x=1")!;
            Assert.Equal(new Uri("https://mcp.example.com/.well-known/oauth-protected-resource/mcp"), b.ResourceMetadata);
        }

        [Fact]
        public void Path_relative_resource_metadata_resolves_against_the_request_directory()
        {
            BearerChallenge b = Bearer("Bearer resource_metadata=\"prm.json\"", "https://mcp.example.com/api/mcp")!;
            Assert.Equal(new Uri("https://mcp.example.com/api/prm.json"), b.ResourceMetadata);
        }

        [Fact]
        public void Relative_resource_metadata_stays_relative_without_a_request_url()
        {
            BearerChallenge b = Bearer("Bearer resource_metadata=\"/prm\"")!;
            Assert.False(b.ResourceMetadata!.IsAbsoluteUri);
            Assert.Equal("/prm", b.ResourceMetadata.OriginalString);
        }

        [Theory]
        [InlineData("Bearer resource_metadata=\"javascript:alert(1)\"")]
        [InlineData("Bearer resource_metadata=\"file:///etc/passwd\"")]
        [InlineData("Bearer resource_metadata=\"\"")]
        [InlineData("Bearer resource_metadata=\"http://[broken\"")]
        public void Unusable_resource_metadata_is_a_malformed_challenge(string header)
        {
            var ex = Assert.Throws<McpAuthException>(() => Bearer(header, "https://mcp.example.com/mcp"));
            Assert.Equal(ErrorIds.MalformedChallenge, ex.ErrorId);
            Assert.Equal(McpErrorKind.ProtocolError, ex.Kind);
        }

        [Fact]
        public void Scope_splits_on_any_run_of_spaces_and_drops_duplicates()
        {
            Assert.Equal(new[] { "a", "b", "c" }, BearerChallenge.SplitScope("  a   b\ta a c "));
            Assert.Empty(BearerChallenge.SplitScope(null));
            Assert.Empty(BearerChallenge.SplitScope("   "));
        }

        [Fact]
        public async Task FromResponse_reads_a_real_response_with_several_header_lines_and_a_relative_url()
        {
            using var server = new TestHttpServer(_ => TestResponse.Text("no", 401)
                .WithHeader("WWW-Authenticate", "Basic realm=\"legacy\", Negotiate")
                .WithHeader("WWW-Authenticate", "Bearer error=\"invalid_token\", scope=\"tools:read tools:call\", resource_metadata=\"/.well-known/oauth-protected-resource/mcp\""));
            using HttpClient http = McpHttpClientFactory.Create(TimeSpan.FromSeconds(10));
            using HttpResponseMessage response = await http.GetAsync(server.Url("/mcp"));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);

            IReadOnlyList<AuthChallenge> all = WwwAuthenticateHeader.Parse(response);
            Assert.Equal(3, all.Count);

            BearerChallenge b = BearerChallenge.FromResponse(response)!;
            Assert.Equal("invalid_token", b.Error);
            Assert.Equal(new[] { "tools:read", "tools:call" }, b.Scope);
            Assert.Equal(server.Url("/.well-known/oauth-protected-resource/mcp"), b.ResourceMetadata);
        }

        [Fact]
        public async Task FromResponse_without_a_challenge_is_null()
        {
            using var server = new TestHttpServer(_ => TestResponse.Text("no", 401));
            using HttpClient http = McpHttpClientFactory.Create(TimeSpan.FromSeconds(10));
            using HttpResponseMessage response = await http.GetAsync(server.Url("/mcp"));
            Assert.Null(BearerChallenge.FromResponse(response));
            Assert.Empty(WwwAuthenticateHeader.Parse(response));
        }

        [Fact]
        public async Task FromResponse_with_a_malformed_header_throws_malformed_challenge()
        {
            using var server = new TestHttpServer(_ => TestResponse.Text("no", 401)
                .WithHeader("WWW-Authenticate", "Bearer realm=\"unterminated"));
            using HttpClient http = McpHttpClientFactory.Create(TimeSpan.FromSeconds(10));
            using HttpResponseMessage response = await http.GetAsync(server.Url("/mcp"));
            var ex = Assert.Throws<McpAuthException>(() => BearerChallenge.FromResponse(response));
            Assert.Equal(ErrorIds.MalformedChallenge, ex.ErrorId);
        }
    }
}
