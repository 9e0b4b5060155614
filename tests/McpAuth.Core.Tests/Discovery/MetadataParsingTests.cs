using System;
using McpAuth.Core;
using McpAuth.Core.Discovery;
using Xunit;

namespace McpAuth.Core.Tests.Discovery
{
    public class MetadataParsingTests
    {
        private static void AssertMalformed(Action parse)
        {
            var ex = Assert.Throws<McpAuthException>(parse);
            Assert.Equal(ErrorIds.MalformedMetadata, ex.ErrorId);
            Assert.Equal(McpErrorKind.InvalidData, ex.Kind);
        }

        [Fact]
        public void Parses_protected_resource_metadata()
        {
            var source = new Uri("https://mcp.example.com/.well-known/oauth-protected-resource/mcp");
            ProtectedResourceMetadata prm = ProtectedResourceMetadata.Parse(
                "{\"resource\":\"https://mcp.example.com/mcp\",\"authorization_servers\":[\"https://auth.example.com\",\"https://b.example.com/t1\"]," +
                "\"scopes_supported\":[\"a\",\"b\"],\"bearer_methods_supported\":[\"header\"],\"resource_name\":\"x\",\"extra\":{\"nested\":[1,2]}}",
                source);
            Assert.Equal("https://mcp.example.com/mcp", prm.ResourceString);
            Assert.Equal(2, prm.AuthorizationServers.Count);
            Assert.Equal("https://auth.example.com", prm.AuthorizationServers[0].OriginalString);
            Assert.Equal(new[] { "a", "b" }, prm.ScopesSupported);
            Assert.Equal(new[] { "header" }, prm.BearerMethodsSupported);
            Assert.Equal(source, prm.SourceUrl);
        }

        [Fact]
        public void Protected_resource_metadata_optional_members_may_be_absent_or_null()
        {
            ProtectedResourceMetadata prm = ProtectedResourceMetadata.Parse("{\"resource\":\"https://r.example\",\"scopes_supported\":null}");
            Assert.Empty(prm.AuthorizationServers);
            Assert.Empty(prm.ScopesSupported);
        }

        [Theory]
        [InlineData("[]")]
        [InlineData("\"text\"")]
        [InlineData("null")]
        [InlineData("")]
        [InlineData("<html>not json</html>")]
        [InlineData("{\"resource\":\"https://r.example\"")]
        [InlineData("{}")]
        [InlineData("{\"resource\":null}")]
        [InlineData("{\"resource\":42}")]
        [InlineData("{\"resource\":\"/mcp\"}")]
        [InlineData("{\"resource\":\"mcp.example.com/mcp\"}")]
        [InlineData("{\"resource\":\"ftp://r.example/x\"}")]
        [InlineData("{\"resource\":\"https://r.example/x#frag\"}")]
        [InlineData("{\"resource\":\"https://r.example\",\"authorization_servers\":\"https://a.example\"}")]
        [InlineData("{\"resource\":\"https://r.example\",\"authorization_servers\":[\"/relative\"]}")]
        [InlineData("{\"resource\":\"https://r.example\",\"authorization_servers\":[1]}")]
        [InlineData("{\"resource\":\"https://r.example\",\"scopes_supported\":\"a b\"}")]
        [InlineData("{\"resource\":\"https://r.example\",\"scopes_supported\":[\"a\",null]}")]
        [InlineData("{\"resource\":\"https://r.example\",\"resource\":\"https://evil.example\"}")]
        public void Rejects_unusable_protected_resource_metadata(string json)
        {
            AssertMalformed(() => ProtectedResourceMetadata.Parse(json, new Uri("https://r.example/.well-known/oauth-protected-resource")));
        }

        [Fact]
        public void Deeply_nested_json_is_malformed_not_a_crash()
        {
            string json = "{\"resource\":\"https://r.example\",\"x\":" + new string('[', 10000) + new string(']', 10000) + "}";
            AssertMalformed(() => ProtectedResourceMetadata.Parse(json));
        }

        [Theory]
        [InlineData("https://mcp.example.com/mcp", "https://mcp.example.com/mcp", true)]
        [InlineData("https://MCP.example.com:443/mcp/", "https://mcp.example.com/mcp", true)]
        [InlineData("HTTPS://mcp.example.com/mcp", "https://mcp.example.com/mcp#x", true)]
        [InlineData("https://mcp.example.com", "https://mcp.example.com/mcp", true)]
        [InlineData("https://mcp.example.com/", "https://mcp.example.com/mcp/deep", true)]
        [InlineData("https://mcp.example.com/api", "https://mcp.example.com/api/mcp", true)]
        [InlineData("https://mcp.example.com/mc", "https://mcp.example.com/mcp", false)]
        [InlineData("https://mcp.example.com/mcp/sub", "https://mcp.example.com/mcp", false)]
        [InlineData("https://mcp.example.com/MCP", "https://mcp.example.com/mcp", false)]
        [InlineData("https://other.example.com/mcp", "https://mcp.example.com/mcp", false)]
        [InlineData("http://mcp.example.com/mcp", "https://mcp.example.com/mcp", false)]
        [InlineData("https://mcp.example.com:8443/mcp", "https://mcp.example.com/mcp", false)]
        [InlineData("https://mcp.example.com.evil.example/mcp", "https://mcp.example.com/mcp", false)]
        [InlineData("https://mcp.example.com/mcp?t=1", "https://mcp.example.com/mcp?t=1", true)]
        [InlineData("https://mcp.example.com/mcp?t=1", "https://mcp.example.com/mcp?t=2", false)]
        [InlineData("https://mcp.example.com/?t=1", "https://mcp.example.com/mcp?t=1", false)]
        public void Resource_identifies_server_exactly_or_as_a_same_origin_segment_prefix(string resource, string server, bool expected)
        {
            var prm = new ProtectedResourceMetadata { Resource = new Uri(resource) };
            Assert.Equal(expected, prm.IdentifiesServer(new Uri(server)));
        }

        [Fact]
        public void Parses_authorization_server_metadata()
        {
            AuthorizationServerMetadata asm = AuthorizationServerMetadata.Parse(
                "{\"issuer\":\"https://auth.example.com/tenant1\"," +
                "\"authorization_endpoint\":\"https://auth.example.com/tenant1/authorize?tenant=1\"," +
                "\"token_endpoint\":\"https://auth.example.com/tenant1/token\"," +
                "\"registration_endpoint\":\"https://auth.example.com/reg\"," +
                "\"revocation_endpoint\":\"https://auth.example.com/revoke\"," +
                "\"device_authorization_endpoint\":\"https://auth.example.com/device\"," +
                "\"scopes_supported\":[\"openid\",\"offline_access\"]," +
                "\"response_types_supported\":[\"code\"]," +
                "\"grant_types_supported\":[\"authorization_code\",\"refresh_token\"]," +
                "\"token_endpoint_auth_methods_supported\":[\"none\",\"client_secret_basic\"]," +
                "\"code_challenge_methods_supported\":[\"plain\",\"S256\"]," +
                "\"authorization_response_iss_parameter_supported\":true," +
                "\"client_id_metadata_document_supported\":true}");
            Assert.Equal("https://auth.example.com/tenant1", asm.IssuerString);
            Assert.Equal("https://auth.example.com/tenant1/authorize?tenant=1", asm.AuthorizationEndpoint!.OriginalString);
            Assert.Equal(new Uri("https://auth.example.com/tenant1/token"), asm.TokenEndpoint);
            Assert.Equal(new Uri("https://auth.example.com/reg"), asm.RegistrationEndpoint);
            Assert.Equal(new Uri("https://auth.example.com/revoke"), asm.RevocationEndpoint);
            Assert.Equal(new Uri("https://auth.example.com/device"), asm.DeviceAuthorizationEndpoint);
            Assert.Equal(new[] { "openid", "offline_access" }, asm.ScopesSupported);
            Assert.Equal(new[] { "code" }, asm.ResponseTypesSupported);
            Assert.Equal(new[] { "authorization_code", "refresh_token" }, asm.GrantTypesSupported);
            Assert.Equal(new[] { "none", "client_secret_basic" }, asm.TokenEndpointAuthMethodsSupported);
            Assert.True(asm.AuthorizationResponseIssParameterSupported);
            Assert.True(asm.ClientIdMetadataDocumentSupported);
            Assert.True(asm.SupportsS256);
            Assert.False(asm.IsFallback);
            asm.RequireS256();
        }

        [Fact]
        public void Issuer_string_keeps_the_document_spelling()
        {
            Assert.Equal("https://Auth.Example.com", AuthorizationServerMetadata.Parse("{\"issuer\":\"https://Auth.Example.com\"}").IssuerString);
            Assert.Equal("https://a.example/", AuthorizationServerMetadata.Parse("{\"issuer\":\"https://a.example/\"}").IssuerString);
        }

        [Theory]
        [InlineData("{}")]
        [InlineData("[]")]
        [InlineData("{\"issuer\":1}")]
        [InlineData("{\"issuer\":\"auth.example.com\"}")]
        [InlineData("{\"issuer\":\"https://a.example?x=1\"}")]
        [InlineData("{\"issuer\":\"https://a.example#f\"}")]
        [InlineData("{\"issuer\":\"https://a.example\",\"token_endpoint\":\"/token\"}")]
        [InlineData("{\"issuer\":\"https://a.example\",\"authorization_endpoint\":{}}")]
        [InlineData("{\"issuer\":\"https://a.example\",\"code_challenge_methods_supported\":\"S256\"}")]
        [InlineData("{\"issuer\":\"https://a.example\",\"authorization_response_iss_parameter_supported\":\"true\"}")]
        [InlineData("{\"issuer\":\"https://a.example\",\"client_id_metadata_document_supported\":1}")]
        [InlineData("{\"issuer\":\"https://a.example\",\"issuer\":\"https://a.example\"}")]
        public void Rejects_unusable_authorization_server_metadata(string json)
        {
            AssertMalformed(() => AuthorizationServerMetadata.Parse(json));
        }

        [Fact]
        public void Flags_default_to_false_and_lists_to_empty()
        {
            AuthorizationServerMetadata asm = AuthorizationServerMetadata.Parse("{\"issuer\":\"https://a.example\",\"authorization_response_iss_parameter_supported\":null}");
            Assert.False(asm.AuthorizationResponseIssParameterSupported);
            Assert.False(asm.ClientIdMetadataDocumentSupported);
            Assert.Empty(asm.CodeChallengeMethodsSupported);
            Assert.Null(asm.AuthorizationEndpoint);
        }

        [Fact]
        public void RequireS256_rejects_absent_code_challenge_methods()
        {
            AuthorizationServerMetadata asm = AuthorizationServerMetadata.Parse("{\"issuer\":\"https://a.example\"}");
            var ex = Assert.Throws<McpAuthException>(asm.RequireS256);
            Assert.Equal(ErrorIds.PkceNotSupported, ex.ErrorId);
            Assert.Equal(McpErrorKind.SecurityError, ex.Kind);
            Assert.Contains("does not advertise", ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void RequireS256_rejects_plain_only_and_wrong_case()
        {
            Assert.Throws<McpAuthException>(AuthorizationServerMetadata.Parse("{\"issuer\":\"https://a.example\",\"code_challenge_methods_supported\":[\"plain\"]}").RequireS256);
            Assert.Throws<McpAuthException>(AuthorizationServerMetadata.Parse("{\"issuer\":\"https://a.example\",\"code_challenge_methods_supported\":[\"s256\"]}").RequireS256);
        }
    }
}
