using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Http;
using McpAuth.Testing.Hostile;
using Xunit;

namespace McpAuth.Core.Tests.Hostile
{
    /// <summary>
    /// Any local process could abort a sign-in by sending <c>/callback?code=x&amp;state=wrong</c> to the loopback
    /// listener (issue #11, 5). The listener now ignores a callback that is not its own and the sign-in completes
    /// with the real one.
    /// </summary>
    public sealed class ForgedCallbackTests
    {
        [Theory]
        [InlineData("code=forged&state=wrong")]
        [InlineData("error=access_denied&state=wrong")]
        [InlineData("code=forged")]
        public async Task A_forged_callback_before_the_real_one_is_ignored_and_the_sign_in_completes(string forged)
        {
            using var peer = new MiniMcpPeer();
            string url = peer.AddEndpoint("/mcp");
            HttpStatusCode? forgedStatus = null;

            // The "browser": a local attacker hits the listener first; then the real browser completes the flow
            // through the listener (the handler itself returns nothing, so only the listener can deliver the callback).
            async Task<Uri?> Browser(Uri authorizationUrl, CancellationToken token)
            {
                string redirect = QueryString.GetAll(QueryString.Parse(authorizationUrl.Query), "redirect_uri").Single();
                using var http = new HttpClient();
                using (HttpResponseMessage attack = await http.GetAsync(new Uri(redirect + "?" + forged), token))
                {
                    forgedStatus = attack.StatusCode;
                }

                Uri? callback = await peer.Browser(authorizationUrl, token);
                using HttpResponseMessage real = await http.GetAsync(callback!, token);
                Assert.Equal(HttpStatusCode.OK, real.StatusCode);
                return null;
            }

            using var engine = new HostileEngine(peer);
            Assert.Equal("hi", await engine.EchoAsync(engine.Connect(url, Browser), "hi"));
            Assert.Equal(HttpStatusCode.BadRequest, forgedStatus);
            Assert.Single(peer.Events, e => e.StartsWith("token authorization_code", StringComparison.Ordinal));
        }
    }
}
