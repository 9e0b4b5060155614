using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core;
using McpAuth.Core.Authorization;
using McpAuth.Core.Http;
using Xunit;

namespace McpAuth.Core.Tests.Authorization
{
    public sealed class LoopbackRedirectListenerTests : IDisposable
    {
        private const string State = "s";

        private readonly HttpClient http = McpHttpClientFactory.Create(TimeSpan.FromSeconds(10));

        public void Dispose() => http.Dispose();

        private static async Task<string> RawExchangeAsync(int port, byte[] request, bool shutdownSend = true)
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, port);
            NetworkStream stream = tcp.GetStream();
            await stream.WriteAsync(request);
            if (shutdownSend)
            {
                tcp.Client.Shutdown(SocketShutdown.Send);
            }

            var response = new StringBuilder();
            byte[] buffer = new byte[4096];
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                int read;
                while ((read = await stream.ReadAsync(buffer, cts.Token)) > 0)
                {
                    response.Append(Encoding.UTF8.GetString(buffer, 0, read));
                }
            }
            catch (Exception ex) when (ex is System.IO.IOException || ex is SocketException)
            {
                // The listener may reset after answering a request it did not read fully.
            }

            return response.ToString();
        }

        [Fact]
        public async Task Returns_the_full_callback_url_and_answers_with_a_page()
        {
            using var listener = LoopbackRedirectListener.Start();
            Assert.Equal($"http://127.0.0.1:{listener.Port}/callback", listener.RedirectUri.OriginalString);
            Task<Uri> wait = listener.WaitForCallbackAsync(State, CancellationToken.None);

            using HttpResponseMessage response = await http.GetAsync(new Uri(listener.RedirectUri + "?code=abc%2B1&state=s&iss=https%3A%2F%2Fas.example"));
            Uri callback = await wait.WaitAsync(TimeSpan.FromSeconds(10));

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            string page = await response.Content.ReadAsStringAsync();
            Assert.Contains("You can close this window", page, StringComparison.Ordinal);
            Assert.DoesNotContain("abc", page, StringComparison.Ordinal);
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
            Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
            Assert.Equal(listener.Port, callback.Port);
            Assert.Equal("/callback", callback.AbsolutePath);
            Assert.Equal("?code=abc%2B1&state=s&iss=https%3A%2F%2Fas.example", callback.Query);
        }

        [Fact]
        public async Task Callback_flows_into_response_validation()
        {
            using var listener = LoopbackRedirectListener.Start();
            var request = new AuthorizationRequest(new Uri("https://as.example/authorize"), "c", listener.RedirectUri, null, "https://mcp.example", false);
            Task<Uri> wait = listener.WaitForCallbackAsync(request.State, CancellationToken.None);

            using HttpResponseMessage response = await http.GetAsync(new Uri($"{listener.RedirectUri}?code=the-code&state={request.State}"));
            Uri callback = await wait.WaitAsync(TimeSpan.FromSeconds(10));

            var asm = new McpAuth.Core.Discovery.AuthorizationServerMetadata { Issuer = new Uri("https://as.example") };
            Assert.Equal("the-code", AuthorizationResponse.Validate(callback, request.State, asm).Reveal());
        }

        [Fact]
        public async Task Error_callback_is_returned_with_a_not_completed_page()
        {
            using var listener = LoopbackRedirectListener.Start();
            Task<Uri> wait = listener.WaitForCallbackAsync(State, CancellationToken.None);

            using HttpResponseMessage response = await http.GetAsync(new Uri(listener.RedirectUri + "?error=access_denied&state=s"));
            Uri callback = await wait.WaitAsync(TimeSpan.FromSeconds(10));

            Assert.Contains("not completed", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal("?error=access_denied&state=s", callback.Query);
        }

        [Fact]
        public async Task Other_paths_and_favicon_get_404_and_the_wait_goes_on()
        {
            using var listener = LoopbackRedirectListener.Start();
            Task<Uri> wait = listener.WaitForCallbackAsync(State, CancellationToken.None);

            using (HttpResponseMessage favicon = await http.GetAsync(new Uri($"http://127.0.0.1:{listener.Port}/favicon.ico")))
            {
                Assert.Equal(HttpStatusCode.NotFound, favicon.StatusCode);
            }

            using (HttpResponseMessage other = await http.GetAsync(new Uri($"http://127.0.0.1:{listener.Port}/callbackx?code=1")))
            {
                Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
            }

            using (HttpResponseMessage bare = await http.GetAsync(listener.RedirectUri))
            {
                Assert.Equal(HttpStatusCode.BadRequest, bare.StatusCode);
            }

            using (HttpResponseMessage post = await http.PostAsync(new Uri(listener.RedirectUri + "?code=1"), new StringContent("x")))
            {
                Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
            }

            Assert.False(wait.IsCompleted);
            using HttpResponseMessage ok = await http.GetAsync(new Uri(listener.RedirectUri + "?code=real&state=s"));
            Assert.Equal("?code=real&state=s", (await wait.WaitAsync(TimeSpan.FromSeconds(10))).Query);
        }

        /// <summary>Issue #11, 5: any local process could abort a sign-in with a forged callback; now it is answered 400 and ignored.</summary>
        [Theory]
        [InlineData("?code=x&state=wrong")]
        [InlineData("?code=x")]
        [InlineData("?code=x&state=s&state=wrong")]
        [InlineData("?error=access_denied&state=wrong")]
        [InlineData("?error=access_denied")]
        public async Task A_callback_that_is_not_its_own_is_ignored_and_the_wait_goes_on(string forged)
        {
            using var listener = LoopbackRedirectListener.Start();
            Task<Uri> wait = listener.WaitForCallbackAsync(State, CancellationToken.None);

            using (HttpResponseMessage foreign = await http.GetAsync(new Uri(listener.RedirectUri + forged)))
            {
                Assert.Equal(HttpStatusCode.BadRequest, foreign.StatusCode);
                Assert.Contains("ignored", await foreign.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            await Task.Delay(100);
            Assert.False(wait.IsCompleted);
            using HttpResponseMessage ok = await http.GetAsync(new Uri(listener.RedirectUri + "?code=real&state=s"));
            Assert.Equal("?code=real&state=s", (await wait.WaitAsync(TimeSpan.FromSeconds(10))).Query);
        }

        [Fact]
        public async Task Silent_half_open_connection_does_not_block_the_browser()
        {
            using var listener = LoopbackRedirectListener.Start();
            Task<Uri> wait = listener.WaitForCallbackAsync(State, CancellationToken.None);

            // Connects and never sends a byte (default ConnectionTimeout is 10 s, longer than this test waits).
            using var silent = new TcpClient();
            await silent.ConnectAsync(IPAddress.Loopback, listener.Port);
            using var halfOpen = new TcpClient();
            await halfOpen.ConnectAsync(IPAddress.Loopback, listener.Port);
            await halfOpen.GetStream().WriteAsync(Encoding.ASCII.GetBytes("GET /callback?code=partial"));

            var watch = System.Diagnostics.Stopwatch.StartNew();
            using HttpResponseMessage response = await http.GetAsync(new Uri(listener.RedirectUri + "?code=ok&state=s"));
            Uri callback = await wait.WaitAsync(TimeSpan.FromSeconds(10));

            Assert.Equal("?code=ok&state=s", callback.Query);
            Assert.True(watch.ElapsedMilliseconds < 5000);
        }

        [Fact]
        public async Task Junk_requests_get_errors_and_the_wait_goes_on()
        {
            using var listener = LoopbackRedirectListener.Start();
            Task<Uri> wait = listener.WaitForCallbackAsync(State, CancellationToken.None);

            string junk = await RawExchangeAsync(listener.Port, Encoding.ASCII.GetBytes("HELLO THERE\r\n\r\n"));
            Assert.StartsWith("HTTP/1.1 400", junk, StringComparison.Ordinal);

            string binary = await RawExchangeAsync(listener.Port, new byte[] { 0x16, 0x03, 0x01, 0x00, 0xff, 0x0a, 0x0a });
            Assert.StartsWith("HTTP/1.1 400", binary, StringComparison.Ordinal);

            string longLine = await RawExchangeAsync(listener.Port, Encoding.ASCII.GetBytes("GET /callback?code=" + new string('a', 20000)), shutdownSend: false);
            Assert.StartsWith("HTTP/1.1 414", longLine, StringComparison.Ordinal);

            string headers = "GET /callback?code=x HTTP/1.1\r\n" + string.Concat(Enumerable.Repeat("X-Pad: " + new string('b', 1000) + "\r\n", 40));
            string tooLarge = await RawExchangeAsync(listener.Port, Encoding.ASCII.GetBytes(headers), shutdownSend: false);
            Assert.StartsWith("HTTP/1.1 431", tooLarge, StringComparison.Ordinal);

            // A connection that closes mid-request is dropped quietly.
            await RawExchangeAsync(listener.Port, Encoding.ASCII.GetBytes("GET /callback?code=cut"));

            Assert.False(wait.IsCompleted);
            using HttpResponseMessage ok = await http.GetAsync(new Uri(listener.RedirectUri + "?code=fine&state=s"));
            Assert.Equal("?code=fine&state=s", (await wait.WaitAsync(TimeSpan.FromSeconds(10))).Query);
        }

        [Fact]
        public async Task Accepts_bare_lf_line_endings_and_absolute_form_targets()
        {
            using var listener = LoopbackRedirectListener.Start();
            Task<Uri> wait = listener.WaitForCallbackAsync(State, CancellationToken.None);

            string answer = await RawExchangeAsync(listener.Port, Encoding.ASCII.GetBytes($"GET http://127.0.0.1:{listener.Port}/callback?code=lf&state=s HTTP/1.1\nHost: x\n\n"));

            Assert.StartsWith("HTTP/1.1 200", answer, StringComparison.Ordinal);
            Assert.Equal("?code=lf&state=s", (await wait.WaitAsync(TimeSpan.FromSeconds(10))).Query);
        }

        [Fact]
        public async Task Slow_connection_is_closed_after_the_connection_timeout()
        {
            using var listener = LoopbackRedirectListener.Start();
            listener.ConnectionTimeout = TimeSpan.FromMilliseconds(300);
            Task<Uri> wait = listener.WaitForCallbackAsync(State, CancellationToken.None);

            using var silent = new TcpClient();
            await silent.ConnectAsync(IPAddress.Loopback, listener.Port);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            int read;
            try
            {
                read = await silent.GetStream().ReadAsync(new byte[16]).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (System.IO.IOException)
            {
                read = 0;
            }

            Assert.Equal(0, read);
            Assert.True(watch.ElapsedMilliseconds < 5000);
            Assert.False(wait.IsCompleted);
        }

        [Fact]
        public async Task Cancellation_stops_waiting_and_closes_the_port()
        {
            using var listener = LoopbackRedirectListener.Start();
            using var cts = new CancellationTokenSource();
            Task<Uri> wait = listener.WaitForCallbackAsync(State, cts.Token);
            await Task.Delay(50);
            cts.Cancel();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(TimeSpan.FromSeconds(5)));
            using var probe = new TcpClient();
            await Assert.ThrowsAnyAsync<SocketException>(() => probe.ConnectAsync(IPAddress.Loopback, listener.Port));
        }

        [Fact]
        public async Task Already_cancelled_token_ends_at_once()
        {
            using var listener = LoopbackRedirectListener.Start();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => listener.WaitForCallbackAsync(State, new CancellationToken(true)).WaitAsync(TimeSpan.FromSeconds(5)));
        }

        [Fact]
        public async Task Dispose_while_waiting_ends_the_wait()
        {
            var listener = LoopbackRedirectListener.Start();
            Task<Uri> wait = listener.WaitForCallbackAsync(State, CancellationToken.None);
            await Task.Delay(50);
            listener.Dispose();

            await Assert.ThrowsAsync<ObjectDisposedException>(() => wait.WaitAsync(TimeSpan.FromSeconds(5)));
            await Assert.ThrowsAsync<ObjectDisposedException>(() => listener.WaitForCallbackAsync(State, CancellationToken.None));
        }

        [Fact]
        public async Task Waiting_twice_is_refused()
        {
            using var listener = LoopbackRedirectListener.Start();
            using var cts = new CancellationTokenSource();
            Task<Uri> first = listener.WaitForCallbackAsync(State, cts.Token);
            await Assert.ThrowsAsync<InvalidOperationException>(() => listener.WaitForCallbackAsync(State, CancellationToken.None));
            cts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        }

        [Fact]
        public async Task Listens_on_a_fixed_port_when_asked()
        {
            int port;
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                port = ((IPEndPoint)probe.LocalEndpoint).Port;
                probe.Stop();
            }

            using var listener = LoopbackRedirectListener.Start(port);
            Assert.Equal(port, listener.Port);
            Assert.Equal(new Uri($"http://127.0.0.1:{port}/callback"), listener.RedirectUri);
            Task<Uri> wait = listener.WaitForCallbackAsync(State, CancellationToken.None);
            using HttpResponseMessage ok = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/callback?code=p&state=s"));
            Assert.Equal(port, (await wait.WaitAsync(TimeSpan.FromSeconds(10))).Port);
        }

        [Fact]
        public void Port_in_use_is_a_typed_error()
        {
            using var taken = LoopbackRedirectListener.Start();
            var ex = Assert.Throws<McpAuthException>(() => LoopbackRedirectListener.Start(taken.Port));
            Assert.Equal(ErrorIds.RedirectListenerFailed, ex.ErrorId);
            Assert.Equal(McpErrorKind.ResourceUnavailable, ex.Kind);
        }
    }
}
