using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Discovery;
using McpAuth.Core.Http;
using McpAuth.Core.Registration;

namespace McpAuth.Core.Tokens
{
    /// <summary>
    /// Talks to an authorization server's token endpoint (RFC 6749 §3.2), device authorization endpoint
    /// (RFC 8628, in <c>TokenEndpointClient.DeviceCode.cs</c>) and revocation endpoint (RFC 7009) as one client;
    /// the assertion grants (RFC 8693 token exchange, RFC 7523 JWT bearer) are in
    /// <c>TokenEndpointClient.Assertions.cs</c>. Every token request carries the RFC 8707 <c>resource</c> (unless
    /// the server's settings say otherwise) and, with a DPoP key, a fresh proof, retried once with the server's
    /// nonce when it asks for one (RFC 9449 §8); the client authenticates per its
    /// <see cref="ClientIdentity.TokenEndpointAuthMethod"/>. Each call is one operation for
    /// <see cref="OperationSecrets"/>: whatever it sends is redacted from what the server answers.
    /// </summary>
    public sealed partial class TokenEndpointClient
    {
        // An expires_in beyond ten years is taken as ten years: no token needs more, and the date stays representable.
        private const long MaxLifetimeSeconds = 10L * 366 * 24 * 3600;

        private readonly HttpClient http;
        private readonly IEngineCallbacks callbacks;
        private readonly IClock clock;
        private readonly TokenRequestOptions options;

        /// <summary>Creates a client that sends with <paramref name="http"/>, reports through <paramref name="callbacks"/> and reads time from <paramref name="clock"/>.</summary>
        public TokenEndpointClient(HttpClient http, IEngineCallbacks callbacks, IClock? clock = null, TokenRequestOptions? options = null)
        {
            this.http = Guard.NotNull(http, nameof(http));
            this.callbacks = Guard.NotNull(callbacks, nameof(callbacks));
            this.clock = clock ?? SystemClock.Instance;
            this.options = options ?? TokenRequestOptions.Default;
        }

        /// <summary>Returns the exact string sent as <c>resource</c> (RFC 8707) for <paramref name="resource"/>.</summary>
        public static string ResourceParameter(Uri resource) => Guard.NotNull(resource, nameof(resource)).OriginalString;

        /// <summary>Gets a value indicating whether token requests carry DPoP proofs.</summary>
        public bool UsesDpop => options.Dpop is not null;

        /// <summary>Exchanges an authorization code (with its PKCE verifier) for tokens (RFC 6749 §4.1.3, RFC 7636).</summary>
        /// <param name="asm">The authorization server's metadata.</param>
        /// <param name="client">The client identity for this issuer.</param>
        /// <param name="code">The authorization code from the redirect.</param>
        /// <param name="verifier">The PKCE code verifier.</param>
        /// <param name="redirectUri">The redirect URI used in the authorization request (sent as given).</param>
        /// <param name="resource">The MCP server the token is for.</param>
        /// <param name="requestedScopes">The scopes requested at authorization, the fallback when the response names none.</param>
        /// <param name="cancellationToken">Cancels the request.</param>
        public async Task<TokenSet> ExchangeCodeAsync(
            AuthorizationServerMetadata asm,
            ClientIdentity client,
            Secret code,
            Secret verifier,
            Uri redirectUri,
            Uri resource,
            IReadOnlyList<string>? requestedScopes,
            CancellationToken cancellationToken)
        {
            using IDisposable operation = OperationSecrets.Begin();
            var form = new List<KeyValuePair<string, string>>
            {
                Pair("grant_type", "authorization_code"),
                Pair("code", Guard.NotNull(code, nameof(code)).Reveal()),
                Pair("code_verifier", Guard.NotNull(verifier, nameof(verifier)).Reveal()),
                Pair("redirect_uri", Guard.NotNull(redirectUri, nameof(redirectUri)).OriginalString),
            };
            return await RequestTokensAsync(asm, client, form, resource, requestedScopes, null, "authorization code", cancellationToken).ConfigureAwait(false);
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
        public Task<TokenSet> RefreshAsync(AuthorizationServerMetadata asm, ClientIdentity client, Secret refreshToken, Uri resource, IReadOnlyList<string>? scopes, CancellationToken cancellationToken)
            => RefreshCoreAsync(asm, client, Guard.NotNull(refreshToken, nameof(refreshToken)), resource, scopes, scopes, cancellationToken);

        /// <summary>
        /// Refreshes <paramref name="current"/>: its refresh token and resource; when the response names no
        /// scope and none are requested, the result keeps <paramref name="current"/>'s scopes.
        /// </summary>
        public Task<TokenSet> RefreshAsync(AuthorizationServerMetadata asm, ClientIdentity client, TokenSet current, IReadOnlyList<string>? scopes, CancellationToken cancellationToken)
        {
            Guard.NotNull(current, nameof(current));
            Secret refreshToken = current.RefreshToken ?? throw new McpAuthException(
                ErrorIds.AuthenticationRequired,
                McpErrorKind.AuthenticationError,
                $"The tokens for {current.Resource} have no refresh token; sign in again.",
                current.Resource);
            return RefreshCoreAsync(asm, client, refreshToken, current.Resource, scopes, scopes ?? current.Scopes, cancellationToken);
        }

        /// <summary>
        /// Requests a token for the client itself (RFC 6749 §4.4; the MCP client-credentials extension).
        /// The client must be confidential: client_secret_basic, client_secret_post or private_key_jwt.
        /// </summary>
        public async Task<TokenSet> ClientCredentialsAsync(
            AuthorizationServerMetadata asm,
            ClientIdentity client,
            IReadOnlyList<string>? scopes,
            Uri resource,
            CancellationToken cancellationToken)
        {
            Guard.NotNull(client, nameof(client));
            if (client.TokenEndpointAuthMethod == TokenEndpointAuthMethods.None)
            {
                throw new McpAuthException(
                    ErrorIds.ClientIdentityRequired,
                    McpErrorKind.InvalidArgument,
                    $"The client credentials grant needs a confidential client, but '{client.ClientId}' has no secret or key. Give the client's secret or private key.",
                    asm?.Issuer);
            }

            using IDisposable operation = OperationSecrets.Begin();
            var form = new List<KeyValuePair<string, string>> { Pair("grant_type", "client_credentials") };
            AddScope(form, scopes);
            return await RequestTokensAsync(asm!, client, form, resource, scopes, null, "client credentials grant", cancellationToken).ConfigureAwait(false);
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
        public async Task<bool> RevokeAsync(AuthorizationServerMetadata asm, ClientIdentity client, Secret token, string? tokenTypeHint, CancellationToken cancellationToken)
        {
            Guard.NotNull(token, nameof(token));
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

            using IDisposable operation = OperationSecrets.Begin();
            var form = new List<KeyValuePair<string, string>> { Pair("token", token.Reveal()) };
            if (!string.IsNullOrEmpty(tokenTypeHint))
            {
                form.Add(Pair("token_type_hint", tokenTypeHint!));
            }

            try
            {
                HttpRequestMessage request = ClientAuthentication.FormPost(endpoint, client, Audience(asm), clock.UtcNow, form);
                OAuthHttpResponse response = await OAuthHttp.SendAsync(http, request, "revocation endpoint", callbacks, cancellationToken).ConfigureAwait(false);
                if (response.IsSuccess)
                {
                    return true;
                }

                OAuthErrorResponse? error = response.Error;
                callbacks.Verbose($"The revocation endpoint refused: HTTP {(int)response.Status}{(error is null ? string.Empty : " " + error.Describe())}.");
                return false;
            }
            catch (McpAuthException ex)
            {
                callbacks.Verbose($"Revocation failed ({ex.ErrorId}); continuing.");
                return false;
            }
        }

        /// <summary>Revokes the refresh token (first: it outlives the access token) and the access token of <paramref name="tokens"/>, best effort.</summary>
        /// <returns>True when the server confirmed any revocation.</returns>
        public async Task<bool> RevokeAllAsync(AuthorizationServerMetadata asm, ClientIdentity client, TokenSet tokens, CancellationToken cancellationToken)
        {
            Guard.NotNull(tokens, nameof(tokens));
            bool revoked = false;
            if (tokens.RefreshToken is not null)
            {
                revoked |= await RevokeAsync(asm, client, tokens.RefreshToken, "refresh_token", cancellationToken).ConfigureAwait(false);
            }

            revoked |= await RevokeAsync(asm, client, tokens.AccessToken, "access_token", cancellationToken).ConfigureAwait(false);
            return revoked;
        }

        private async Task<TokenSet> RefreshCoreAsync(
            AuthorizationServerMetadata asm,
            ClientIdentity client,
            Secret refreshToken,
            Uri resource,
            IReadOnlyList<string>? scopes,
            IReadOnlyList<string>? fallbackScopes,
            CancellationToken cancellationToken)
        {
            using IDisposable operation = OperationSecrets.Begin();
            var form = new List<KeyValuePair<string, string>>
            {
                Pair("grant_type", "refresh_token"),
                Pair("refresh_token", refreshToken.Reveal()),
            };
            AddScope(form, scopes);
            return await RequestTokensAsync(asm, client, form, resource, fallbackScopes, refreshToken, "refresh token", cancellationToken).ConfigureAwait(false);
        }

        private async Task<TokenSet> RequestTokensAsync(
            AuthorizationServerMetadata asm,
            ClientIdentity client,
            List<KeyValuePair<string, string>> form,
            Uri resource,
            IReadOnlyList<string>? requestedScopes,
            Secret? previousRefreshToken,
            string what,
            CancellationToken cancellationToken)
        {
            CheckClient(asm, client);
            Guard.NotNull(resource, nameof(resource));
            Uri endpoint = RequireTokenEndpoint(asm);
            AddResource(form, resource);
            callbacks.Verbose($"Requesting tokens with the {what} for {DescribeResource(resource)} as client '{client.ClientId}' ({client.TokenEndpointAuthMethod}){(UsesDpop ? " with a DPoP proof" : string.Empty)}.");
            (OAuthHttpResponse response, DateTimeOffset sentAt) = await PostAsync(endpoint, client, Audience(asm), form, "token endpoint", cancellationToken).ConfigureAwait(false);
            return ReadTokens(response, endpoint, client, asm, resource, requestedScopes, previousRefreshToken, what, sentAt);
        }

        /// <summary>
        /// POSTs a form to an endpoint of the authorization server with the client's authentication and, with a
        /// DPoP key, a proof; when the server answers <c>use_dpop_nonce</c> with a nonce, sends it once more with a
        /// new proof that carries the nonce (RFC 9449 §8). Each attempt is built afresh: a client assertion and a
        /// proof are never sent twice.
        /// </summary>
        private async Task<(OAuthHttpResponse Response, DateTimeOffset SentAt)> PostAsync(Uri endpoint, ClientIdentity client, string audience, List<KeyValuePair<string, string>> form, string role, CancellationToken cancellationToken)
        {
            for (int attempt = 0; ; attempt++)
            {
                DateTimeOffset sentAt = clock.UtcNow;
                HttpRequestMessage request = ClientAuthentication.FormPost(endpoint, client, audience, sentAt, new List<KeyValuePair<string, string>>(form));
                string? nonce = null;
                if (options.Dpop is DpopKey key)
                {
                    nonce = options.Nonces.For(endpoint);
                    request.Headers.TryAddWithoutValidation(DpopHeader, key.Proof("POST", endpoint, sentAt, nonce, null));
                }

                OAuthHttpResponse response = await OAuthHttp.SendAsync(http, request, role, callbacks, cancellationToken).ConfigureAwait(false);
                options.Nonces.Remember(endpoint, response.DpopNonce);
                bool askedForNonce = options.Dpop is not null && !response.IsSuccess && response.Error?.Error == "use_dpop_nonce";
                if (askedForNonce && attempt == 0 && response.DpopNonce is string fresh && fresh != nonce)
                {
                    callbacks.Verbose($"The {role} asked for a DPoP nonce (use_dpop_nonce); sending the request once more with it.");
                    continue;
                }

                return (response, sentAt);
            }
        }

        /// <summary>Adds the RFC 8707 <c>resource</c> the server's settings send for <paramref name="resource"/> (none when they omit it).</summary>
        private void AddResource(List<KeyValuePair<string, string>> form, Uri resource)
        {
            if (options.Settings.ResourceParameter(ResourceParameter(resource)) is string value)
            {
                form.Add(Pair("resource", value));
            }
        }

        private string DescribeResource(Uri resource) =>
            options.Settings.ResourceParameter(ResourceParameter(resource)) is string value ? value : ResourceParameter(resource) + " (no resource parameter sent)";

        private static void CheckClient(AuthorizationServerMetadata asm, ClientIdentity client)
        {
            Guard.NotNull(asm, nameof(asm));
            Guard.NotNull(client, nameof(client));
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
            Uri endpoint = asm.TokenEndpoint ?? throw new McpAuthException(
                ErrorIds.MalformedMetadata,
                McpErrorKind.InvalidData,
                $"The authorization server {asm.Issuer} names no token_endpoint in its metadata.",
                asm.Issuer);
            EndpointPolicy.Require(endpoint, "token endpoint");
            return endpoint;
        }

        /// <summary>The <c>aud</c> of client assertions: the issuer identifier exactly as published.</summary>
        private static string Audience(AuthorizationServerMetadata asm) => asm.Issuer.OriginalString;

        private static void AddScope(List<KeyValuePair<string, string>> form, IReadOnlyList<string>? scopes)
        {
            if (scopes is { Count: > 0 })
            {
                form.Add(Pair("scope", string.Join(" ", scopes)));
            }
        }

        private static KeyValuePair<string, string> Pair(string name, string value) => new KeyValuePair<string, string>(name, value);

        /// <summary>The header a DPoP proof travels in (RFC 9449 §4.1).</summary>
        internal const string DpopHeader = "DPoP";
    }
}
