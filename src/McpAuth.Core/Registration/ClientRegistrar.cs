using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Discovery;
using McpAuth.Core.Http;

namespace McpAuth.Core.Registration
{
    /// <summary>
    /// Finds the client identity to use with an authorization server, in the order the MCP authorization
    /// spec gives: pre-registered → client ID metadata document → dynamic registration (RFC 7591) → ask.
    /// </summary>
    public sealed class ClientRegistrar
    {
        private readonly IClock clock;

        /// <summary>Creates a registrar that dates registrations with <paramref name="clock"/> (the system clock by default).</summary>
        public ClientRegistrar(IClock? clock = null)
        {
            this.clock = clock ?? SystemClock.Instance;
        }

        /// <summary>Resolves the client identity for <paramref name="asm"/>'s issuer.</summary>
        /// <param name="options">What the user told us about the client.</param>
        /// <param name="asm">The authorization server's metadata.</param>
        /// <param name="redirectUri">The loopback redirect URI the authorization request will use; null when there is
        /// none (client credentials), which rules out dynamic registration.</param>
        /// <param name="http">The HttpClient for the registration request.</param>
        /// <param name="callbacks">Diagnostics.</param>
        /// <param name="cancellationToken">Cancels the registration request.</param>
        public async Task<ClientIdentity> ResolveAsync(
            ClientOptions options,
            AuthorizationServerMetadata asm,
            Uri? redirectUri,
            HttpClient http,
            IEngineCallbacks callbacks,
            CancellationToken cancellationToken)
        {
            Guard.NotNull(options, nameof(options));
            Guard.NotNull(asm, nameof(asm));
            Guard.NotNull(callbacks, nameof(callbacks));

            if (!string.IsNullOrEmpty(options.ClientId))
            {
                ClientIdentity identity = PreRegistered(options, asm, redirectUri);
                callbacks.Verbose($"Using the pre-registered client '{identity.ClientId}' with {identity.TokenEndpointAuthMethod}.");
                return identity;
            }

            if (options.ClientSecret is not null || options.PrivateKeyPem is not null)
            {
                throw new McpAuthException(
                    ErrorIds.ClientIdentityRequired,
                    McpErrorKind.InvalidArgument,
                    "A client secret or private key was given without the id of the client it belongs to. Give the client id as well.",
                    asm.Issuer);
            }

            if (options.ClientMetadataUrl is Uri metadataUrl)
            {
                if (asm.ClientIdMetadataDocumentSupported)
                {
                    RequireMetadataDocumentUrl(metadataUrl);
                    callbacks.Verbose($"The authorization server accepts client ID metadata documents; using {metadataUrl.OriginalString} as client_id.");
                    return new ClientIdentity(
                        metadataUrl.OriginalString,
                        TokenEndpointAuthMethods.None,
                        ClientIdentitySource.MetadataDocument,
                        asm.Issuer,
                        redirectUri: redirectUri);
                }

                callbacks.Verbose("A client ID metadata document URL was given, but the authorization server does not advertise client_id_metadata_document_supported; trying dynamic registration.");
            }

            if (asm.RegistrationEndpoint is not null && options.AllowDynamicRegistration && redirectUri is not null)
            {
                return await RegisterAsync(options, asm, redirectUri, http, callbacks, cancellationToken).ConfigureAwait(false);
            }

            throw new McpAuthException(
                ErrorIds.ClientIdentityRequired,
                McpErrorKind.AuthenticationError,
                $"The authorization server {asm.Issuer} offers no way for this client to register itself (no dynamic registration{(asm.ClientIdMetadataDocumentSupported ? string.Empty : " and no client ID metadata documents")}). Register a client with it and sign in with that client's id (and secret, if it has one).",
                asm.Issuer);
        }

        /// <summary>
        /// Registers a new client with RFC 7591 dynamic registration. The orchestrator also calls this
        /// once more when a dynamically registered client meets <c>invalid_client</c>.
        /// </summary>
        public Task<ClientIdentity> RegisterAsync(
            ClientOptions options,
            AuthorizationServerMetadata asm,
            Uri redirectUri,
            HttpClient http,
            IEngineCallbacks callbacks,
            CancellationToken cancellationToken)
            => RegisterAsync(options, asm, Guard.NotNull(redirectUri, nameof(redirectUri)), new[] { "authorization_code", "refresh_token" }, new[] { "code" }, http, callbacks, cancellationToken);

        /// <summary>
        /// Registers a new client for the device authorization grant (RFC 8628) with RFC 7591 dynamic registration:
        /// it asks for the device code and refresh token grant types, and has no redirect URI.
        /// </summary>
        public Task<ClientIdentity> RegisterForDeviceCodeAsync(
            ClientOptions options,
            AuthorizationServerMetadata asm,
            HttpClient http,
            IEngineCallbacks callbacks,
            CancellationToken cancellationToken)
            => RegisterAsync(options, asm, null, new[] { DeviceCodeGrantType, "refresh_token" }, Array.Empty<string>(), http, callbacks, cancellationToken);

        /// <summary>The RFC 8628 grant type.</summary>
        internal const string DeviceCodeGrantType = "urn:ietf:params:oauth:grant-type:device_code";

        private async Task<ClientIdentity> RegisterAsync(
            ClientOptions options,
            AuthorizationServerMetadata asm,
            Uri? redirectUri,
            IReadOnlyList<string> grantTypes,
            IReadOnlyList<string> responseTypes,
            HttpClient http,
            IEngineCallbacks callbacks,
            CancellationToken cancellationToken)
        {
            Guard.NotNull(options, nameof(options));
            Guard.NotNull(asm, nameof(asm));
            Guard.NotNull(http, nameof(http));
            Guard.NotNull(callbacks, nameof(callbacks));
            Uri endpoint = asm.RegistrationEndpoint ?? throw new McpAuthException(
                ErrorIds.ClientIdentityRequired,
                McpErrorKind.AuthenticationError,
                $"The authorization server {asm.Issuer} does not offer dynamic client registration. Register a client with it and sign in with that client's id.",
                asm.Issuer);
            EndpointPolicy.Require(endpoint, "registration endpoint");
            string requestedMethod = options.TokenEndpointAuthMethod ?? TokenEndpointAuthMethods.None;
            if (requestedMethod != TokenEndpointAuthMethods.None && !TokenEndpointAuthMethods.UsesSecret(requestedMethod))
            {
                throw new McpAuthException(
                    ErrorIds.ClientRegistrationFailed,
                    McpErrorKind.InvalidArgument,
                    $"Dynamic registration can ask for 'none', 'client_secret_basic' or 'client_secret_post', not '{requestedMethod}'.",
                    asm.Issuer);
            }

            var body = new ClientRegistrationRequest
            {
                ClientName = string.IsNullOrEmpty(options.ClientName) ? ClientOptions.DefaultClientName : options.ClientName,
                RedirectUris = redirectUri is null ? null : new[] { redirectUri.OriginalString },
                GrantTypes = grantTypes,
                ResponseTypes = responseTypes,
                TokenEndpointAuthMethod = requestedMethod,
                Scope = options.Scopes is { Count: > 0 } scopes ? string.Join(" ", scopes) : null,
            };
            callbacks.Verbose($"Registering a client dynamically at {endpoint.GetLeftPart(UriPartial.Path)} (grant types {string.Join(" ", grantTypes)}, token_endpoint_auth_method {requestedMethod}).");
            using IDisposable operation = OperationSecrets.Begin();
            HttpRequestMessage request = OAuthHttp.JsonPost(endpoint, body, RegistrationJsonContext.Default.ClientRegistrationRequest);
            OAuthHttpResponse response = await OAuthHttp.SendAsync(http, request, "registration endpoint", callbacks, cancellationToken).ConfigureAwait(false);
            ClientIdentity identity = ReadRegistrationResponse(response, endpoint, asm, redirectUri, requestedMethod);
            callbacks.Verbose($"Registered client '{identity.ClientId}' with {identity.TokenEndpointAuthMethod}{(identity.ClientSecret is null ? string.Empty : " and a client secret")}.");
            return identity;
        }

        /// <summary>Returns true when an identity that met <c>invalid_client</c> may be replaced by registering again.</summary>
        public static bool CanRegisterAgain(ClientIdentity identity, AuthorizationServerMetadata asm) =>
            identity is not null && asm is not null
            && identity.Source == ClientIdentitySource.DynamicRegistration
            && asm.RegistrationEndpoint is not null;

        /// <summary>Chooses how a pre-registered client authenticates when the user did not say.</summary>
        internal static string ChoosePreRegisteredMethod(ClientOptions options, AuthorizationServerMetadata asm)
        {
            if (!string.IsNullOrEmpty(options.TokenEndpointAuthMethod))
            {
                return options.TokenEndpointAuthMethod!;
            }

            if (options.PrivateKeyPem is not null)
            {
                return TokenEndpointAuthMethods.PrivateKeyJwt;
            }

            if (options.ClientSecret is null)
            {
                return TokenEndpointAuthMethods.None;
            }

            // RFC 8414: an absent list means client_secret_basic.
            IReadOnlyList<string> supported = asm.TokenEndpointAuthMethodsSupported ?? Array.Empty<string>();
            return supported.Count == 0 || supported.Contains(TokenEndpointAuthMethods.ClientSecretBasic, StringComparer.Ordinal)
                ? TokenEndpointAuthMethods.ClientSecretBasic
                : TokenEndpointAuthMethods.ClientSecretPost;
        }

        private static ClientIdentity PreRegistered(ClientOptions options, AuthorizationServerMetadata asm, Uri? redirectUri)
        {
            string method = ChoosePreRegisteredMethod(options, asm);
            if (!TokenEndpointAuthMethods.IsSupported(method))
            {
                throw new McpAuthException(
                    ErrorIds.ClientIdentityRequired,
                    McpErrorKind.InvalidArgument,
                    $"Unsupported token endpoint auth method '{method}'. Use none, client_secret_basic, client_secret_post or private_key_jwt.",
                    asm.Issuer);
            }

            if (TokenEndpointAuthMethods.UsesSecret(method) && options.ClientSecret is null)
            {
                throw new McpAuthException(
                    ErrorIds.ClientIdentityRequired,
                    McpErrorKind.InvalidArgument,
                    $"The auth method {method} needs a client secret; give the client's secret.",
                    asm.Issuer);
            }

            if (method == TokenEndpointAuthMethods.PrivateKeyJwt && options.PrivateKeyPem is null)
            {
                throw new McpAuthException(
                    ErrorIds.ClientIdentityRequired,
                    McpErrorKind.InvalidArgument,
                    "The auth method private_key_jwt needs the client's PEM private key.",
                    asm.Issuer);
            }

            return new ClientIdentity(
                options.ClientId!,
                method,
                ClientIdentitySource.PreRegistered,
                asm.Issuer,
                clientSecret: TokenEndpointAuthMethods.UsesSecret(method) ? options.ClientSecret : null,
                redirectUri: redirectUri,
                privateKeyPem: method == TokenEndpointAuthMethods.PrivateKeyJwt ? options.PrivateKeyPem : null,
                signingAlgorithm: method == TokenEndpointAuthMethods.PrivateKeyJwt ? options.SigningAlgorithm : null);
        }

        private static void RequireMetadataDocumentUrl(Uri url)
        {
            // The client ID metadata document draft: an https URL with a path, no fragment.
            bool valid = url.IsAbsoluteUri
                && url.Scheme == Uri.UriSchemeHttps
                && url.AbsolutePath.Length > 1
                && string.IsNullOrEmpty(url.Fragment);
            if (!valid)
            {
                throw new McpAuthException(
                    ErrorIds.ClientIdentityRequired,
                    McpErrorKind.InvalidArgument,
                    $"The client ID metadata document URL {url} must be an https URL with a path (and no fragment).",
                    url);
            }
        }

        private ClientIdentity ReadRegistrationResponse(OAuthHttpResponse response, Uri endpoint, AuthorizationServerMetadata asm, Uri? redirectUri, string requestedMethod)
        {
            if (!response.IsSuccess)
            {
                OAuthErrorResponse? error = response.Error;
                string detail = error is null ? $"HTTP {(int)response.Status}" : $"HTTP {(int)response.Status}, {error.Describe()}";
                throw new McpAuthException(
                    ErrorIds.ClientRegistrationFailed,
                    McpErrorKind.AuthenticationError,
                    $"The authorization server {asm.Issuer} refused to register this client ({detail}). Register a client with it yourself and sign in with that client's id.",
                    endpoint);
            }

            ClientRegistrationResponse body = response.Read(RegistrationJsonContext.Default.ClientRegistrationResponse)
                ?? throw Malformed(endpoint, "The registration response is not a JSON object of the RFC 7591 form.");
            if (string.IsNullOrEmpty(body.ClientId))
            {
                throw Malformed(endpoint, "The registration response has no client_id.");
            }

            Secret? secret = string.IsNullOrEmpty(body.ClientSecret) ? null : new Secret(body.ClientSecret!);
            string method = body.TokenEndpointAuthMethod
                ?? (secret is not null && requestedMethod == TokenEndpointAuthMethods.None ? TokenEndpointAuthMethods.ClientSecretBasic : requestedMethod);
            if (method != TokenEndpointAuthMethods.None && !TokenEndpointAuthMethods.UsesSecret(method))
            {
                throw new McpAuthException(
                    ErrorIds.ClientRegistrationFailed,
                    McpErrorKind.ProtocolError,
                    $"The authorization server registered the client with token_endpoint_auth_method '{ServerText.Sanitize(method, 40)}', which this client cannot use dynamically. Register a client yourself and sign in with that client's id.",
                    endpoint);
            }

            if (TokenEndpointAuthMethods.UsesSecret(method) && secret is null)
            {
                throw Malformed(endpoint, $"The registration response asks for {method} but contains no client_secret.");
            }

            DateTimeOffset registeredAt = UnixTime(body.ClientIdIssuedAt) ?? clock.UtcNow;
            DateTimeOffset? secretExpiresAt = secret is null ? null : UnixTime(body.ClientSecretExpiresAt);
            return new ClientIdentity(
                body.ClientId!,
                method,
                ClientIdentitySource.DynamicRegistration,
                asm.Issuer,
                clientSecret: method == TokenEndpointAuthMethods.None ? null : secret,
                redirectUri: redirectUri,
                registeredAt: registeredAt,
                secretExpiresAt: secretExpiresAt);
        }

        /// <summary>A positive Unix time in seconds; 0 (RFC 7591: "does not expire") and absence are null.</summary>
        private static DateTimeOffset? UnixTime(long? seconds) =>
            seconds is long s && s > 0 && s < 253402300799 ? DateTimeOffset.FromUnixTimeSeconds(s) : null;

        private static McpAuthException Malformed(Uri endpoint, string message) =>
            new McpAuthException(ErrorIds.MalformedResponse, McpErrorKind.InvalidData, message + " Register a client yourself and sign in with that client's id.", endpoint);
    }
}
