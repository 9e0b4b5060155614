using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Http;
using McpAuth.Testing;
using Xunit;

namespace McpAuth.Core.Tests.Http
{
    /// <summary>
    /// DirectHttpHandler against real servers on loopback: on a waiting thread it writes HTTP/1.1 itself (bodies
    /// delimited by length, by chunks or by the close), keeps connections alive (a second less than the keep-alive the
    /// server announces, up to a minute; 3 s when it announces none) and replaces one the server closed,
    /// refuses what HTTP/1.1 cannot carry, fails typed on broken answers, stops at once when cancelled, and never
    /// blocks its thread on an event stream with nothing to read; anywhere else .NET's handler sends.
    /// </summary>
    public sealed class DirectHttpHandlerTests : IDisposable
    {
        private readonly TestHttpServer server = new(_ => TestResponse.Json("{\"ok\":true}"));

        public void Dispose() => server.Dispose();

        [Fact]
        public async Task On_a_waiting_thread_the_request_is_written_directly_with_its_headers_and_body()
        {
            using var handler = new DirectHttpHandler(new HttpClientHandler());
            using HttpClient http = McpHttpClientFactory.Create(handler, disposeHandler: false, Timeout.InfiniteTimeSpan);

            string body = await WaitingThreads.Run(() =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, server.Url("/mcp?x=1")) { Content = new StringContent("{\"id\":1}", Encoding.UTF8, "application/json") };
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer t");
                request.Headers.Accept.ParseAdd("application/json");
                request.Headers.Accept.ParseAdd("text/event-stream");
                using HttpResponseMessage response = http.SendAsync(request).GetAwaiter().GetResult();
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                return response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
            });

            Assert.Equal("{\"ok\":true}", body);
            Assert.Equal(1, handler.DirectRequests);
            TestRequest seen = Assert.Single(server.Requests);
            Assert.Equal("POST", seen.Method);
            Assert.Equal("/mcp?x=1", seen.PathAndQuery);
            Assert.Equal("{\"id\":1}", seen.Body);
            Assert.Equal("Bearer t", seen.Header("Authorization"));
            Assert.Equal("application/json, text/event-stream", seen.Header("Accept"));
            Assert.Equal("127.0.0.1:" + server.Port, seen.Header("Host"));
            Assert.Equal("8", seen.Header("Content-Length"));
            Assert.StartsWith("McpAuth/", seen.Header("User-Agent"));
        }

        [Fact]
        public async Task Off_a_waiting_thread_dotnets_handler_sends()
        {
            using var handler = new DirectHttpHandler(new HttpClientHandler());
            using var http = new HttpClient(handler, disposeHandler: false);

            Assert.Equal("{\"ok\":true}", await http.GetStringAsync(server.Url("/x")));
            Assert.Equal(0, handler.DirectRequests);
            Assert.Single(server.Requests);
        }

        [Theory]
        [InlineData("Content-Length: 11\r\n\r\nhello world", "hello world")]
        [InlineData("Transfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\n", "hello world")]
        [InlineData("Connection: close\r\n\r\nhello world", "hello world")]
        [InlineData("Content-Length: 0\r\n\r\n", "")]
        public async Task Bodies_delimited_by_length_chunks_or_the_close_are_read_whole(string rest, string expected)
        {
            server.Handler = _ => TestResponse.Raw(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n" + rest));
            using var handler = new DirectHttpHandler(new HttpClientHandler());
            using var http = new HttpClient(handler, disposeHandler: false);

            string text = await WaitingThreads.Run(() => http.GetStringAsync(server.Url("/b")).GetAwaiter().GetResult());

            Assert.Equal(expected, text);
            Assert.Equal(1, handler.DirectRequests);
        }

        [Fact]
        public async Task A_kept_alive_connection_carries_the_next_request_and_one_the_server_closed_is_replaced()
        {
            using var peer = new KeepAliveServer(closeAfterFirstAnswer: false);
            using var handler = new DirectHttpHandler(new HttpClientHandler());
            using var http = new HttpClient(handler, disposeHandler: false);

            await WaitingThreads.Run(() =>
            {
                for (int i = 0; i < 3; i++)
                {
                    Assert.Equal("answer " + i, Post(http, peer.Url, "q" + i));
                }

                return true;
            });
            Assert.Equal(1, peer.Connections);

            // After the first answer the server closes the pooled connection: it is noticed before the request goes
            // out, or the request that meets it is sent again on a new one, and the server sees it once.
            using var closing = new KeepAliveServer(closeAfterFirstAnswer: true);
            await SecondRequestGoesOnANewConnection(http, closing, closing.WaitClosed);
        }

        [Fact]
        public async Task A_pooled_connection_the_server_sent_something_unasked_on_is_not_used_again()
        {
            using var peer = new KeepAliveServer(closeAfterFirstAnswer: false, strayAfterFirstAnswer: true);
            using var handler = new DirectHttpHandler(new HttpClientHandler());
            using var http = new HttpClient(handler, disposeHandler: false);

            // The connection went back to the pool before the stray answer came; taking it out again finds it there.
            await SecondRequestGoesOnANewConnection(http, peer, peer.WaitStray);
        }

        [Theory]
        [InlineData("", null)]
        [InlineData("\r\nKeep-Alive: timeout=5", 4000)]
        [InlineData("\r\nKeep-Alive: max=100, Timeout = 60", 59000)]
        [InlineData("\r\nKeep-Alive: timeout=61", 60000)]
        [InlineData("\r\nKeep-Alive: timeout=2147483647", 60000)]
        [InlineData("\r\nKeep-Alive: timeout=3", 2000)]
        [InlineData("\r\nKeep-Alive: max=5, timeout=2", 1000)]
        [InlineData("\r\nKeep-Alive: timeout=1", 0)]
        [InlineData("\r\nKeep-Alive: timeout=0", 0)]
        [InlineData("\r\nKeep-Alive: max=5", null)]
        [InlineData("\r\nKeep-Alive: timeout=soon", null)]
        [InlineData("\r\nKeep-Alive: timeout=-5", null)]
        [InlineData("\r\nKeep-Alive: timeout=99999999999", null)]
        public void A_pooled_connection_is_kept_a_second_less_than_the_timeout_the_server_announces_up_to_a_minute(string field, int? milliseconds)
        {
            Assert.Equal(3000, McpHttpClientFactory.PooledConnectionIdleTimeout.TotalMilliseconds);
            Assert.Equal(60000, McpHttpClientFactory.LongestAnnouncedKeepAlive.TotalMilliseconds);
            byte[] head = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 0" + field);
            Assert.Equal(milliseconds is int ms ? TimeSpan.FromMilliseconds(ms) : null, Http1ResponseHead.Parse(head, 0, head.Length).KeepIdleFor());
        }

        [Theory]
        [InlineData("HTTP/1.1 204 No Content", "", 204, "No Content")]
        [InlineData("HTTP/1.0 200 OK\r\nA: b\r\nA:c", "A=b|A=c", 200, "OK")]
        [InlineData("HTTP/1.1 200 OK\r\nX-Empty:\r\nX-Pad: \t v a l \t\r\nX-Time: 12:30:01", "X-Empty=|X-Pad=v a l|X-Time=12:30:01", 200, "OK")]
        [InlineData("HTTP/1.1 200 OK\r\nX-Latin: caf\u00e9", "X-Latin=caf\u00e9", 0, null)]
        [InlineData("HTTP/1.1 200 OK\r\nX: a\r", null, 0, null)]
        [InlineData("HTTP/1.1 200\r\nX: 1", "X=1", 200, "")]
        [InlineData("HTTP/1.1 200 OK\r\nX: a\nY: b", null, 0, null)]
        [InlineData("HTTP/1.1 200 OK\r\nX: a\u007f", null, 0, null)]
        [InlineData("HTTP/1.1 200 OK\r\n: a", null, 0, null)]
        [InlineData("HTTP/1.1 200 OK\r\nX\u00e9: a", null, 0, null)]
        [InlineData("HTTP/1.1 200 OK\r\nX: a\r\n", null, 0, null)]
        [InlineData("HTTP/1.1 200 OK\r\nno colon", null, 0, null)]
        public void A_head_is_read_field_by_field_values_trimmed_and_a_line_break_or_control_character_refused(string text, string? fields, int status, string? reason)
        {
            byte[] head = Encoding.Latin1.GetBytes(text);
            if (fields is null)
            {
                Assert.Throws<HttpRequestException>(() => Http1ResponseHead.Parse(head, 0, head.Length));
                return;
            }

            Http1ResponseHead parsed = Http1ResponseHead.Parse(head, 0, head.Length);
            Assert.Equal(fields, string.Join("|", parsed.Fields.Select(f => f.Key + "=" + f.Value)));
            if (reason is not null)
            {
                Assert.Equal(status, parsed.StatusCode);
                Assert.Equal(reason, parsed.Reason);
            }
        }

        [Fact]
        public async Task A_connection_is_kept_as_long_as_its_server_announces_less_a_second_and_three_seconds_when_it_announces_nothing()
        {
            // After 3.5 s idle. Announced 1 s: kept 0 s, so the next request goes on a new connection rather than race
            // the server's close. Announced 3 s: kept 2 s, a new connection. Announced nothing: the pool's own 3 s, a
            // new connection. Announced 60 s: kept 59 s, the same connection.
            using var brief = new KeepAliveServer(closeAfterFirstAnswer: false, keepAlive: "timeout=1");
            using var short3 = new KeepAliveServer(closeAfterFirstAnswer: false, keepAlive: "timeout=3");
            using var silent = new KeepAliveServer(closeAfterFirstAnswer: false);
            using var patient = new KeepAliveServer(closeAfterFirstAnswer: false, keepAlive: "timeout=60");
            using var handler = new DirectHttpHandler(new HttpClientHandler());
            using var http = new HttpClient(handler, disposeHandler: false);
            KeepAliveServer[] peers = { brief, short3, silent, patient };

            await WaitingThreads.Run(() =>
            {
                foreach (KeepAliveServer peer in peers)
                {
                    Assert.Equal("answer 0", Post(http, peer.Url, "q0"));
                }

                Thread.Sleep(TimeSpan.FromSeconds(3.5));
                foreach (KeepAliveServer peer in peers)
                {
                    Assert.Equal("answer 1", Post(http, peer.Url, "q1"));
                }

                return true;
            });
            Assert.Equal(2, brief.Connections);
            Assert.Equal(2, short3.Connections);
            Assert.Equal(2, silent.Connections);
            Assert.Equal(1, patient.Connections);
        }

        [Fact]
        public async Task A_server_that_announced_its_keep_alive_once_has_it_kept_for_answers_that_announce_none_on_every_connection()
        {
            // Only the first answer announces (60 s), as a Node MCP server announces its keep-alive on a 202 but not on
            // its event streams (whose Connection field the SDK sets). Two calls at once open two connections before
            // any answer; the server holds both until both have arrived, answers one at once with the announcement and
            // the other 300 ms later without, so the connection that has no announcement of its own goes back to the
            // pool last. After 3.5 s idle two calls at once still find both (the pool's own 3 s would have retired
            // that one), and a third connection, opened after the announcement, is kept as well.
            using var server = new KeepAliveServer(closeAfterFirstAnswer: false, keepAlive: "timeout=60", announceOnce: true, holdFirstTwo: true);
            using var handler = new DirectHttpHandler(new HttpClientHandler());
            using var http = new HttpClient(handler, disposeHandler: false);
            string Call(string body) => Post(http, server.Url, body);
            Task<string[]> AtOnce(string prefix, int count) => Task.WhenAll(Enumerable.Range(0, count).Select(i => WaitingThreads.Run(() => Call(prefix + i))));

            Assert.Equal(new[] { "answer 0", "answer 1" }, (await AtOnce("x", 2)).OrderBy(a => a, StringComparer.Ordinal).ToArray());
            Assert.Equal(2, server.Connections);
            await Task.Delay(TimeSpan.FromSeconds(3.5));
            Assert.All(await AtOnce("y", 2), answer => Assert.StartsWith("answer ", answer));
            Assert.Equal(2, server.Connections);

            Assert.All(await AtOnce("z", 3), answer => Assert.StartsWith("answer ", answer));
            int connections = server.Connections;
            Assert.InRange(connections, 2, 3);
            await Task.Delay(TimeSpan.FromSeconds(3.5));
            Assert.All(await AtOnce("w", connections), answer => Assert.StartsWith("answer ", answer));
            Assert.Equal(connections, server.Connections);
        }

        [Fact]
        public async Task A_header_with_a_line_break_is_refused_before_anything_is_sent()
        {
            using var handler = new DirectHttpHandler(new HttpClientHandler());
            using var http = new HttpClient(handler, disposeHandler: false);

            HttpRequestException refused = await WaitingThreads.Run(() =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, server.Url("/x"));
                request.Headers.TryAddWithoutValidation("X-Injected", "a\r\nEvil: yes");
                return Assert.Throws<HttpRequestException>(() => http.SendAsync(request).GetAwaiter().GetResult());
            });

            Assert.Contains("X-Injected", refused.Message);
            Assert.DoesNotContain("Evil", refused.Message);
            Assert.Empty(server.Requests);
        }

        [Theory]
        [InlineData("HTTP/1.1 OK\r\n\r\n")]
        [InlineData("HTTP/2 200 OK\r\n\r\n")]
        [InlineData("HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n")]
        [InlineData("HTTP/1.1 200 OK\r\n folded: x\r\n\r\n")]
        [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello")]
        [InlineData("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n")]
        [InlineData("HTTP/1.1 101 Switching Protocols\r\n\r\n")]
        [InlineData("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n")]
        [InlineData("")]
        public async Task A_response_that_is_not_valid_http_is_an_HttpRequestException(string raw)
        {
            server.Handler = _ => TestResponse.Raw(Encoding.ASCII.GetBytes(raw));
            using var handler = new DirectHttpHandler(new HttpClientHandler());
            using var http = new HttpClient(handler, disposeHandler: false);

            await WaitingThreads.Run(() => Assert.Throws<HttpRequestException>(() => http.GetAsync(server.Url("/x"), HttpCompletionOption.ResponseHeadersRead).GetAwaiter().GetResult()));
        }

        [Fact]
        public async Task A_head_that_trickles_in_a_byte_at_a_time_is_read_and_one_over_64_KiB_is_refused()
        {
            string head = "HTTP/1.1 200 OK\r\nX-Padding: " + new string('p', 1500) + "\r\nContent-Length: 2\r\n\r\nok";
            server.Handler = _ => TestResponse.Raw(async (stream, token) =>
            {
                foreach (byte b in Encoding.ASCII.GetBytes(head))
                {
                    await stream.WriteAsync(new[] { b }, 0, 1, token);
                    await stream.FlushAsync(token);
                }
            });
            using var handler = new DirectHttpHandler(new HttpClientHandler());
            using var http = new HttpClient(handler, disposeHandler: false);
            Assert.Equal("ok", await WaitingThreads.Run(() => http.GetStringAsync(server.Url("/slow")).GetAwaiter().GetResult()));

            server.Handler = _ => TestResponse.Raw(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nX-Padding: " + new string('p', 70 * 1024) + "\r\nContent-Length: 2\r\n\r\nok"));
            HttpRequestException refused = await WaitingThreads.Run(() => Assert.Throws<HttpRequestException>(() => http.GetStringAsync(server.Url("/big")).GetAwaiter().GetResult()));
            Assert.Contains("64 KiB", refused.Message);
        }

        [Theory]
        [InlineData("Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n")]
        [InlineData("Transfer-Encoding: chunked\r\n\r\n5\r\nhelloXX\r\n0\r\n\r\n")]
        [InlineData("Content-Length: 20\r\n\r\nhello")]
        public async Task A_body_that_breaks_off_or_is_badly_chunked_is_an_IOException(string rest)
        {
            server.Handler = _ => TestResponse.Raw(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\n" + rest));
            using var handler = new DirectHttpHandler(new HttpClientHandler());
            using var http = new HttpClient(handler, disposeHandler: false);

            await WaitingThreads.Run(() =>
            {
                using HttpResponseMessage response = http.GetAsync(server.Url("/x"), HttpCompletionOption.ResponseHeadersRead).GetAwaiter().GetResult();
                using Stream body = response.Content.ReadAsStreamAsync().GetAwaiter().GetResult();
                return Assert.ThrowsAny<IOException>(() => body.CopyTo(Stream.Null));
            });
        }

        [Fact]
        public async Task A_connection_stops_polling_for_the_answers_of_a_server_that_took_10_ms_or_more_four_times_running()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            Task serving = Task.Run(async () =>
            {
                // Answers each request 30 ms after it arrived: always slower than SpinPolicy.SlowAnswer.
                using TcpClient client = await listener.AcceptTcpClientAsync();
                NetworkStream stream = client.GetStream();
                var buffer = new byte[4096];
                string pending = string.Empty;
                int n;
                while ((n = await stream.ReadAsync(buffer)) > 0)
                {
                    pending += Encoding.ASCII.GetString(buffer, 0, n);
                    for (int end; (end = pending.IndexOf("\r\n\r\n", StringComparison.Ordinal)) >= 0;)
                    {
                        pending = pending.Substring(end + 4);
                        await Task.Delay(30);
                        await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 204 No Content\r\n\r\n"));
                    }
                }
            });
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            bool canPoll = Environment.ProcessorCount > 1;
            byte[] request = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");

            using (Http1Connection connection = Http1Connection.Open(new Uri($"http://127.0.0.1:{port}/"), null, CancellationToken.None))
            {
                for (int i = 0; i < SpinPolicy.SlowAnswersBeforeSleeping; i++)
                {
                    Assert.Equal(canPoll, connection.PollsForAnswer);
                    connection.Write(request, request.Length, CancellationToken.None);
                    Assert.Equal(204, connection.ReadHead(CancellationToken.None).StatusCode);
                }

                Assert.False(connection.PollsForAnswer);
            }

            await serving.WaitAsync(TimeSpan.FromSeconds(10));
        }

        [Fact]
        public async Task Cancelling_ends_a_blocked_wait_for_the_answer_at_once()
        {
            server.Handler = _ => TestResponse.Raw(Array.Empty<byte>(), ConnectionEnd.Hold);
            using var handler = new DirectHttpHandler(new HttpClientHandler());
            using var http = new HttpClient(handler, disposeHandler: false);
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

            var clock = Stopwatch.StartNew();
            await WaitingThreads.Run(() => Assert.ThrowsAny<OperationCanceledException>(() => http.GetAsync(server.Url("/x"), HttpCompletionOption.ResponseHeadersRead, cancel.Token).GetAwaiter().GetResult()));

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), clock.Elapsed.ToString());
        }

        [Fact]
        public async Task An_event_stream_with_nothing_to_read_does_not_hold_the_waiting_thread()
        {
            using var release = new ManualResetEventSlim();
            server.Handler = _ => TestResponse.Raw(async (stream, token) =>
            {
                byte[] head = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
                await stream.WriteAsync(head, 0, head.Length, token);
                await stream.FlushAsync(token);
                await Task.Run(() => release.Wait(token), token);
                byte[] rest = Encoding.ASCII.GetBytes("a\r\ndata: hi\n\n\r\n0\r\n\r\n");
                await stream.WriteAsync(rest, 0, rest.Length, token);
            });
            using var handler = new DirectHttpHandler(new HttpClientHandler());
            using var http = new HttpClient(handler, disposeHandler: false);

            Task<int> read = await WaitingThreads.Run(() =>
            {
                HttpResponseMessage response = http.GetAsync(server.Url("/events"), HttpCompletionOption.ResponseHeadersRead).GetAwaiter().GetResult();
                Stream body = response.Content.ReadAsStreamAsync().GetAwaiter().GetResult();
                return body.ReadAsync(new byte[64], 0, 64, CancellationToken.None);
            });

            Assert.False(read.IsCompleted);
            release.Set();
            Assert.Equal(10, await read.WaitAsync(TimeSpan.FromSeconds(10)));
        }

        [Fact]
        public async Task Https_goes_over_tls_on_the_waiting_thread_and_a_certificate_nobody_vouches_for_is_refused()
        {
            using X509Certificate2 certificate = SelfSigned();
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var url = new Uri("https://127.0.0.1:" + ((IPEndPoint)listener.LocalEndpoint).Port + "/mcp");
            _ = Task.Run(async () =>
            {
                while (true)
                {
                    TcpClient client;
                    try
                    {
                        client = await listener.AcceptTcpClientAsync();
                    }
                    catch (Exception ex) when (ex is SocketException || ex is ObjectDisposedException)
                    {
                        return;
                    }

                    _ = Task.Run(async () =>
                    {
                        using (client)
                        using (var tls = new SslStream(client.GetStream()))
                        {
                            try
                            {
                                await tls.AuthenticateAsServerAsync(certificate);
                                var reader = new StreamReader(tls, Encoding.ASCII);
                                while (!string.IsNullOrEmpty(await reader.ReadLineAsync()))
                                {
                                }

                                byte[] answer = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nsealed");
                                await tls.WriteAsync(answer, 0, answer.Length);
                            }
                            catch (Exception ex) when (ex is IOException || ex is System.Security.Authentication.AuthenticationException)
                            {
                                // The refusing client hangs up during the handshake.
                            }
                        }
                    });
                }
            });

            string thumbprint = certificate.Thumbprint;
            using var trusting = new DirectHttpHandler(new HttpClientHandler(), (_, presented, _, _) => presented is not null && new X509Certificate2(presented).Thumbprint == thumbprint);
            using var trustingClient = new HttpClient(trusting, disposeHandler: false);
            Assert.Equal("sealed", await WaitingThreads.Run(() => trustingClient.GetStringAsync(url).GetAwaiter().GetResult()));
            Assert.Equal(1, trusting.DirectRequests);

            using var system = new DirectHttpHandler(new HttpClientHandler());
            using var systemClient = new HttpClient(system, disposeHandler: false);
            HttpRequestException refused = await WaitingThreads.Run(() => Assert.Throws<HttpRequestException>(() => systemClient.GetStringAsync(url).GetAwaiter().GetResult()));
            Assert.Contains("TLS", refused.Message);
            Assert.Equal(0, system.DirectRequests);
            listener.Stop();
        }

        /// <summary>Sends q0, waits for <paramref name="between"/>, sends q1: each answered once, the second on a new connection.</summary>
        private static async Task SecondRequestGoesOnANewConnection(HttpClient http, KeepAliveServer peer, Action between)
        {
            await WaitingThreads.Run(() =>
            {
                Assert.Equal("answer 0", Post(http, peer.Url, "q0"));
                between();
                Assert.Equal("answer 1", Post(http, peer.Url, "q1"));
                return true;
            });
            Assert.Equal(2, peer.Connections);
            Assert.Equal(new[] { "q0", "q1" }, peer.Bodies.ToArray());
        }

        /// <summary>POSTs <paramref name="body"/> and returns the answer's text, blocking (the tests run it on a waiting thread).</summary>
        private static string Post(HttpClient http, Uri url, string body)
            => http.PostAsync(url, new StringContent(body)).GetAwaiter().GetResult().Content.ReadAsStringAsync().GetAwaiter().GetResult();

        private static X509Certificate2 SelfSigned()
        {
            using var key = RSA.Create(2048);
            var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
            using X509Certificate2 created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
        }

        /// <summary>An HTTP/1.1 server that keeps connections alive (or closes each after its first answer) and answers "answer N".</summary>
        private sealed class KeepAliveServer : IDisposable
        {
            private readonly TcpListener listener = new(IPAddress.Loopback, 0);
            private readonly bool closeAfterFirstAnswer;
            private readonly string keepAlive;
            private readonly bool announceOnce;
            private readonly bool holdFirstTwo;
            private readonly CountdownEvent firstTwo = new(2);
            private int arrived;
            private readonly ManualResetEventSlim closed = new();
            private readonly bool strayAfterFirstAnswer;
            private readonly ManualResetEventSlim strayWritten = new();
            private int connections;
            private int answers;

            /// <param name="announceOnce">Whether only the first answer carries <paramref name="keepAlive"/>.</param>
            /// <param name="holdFirstTwo">Whether the first two requests wait for each other (up to 10 s), and the second then 300 ms more.</param>
            /// <param name="strayAfterFirstAnswer">Whether 200 ms after its first answer the server sends a second one nobody asked for.</param>
            public KeepAliveServer(bool closeAfterFirstAnswer, string? keepAlive = null, bool announceOnce = false, bool holdFirstTwo = false, bool strayAfterFirstAnswer = false)
            {
                this.strayAfterFirstAnswer = strayAfterFirstAnswer;
                this.holdFirstTwo = holdFirstTwo;
                this.closeAfterFirstAnswer = closeAfterFirstAnswer;
                this.keepAlive = keepAlive is null ? string.Empty : "Keep-Alive: " + keepAlive + "\r\n";
                this.announceOnce = announceOnce;
                listener.Start();
                _ = Task.Run(AcceptAsync);
            }

            public Uri Url => new("http://127.0.0.1:" + ((IPEndPoint)listener.LocalEndpoint).Port + "/mcp");

            public int Connections => Volatile.Read(ref connections);

            public ConcurrentQueue<string> Bodies { get; } = new();

            public void WaitClosed() => Assert.True(closed.Wait(TimeSpan.FromSeconds(10)));

            public void WaitStray() => Assert.True(strayWritten.Wait(TimeSpan.FromSeconds(10)));

            public void Dispose() => listener.Stop();

            private async Task AcceptAsync()
            {
                while (true)
                {
                    TcpClient client;
                    try
                    {
                        client = await listener.AcceptTcpClientAsync();
                    }
                    catch (Exception ex) when (ex is SocketException || ex is ObjectDisposedException)
                    {
                        return;
                    }

                    Interlocked.Increment(ref connections);
                    _ = Task.Run(() => ServeAsync(client));
                }
            }

            private async Task ServeAsync(TcpClient client)
            {
                using (client)
                {
                    NetworkStream stream = client.GetStream();
                    var reader = new StreamReader(stream, Encoding.ASCII);
                    while (true)
                    {
                        string? line = await reader.ReadLineAsync();
                        if (line is null)
                        {
                            return;
                        }

                        int length = 0;
                        while (!string.IsNullOrEmpty(line))
                        {
                            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                            {
                                length = int.Parse(line.Substring(15).Trim(), System.Globalization.CultureInfo.InvariantCulture);
                            }

                            line = await reader.ReadLineAsync();
                        }

                        var body = new char[length];
                        int got = 0;
                        while (got < length)
                        {
                            got += await reader.ReadAsync(body, got, length - got);
                        }

                        Bodies.Enqueue(new string(body));
                        int arrival = Interlocked.Increment(ref arrived);
                        if (holdFirstTwo && arrival <= 2)
                        {
                            firstTwo.Signal();
                            await Task.Run(() => firstTwo.Wait(TimeSpan.FromSeconds(10)));
                            await Task.Delay(arrival == 2 ? 300 : 0);
                        }

                        int n = Interlocked.Increment(ref answers) - 1;
                        string text = "answer " + n;
                        string announce = announceOnce && n > 0 ? string.Empty : keepAlive;
                        byte[] answer = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n" + announce + "Content-Length: " + text.Length + "\r\n\r\n" + text);
                        await stream.WriteAsync(answer, 0, answer.Length);
                        if (strayAfterFirstAnswer && n == 0)
                        {
                            await Task.Delay(200);
                            byte[] stray = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nstray");
                            await stream.WriteAsync(stray, 0, stray.Length);
                            strayWritten.Set();
                        }

                        if (closeAfterFirstAnswer)
                        {
                            client.Client.Shutdown(SocketShutdown.Both);
                            client.Close();
                            closed.Set();
                            return;
                        }
                    }
                }
            }
        }
    }
}
