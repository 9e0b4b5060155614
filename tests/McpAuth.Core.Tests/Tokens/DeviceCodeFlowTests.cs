using McpAuth.Core.Tests;
using System;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Discovery;
using McpAuth.Core.Http;
using McpAuth.Core.Registration;
using McpAuth.Core.Tokens;
using McpAuth.Testing;
using Xunit;

namespace McpAuth.Core.Tests.Tokens
{
    public sealed class DeviceCodeFlowTests : IDisposable
    {
        private static readonly Uri Resource = new("http://127.0.0.1:9/mcp");
        private static readonly DateTimeOffset Start = new(2025, 11, 25, 12, 0, 0, TimeSpan.Zero);

        private readonly TestHttpServer server = TestHttpServer.Start();
        private readonly HttpClient http = McpHttpClientFactory.Create(TimeSpan.FromSeconds(10));
        private readonly RecordingCallbacks callbacks = new();
        private readonly ManualClock clock = new(Start) { AdvanceOnDelay = true };
        private readonly TokenEndpointClient tokens;
        private readonly AuthorizationServerMetadata asm;
        private readonly ClientIdentity client;

        public DeviceCodeFlowTests()
        {
            tokens = new TokenEndpointClient(http, callbacks, clock);
            asm = server.Metadata();
            client = new ClientIdentity("device-client", TokenEndpointAuthMethods.None, ClientIdentitySource.PreRegistered, asm.Issuer);
        }

        public void Dispose()
        {
            http.Dispose();
            server.Dispose();
        }

        [Fact]
        public async Task Device_authorization_sends_client_id_scope_and_resource_and_reads_the_response()
        {
            server.RespondWith(DeviceResponse(interval: 3));

            DeviceAuthorization authorization = await tokens.DeviceAuthorizationAsync(asm, client, new[] { "mcp:tools", "offline_access" }, Resource, CancellationToken.None);

            TestRequest request = Assert.Single(server.Requests);
            Assert.Equal("/device", request.Path);
            Assert.Equal("device-client", request.Field("client_id"));
            Assert.Equal("mcp:tools offline_access", request.Field("scope"));
            Assert.Equal("http://127.0.0.1:9/mcp", request.Field("resource"));
            Assert.Equal("WDJB-MJHT", authorization.UserCode);
            Assert.Equal("device-code-secret-value", authorization.DeviceCode.Reveal());
            Assert.Equal(new Uri("https://as.example.com/device"), authorization.VerificationUri);
            Assert.Equal(new Uri("https://as.example.com/device?user_code=WDJB-MJHT"), authorization.VerificationUriComplete);
            Assert.Equal(TimeSpan.FromSeconds(3), authorization.Interval);
            Assert.Equal(Start.AddSeconds(1800), authorization.ExpiresAt);
            Assert.Contains("WDJB-MJHT", authorization.Instruction, StringComparison.Ordinal);
            Assert.DoesNotContain("device-code-secret-value", authorization.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("device-code-secret-value", callbacks.AllText, StringComparison.Ordinal);
        }

        [Fact]
        public async Task Device_flow_shows_the_code_polls_while_pending_and_returns_tokens()
        {
            server.Handler = r => r.Path == "/device"
                ? DeviceResponse(interval: 1)
                : server.Requests.Count(x => x.Path == "/token") < 3
                    ? TestResponse.Error(400, "authorization_pending")
                    : TestResponse.Tokens("device-at", "device-rt", "mcp:tools");
            DeviceAuthorization? shown = null;

            TokenSet set = await tokens.SignInWithDeviceCodeAsync(asm, client, new[] { "mcp:tools" }, Resource, a => shown = a, CancellationToken.None);

            Assert.NotNull(shown);
            Assert.Equal("WDJB-MJHT", shown!.UserCode);
            TestRequest[] polls = server.Requests.Where(r => r.Path == "/token").ToArray();
            Assert.Equal(3, polls.Length);
            Assert.All(polls, p =>
            {
                Assert.Equal("urn:ietf:params:oauth:grant-type:device_code", p.Field("grant_type"));
                Assert.Equal("device-code-secret-value", p.Field("device_code"));
                Assert.Equal("device-client", p.Field("client_id"));
                Assert.Equal("http://127.0.0.1:9/mcp", p.Field("resource"));
            });
            Assert.Equal("device-at", set.AccessToken.Reveal());
            Assert.Equal("device-rt", set.RefreshToken!.Reveal());
            Assert.Contains(callbacks.ProgressUpdates, u => u.Status.Contains("WDJB-MJHT", StringComparison.Ordinal));
            Assert.True(callbacks.ProgressUpdates.Last().Completed);
        }

        [Fact]
        public async Task Slow_down_adds_five_seconds_to_the_interval()
        {
            server.RespondWith(
                TestResponse.Error(400, "authorization_pending"),
                TestResponse.Error(400, "slow_down"),
                TestResponse.Error(400, "authorization_pending"),
                TestResponse.Tokens("at"));

            await tokens.PollDeviceTokenAsync(asm, client, Authorization(interval: 1), Resource, null, CancellationToken.None);

            // A wait before each of the four polls: 1 s before slow_down, 1 + 5 = 6 s after it, and it stays there.
            Assert.Equal(4, server.Requests.Count);
            Assert.Equal(new[] { 1, 1, 6, 6 }, clock.Delays.Select(d => (int)d.TotalSeconds));
        }

        [Fact]
        public async Task Polling_waits_the_interval_before_the_first_poll()
        {
            var polledAt = new System.Collections.Concurrent.ConcurrentQueue<DateTimeOffset>();
            server.Handler = _ =>
            {
                polledAt.Enqueue(clock.UtcNow);
                return TestResponse.Tokens("at");
            };

            await tokens.PollDeviceTokenAsync(asm, client, Authorization(interval: 10), Resource, null, CancellationToken.None);

            Assert.Equal(Start.AddSeconds(10), Assert.Single(polledAt));
        }

        [Fact]
        public async Task Polling_stops_at_the_device_codes_expiry_on_the_clock()
        {
            server.RespondWith(TestResponse.Error(400, "authorization_pending"));
            var authorization = new DeviceAuthorization(new Secret("device-code-secret-value"), "WDJB-MJHT", new Uri("https://as.example.com/device"), null, Start.AddSeconds(30), TimeSpan.FromSeconds(5));

            var ex = await Assert.ThrowsAsync<McpAuthException>(() => tokens.PollDeviceTokenAsync(asm, client, authorization, Resource, null, CancellationToken.None));

            Assert.Equal(ErrorIds.AuthorizationTimedOut, ex.ErrorId);
            Assert.Equal(5, server.Requests.Count);
        }

        [Fact]
        public async Task Expired_token_ends_polling_with_AuthorizationTimedOut()
        {
            server.RespondWith(TestResponse.Error(400, "authorization_pending"), TestResponse.Error(400, "expired_token"));

            var ex = await Assert.ThrowsAsync<McpAuthException>(() => tokens.PollDeviceTokenAsync(asm, client, Authorization(1), Resource, null, CancellationToken.None));

            Assert.Equal(ErrorIds.AuthorizationTimedOut, ex.ErrorId);
            Assert.Equal(McpErrorKind.Timeout, ex.Kind);
            Assert.Equal(2, server.Requests.Count);
        }

        [Fact]
        public async Task Device_code_past_its_expiry_is_not_polled()
        {
            var expired = new DeviceAuthorization(new Secret("dc"), "CODE", new Uri("https://as.example.com/device"), null, Start.AddSeconds(-1), TimeSpan.FromSeconds(1));

            var ex = await Assert.ThrowsAsync<McpAuthException>(() => tokens.PollDeviceTokenAsync(asm, client, expired, Resource, null, CancellationToken.None));

            Assert.Equal(ErrorIds.AuthorizationTimedOut, ex.ErrorId);
            Assert.Empty(server.Requests);
        }

        [Fact]
        public async Task Access_denied_ends_polling_with_AuthorizationDenied()
        {
            server.RespondWith(TestResponse.Error(400, "access_denied", "The user said no"));

            var ex = await Assert.ThrowsAsync<McpAuthException>(() => tokens.PollDeviceTokenAsync(asm, client, Authorization(1), Resource, null, CancellationToken.None));

            Assert.Equal(ErrorIds.AuthorizationDenied, ex.ErrorId);
            Assert.Equal(McpErrorKind.PermissionDenied, ex.Kind);
        }

        [Fact]
        public async Task Other_errors_while_polling_are_mapped_and_hide_the_device_code()
        {
            server.RespondWith(TestResponse.Error(400, "invalid_grant", "device code device-code-secret-value unknown"));

            var ex = await Assert.ThrowsAsync<McpAuthException>(() => tokens.PollDeviceTokenAsync(asm, client, Authorization(1), Resource, null, CancellationToken.None));

            Assert.Equal(ErrorIds.InvalidGrant, ex.ErrorId);
            Assert.DoesNotContain("device-code-secret-value", ex.ToString(), StringComparison.Ordinal);
        }

        [Fact]
        public async Task Cancellation_stops_polling()
        {
            server.RespondWith(TestResponse.Error(400, "authorization_pending"));
            clock.AdvanceOnDelay = false;
            using var cts = new CancellationTokenSource();
            Task<TokenSet> polling = tokens.PollDeviceTokenAsync(asm, client, Authorization(1), Resource, null, cts.Token);
            for (int poll = 1; poll <= 2; poll++)
            {
                await clock.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(1));
                await WaitFor(() => server.Requests.Count == poll);
            }

            await WaitFor(() => clock.Waiting == 1);
            cts.Cancel();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => polling);
            clock.Advance(TimeSpan.FromSeconds(10));
            await Task.Delay(100);
            Assert.Equal(2, server.Requests.Count);
        }

        [Fact]
        public async Task Server_without_device_endpoint_gives_DeviceCodeNotSupported()
        {
            asm.DeviceAuthorizationEndpoint = null;

            var ex = await Assert.ThrowsAsync<McpAuthException>(() => tokens.DeviceAuthorizationAsync(asm, client, null, Resource, CancellationToken.None));

            Assert.Equal(ErrorIds.DeviceCodeNotSupported, ex.ErrorId);
        }

        [Fact]
        public async Task Device_response_without_user_code_is_malformed()
        {
            server.RespondWith(TestResponse.Json(200, new { device_code = "dc", verification_uri = "https://as.example.com/device", expires_in = 600 }));

            var ex = await Assert.ThrowsAsync<McpAuthException>(() => tokens.DeviceAuthorizationAsync(asm, client, null, Resource, CancellationToken.None));

            Assert.Equal(ErrorIds.MalformedResponse, ex.ErrorId);
        }

        private static TestResponse DeviceResponse(int interval) => TestResponse.Json(200, new
        {
            device_code = "device-code-secret-value",
            user_code = "WDJB-MJHT",
            verification_uri = "https://as.example.com/device",
            verification_uri_complete = "https://as.example.com/device?user_code=WDJB-MJHT",
            expires_in = 1800,
            interval,
        });

        private static DeviceAuthorization Authorization(int interval) =>
            new(new Secret("device-code-secret-value"), "WDJB-MJHT", new Uri("https://as.example.com/device"), null, Start.AddMinutes(5), TimeSpan.FromSeconds(interval));

        private static async Task WaitFor(Func<bool> condition)
        {
            for (int i = 0; i < 1000 && !condition(); i++)
            {
                await Task.Delay(10);
            }

            Assert.True(condition());
        }
    }
}
