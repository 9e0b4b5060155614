using System;
using McpAuth.Core;
using McpAuth.Core.Authorization;
using McpAuth.Core.Discovery;
using Xunit;

namespace McpAuth.Core.Tests.Authorization
{
    public class AuthorizationResponseTests
    {
        private const string State = "st4te-abc";
        private const string Issuer = "https://as.example/tenant";

        private static AuthorizationServerMetadata Asm(bool issAdvertised) =>
            new() { Issuer = new Uri(Issuer), AuthorizationResponseIssParameterSupported = issAdvertised };

        private static Uri Cb(string query) => new("http://127.0.0.1:5000/callback?" + query);

        private static McpAuthException Fails(string query, bool issAdvertised = false) =>
            Assert.ThrowsAny<McpAuthException>(() => AuthorizationResponse.Validate(Cb(query), State, Asm(issAdvertised)));

        [Fact]
        public void Returns_the_code_when_state_matches_and_iss_is_neither_advertised_nor_present()
        {
            Secret code = AuthorizationResponse.Validate(Cb("code=the%2Bcode&state=" + State), State, Asm(false));
            Assert.Equal("the+code", code.Reveal());
        }

        [Fact]
        public void Iss_advertised_and_present_and_equal_proceeds()
        {
            Secret code = AuthorizationResponse.Validate(Cb("code=c&state=" + State + "&iss=" + Uri.EscapeDataString(Issuer)), State, Asm(true));
            Assert.Equal("c", code.Reveal());
        }

        [Fact]
        public void Iss_advertised_and_present_but_different_is_rejected()
        {
            McpAuthException ex = Fails("code=c&state=" + State + "&iss=" + Uri.EscapeDataString("https://evil.example/tenant"), issAdvertised: true);
            Assert.Equal(ErrorIds.AuthorizationResponseIssuerMismatch, ex.ErrorId);
            Assert.Equal(McpErrorKind.SecurityError, ex.Kind);
        }

        [Fact]
        public void Iss_advertised_but_absent_is_rejected()
        {
            McpAuthException ex = Fails("code=c&state=" + State, issAdvertised: true);
            Assert.Equal(ErrorIds.AuthorizationResponseIssuerMismatch, ex.ErrorId);
        }

        [Fact]
        public void Iss_not_advertised_but_present_and_equal_proceeds()
        {
            Secret code = AuthorizationResponse.Validate(Cb("code=c&state=" + State + "&iss=" + Uri.EscapeDataString(Issuer)), State, Asm(false));
            Assert.Equal("c", code.Reveal());
        }

        [Fact]
        public void Iss_not_advertised_but_present_and_different_is_rejected()
        {
            McpAuthException ex = Fails("code=c&state=" + State + "&iss=" + Uri.EscapeDataString("https://other.example"));
            Assert.Equal(ErrorIds.AuthorizationResponseIssuerMismatch, ex.ErrorId);
        }

        [Theory]
        [InlineData("https://as.example/tenant/")]
        [InlineData("https://AS.example/tenant")]
        [InlineData("https://as.example:443/tenant")]
        public void Iss_comparison_is_a_plain_string_compare(string iss)
        {
            McpAuthException ex = Fails("code=c&state=" + State + "&iss=" + Uri.EscapeDataString(iss), issAdvertised: true);
            Assert.Equal(ErrorIds.AuthorizationResponseIssuerMismatch, ex.ErrorId);
        }

        [Fact]
        public void Duplicate_iss_is_rejected()
        {
            string iss = Uri.EscapeDataString(Issuer);
            Assert.Equal(ErrorIds.AuthorizationResponseIssuerMismatch, Fails($"code=c&state={State}&iss={iss}&iss={iss}", true).ErrorId);
        }

        [Fact]
        public void Missing_state_is_a_state_mismatch()
        {
            McpAuthException ex = Fails("code=c");
            Assert.Equal(ErrorIds.StateMismatch, ex.ErrorId);
            Assert.Equal(McpErrorKind.SecurityError, ex.Kind);
        }

        [Theory]
        [InlineData("code=c&state=other")]
        [InlineData("code=c&state=")]
        [InlineData("code=c&state=ST4TE-ABC")]
        [InlineData("code=c&state=st4te-abc&state=st4te-abc")]
        [InlineData("code=c&state=st4te-ab")]
        public void Wrong_or_repeated_state_is_a_state_mismatch(string query)
        {
            Assert.Equal(ErrorIds.StateMismatch, Fails(query).ErrorId);
        }

        [Fact]
        public void State_is_checked_before_the_error()
        {
            Assert.Equal(ErrorIds.StateMismatch, Fails("error=access_denied&state=forged").ErrorId);
        }

        [Fact]
        public void Access_denied_is_authorization_denied()
        {
            McpAuthException ex = Fails("error=access_denied&error_description=User%20said%20no&state=" + State);
            Assert.Equal(ErrorIds.AuthorizationDenied, ex.ErrorId);
            Assert.Equal(McpErrorKind.PermissionDenied, ex.Kind);
            Assert.Contains("User said no", ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Other_errors_are_authorization_failed()
        {
            McpAuthException ex = Fails("error=invalid_scope&state=" + State);
            Assert.Equal(ErrorIds.AuthorizationFailed, ex.ErrorId);
            Assert.Equal(McpErrorKind.AuthenticationError, ex.Kind);
            Assert.Contains("invalid_scope", ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Error_text_from_the_server_is_sanitized_and_shortened()
        {
            McpAuthException ex = Fails("error=server_error&error_description=" + Uri.EscapeDataString("line1\r\nline2" + new string('x', 1000)) + "&state=" + State);
            Assert.DoesNotContain("\n", ex.Message, StringComparison.Ordinal);
            Assert.True(ex.Message.Length < 700);
        }

        [Fact]
        public void Error_with_advertised_iss_missing_is_still_an_issuer_problem()
        {
            Assert.Equal(ErrorIds.AuthorizationResponseIssuerMismatch, Fails("error=access_denied&state=" + State, issAdvertised: true).ErrorId);
        }

        [Fact]
        public void Missing_code_is_authorization_failed()
        {
            Assert.Equal(ErrorIds.AuthorizationFailed, Fails("state=" + State).ErrorId);
            Assert.Equal(ErrorIds.AuthorizationFailed, Fails("code=&state=" + State).ErrorId);
        }

        [Fact]
        public void Repeated_code_is_authorization_failed()
        {
            Assert.Equal(ErrorIds.AuthorizationFailed, Fails("code=a&code=b&state=" + State).ErrorId);
        }

        [Fact]
        public void Messages_never_contain_the_code()
        {
            McpAuthException ex = Fails("code=SECRETCODE123&state=wrong");
            Assert.DoesNotContain("SECRETCODE123", ex.Message, StringComparison.Ordinal);
        }
    }
}
