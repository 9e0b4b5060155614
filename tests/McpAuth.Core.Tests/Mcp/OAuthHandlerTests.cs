using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Http;
using McpAuth.Core.Tests.Http;
using McpAuth.Testing;
using Xunit;

namespace McpAuth.Core.Tests.Mcp
{
    /// <summary>
    /// The OAuth handler in front of an MCP connection, against a real HTTP server on loopback: bearer on
    /// every request to the resource and nowhere else, a challenge goes to the authorizer and the request is
    /// sent again (as a fresh message with the same body) while it says so, within a bound; best-effort
    /// requests get their challenge back untouched.
    /// </summary>
    public class OAuthHandlerTests
    {
        /// <summary>An authorizer that hands out token-1, token-2, ... and says "send again" a given number of times.</summary>
        private sealed class CountingAuthorizer : IRequestAuthorizer
        {
            private int renewals;

            public int Retries { get; set; } = 1;

            public ConcurrentQueue<int> Challenges { get; } = new();

            public ConcurrentQueue<int> Observed { get; } = new();

            public void Observe(HttpResponseMessage response) => Observed.Enqueue((int)response.StatusCode);

            public Task AuthorizeAsync(HttpRequestMessage request, IEngineCallbacks callbacks, CancellationToken cancellationToken)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "token-" + (renewals + 1));
                return Task.CompletedTask;
            }

            public Task<bool> HandleChallengeAsync(HttpResponseMessage response, int attempt, IEngineCallbacks callbacks, CancellationToken cancellationToken)
            {
                Challenges.Enqueue(attempt);
                if (attempt >= Retries)
                {
                    return Task.FromResult(false);
                }

                renewals++;
                return Task.FromResult(true);
            }
        }

        private static HttpClient Client(IRequestAuthorizer authorizer, Uri resource)
            => McpHttpClientFactory.Create(new OAuthHandler(authorizer, resource, new DeadlineHandler(TimeSpan.FromSeconds(10), "MCP server", McpHttpClientFactory.CreateHandler())), disposeHandler: true, Timeout.InfiniteTimeSpan);

        private static HttpRequestMessage Post(Uri url, bool handleChallenges = true)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", Encoding.UTF8, "application/json") };
            EngineRequest.Set(request, NullEngineCallbacks.Instance, handleChallenges);
            return request;
        }

        [Fact]
        public async Task A_401_renews_the_credential_and_the_same_body_goes_again_with_the_new_token()
        {
            using var server = new TestHttpServer(r => r.Headers.TryGetValue("authorization", out string? a) && a == "Bearer token-2" ? TestResponse.Json("{}") : TestResponse.Json("{}", 401).WithHeader("WWW-Authenticate", "Bearer error=\"invalid_token\""));
            var authorizer = new CountingAuthorizer();
            using HttpClient http = Client(authorizer, server.Url("/mcp"));
            using HttpResponseMessage response = await http.SendAsync(Post(server.Url("/mcp")));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(new[] { 0 }, authorizer.Challenges);
            Assert.Equal(2, server.Requests.Count);
            Assert.Equal("Bearer token-1", server.Requests[0].Headers["authorization"]);
            Assert.Equal("Bearer token-2", server.Requests[1].Headers["authorization"]);
            Assert.Equal(server.Requests[0].Headers["content-length"], server.Requests[1].Headers["content-length"]);
            Assert.Equal("application/json; charset=utf-8", server.Requests[1].Headers["content-type"]);
        }

        [Fact]
        public async Task The_authorizer_saying_no_returns_the_challenge_and_an_endless_yes_is_bounded()
        {
            using var server = new TestHttpServer(_ => TestResponse.Json("{}", 403).WithHeader("WWW-Authenticate", "Bearer error=\"insufficient_scope\", scope=\"a\""));
            var no = new CountingAuthorizer { Retries = 0 };
            using (HttpClient http = Client(no, server.Url("/mcp")))
            using (HttpResponseMessage response = await http.SendAsync(Post(server.Url("/mcp"))))
            {
                Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
                Assert.Single(server.Requests);
            }

            var always = new CountingAuthorizer { Retries = int.MaxValue };
            using (HttpClient http = Client(always, server.Url("/mcp")))
            using (HttpResponseMessage response = await http.SendAsync(Post(server.Url("/mcp"))))
            {
                Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
                Assert.Equal(1 + 6, server.Requests.Count);
            }
        }

        [Fact]
        public async Task A_best_effort_request_gets_its_challenge_back_without_the_authorizer()
        {
            using var server = new TestHttpServer(_ => TestResponse.Json("{}", 401));
            var authorizer = new CountingAuthorizer();
            using HttpClient http = Client(authorizer, server.Url("/mcp"));
            using HttpResponseMessage response = await http.SendAsync(Post(server.Url("/mcp"), handleChallenges: false));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Empty(authorizer.Challenges);
            Assert.Equal("Bearer token-1", Assert.Single(server.Requests).Headers["authorization"]);
        }

        [Fact]
        public async Task A_request_to_another_url_carries_no_credential()
        {
            using var server = new TestHttpServer(_ => TestResponse.Json("{}", 401));
            var authorizer = new CountingAuthorizer();
            using HttpClient http = Client(authorizer, server.Url("/mcp"));
            using HttpResponseMessage response = await http.SendAsync(Post(server.Url("/other")));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.False(Assert.Single(server.Requests).Headers.ContainsKey("authorization"));
            Assert.Empty(authorizer.Challenges);
        }

        [Fact]
        public async Task A_resource_url_matched_once_is_known_again_and_another_url_still_carries_no_credential()
        {
            using var server = new TestHttpServer(_ => TestResponse.Json("{}"));
            var authorizer = new CountingAuthorizer();
            Uri resource = server.Url("/mcp");
            using HttpClient http = Client(authorizer, resource);
            foreach (Uri target in new[] { resource, server.Url("/other"), resource, server.Url("/mcp"), server.Url("/mcp/other") })
            {
                using HttpResponseMessage response = await http.SendAsync(Post(target));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            Assert.Equal(new[] { true, false, true, true, false }, server.Requests.Select(r => r.Headers.ContainsKey("authorization")).ToArray());
        }

        [Fact]
        public async Task Each_attempt_has_its_own_deadline_and_running_out_is_RequestTimedOut()
        {
            using var fixture = new McpAuth.Testing.FixtureServer();
            var handler = new DeadlineHandler(TimeSpan.FromMilliseconds(500), "MCP server", McpHttpClientFactory.CreateHandler());
            using HttpClient http = McpHttpClientFactory.Create(handler, disposeHandler: true, Timeout.InfiniteTimeSpan);
            McpAuthException e = await Assert.ThrowsAsync<McpAuthException>(() => http.SendAsync(Post(new Uri(fixture.Bad + "/hang"))));
            Assert.Equal(ErrorIds.RequestTimedOut, e.ErrorId);

            using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            var slow = new DeadlineHandler(TimeSpan.FromSeconds(30), "MCP server", McpHttpClientFactory.CreateHandler());
            using HttpClient patient = McpHttpClientFactory.Create(slow, disposeHandler: true, Timeout.InfiniteTimeSpan);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => patient.SendAsync(Post(new Uri(fixture.Bad + "/hang")), stop.Token));
        }
    }
}
