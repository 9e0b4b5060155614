using System;
using System.IO;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Http;
using McpAuth.Testing;
using Xunit;

namespace McpAuth.Core.Tests.Http
{
    /// <summary>
    /// A request that failed before its body went out is sent once more, to a real server on loopback; one whose
    /// body started to go out is never repeated. The first attempt's failure comes from a handler between the
    /// retry and the real one (a connection that fails on demand, before or after reading the body).
    /// </summary>
    public sealed class UnsentRequestRetryHandlerTests : IDisposable
    {
        private readonly TestHttpServer server = new(_ => TestResponse.Json("{\"ok\":true}"));

        public void Dispose() => server.Dispose();

        [Fact]
        public async Task A_post_that_failed_before_its_body_was_read_is_sent_once_more_with_the_same_body_and_headers()
        {
            var failing = new FailingOnce(readBodyFirst: false);
            using HttpClient http = Client(failing);

            using HttpResponseMessage response = await http.SendAsync(Post(), CancellationToken.None);

            Assert.Equal(200, (int)response.StatusCode);
            Assert.Equal(2, failing.Attempts);
            TestRequest seen = Assert.Single(server.Requests);
            Assert.Equal("{\"id\":1}", seen.Body);
            Assert.Equal("Bearer t", seen.Header("Authorization"));
            Assert.StartsWith("application/json", seen.Header("Content-Type"));
        }

        [Fact]
        public async Task A_post_whose_body_started_to_go_out_is_not_repeated()
        {
            var failing = new FailingOnce(readBodyFirst: true);
            using HttpClient http = Client(failing);

            await Assert.ThrowsAsync<HttpRequestException>(() => http.SendAsync(Post(), CancellationToken.None));

            Assert.Equal(1, failing.Attempts);
            Assert.Empty(server.Requests);
        }

        [Fact]
        public async Task A_get_is_sent_once_more_and_a_second_failure_is_the_callers()
        {
            var failing = new FailingOnce(readBodyFirst: false);
            using HttpClient http = Client(failing);
            using HttpResponseMessage response = await http.GetAsync(server.Url("/stream"));
            Assert.Equal(2, failing.Attempts);

            var always = new FailingOnce(readBodyFirst: false) { Failures = 2 };
            using HttpClient broken = Client(always);
            await Assert.ThrowsAsync<HttpRequestException>(() => broken.GetAsync(server.Url("/stream")));
            Assert.Equal(2, always.Attempts);
        }

        private static HttpClient Client(FailingOnce failing)
        {
            failing.InnerHandler = McpHttpClientFactory.CreateHandler();
            return McpHttpClientFactory.Create(new UnsentRequestRetryHandler(failing), disposeHandler: true, TimeSpan.FromSeconds(10));
        }

        private HttpRequestMessage Post()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, server.Url("/mcp")) { Content = new StringContent("{\"id\":1}", Encoding.UTF8, "application/json") };
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer t");
            return request;
        }

        /// <summary>Fails the first <see cref="Failures"/> attempts as a dropped connection, optionally after reading the body.</summary>
        private sealed class FailingOnce : DelegatingHandler
        {
            private readonly bool readBodyFirst;

            public FailingOnce(bool readBodyFirst) => this.readBodyFirst = readBodyFirst;

            public int Failures { get; init; } = 1;

            public int Attempts { get; private set; }

            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                if (++Attempts <= Failures)
                {
                    if (readBodyFirst && request.Content is not null)
                    {
                        await request.Content.CopyToAsync(Stream.Null, cancellationToken);
                    }

                    throw new HttpRequestException("The connection was reset.", new IOException("reset"));
                }

                return await base.SendAsync(request, cancellationToken);
            }
        }
    }
}
