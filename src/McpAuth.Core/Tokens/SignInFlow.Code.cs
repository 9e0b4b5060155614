using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Authorization;
using McpAuth.Core.Discovery;
using McpAuth.Core.Registration;
using McpAuth.Core.Storage;

namespace McpAuth.Core.Tokens
{
    /// <summary>
    /// The authorization code flow with PKCE of a sign-in: at the MCP server's authorization server (with the
    /// server's resource setting and extra parameters, a client ID metadata document the server refuses replaced
    /// by dynamic registration once, a forgotten registered client registered again once) and at an enterprise's
    /// identity provider (for an ID token to exchange). And where the clients come from: dynamic registration,
    /// once per authorization server and redirect form on this machine, for the device grant as well.
    /// </summary>
    internal sealed partial class SignInFlow
    {
        /// <summary>The redirect shape under which a client registered for the device authorization grant is kept.</summary>
        private const string DeviceShape = "urn:ietf:params:oauth:grant-type:device_code";

        private async Task<(ClientIdentity Client, TokenSet Tokens)> AuthorizeWithCodeAsync(
            AuthorizationMethod method,
            DiscoveryResult discovery,
            ClientIdentity? known,
            IReadOnlyList<string> scopes,
            bool promptConsent,
            TokenEndpointClient endpoint,
            IEngineCallbacks callbacks,
            CancellationToken cancellationToken)
        {
            AuthorizationServerMetadata asm = discovery.AuthorizationServer;
            asm.RequireS256();
            var resource = new Uri(discovery.ResourceIndicator, UriKind.Absolute);
            string? resourceParameter = settings.ResourceParameter(discovery.ResourceIndicator);
            LoopbackRedirectListener listener = LoopbackRedirectListener.Start(options.CallbackPort);
            try
            {
                ClientIdentity used = known ?? await ResolveClientAsync(asm, listener.RedirectUri, callbacks, cancellationToken).ConfigureAwait(false);
                var prompt = new InteractiveAuthorization(method, options.AuthorizationHandler, options.NoBrowser, options.SignInTimeout, callbacks);
                bool registeredAgain = false;
                while (true)
                {
                    var request = AuthorizationRequest.Create(asm, used.ClientId, listener.RedirectUri, scopes, resourceParameter, promptConsent, settings.AuthorizationParameters);
                    callbacks.Verbose($"Authorization request to {asm.AuthorizationEndpoint} (client {used.ClientId}, redirect {listener.RedirectUri}, PKCE S256{(promptConsent ? ", prompt=consent" : string.Empty)}{DescribeExtraParameters(request)}).");
                    Uri callback = await prompt.GetCallbackAsync(request.Url, listener, asm.IssuerString, cancellationToken).ConfigureAwait(false);
                    Secret code;
                    try
                    {
                        code = AuthorizationResponse.Validate(callback, request.State, asm);
                    }
                    catch (AuthorizationErrorException ex) when (used.Source == ClientIdentitySource.MetadataDocument && !registeredAgain && RefusesClient(ex) && CanRegister(asm))
                    {
                        // The AS said it does client ID metadata documents, then refused ours: register instead, once, and say so.
                        registeredAgain = true;
                        callbacks.Warning($"The authorization server {asm.IssuerString} refused the client ID metadata document {used.ClientId} ({ServerTextOf(ex)}); registering a client dynamically instead and signing in once more.");
                        listener = Listen(listener);
                        used = await RegisteredClientAsync(asm, listener.RedirectUri, callbacks, cancellationToken).ConfigureAwait(false);
                        continue;
                    }
                    catch (AuthorizationErrorException ex) when (resourceParameter is not null && RefusesResource(ex.Error, ex.Description))
                    {
                        throw ResourceRejected(asm, resourceParameter, ServerTextOf(ex), ex);
                    }

                    try
                    {
                        return (used, await endpoint.ExchangeCodeAsync(asm, used, code, request.Pkce.Verifier, listener.RedirectUri, resource, scopes, cancellationToken).ConfigureAwait(false));
                    }
                    catch (McpAuthException ex) when (ex.ErrorId == ErrorIds.InvalidClient && !registeredAgain && ClientRegistrar.CanRegisterAgain(used, asm))
                    {
                        registeredAgain = true;
                        callbacks.Verbose($"The authorization server no longer knows client {used.ClientId}; registering again once.");
                        listener = Listen(listener);
                        used = await registrar.RegisterAsync(options.Client, asm, listener.RedirectUri, http, callbacks, cancellationToken).ConfigureAwait(false);
                        await cache.SaveRegisteredClientAsync(asm, RedirectShape(listener.RedirectUri), used, callbacks, cancellationToken).ConfigureAwait(false);
                    }
                    catch (McpAuthException ex) when (ex.ErrorId == ErrorIds.ResourceParameterRejected && resourceParameter is not null)
                    {
                        throw ResourceRejected(asm, resourceParameter, "at the token endpoint", ex);
                    }
                }
            }
            finally
            {
                listener.Dispose();
            }
        }

        /// <summary>A new loopback listener for one more authorization request (a listener takes one callback); disposes the old one.</summary>
        private LoopbackRedirectListener Listen(LoopbackRedirectListener used)
        {
            used.Dispose();
            return LoopbackRedirectListener.Start(options.CallbackPort);
        }

        /// <summary>
        /// Signs in at an enterprise's identity provider (OpenID Connect, code with PKCE, as McpAuth's client there)
        /// for the ID token to exchange; with <c>offline_access</c> when it offers it, so a refresh token gets the next
        /// ID token without a person.
        /// </summary>
        private async Task<TokenSet> SignInAtIdentityProviderAsync(EnterpriseOptions enterprise, AuthorizationServerMetadata idp, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            idp.RequireS256();
            using LoopbackRedirectListener listener = LoopbackRedirectListener.Start(options.CallbackPort);
            var client = new ClientIdentity(
                enterprise.ClientId,
                enterprise.ClientSecret is null ? TokenEndpointAuthMethods.None : TokenEndpointAuthMethods.ClientSecretBasic,
                ClientIdentitySource.PreRegistered,
                idp.Issuer,
                enterprise.ClientSecret,
                listener.RedirectUri);
            bool offline = idp.ScopesSupported.Contains(ScopeSelector.OfflineAccess, StringComparer.Ordinal);
            string[] scopes = offline ? new[] { "openid", ScopeSelector.OfflineAccess } : new[] { "openid" };
            AuthorizationMethod how = options.AuthorizationHandler is not null ? AuthorizationMethod.Handler : AuthorizationMethod.Browser;
            var prompt = new InteractiveAuthorization(how, options.AuthorizationHandler, options.NoBrowser, options.SignInTimeout, callbacks);
            var request = AuthorizationRequest.Create(idp, client.ClientId, listener.RedirectUri, scopes, null, offline, settings.AuthorizationParameters);
            callbacks.Verbose($"Authorization request to the identity provider {idp.AuthorizationEndpoint} (client {client.ClientId}, scopes '{string.Join(" ", scopes)}', PKCE S256).");
            Uri callback = await prompt.GetCallbackAsync(request.Url, listener, idp.IssuerString, cancellationToken).ConfigureAwait(false);
            Secret code = AuthorizationResponse.Validate(callback, request.State, idp);
            TokenSet tokens = await IdentityProviderEndpoint(callbacks).ExchangeCodeAsync(idp, client, code, request.Pkce.Verifier, listener.RedirectUri, idp.Issuer, scopes, cancellationToken).ConfigureAwait(false);
            if (tokens.IdToken is not Secret idToken || UnverifiedJwt.TryRead(idToken.Reveal()) is not JwtClaims claims)
            {
                throw new McpAuthException(
                    ErrorIds.TokenRequestFailed,
                    McpErrorKind.ProtocolError,
                    $"The identity provider {idp.IssuerString} issued no ID token, so there is no identity assertion to exchange. Check that McpAuth's client there may use OpenID Connect.",
                    idp.Issuer);
            }

            if (!string.Equals(claims.Issuer, idp.IssuerString, StringComparison.Ordinal))
            {
                throw new McpAuthException(
                    ErrorIds.IssuerMismatch,
                    McpErrorKind.SecurityError,
                    $"The ID token from {idp.IssuerString} names another issuer; it is not used.",
                    idp.Issuer);
            }

            callbacks.Verbose($"Signed in at the identity provider: ID token received (expires {UnverifiedJwt.ExpiresAt(idToken.Reveal()):u}), refresh token {(tokens.RefreshToken is null ? "not issued" : "issued")}.");
            return tokens;
        }

        /// <summary>
        /// The client to authorize with when none is held or stored for the credential: the user's, a metadata
        /// document, or one registered dynamically, once per authorization server and redirect shape on this
        /// machine and reused by every credential and process.
        /// </summary>
        private async Task<ClientIdentity> ResolveClientAsync(AuthorizationServerMetadata asm, Uri redirectUri, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            ClientOptions client = options.Client;
            bool registers = client.ClientId is null && client.ClientSecret is null && client.PrivateKeyPem is null
                && !(client.ClientMetadataUrl is not null && asm.ClientIdMetadataDocumentSupported)
                && CanRegister(asm);
            return registers
                ? await RegisteredClientAsync(asm, redirectUri, callbacks, cancellationToken).ConfigureAwait(false)
                : await registrar.ResolveAsync(client, asm, redirectUri, http, callbacks, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// The client for the device authorization grant: the user's, else one registered dynamically for that grant
        /// (it asks for the device code grant type and has no redirect URI), once per authorization server.
        /// </summary>
        private Task<ClientIdentity> ResolveDeviceClientAsync(AuthorizationServerMetadata asm, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            ClientOptions client = options.Client;
            if (client.ClientId is not null || client.ClientSecret is not null || client.PrivateKeyPem is not null || !CanRegister(asm))
            {
                return registrar.ResolveAsync(client, asm, null, http, callbacks, cancellationToken);
            }

            return OnceRegisteredAsync(asm, DeviceShape, token => registrar.RegisterForDeviceCodeAsync(client, asm, http, callbacks, token), callbacks, cancellationToken);
        }

        /// <summary>A client registered dynamically for loopback redirects of this shape (kept, or registered now).</summary>
        private Task<ClientIdentity> RegisteredClientAsync(AuthorizationServerMetadata asm, Uri redirectUri, IEngineCallbacks callbacks, CancellationToken cancellationToken) =>
            OnceRegisteredAsync(asm, RedirectShape(redirectUri), token => registrar.RegisterAsync(options.Client, asm, redirectUri, http, callbacks, token), callbacks, cancellationToken);

        private Task<ClientIdentity> OnceRegisteredAsync(AuthorizationServerMetadata asm, string shape, Func<CancellationToken, Task<ClientIdentity>> register, IEngineCallbacks callbacks, CancellationToken cancellationToken) =>
            SignInCoordinator.OnceAsync(
                cache,
                NamedLockFile.Name("register", asm.IssuerString + "\n" + shape),
                $"the client registration at {asm.IssuerString}",
                serverUri,
                options.SignInTimeout,
                async token =>
                {
                    ClientIdentity? kept = await cache.RegisteredClientAsync(asm, shape, callbacks, token).ConfigureAwait(false);
                    if (kept is not null)
                    {
                        callbacks.Verbose($"Using the client {kept.ClientId} registered earlier at {asm.IssuerString}.");
                    }

                    return kept;
                },
                async token =>
                {
                    ClientIdentity registered = await register(token).ConfigureAwait(false);
                    await cache.SaveRegisteredClientAsync(asm, shape, registered, callbacks, token).ConfigureAwait(false);
                    return registered;
                },
                callbacks,
                cancellationToken);

        private bool CanRegister(AuthorizationServerMetadata asm) => asm.RegistrationEndpoint is not null && options.Client.AllowDynamicRegistration;

        /// <summary>
        /// What a registered redirect URI must look like to be reused: the loopback callback on any port (RFC 8252
        /// §7.3 lets the port vary), or on the one fixed port the user chose.
        /// </summary>
        private string RedirectShape(Uri redirectUri) =>
            options.CallbackPort == 0 ? redirectUri.Scheme + "://" + redirectUri.Host + redirectUri.AbsolutePath : redirectUri.GetLeftPart(UriPartial.Path);

        /// <summary>True when an authorization error says the client itself is refused (what an AS answers for a client ID metadata document it will not use).</summary>
        private static bool RefusesClient(AuthorizationErrorException ex) =>
            ex.Error is "invalid_client" or "unauthorized_client"
            || (ex.Error == "invalid_request" && (ex.Description ?? string.Empty).IndexOf("client", StringComparison.OrdinalIgnoreCase) >= 0);

        /// <summary>True when an OAuth error refuses the <c>resource</c> parameter (RFC 8707 invalid_target; Microsoft Entra ID's AADSTS9010010).</summary>
        internal static bool RefusesResource(string? error, string? description) =>
            error == "invalid_target" || (description ?? string.Empty).IndexOf("AADSTS9010010", StringComparison.Ordinal) >= 0;

        private McpAuthException ResourceRejected(AuthorizationServerMetadata asm, string resourceParameter, string detail, Exception inner) => new McpAuthException(
            ErrorIds.ResourceParameterRejected,
            McpErrorKind.AuthenticationError,
            $"The authorization server {asm.IssuerString} refused the resource parameter {resourceParameter} ({detail}). Some identity providers (Microsoft Entra ID: AADSTS9010010) take no resource parameter or expect another one: sign in again sending none, or the one it expects.",
            serverUri,
            inner);

        private static string ServerTextOf(AuthorizationErrorException ex) =>
            Http.ServerText.Sanitize(ex.Description is null ? ex.Error : ex.Error + ": " + ex.Description, 300);

        private static string DescribeExtraParameters(AuthorizationRequest request) =>
            request.ExtraParameters.Count == 0 ? string.Empty : ", extra parameters " + string.Join(", ", request.ExtraParameters.Keys);
    }
}
