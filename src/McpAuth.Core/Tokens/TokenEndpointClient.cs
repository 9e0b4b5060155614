using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Discovery;
using McpAuth.Core.Http;
using McpAuth.Core.Registration;

namespace McpAuth.Core.Tokens
{
    /// <summary>
    /// Talks to an authorization server's token endpoint (RFC 6749 §3.2), device authorization endpoint
    /// (RFC 8628) and revocation endpoint (RFC 7009) as one client. Every token request carries the RFC
    /// 8707 <c>resource</c>; the client authenticates per its <see cref="ClientIdentity.TokenEndpointAuthMethod"/>.
    /// </summary>
    public sealed class TokenEndpointClient
    {
        /// <summary>The RFC 8628 grant type for polling with a device code.</summary>
        public const string DeviceCodeGrantType = "urn:ietf:params:oauth:grant-type:device_code";

        private const int DeviceProgressActivityId = 8628;
        private const int DefaultDeviceIntervalSeconds = 5;
        private const int SlowDownSeconds = 5;
        private const int DefaultDeviceExpirySeconds = 600;

        private readonly HttpClient http;
        private readonly IEngineCallbacks callbacks;

        /// <summary>Creates a client that sends with <paramref name="http"/> and reports through <paramref name="callbacks"/>.</summary>
        public TokenEndpointClient(HttpClient http, IEngineCallbacks callbacks)
        {
            this.http = http ?? throw new ArgumentNullException(nameof(http));
            this.callbacks = callbacks ?? throw new ArgumentNullException(nameof(callbacks));
        }

        /// <summary>Gets or sets the clock used for expiry and assertions (UTC now by default).</summary>
        public Func<DateTimeOffset> Clock { get; set; } = () => DateTimeOffset.UtcNow;

        /// <summary>
        /// Gets or sets how long one RFC 8628 "second" of polling interval lasts. One second in production;
        /// tests shrink it so interval and slow_down behaviour can be observed quickly.
        /// </summary>
        internal TimeSpan PollIntervalUnit { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>Returns the exact string sent as <c>resource</c> (RFC 8707) for <paramref name="resource"/>.</summary>
        public static string ResourceParameter(Uri resource) =>
            (resource ?? throw new ArgumentNullException(nameof(resource))).OriginalString;

        /// <summary>Exchanges an authorization code (with its PKCE verifier) for tokens (RFC 6749 §4.1.3, RFC 7636).</summary>
        /// <param name="asm">The authorization server's metadata.</param>
        /// <param name="client">The client identity for this issuer.</param>
        /// <param name="code">The authorization code from the redirect.</param>
        /// <param name="verifier">The PKCE code verifier.</param>
        /// <param name="redirectUri">The redirect URI used in the authorization request (sent as given).</param>
        /// <param name="resource">The MCP server the token is for.</param>
        /// <param name="requestedScopes">The scopes requested at authorization, the fallback when the response names none.</param>
        /// <param name="cancellationToken">Cancels the request.</param>
        public Task<TokenSet> ExchangeCodeAsync(
            AuthorizationServerMetadata asm,
            ClientIdentity client,
            Secret code,
            Secret verifier,
            Uri redirectUri,
            Uri resource,
            IReadOnlyList<string>? requestedScopes,
            CancellationToken cancellationToken)
        {
            ThrowIfNull(code, nameof(code));
            ThrowIfNull(verifier, nameof(verifier));
            ThrowIfNull(redirectUri, nameof(redirectUri));
            var form = new List<KeyValuePair<string, string>>
            {
                Pair("grant_type", "authorization_code"),
                Pair("code", code.Reveal()),
                Pair("code_verifier", verifier.Reveal()),
                Pair("redirect_uri", redirectUri.OriginalString),
            };
            var sent = new List<string> { code.Reveal(), verifier.Reveal() };
            return RequestTokensAsync(asm, client, form, sent, resource, requestedScopes, null, "authorization code", cancellationToken);
        }

        /// <summary>
        /// Uses a refresh token (RFC 6749 §6). A public client always sends <c>client_id</c>; the
        /// <c>resource</c> is always sent. When the server returns no new refresh token the old one is kept.
        /// </summary>
        /// <param name="asm">The authorization server's metadata.</param>
        /// <param name="client">The client identity for this issuer.</param>
        /// <param name="refreshToken">The refresh token.</param>
        /// <param name="resource">The MCP server the token is for.</param>
        /// <param name="scopes">Scopes to request (sent as <c>scope</c>); null sends none and keeps the grant's scopes.</param>
        /// <param name="cancellationToken">Cancels the request.</param>
        public Task<TokenSet> RefreshAsync(
            AuthorizationServerMetadata asm,
            ClientIdentity client,
            Secret refreshToken,
            Uri resource,
            IReadOnlyList<string>? scopes,
            CancellationToken cancellationToken)
        {
            ThrowIfNull(refreshToken, nameof(refreshToken));
            var form = new List<KeyValuePair<string, string>>
            {
                Pair("grant_type", "refresh_token"),
                Pair("refresh_token", refreshToken.Reveal()),
            };
            AddScope(form, scopes);
            var sent = new List<string> { refreshToken.Reveal() };
            return RequestTokensAsync(asm, client, form, sent, resource, scopes, refreshToken, "refresh token", cancellationToken);
        }

        /// <summary>
        /// Refreshes <paramref name="current"/>: its refresh token and resource; when the response names no
        /// scope and none are requested, the result keeps <paramref name="current"/>'s scopes.
        /// </summary>
        public async Task<TokenSet> RefreshAsync(
            AuthorizationServerMetadata asm,
            ClientIdentity client,
            TokenSet current,
            IReadOnlyList<string>? scopes,
            CancellationToken cancellationToken)
        {
            ThrowIfNull(current, nameof(current));
            if (current.RefreshToken is null)
            {
                throw new McpAuthException(
                    ErrorIds.AuthenticationRequired,
                    McpErrorKind.AuthenticationError,
                    $"The tokens for {current.Resource} have no refresh token. Sign in again (Connect-McpServer).",
                    current.Resource);
            }

            var form = new List<KeyValuePair<string, string>>
            {
                Pair("grant_type", "refresh_token"),
                Pair("refresh_token", current.RefreshToken.Reveal()),
            };
            AddScope(form, scopes);
            var sent = new List<string> { current.RefreshToken.Reveal() };
            return await RequestTokensAsync(asm, client, form, sent, current.Resource, scopes ?? current.Scopes, current.RefreshToken, "refresh token", cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Requests a token for the client itself (RFC 6749 §4.4; the MCP client-credentials extension).
        /// The client must be confidential: client_secret_basic, client_secret_post or private_key_jwt.
        /// </summary>
        public Task<TokenSet> ClientCredentialsAsync(
            AuthorizationServerMetadata asm,
            ClientIdentity client,
            IReadOnlyList<string>? scopes,
            Uri resource,
            CancellationToken cancellationToken)
        {
            ThrowIfNull(client, nameof(client));
            if (client.TokenEndpointAuthMethod == TokenEndpointAuthMethods.None)
            {
                throw new McpAuthException(
                    ErrorIds.ClientIdentityRequired,
                    McpErrorKind.InvalidArgument,
                    $"The client credentials grant needs a confidential client, but '{client.ClientId}' has no secret or key. Pass -ClientSecret or a private key.",
                    asm?.Issuer);
            }

            var form = new List<KeyValuePair<string, string>> { Pair("grant_type", "client_credentials") };
            AddScope(form, scopes);
            return RequestTokensAsync(asm!, client, form, new List<string>(), resource, scopes, null, "client credentials grant", cancellationToken);
        }

        /// <summary>Starts the device authorization grant (RFC 8628 §3.1-3.2).</summary>
        public async Task<DeviceAuthorization> DeviceAuthorizationAsync(
            AuthorizationServerMetadata asm,
            ClientIdentity client,
            IReadOnlyList<string>? scopes,
            Uri resource,
            CancellationToken cancellationToken)
        {
            CheckClient(asm, client);
            ThrowIfNull(resource, nameof(resource));
            if (asm.DeviceAuthorizationEndpoint is not Uri endpoint)
            {
                throw new McpAuthException(
                    ErrorIds.DeviceCodeNotSupported,
                    McpErrorKind.InvalidOperation,
                    $"The authorization server {asm.Issuer} does not offer the device authorization grant (its metadata has no device_authorization_endpoint). Sign in with a browser instead.",
                    asm.Issuer);
            }

            EndpointPolicy.Require(endpoint, "device authorization endpoint");
            var form = new List<KeyValuePair<string, string>>();
            AddScope(form, scopes);
            form.Add(Pair("resource", ResourceParameter(resource)));
            var sent = new List<string>();
            HttpRequestMessage request = ClientAuthentication.FormPost(endpoint, client, Audience(asm), Clock(), form, sent);
            OAuthHttpResponse response = await OAuthHttp.SendAsync(http, request, "device authorization endpoint", callbacks, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccess || response.Object is not JsonElement body || body.TryGetProperty("error", out _))
            {
                throw MapError(response, sent, endpoint, client, "device authorization request");
            }

            DateTimeOffset now = Clock();
            string? deviceCode = GetString(body, "device_code");
            string? userCode = GetString(body, "user_code");
            string? verification = GetString(body, "verification_uri") ?? GetString(body, "verification_url");
            if (string.IsNullOrEmpty(deviceCode) || string.IsNullOrEmpty(userCode) || !TryWebUri(verification, out Uri? verificationUri))
            {
                throw Malformed(endpoint, "The device authorization response lacks device_code, user_code or a valid verification_uri.");
            }

            TryWebUri(GetString(body, "verification_uri_complete"), out Uri? complete);
            long expiresIn = GetPositiveSeconds(body, "expires_in") ?? DefaultDeviceExpirySeconds;
            long interval = GetPositiveSeconds(body, "interval") ?? DefaultDeviceIntervalSeconds;
            var authorization = new DeviceAuthorization(
                new Secret(deviceCode!),
                ServerText.Sanitize(userCode, 64),
                verificationUri!,
                complete,
                now.AddSeconds(expiresIn),
                Scale(interval));
            callbacks.Verbose($"Device authorization started: the user code is valid for {expiresIn} s; polling every {interval} s.");
            return authorization;
        }

        /// <summary>
        /// Polls the token endpoint with a device code until the user approves, honouring <c>interval</c>,
        /// <c>authorization_pending</c> and <c>slow_down</c> (+5 s), until expiry, denial or cancellation.
        /// </summary>
        public async Task<TokenSet> PollDeviceTokenAsync(
            AuthorizationServerMetadata asm,
            ClientIdentity client,
            DeviceAuthorization authorization,
            Uri resource,
            IReadOnlyList<string>? requestedScopes,
            CancellationToken cancellationToken)
        {
            ThrowIfNull(authorization, nameof(authorization));
            CheckClient(asm, client);
            ThrowIfNull(resource, nameof(resource));
            Uri endpoint = RequireTokenEndpoint(asm);
            TimeSpan interval = authorization.Interval;
            var progress = new ProgressUpdate(DeviceProgressActivityId, "Device sign-in", authorization.Instruction);
            try
            {
                int attempt = 0;
                while (true)
                {
                    await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
                    if (Clock() >= authorization.ExpiresAt)
                    {
                        throw DeviceCodeExpired(asm);
                    }

                    attempt++;
                    callbacks.Progress(progress);
                    var form = new List<KeyValuePair<string, string>>
                    {
                        Pair("grant_type", DeviceCodeGrantType),
                        Pair("device_code", authorization.DeviceCode.Reveal()),
                        Pair("resource", ResourceParameter(resource)),
                    };
                    var sent = new List<string> { authorization.DeviceCode.Reveal() };
                    DateTimeOffset sentAt = Clock();
                    HttpRequestMessage request = ClientAuthentication.FormPost(endpoint, client, Audience(asm), sentAt, form, sent);
                    OAuthHttpResponse response;
                    try
                    {
                        response = await OAuthHttp.SendAsync(http, request, "token endpoint", callbacks, cancellationToken).ConfigureAwait(false);
                    }
                    catch (McpAuthException ex) when (ex.ErrorId == ErrorIds.RequestTimedOut)
                    {
                        // RFC 8628 §3.5: back off on a connection timeout.
                        interval = TimeSpan.FromTicks(interval.Ticks * 2);
                        callbacks.Verbose($"The token endpoint timed out; polling again in {interval.TotalSeconds:0.###} s.");
                        continue;
                    }

                    OAuthErrorResponse? error = response.Object is JsonElement obj ? OAuthErrorResponse.TryRead(obj, sent) : null;
                    if (response.IsSuccess && error is null)
                    {
                        callbacks.Verbose($"Device sign-in approved after {attempt} poll(s).");
                        return ReadTokens(response, sent, endpoint, client, asm, resource, requestedScopes, null, "device code", sentAt);
                    }

                    switch (error?.Error)
                    {
                        case "authorization_pending":
                            callbacks.Verbose("Waiting for the user to approve the device sign-in (authorization_pending).");
                            continue;
                        case "slow_down":
                            interval += Scale(SlowDownSeconds);
                            callbacks.Verbose($"The authorization server asked to slow down; polling every {interval.TotalSeconds:0.###} s.");
                            continue;
                        case "expired_token":
                            throw DeviceCodeExpired(asm);
                        case "access_denied":
                            throw new McpAuthException(
                                ErrorIds.AuthorizationDenied,
                                McpErrorKind.PermissionDenied,
                                $"The sign-in at {asm.Issuer} was denied (access_denied). Run the command again and approve the request.",
                                asm.Issuer);
                        default:
                            throw MapError(response, sent, endpoint, client, "device code");
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
            ThrowIfNull(showCode, nameof(showCode));
            DeviceAuthorization authorization = await DeviceAuthorizationAsync(asm, client, scopes, resource, cancellationToken).ConfigureAwait(false);
            showCode(authorization);
            return await PollDeviceTokenAsync(asm, client, authorization, resource, scopes, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Revokes a token (RFC 7009), best effort: returns true when the server confirmed, false when it has
        /// no (usable) revocation endpoint or the request failed. Only cancellation throws.
        /// </summary>
        /// <param name="asm">The authorization server's metadata.</param>
        /// <param name="client">The client identity the token was issued to.</param>
        /// <param name="token">The token to revoke.</param>
        /// <param name="tokenTypeHint"><c>refresh_token</c> or <c>access_token</c>, or null.</param>
        /// <param name="cancellationToken">Cancels the request.</param>
        public async Task<bool> RevokeAsync(
            AuthorizationServerMetadata asm,
            ClientIdentity client,
            Secret token,
            string? tokenTypeHint,
            CancellationToken cancellationToken)
        {
            ThrowIfNull(token, nameof(token));
            CheckClient(asm, client);
            if (asm.RevocationEndpoint is not Uri endpoint)
            {
                callbacks.Verbose($"The authorization server {asm.Issuer} has no revocation endpoint; the token was not revoked there.");
                return false;
            }

            if (!EndpointPolicy.IsAllowed(endpoint))
            {
                callbacks.Warning($"Not revoking the token at {endpoint}: the revocation endpoint does not use https.");
                return false;
            }

            var form = new List<KeyValuePair<string, string>> { Pair("token", token.Reveal()) };
            if (!string.IsNullOrEmpty(tokenTypeHint))
            {
                form.Add(Pair("token_type_hint", tokenTypeHint!));
            }

            try
            {
                HttpRequestMessage request = ClientAuthentication.FormPost(endpoint, client, Audience(asm), Clock(), form, new List<string>());
                OAuthHttpResponse response = await OAuthHttp.SendAsync(http, request, "revocation endpoint", callbacks, cancellationToken).ConfigureAwait(false);
                if (response.IsSuccess)
                {
                    return true;
                }

                OAuthErrorResponse? error = response.Object is JsonElement obj ? OAuthErrorResponse.TryRead(obj, new[] { token.Reveal() }) : null;
                callbacks.Verbose($"The revocation endpoint refused: HTTP {(int)response.Status}{(error is null ? string.Empty : " " + error.Describe())}.");
                return false;
            }
            catch (McpAuthException ex)
            {
                callbacks.Verbose($"Revocation failed ({ex.ErrorId}); continuing.");
                return false;
            }
        }

        private async Task<TokenSet> RequestTokensAsync(
            AuthorizationServerMetadata asm,
            ClientIdentity client,
            List<KeyValuePair<string, string>> form,
            List<string> sent,
            Uri resource,
            IReadOnlyList<string>? requestedScopes,
            Secret? previousRefreshToken,
            string what,
            CancellationToken cancellationToken)
        {
            CheckClient(asm, client);
            ThrowIfNull(resource, nameof(resource));
            Uri endpoint = RequireTokenEndpoint(asm);
            form.Add(Pair("resource", ResourceParameter(resource)));
            DateTimeOffset sentAt = Clock();
            HttpRequestMessage request = ClientAuthentication.FormPost(endpoint, client, Audience(asm), sentAt, form, sent);
            callbacks.Verbose($"Requesting tokens with the {what} for {ResourceParameter(resource)} as client '{client.ClientId}' ({client.TokenEndpointAuthMethod}).");
            OAuthHttpResponse response = await OAuthHttp.SendAsync(http, request, "token endpoint", callbacks, cancellationToken).ConfigureAwait(false);
            return ReadTokens(response, sent, endpoint, client, asm, resource, requestedScopes, previousRefreshToken, what, sentAt);
        }

        private TokenSet ReadTokens(
            OAuthHttpResponse response,
            IReadOnlyCollection<string> sent,
            Uri endpoint,
            ClientIdentity client,
            AuthorizationServerMetadata asm,
            Uri resource,
            IReadOnlyList<string>? requestedScopes,
            Secret? previousRefreshToken,
            string what,
            DateTimeOffset sentAt)
        {
            if (!response.IsSuccess || response.Object is not JsonElement body || body.TryGetProperty("error", out _))
            {
                throw MapError(response, sent, endpoint, client, what);
            }

            string? accessToken = GetString(body, "access_token");
            if (string.IsNullOrEmpty(accessToken))
            {
                throw Malformed(endpoint, "The token response has no access_token.");
            }

            string? tokenType = GetString(body, "token_type");
            if (tokenType is null)
            {
                throw Malformed(endpoint, "The token response has no token_type.");
            }

            if (!string.Equals(tokenType, "Bearer", StringComparison.OrdinalIgnoreCase))
            {
                throw new McpAuthException(
                    ErrorIds.TokenRequestFailed,
                    McpErrorKind.ProtocolError,
                    $"The authorization server issued a token of type '{ServerText.Sanitize(tokenType, 40, sent)}'; this client can only use Bearer tokens.",
                    endpoint);
            }

            IReadOnlyList<string> scopes = GetString(body, "scope") is string scope
                ? scope.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries)
                : (IReadOnlyList<string>?)requestedScopes?.ToArray() ?? Array.Empty<string>();

            long? expiresIn = GetPositiveSeconds(body, "expires_in");
            DateTimeOffset? expiresAt = expiresIn is long seconds ? sentAt.AddSeconds(seconds) : null;

            string? newRefresh = GetString(body, "refresh_token");
            Secret? refreshToken = string.IsNullOrEmpty(newRefresh) ? previousRefreshToken : new Secret(newRefresh!);
            string refreshNote = newRefresh is { Length: > 0 }
                ? (previousRefreshToken is null ? "issued" : "rotated")
                : (previousRefreshToken is null ? "none" : "kept the previous one");

            var tokens = new TokenSet(
                new Secret(accessToken!),
                tokenType,
                scopes,
                expiresAt,
                asm.Issuer,
                resource,
                refreshToken,
                Secret.FromNullable(GetString(body, "id_token")))
            {
                IssuedAt = Clock(),
            };
            callbacks.Verbose($"Received a {tokenType} token for {ResourceParameter(resource)}: scopes '{string.Join(" ", scopes)}', {(expiresIn is null ? "no expiry given" : "expires in " + expiresIn.Value.ToString(CultureInfo.InvariantCulture) + " s")}, refresh token {refreshNote}.");
            return tokens;
        }

        private static McpAuthException MapError(OAuthHttpResponse response, IReadOnlyCollection<string> sent, Uri endpoint, ClientIdentity client, string what)
        {
            OAuthErrorResponse? error = response.Object is JsonElement obj ? OAuthErrorResponse.TryRead(obj, sent) : null;
            if (error is null)
            {
                if (response.IsSuccess)
                {
                    return Malformed(endpoint, $"The answer to the {what} request is not a JSON object.");
                }

                return new McpAuthException(
                    ErrorIds.TokenRequestFailed,
                    McpErrorKind.ProtocolError,
                    $"The {what} request failed with HTTP {(int)response.Status} and no OAuth error. Try again later, or check the authorization server.",
                    endpoint);
            }

            string detail = error.Describe();
            switch (error.Error)
            {
                case "invalid_grant":
                    return new McpAuthException(
                        ErrorIds.InvalidGrant,
                        McpErrorKind.AuthenticationError,
                        $"The authorization server rejected the {what} as invalid, expired or revoked ({detail}). Sign in again (Connect-McpServer).",
                        endpoint);
                case "invalid_client":
                    return new McpAuthException(
                        ErrorIds.InvalidClient,
                        McpErrorKind.AuthenticationError,
                        $"The authorization server did not accept the client '{client.ClientId}' ({client.TokenEndpointAuthMethod}) ({detail}). Check -ClientId and its secret or key; a dynamically registered client can register again.",
                        endpoint);
                case "invalid_scope":
                    return new McpAuthException(
                        ErrorIds.TokenRequestFailed,
                        McpErrorKind.PermissionDenied,
                        $"The authorization server refused the requested scopes for the {what} ({detail}). Request fewer or other scopes.",
                        endpoint);
                case "unauthorized_client":
                case "unsupported_grant_type":
                    return new McpAuthException(
                        ErrorIds.TokenRequestFailed,
                        McpErrorKind.ProtocolError,
                        $"The authorization server does not let the client '{client.ClientId}' use the {what} ({detail}). Use another sign-in method or client.",
                        endpoint);
                default:
                    return new McpAuthException(
                        ErrorIds.TokenRequestFailed,
                        McpErrorKind.ProtocolError,
                        $"The {what} request failed with HTTP {(int)response.Status} ({detail}).",
                        endpoint);
            }
        }

        private static McpAuthException Malformed(Uri endpoint, string message) =>
            new McpAuthException(ErrorIds.MalformedResponse, McpErrorKind.InvalidData, message + " The authorization server's answer cannot be used.", endpoint);

        private static McpAuthException DeviceCodeExpired(AuthorizationServerMetadata asm) =>
            new McpAuthException(
                ErrorIds.AuthorizationTimedOut,
                McpErrorKind.Timeout,
                "The device code expired before the sign-in was approved. Run the command again and enter the new code sooner.",
                asm.Issuer);

        private static void CheckClient(AuthorizationServerMetadata asm, ClientIdentity client)
        {
            ThrowIfNull(asm, nameof(asm));
            ThrowIfNull(client, nameof(client));
            if (!client.BelongsTo(asm.Issuer))
            {
                throw new McpAuthException(
                    ErrorIds.IssuerMismatch,
                    McpErrorKind.SecurityError,
                    $"The client '{client.ClientId}' belongs to {client.Issuer}, not to {asm.Issuer}; a client identity is never used with another authorization server.",
                    asm.Issuer);
            }
        }

        private static Uri RequireTokenEndpoint(AuthorizationServerMetadata asm)
        {
            if (asm.TokenEndpoint is not Uri endpoint)
            {
                throw new McpAuthException(
                    ErrorIds.MalformedMetadata,
                    McpErrorKind.InvalidData,
                    $"The authorization server {asm.Issuer} names no token_endpoint in its metadata.",
                    asm.Issuer);
            }

            EndpointPolicy.Require(endpoint, "token endpoint");
            return endpoint;
        }

        /// <summary>The <c>aud</c> of client assertions: the issuer identifier exactly as published.</summary>
        private static string Audience(AuthorizationServerMetadata asm) => asm.Issuer.OriginalString;

        private TimeSpan Scale(long seconds) => TimeSpan.FromTicks(PollIntervalUnit.Ticks * Math.Max(1, seconds));

        private static void AddScope(List<KeyValuePair<string, string>> form, IReadOnlyList<string>? scopes)
        {
            if (scopes is { Count: > 0 })
            {
                form.Add(Pair("scope", string.Join(" ", scopes)));
            }
        }

        private static KeyValuePair<string, string> Pair(string name, string value) => new KeyValuePair<string, string>(name, value);

        private static string? GetString(JsonElement body, string name) =>
            body.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        /// <summary>Reads a positive number of seconds, given as a JSON number or a numeric string (some servers do).</summary>
        private static long? GetPositiveSeconds(JsonElement body, string name)
        {
            if (!body.TryGetProperty(name, out JsonElement value))
            {
                return null;
            }

            long seconds;
            if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double number) && number < long.MaxValue)
            {
                seconds = (long)number;
            }
            else if (value.ValueKind != JsonValueKind.String || !long.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out seconds))
            {
                return null;
            }

            return seconds > 0 ? seconds : null;
        }

        private static bool TryWebUri(string? text, out Uri? uri)
        {
            uri = null;
            if (text is null || !Uri.TryCreate(text, UriKind.Absolute, out Uri? parsed))
            {
                return false;
            }

            if (parsed.Scheme != Uri.UriSchemeHttps && parsed.Scheme != Uri.UriSchemeHttp)
            {
                return false;
            }

            uri = parsed;
            return true;
        }

        private static void ThrowIfNull(object? value, string name)
        {
            if (value is null)
            {
                throw new ArgumentNullException(name);
            }
        }
    }
}
