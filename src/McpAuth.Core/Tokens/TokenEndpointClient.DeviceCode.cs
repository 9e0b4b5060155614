using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Discovery;
using McpAuth.Core.Http;
using McpAuth.Core.Registration;

namespace McpAuth.Core.Tokens
{
    /// <summary>The device authorization grant (RFC 8628): start it, show the code, poll until approved.</summary>
    public sealed partial class TokenEndpointClient
    {
        /// <summary>The RFC 8628 grant type for polling with a device code.</summary>
        public const string DeviceCodeGrantType = "urn:ietf:params:oauth:grant-type:device_code";

        private const int DeviceProgressActivityId = 8628;
        private const int DefaultDeviceIntervalSeconds = 5;
        private const int SlowDownSeconds = 5;
        private const int DefaultDeviceExpirySeconds = 600;

        /// <summary>Starts the device authorization grant (RFC 8628 §3.1-3.2).</summary>
        public async Task<DeviceAuthorization> DeviceAuthorizationAsync(
            AuthorizationServerMetadata asm,
            ClientIdentity client,
            IReadOnlyList<string>? scopes,
            Uri resource,
            CancellationToken cancellationToken)
        {
            CheckClient(asm, client);
            Guard.NotNull(resource, nameof(resource));
            Uri endpoint = asm.DeviceAuthorizationEndpoint ?? throw TokenErrors.DeviceCodeNotSupported(asm);
            EndpointPolicy.Require(endpoint, "device authorization endpoint");
            using IDisposable operation = OperationSecrets.Begin();
            var form = new List<KeyValuePair<string, string>>();
            AddScope(form, scopes);
            AddResource(form, resource);
            OAuthHttpResponse response = await OAuthHttp.SendAsync(http, ClientAuthentication.FormPost(endpoint, client, Audience(asm), clock.UtcNow, form), "device authorization endpoint", callbacks, cancellationToken).ConfigureAwait(false);
            DeviceAuthorizationResponse? body = response.IsSuccess ? response.Read(TokensJsonContext.Default.DeviceAuthorizationResponse) : null;
            if (body is null || response.Error is not null)
            {
                throw TokenErrors.From(response, endpoint, client, "device authorization request");
            }

            DateTimeOffset now = clock.UtcNow;
            if (string.IsNullOrEmpty(body.DeviceCode) || string.IsNullOrEmpty(body.UserCode) || !TryWebUri(body.VerificationUri ?? body.VerificationUrl, out Uri? verificationUri))
            {
                throw TokenErrors.Malformed(endpoint, "The device authorization response lacks device_code, user_code or a valid verification_uri.");
            }

            TryWebUri(body.VerificationUriComplete, out Uri? complete);
            long expiresIn = body.ExpiresIn > 0 ? body.ExpiresIn.Value : DefaultDeviceExpirySeconds;
            long interval = body.Interval > 0 ? body.Interval.Value : DefaultDeviceIntervalSeconds;
            var authorization = new DeviceAuthorization(
                new Secret(body.DeviceCode!),
                ServerText.Sanitize(body.UserCode, 64),
                verificationUri!,
                complete,
                now.AddSeconds(expiresIn),
                TimeSpan.FromSeconds(interval));
            callbacks.Verbose($"Device authorization started: the user code is valid for {expiresIn} s; polling every {interval} s.");
            return authorization;
        }

        /// <summary>
        /// Polls the token endpoint with a device code until the user approves, honouring <c>interval</c>,
        /// <c>authorization_pending</c> and <c>slow_down</c> (+5 s), until expiry, denial or cancellation. The
        /// waits and the expiry are on this client's clock.
        /// </summary>
        public async Task<TokenSet> PollDeviceTokenAsync(
            AuthorizationServerMetadata asm,
            ClientIdentity client,
            DeviceAuthorization authorization,
            Uri resource,
            IReadOnlyList<string>? requestedScopes,
            CancellationToken cancellationToken)
        {
            Guard.NotNull(authorization, nameof(authorization));
            CheckClient(asm, client);
            Guard.NotNull(resource, nameof(resource));
            Uri endpoint = RequireTokenEndpoint(asm);
            using IDisposable operation = OperationSecrets.Begin();
            TimeSpan interval = authorization.Interval;
            var progress = new ProgressUpdate(DeviceProgressActivityId, "Device sign-in", authorization.Instruction);
            try
            {
                for (int attempt = 1; ; attempt++)
                {
                    await clock.Delay(interval, cancellationToken).ConfigureAwait(false);
                    if (clock.UtcNow >= authorization.ExpiresAt)
                    {
                        throw TokenErrors.DeviceCodeExpired(asm);
                    }

                    callbacks.Progress(progress);
                    var form = new List<KeyValuePair<string, string>>
                    {
                        Pair("grant_type", DeviceCodeGrantType),
                        Pair("device_code", authorization.DeviceCode.Reveal()),
                    };
                    AddResource(form, resource);
                    DateTimeOffset sentAt;
                    OAuthHttpResponse response;
                    try
                    {
                        (response, sentAt) = await PostAsync(endpoint, client, Audience(asm), form, "token endpoint", cancellationToken).ConfigureAwait(false);
                    }
                    catch (McpAuthException ex) when (ex.ErrorId == ErrorIds.RequestTimedOut)
                    {
                        // RFC 8628 §3.5: back off on a connection timeout.
                        interval = TimeSpan.FromTicks(interval.Ticks * 2);
                        callbacks.Verbose($"The token endpoint timed out; polling again in {interval.TotalSeconds:0.###} s.");
                        continue;
                    }

                    switch (response.Error?.Error)
                    {
                        case null when response.IsSuccess:
                            callbacks.Verbose($"Device sign-in approved after {attempt} poll(s).");
                            return ReadTokens(response, endpoint, client, asm, resource, requestedScopes, null, "device code", sentAt);
                        case "authorization_pending":
                            callbacks.Verbose("Waiting for the user to approve the device sign-in (authorization_pending).");
                            continue;
                        case "slow_down":
                            interval += TimeSpan.FromSeconds(SlowDownSeconds);
                            callbacks.Verbose($"The authorization server asked to slow down; polling every {interval.TotalSeconds:0.###} s.");
                            continue;
                        case "expired_token":
                            throw TokenErrors.DeviceCodeExpired(asm);
                        case "access_denied":
                            throw TokenErrors.DeviceAccessDenied(asm);
                        default:
                            throw TokenErrors.From(response, endpoint, client, "device code");
                    }
                }
            }
            finally
            {
                callbacks.Progress(new ProgressUpdate(DeviceProgressActivityId, "Device sign-in", "Done") { Completed = true });
            }
        }

        /// <summary>
        /// Runs the whole device flow: starts it, hands the code to <paramref name="showCode"/> for display,
        /// then polls until the user approves.
        /// </summary>
        public async Task<TokenSet> SignInWithDeviceCodeAsync(
            AuthorizationServerMetadata asm,
            ClientIdentity client,
            IReadOnlyList<string>? scopes,
            Uri resource,
            Action<DeviceAuthorization> showCode,
            CancellationToken cancellationToken)
        {
            Guard.NotNull(showCode, nameof(showCode));
            DeviceAuthorization authorization = await DeviceAuthorizationAsync(asm, client, scopes, resource, cancellationToken).ConfigureAwait(false);
            showCode(authorization);
            return await PollDeviceTokenAsync(asm, client, authorization, resource, scopes, cancellationToken).ConfigureAwait(false);
        }

        private static bool TryWebUri(string? text, out Uri? uri)
        {
            uri = null;
            if (text is null || !Uri.TryCreate(text, UriKind.Absolute, out Uri? parsed) || (parsed.Scheme != Uri.UriSchemeHttps && parsed.Scheme != Uri.UriSchemeHttp))
            {
                return false;
            }

            uri = parsed;
            return true;
        }
    }
}
