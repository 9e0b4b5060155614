using McpAuth.Core;
using Xunit;

namespace McpAuth.Core.Tests
{
    public class SecretTests
    {
        [Fact]
        public void Secret_never_shows_its_value()
        {
            var secret = new Secret("eyJhbGciOiJSUzI1NiJ9.payload.sig");
            Assert.Equal("***", secret.ToString());
            Assert.Equal("***", $"{secret}");
            Assert.Equal("eyJhbGciOiJSUzI1NiJ9.payload.sig", secret.Reveal());
        }
    }
}
