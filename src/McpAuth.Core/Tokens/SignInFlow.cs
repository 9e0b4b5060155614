using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Authorization;
using McpAuth.Core.Discovery;
using McpAuth.Core.Http;
using McpAuth.Core.Registration;
using McpAuth.Core.Storage;

namespace McpAuth.Core.Tokens
{
    /// <summary>
    /// One whole sign-in, start to end, keeping nothing between calls: discovery, scope choice, the client
    /// identity (one held or stored for the issuer, else resolved or registered), authorization (code with
    /// PKCE, device code or client credentials), the token request, and the record stored in the cache.
    /// </summary>
    internal sealed class SignInFlow
    {
        private readonly Uri serverUri;
        private readonly HttpClient http;
        private readonly SignInOptions options;
        private readonly TokenCache cache;
        private readonly TokenPolicy policy;
        private readonly ClientRegistrar registrar;

        public SignInFlow(Uri serverUri, HttpClient http, SignInOptions options, TokenCache cache)
        {
            this.serverUri = serverUri;
            this.http = http;
            this.options = options;
            this.cache = cache;
            policy = new TokenPolicy(options);
            registrar = new ClientRegistrar(options.Clock);
        }

        /// <summary>Signs in and stores the credential; returns it.</summary>
        /// <param name="challenge">The server's Bearer challenge, when a 401 or 403 started this.</param>
        /// <param name="scopes">Scopes to ask for (step-up or explicit); null chooses them from the options, challenge and metadata.</param>
        /// <param name="forceConsent">Ask for consent even when the server would not.</param>
        /// <param name="current">The credential this connection held, whose client is reused at the same issuer.</param>
        /// <param name="storedMayApply">A stored credential may serve this server once its own discovery names it
        /// (<see cref="TokenCache.LookupAsync"/>): discover first, and adopt it instead of signing in.</param>
        /// <param name="callbacks">Where diagnostics and prompts go.</param>
        /// <param name="cancellationToken">Cancels every step.</param>
        public async Task<Credential> SignInAsync(BearerChallenge? challenge, IReadOnlyList<string>? scopes, bool forceConsent, Credential? current, bool storedMayApply, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            AuthorizationMethod method = policy.MethodFor(current);
            if (!storedMayApply)
            {
                RequireSignInAllowed(method, callbacks);
            }

            using IDisposable operation = OperationSecrets.Begin();
            DiscoveryResult discovery = await new DiscoveryClient().DiscoverAsync(serverUri, challenge, http, callbacks, cancellationToken).ConfigureAwait(false);
            AuthorizationServerMetadata asm = discovery.AuthorizationServer;
            var key = new CredentialKey(discovery.ResourceIndicator, asm.IssuerString);
            if (storedMayApply)
            {
                // The server's own challenge and metadata named this resource and issuer: a credential stored for them serves.
                if (await cache.AdoptAsync(key, serverUri, options.Client.ClientId, callbacks, cancellationToken).ConfigureAwait(false) is Credential adopted)
                {
                    callbacks.Verbose($"{serverUri} names the resource {key.Resource} at {key.Issuer} in its own metadata; using the credential stored for them.");
                    return adopted;
                }

                RequireSignInAllowed(method, callbacks);
            }

            IReadOnlyList<string> chosen = ChooseScopes(discovery, challenge, scopes, method, forceConsent, out bool promptConsent);

            // One sign-in per credential on this machine: another session's may be running, and its result serves here too.
            IReadOnlyList<string> required = scopes ?? options.Scopes ?? Array.Empty<string>();
            return await SignInCoordinator.OnceAsync(
                cache,
                NamedLockFile.Name("signin", key.ToString()),
                $"the sign-in to {key.Resource} at {key.Issuer}",
                serverUri,
                options.SignInTimeout,
                async token => Serves(await cache.ReloadAsync(key, callbacks, token).ConfigureAwait(false), current?.Tokens, required),
                async token =>
                {
                    callbacks.Verbose($"Sign-in: issuer {asm.IssuerString}, resource {discovery.ResourceIndicator}, scopes '{string.Join(" ", chosen)}', method {method}.");
                    ClientIdentity? known = current is not null && current.Client.BelongsTo(asm.Issuer) && Matches(current.Client) ? current.ClientFor(options.Client) : null;
                    known ??= await StoredClientAsync(key, asm, callbacks, token).ConfigureAwait(false);
                    (ClientIdentity used, TokenSet obtained) = await AuthorizeAsync(method, discovery, known, chosen, promptConsent, callbacks, token).ConfigureAwait(false);
                    Credential? saved = await cache.SaveAsync(key, serverUri, discovery, used, obtained, method, callbacks, token).ConfigureAwait(false);
                    callbacks.Verbose($"Signed in: scopes '{string.Join(" ", obtained.Scopes)}', expires {obtained.ExpiresAt:u}, refresh token {(obtained.RefreshToken is null ? "not issued" : "issued")}; stored in {cache.Store.Location}.");
                    return saved ?? throw new InvalidOperationException("The credential just stored could not be read back.");
                },
                callbacks,
                cancellationToken).ConfigureAwait(false);
        }

        private void RequireSignInAllowed(AuthorizationMethod method, IEngineCallbacks callbacks)
        {
            if (!options.AllowSignIn)
            {
                throw new McpAuthException(
                    ErrorIds.AuthenticationRequired,
                    McpErrorKind.AuthenticationError,
                    $"{serverUri} requires sign-in and no usable stored credential was found.",
                    serverUri);
            }

            if (!policy.CanAuthorize(method, callbacks))
            {
                throw new InteractionRequiredException(serverUri);
            }
        }

        /// <summary>
        /// Returns <paramref name="stored"/> when it serves instead of a new sign-in: fresh tokens of a client this
        /// connection may use, other than the ones being replaced, with every required scope.
        /// </summary>
        private Credential? Serves(Credential? stored, TokenSet? replaced, IReadOnlyList<string> required)
        {
            bool serves = stored?.Tokens is TokenSet tokens
                && !policy.IsStale(tokens)
                && (replaced is null || !tokens.AccessToken.Equals(replaced.AccessToken))
                && Matches(stored.Client)
                && required.All(s => s == ScopeSelector.OfflineAccess || tokens.Scopes.Contains(s, StringComparer.Ordinal));
            return serves ? stored : null;
        }

        private IReadOnlyList<string> ChooseScopes(DiscoveryResult discovery, BearerChallenge? challenge, IReadOnlyList<string>? scopes, AuthorizationMethod method, bool forceConsent, out bool promptConsent)
        {
            AuthorizationServerMetadata asm = discovery.AuthorizationServer;
            IReadOnlyList<string> chosen;
            if (scopes is null)
            {
                chosen = ScopeSelector.Select(options.Scopes, challenge, discovery.ProtectedResource, asm, out promptConsent);
            }
            else
            {
                // Step-up or explicit scopes: keep offline_access so the new grant still has a refresh token.
                chosen = scopes;
                promptConsent = false;
                if (method != AuthorizationMethod.ClientCredentials
                    && asm.ScopesSupported.Contains(ScopeSelector.OfflineAccess, StringComparer.Ordinal)
                    && !chosen.Contains(ScopeSelector.OfflineAccess, StringComparer.Ordinal))
                {
                    chosen = chosen.Concat(new[] { ScopeSelector.OfflineAccess }).ToList();
                    promptConsent = true;
                }
            }

            promptConsent |= forceConsent;
            if (method == AuthorizationMethod.ClientCredentials)
            {
                // A machine identity has no user to consent and gets no refresh token.
                chosen = chosen.Where(s => s != ScopeSelector.OfflineAccess).ToList();
                promptConsent = false;
            }

            return chosen;
        }

        private async Task<(ClientIdentity Client, TokenSet Tokens)> AuthorizeAsync(
            AuthorizationMethod method,
            DiscoveryResult discovery,
            ClientIdentity? known,
            IReadOnlyList<string> scopes,
            bool promptConsent,
            IEngineCallbacks callbacks,
            CancellationToken cancellationToken)
        {
            AuthorizationServerMetadata asm = discovery.AuthorizationServer;
            var resource = new Uri(discovery.ResourceIndicator, UriKind.Absolute);
            var endpoint = new TokenEndpointClient(http, callbacks, options.Clock);
            switch (method)
            {
                case AuthorizationMethod.ClientCredentials:
                {
                    ClientIdentity used = known ?? await registrar.ResolveAsync(options.Client, asm, null, http, callbacks, cancellationToken).ConfigureAwait(false);
                    callbacks.Verbose($"Client credentials grant as {used.ClientId} ({used.TokenEndpointAuthMethod}).");
                    return (used, await endpoint.ClientCredentialsAsync(asm, used, scopes, resource, cancellationToken).ConfigureAwait(false));
                }

                case AuthorizationMethod.DeviceCode:
                {
                    ClientIdentity used = known ?? await registrar.ResolveAsync(options.Client, asm, null, http, callbacks, cancellationToken).ConfigureAwait(false);
                    TokenSet tokens = await endpoint.SignInWithDeviceCodeAsync(asm, used, scopes, resource, device => callbacks.Information(device.Instruction), cancellationToken).ConfigureAwait(false);
                    return (used, tokens);
                }

                default:
                    return await AuthorizeWithCodeAsync(method, discovery, known, scopes, promptConsent, endpoint, callbacks, cancellationToken).ConfigureAwait(false);
            }
        }

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
            var prompt = new InteractiveAuthorization(method, options.AuthorizationHandler, options.NoBrowser, options.SignInTimeout, callbacks);
            ClientIdentity? used = known;
            bool registerAgain = false;
            for (int attempt = 0; ; attempt++)
            {
                // A listener serves one authorization request: a second attempt (after registering again) has its own.
                using LoopbackRedirectListener listener = LoopbackRedirectListener.Start(options.CallbackPort);
                if (registerAgain)
                {
                    used = await registrar.RegisterAsync(options.Client, asm, listener.RedirectUri, http, callbacks, cancellationToken).ConfigureAwait(false);
                    await cache.SaveRegisteredClientAsync(asm, RedirectShape(listener.RedirectUri), used, callbacks, cancellationToken).ConfigureAwait(false);
                }

                used ??= await ResolveClientAsync(asm, listener.RedirectUri, callbacks, cancellationToken).ConfigureAwait(false);
                var request = AuthorizationRequest.Create(asm, used.ClientId, listener.RedirectUri, scopes, discovery.ResourceIndicator, promptConsent);
                callbacks.Verbose($"Authorization request to {asm.AuthorizationEndpoint} (client {used.ClientId}, redirect {listener.RedirectUri}, PKCE S256{(promptConsent ? ", prompt=consent" : string.Empty)}).");
                Uri callback = await prompt.GetCallbackAsync(request.Url, request.State, listener, asm.IssuerString, cancellationToken).ConfigureAwait(false);
                Secret code = AuthorizationResponse.Validate(callback, request.State, asm);
                try
                {
                    return (used, await endpoint.ExchangeCodeAsync(asm, used, code, request.Pkce.Verifier, listener.RedirectUri, resource, scopes, cancellationToken).ConfigureAwait(false));
                }
                catch (McpAuthException ex) when (ex.ErrorId == ErrorIds.InvalidClient && attempt == 0 && ClientRegistrar.CanRegisterAgain(used, asm))
                {
                    callbacks.Verbose($"The authorization server no longer knows client {used.ClientId}; registering again once and asking for authorization again.");
                    registerAgain = true;
                }
            }
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
                && asm.RegistrationEndpoint is not null && client.AllowDynamicRegistration;
            if (!registers)
            {
                return await registrar.ResolveAsync(client, asm, redirectUri, http, callbacks, cancellationToken).ConfigureAwait(false);
            }

            string shape = RedirectShape(redirectUri);
            return await SignInCoordinator.OnceAsync(
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
                    ClientIdentity registered = await registrar.RegisterAsync(client, asm, redirectUri, http, callbacks, token).ConfigureAwait(false);
                    await cache.SaveRegisteredClientAsync(asm, shape, registered, callbacks, token).ConfigureAwait(false);
                    return registered;
                },
                callbacks,
                cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// What a registered redirect URI must look like to be reused: the loopback callback on any port (RFC 8252
        /// §7.3 lets the port vary), or on the one fixed port the user chose.
        /// </summary>
        private string RedirectShape(Uri redirectUri) =>
            options.CallbackPort == 0 ? redirectUri.Scheme + "://" + redirectUri.Host + redirectUri.AbsolutePath : redirectUri.GetLeftPart(UriPartial.Path);

        /// <summary>The client stored for this key, when it may be used: the same client id as asked for (if any), a secret not expired.</summary>
        private async Task<ClientIdentity?> StoredClientAsync(CredentialKey key, AuthorizationServerMetadata asm, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            if (options.Client.ClientId is not null && options.Client.ClientSecret is not null)
            {
                return null;
            }

            CredentialRecord? record = await cache.ReadAsync(key, callbacks, cancellationToken).ConfigureAwait(false);
            ClientIdentity? stored = CredentialMapping.FromStored(record?.Client, asm.Issuer, options.Client);
            if (stored is null || !Matches(stored) || stored.IsSecretExpired(options.Clock.UtcNow))
            {
                return null;
            }

            callbacks.Verbose($"Using the stored client identity {stored.ClientId} ({stored.Source}).");
            return stored;
        }

        private bool Matches(ClientIdentity client) => options.Client.ClientId is null || options.Client.ClientId == client.ClientId;
    }
}
