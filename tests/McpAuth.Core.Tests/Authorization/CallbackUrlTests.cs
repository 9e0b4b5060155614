using System;
using McpAuth.Core;
using McpAuth.Core.Authorization;
using Xunit;

namespace McpAuth.Core.Tests.Authorization
{
    public class CallbackUrlTests
    {
        private static readonly Uri Redirect = new("http://127.0.0.1:50123/callback");

        [Theory]
        [InlineData("http://127.0.0.1:50123/callback?code=abc&state=s")]
        [InlineData("  \"http://127.0.0.1:50123/callback?code=abc&state=s\"\n")]
        [InlineData("<http://127.0.0.1:50123/callback?code=abc&state=s>")]
        [InlineData("?code=abc&state=s")]
        [InlineData("code=abc&state=s")]
        public void Accepts_pasted_callback_forms(string pasted)
        {
            Uri url = CallbackUrl.Parse(pasted, Redirect);
            Assert.Equal("http://127.0.0.1:50123/callback?code=abc&state=s", url.AbsoluteUri);
        }

        [Fact]
        public void Accepts_an_error_callback()
        {
            Assert.Equal("?error=access_denied&state=s", CallbackUrl.Parse("http://127.0.0.1:50123/callback?error=access_denied&state=s", Redirect).Query);
        }

        [Fact]
        public void Without_a_redirect_uri_any_http_url_with_a_code_is_accepted()
        {
            Assert.Equal("/cb", CallbackUrl.Parse("https://app.example/cb?code=x").AbsolutePath);
        }

        [Theory]
        [InlineData("")]
        [InlineData("   ")]
        [InlineData("not a url")]
        [InlineData("ftp://127.0.0.1:50123/callback?code=abc")]
        [InlineData("http://127.0.0.1:50123/callback")]
        [InlineData("http://127.0.0.1:50123/callback?state=s")]
        [InlineData("http://127.0.0.1:50124/callback?code=abc")]
        [InlineData("http://127.0.0.1:50123/other?code=abc")]
        [InlineData("http://evil.example:50123/callback?code=abc")]
        public void Rejects_unusable_pastes(string pasted)
        {
            var ex = Assert.Throws<McpAuthException>(() => CallbackUrl.Parse(pasted, Redirect));
            Assert.Equal(ErrorIds.InvalidCallbackUrl, ex.ErrorId);
            Assert.Equal(McpErrorKind.InvalidArgument, ex.Kind);
            Assert.DoesNotContain("abc", ex.Message, StringComparison.Ordinal);
        }
    }
}
