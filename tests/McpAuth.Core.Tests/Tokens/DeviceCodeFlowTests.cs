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
using Xunit;

namespace McpAuth.Core.Tests.Tokens
{
    public sealed class DeviceCodeFlowTests : IDisposable
    {
        private static readonly Uri Resource = new("http://127.0.0.1:9/mcp");
        private static readonly TimeSpan Unit = TimeSpan.FromMilliseconds(20);

        private readonly TestOAuthServer server = TestOAuthServer.Start();
        private readonly HttpClient http = McpHttpClientFactory.Create(TimeSpan.FromSeconds(10));
        private readonly RecordingCallbacks callbacks = new();
        private readonly TokenEndpointClient tokens;
        private readonly AuthorizationServerMetadata asm;
        private readonly ClientIdentity client;

        public DeviceCodeFlowTests()
        {
            tokens = new TokenEndpointClient(http, callbacks) { PollIntervalUnit = Unit };
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

            RecordedRequest request = Assert.Single(server.Requests);
            Assert.Equal("/device", request.Path);
            Assert.Equal("device-client", request.Field("client_id"));
            Assert.Equal("mcp:tools offline_access", request.Field("scope"));
            Assert.Equal("http://127.0.0.1:9/mcp", request.Field("resource"));
            Assert.Equal("WDJB-MJHT", authorization.UserCode);
            Assert.Equal("device-code-secret-value", authorization.DeviceCode.Reveal());
            Assert.Equal(new Uri("https://as.example.com/device"), authorization.VerificationUri);
            Assert.Equal(new Uri("https://as.example.com/device?user_code=WDJB-MJHT"), authorization.VerificationUriComplete);
            Assert.Equal(TimeSpan.FromTicks(Unit.Ticks * 3), authorization.Interval);
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
            RecordedRequest[] polls = server.Requests.Where(r => r.Path == "/token").ToArray();
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
            DeviceAuthorization authorization = Authorization(interval: 1);

            await tokens.PollDeviceTokenAsync(asm, client, authorization, Resource, null, CancellationToken.None);

            DateTimeOffset[] times = server.Requests.Select(r => r.ReceivedAt).ToArray();
            Assert.Equal(4, times.Length);
            TimeSpan beforeSlowDown = times[1] - times[0];
            TimeSpan afterSlowDown = times[2] - times[1];
            TimeSpan stillSlow = times[3] - times[2];

            // interval 1 unit before, 1 + 5 = 6 units after slow_down, and it stays there.
            Assert.True(afterSlowDown >= TimeSpan.FromTicks(Unit.Ticks * 6) - TimeSpan.FromMilliseconds(5), $"after slow_down: {afterSlowDown.TotalMilliseconds} ms");
            Assert.True(stillSlow >= TimeSpan.FromTicks(Unit.Ticks * 6) - TimeSpan.FromMilliseconds(5), $"later: {stillSlow.TotalMilliseconds} ms");
            Assert.True(beforeSlowDown >= Unit - TimeSpan.FromMilliseconds(5), $"before slow_down: {beforeSlowDown.TotalMilliseconds} ms");
        }

        [Fact]
        public async Task Polling_waits_the_interval_before_the_first_poll()
        {
            server.RespondWith(TestResponse.Tokens("at"));
            DeviceAuthorization authorization = Authorization(interval: 10);
            DateTimeOffset started = DateTimeOffset.UtcNow;

            await tokens.PollDeviceTokenAsync(asm, client, authorization, Resource, null, CancellationToken.None);

            Assert.True(server.Requests[0].ReceivedAt - started >= TimeSpan.FromTicks(Unit.Ticks * 10) - TimeSpan.FromMilliseconds(5));
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
            var expired = new DeviceAuthorization(new Secret("dc"), "CODE", new Uri("https://as.example.com/device"), null, DateTimeOffset.UtcNow.AddSeconds(-1), Unit);

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
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => tokens.PollDeviceTokenAsync(asm, client, Authorization(1), Resource, null, cts.Token));

            int count = server.Requests.Count;
            Assert.True(count >= 2, count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await Task.Delay(200);
            Assert.Equal(count, server.Requests.Count);
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
            new(new Secret("device-code-secret-value"), "WDJB-MJHT", new Uri("https://as.example.com/device"), null, DateTimeOffset.UtcNow.AddMinutes(5), TimeSpan.FromTicks(Unit.Ticks * interval));
    }
}
