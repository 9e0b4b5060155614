using System;
using McpAuth.Core.Mcp;
using Xunit;

namespace McpAuth.Core.Tests.Mcp
{
    /// <summary>
    /// McpConnectionRegistry.Normalize, which every cmdlet call runs on its -Uri: the fragment dropped, http refused
    /// off loopback and anything but an absolute http(s) URL refused, on every call, and the same text always the
    /// same answer, however many URLs came before.
    /// </summary>
    public sealed class ConnectionRegistryNormalizeTests
    {
        [Fact]
        public void The_same_text_gives_the_same_url_without_its_fragment_and_refusals_are_never_remembered()
        {
            Uri first = McpConnectionRegistry.Normalize(new Uri("http://127.0.0.1:8123/mcp?x=1#part"));
            Assert.Equal("http://127.0.0.1:8123/mcp?x=1", first.AbsoluteUri);
            Assert.Same(first, McpConnectionRegistry.Normalize(new Uri("http://127.0.0.1:8123/mcp?x=1#part")));

            for (int i = 0; i < 2; i++)
            {
                Assert.Equal(ErrorIds.InsecureEndpoint, Assert.Throws<McpAuthException>(() => McpConnectionRegistry.Normalize(new Uri("http://example.com/mcp"))).ErrorId);
                Assert.Equal(ErrorIds.InvalidServerUri, Assert.Throws<McpAuthException>(() => McpConnectionRegistry.Normalize(new Uri("/mcp", UriKind.Relative))).ErrorId);
                Assert.Equal(ErrorIds.InvalidServerUri, Assert.Throws<McpAuthException>(() => McpConnectionRegistry.Normalize(new Uri("ftp://127.0.0.1/mcp"))).ErrorId);
            }

            for (int port = 1000; port < 1600; port++)
            {
                Assert.Equal($"https://server.example:{port}/mcp", McpConnectionRegistry.Normalize(new Uri($"https://server.example:{port}/mcp#{port}")).AbsoluteUri);
            }

            Assert.Equal("http://127.0.0.1:8123/mcp?x=1", McpConnectionRegistry.Normalize(new Uri("http://127.0.0.1:8123/mcp?x=1#part")).AbsoluteUri);
        }
    }
}
