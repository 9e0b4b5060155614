using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Authorization;
using McpAuth.Core.Discovery;
using McpAuth.Core.Http;
using McpAuth.Core.Mcp;
using McpAuth.Core.Registration;
using McpAuth.Core.Storage;

namespace McpAuth.Core.Tokens
{
    /// <summary>
    /// OAuth for one MCP connection: puts the bearer token on requests; on 401 uses the stored credential,
    /// refreshes once, or signs in (discovery, client identity, authorization code with PKCE, device code or
    /// client credentials); on 403 insufficient_scope steps up with a real re-consent, never a silent
    /// refresh. Tokens are persisted in the credential store, keyed by resource and issuer. One sign-in or
    /// refresh runs at a time per connection, and a refresh re-reads the store under its cross-process lock
    /// first, so processes share one rotated refresh token.
    /// </summary>
    public sealed class OAuthAuthorizer : IRequestAuthorizer
    {
        private readonly Uri serverUri;
        private readonly HttpClient http;
        private readonly SemaphoreSlim gate = new SemaphoreSlim(1, 1);
        private readonly ClientRegistrar registrar = new ClientRegistrar();
        private TokenSet? tokens;
        private ClientIdentity? client;
        private AuthorizationServerMetadata? authorizationServer;
        private CredentialKey? key;
        private string? resourceIndicator;
        private bool storeChecked;

        public OAuthAuthorizer(Uri serverUri, HttpClient http, SignInOptions options)
        {
            this.serverUri = serverUri ?? throw new ArgumentNullException(nameof(serverUri));
            this.http = http ?? throw new ArgumentNullException(nameof(http));
            Options = options ?? throw new ArgumentNullException(nameof(options));
        }

        /// <summary>Gets the options; the authorization method is remembered for later step-ups.</summary>
        public SignInOptions Options { get; }

        /// <summary>Gets a value indicating whether this connection holds a token.</summary>
        public bool HasToken => tokens is not null;

        /// <summary>Gets the issuer of the current credential.</summary>
        public Uri? Issuer => authorizationServer?.Issuer;

        /// <summary>Gets the RFC 8707 resource the tokens are for.</summary>
        public string? Resource => resourceIndicator;

        /// <summary>Gets the granted scopes.</summary>
        public IReadOnlyList<string> GrantedScopes => CredentialMapping.Scopes(tokens);

        /// <summary>Gets the access token's absolute expiry, when known.</summary>
        public DateTimeOffset? ExpiresAt => tokens?.ExpiresAt;

        /// <summary>Gets the client id in use.</summary>
        public string? ClientId => client?.ClientId;

        /// <summary>Gets a value indicating whether a refresh token is held.</summary>
        public bool HasRefreshToken => tokens?.RefreshToken is not null;

        /// <summary>Gets the current token set (for Get-McpToken).</summary>
        public TokenSet? Tokens => tokens;

        /// <inheritdoc/>
        public async Task AuthorizeAsync(HttpRequestMessage request, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            TokenSet? current = tokens;
            if (current is null)
            {
                return;
            }

            if (Stale(current) && current.RefreshToken is not null)
            {
                current = await RefreshAsync(current, callbacks, cancellationToken).ConfigureAwait(false) ?? tokens;
            }

            if (current is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", current.AccessToken.Reveal());
            }
        }

        /// <inheritdoc/>
        public async Task<bool> HandleChallengeAsync(HttpResponseMessage response, int attempt, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            BearerChallenge? challenge = BearerChallenge.FromResponse(response);
            if (response.StatusCode == HttpStatusCode.Forbidden)
            {
                if (challenge is null || !challenge.IsInsufficientScope)
                {
                    return false;
                }

                await StepUpAsync(challenge, attempt, callbacks, cancellationToken).ConfigureAwait(false);
                return true;
            }

            if (response.StatusCode != HttpStatusCode.Unauthorized)
            {
                return false;
            }

            if (attempt >= 2)
            {
                throw new McpAuthException(
                    ErrorIds.AuthenticationRequired,
                    McpErrorKind.AuthenticationError,
                    $"{serverUri} keeps rejecting the token it was just given ({challenge?.Error ?? "401"}). Check that the server trusts the authorization server {Issuer}.",
                    serverUri);
            }

            TokenSet? rejected = tokens;
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                // Another request may have renewed the token while this one waited.
                if (tokens is not null && !ReferenceEquals(tokens, rejected))
                {
                    return true;
                }

                if (!storeChecked)
                {
                    storeChecked = true;
                    if (await LoadStoredAsync(callbacks, cancellationToken).ConfigureAwait(false))
                    {
                        // A stored token the server has not rejected yet: use it, or renew it (once per machine).
                        if (!Stale(tokens))
                        {
                            callbacks.Verbose($"Using the stored credential for {resourceIndicator} from {Issuer} (expires {tokens!.ExpiresAt:u}).");
                            return true;
                        }

                        if (tokens!.RefreshToken is not null && await RefreshLockedAsync(tokens, callbacks, cancellationToken).ConfigureAwait(false) is not null)
                        {
                            return true;
                        }
                    }
                }

                if (tokens?.RefreshToken is not null && attempt <= 1)
                {
                    if (await RefreshLockedAsync(tokens, callbacks, cancellationToken).ConfigureAwait(false) is not null)
                    {
                        return true;
                    }
                }

                await SignInAsync(challenge, null, forceConsent: false, callbacks, cancellationToken).ConfigureAwait(false);
                return true;
            }
            finally
            {
                gate.Release();
            }
        }

        /// <summary>
        /// Signs in now, or makes sure a usable credential is held: used by Connect-McpServer with sign-in
        /// options and by Update-McpCredential. With <paramref name="scopes"/>, requires those scopes
        /// (step-up with consent when missing).
        /// </summary>
        public async Task EnsureSignedInAsync(IReadOnlyList<string>? scopes, bool forceRefresh, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (!storeChecked)
                {
                    storeChecked = true;
                    await LoadStoredAsync(callbacks, cancellationToken).ConfigureAwait(false);
                }

                if (scopes is { Count: > 0 } && tokens is not null && !scopes.All(s => tokens.Scopes.Contains(s, StringComparer.Ordinal)))
                {
                    IReadOnlyList<string> wanted = ScopeSelector.Union(tokens.Scopes, scopes);
                    await SignInAsync(null, wanted, forceConsent: true, callbacks, cancellationToken).ConfigureAwait(false);
                    return;
                }

                if (tokens is not null && (forceRefresh || Stale(tokens)) && tokens.RefreshToken is not null)
                {
                    if (await RefreshLockedAsync(tokens, callbacks, cancellationToken).ConfigureAwait(false) is not null)
                    {
                        return;
                    }
                }

                if (tokens is null || Stale(tokens) || forceRefresh)
                {
                    await SignInAsync(null, scopes, forceConsent: false, callbacks, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                gate.Release();
            }
        }

        /// <summary>Forgets the in-memory credential (after removal from the store).</summary>
        public void Forget()
        {
            tokens = null;
            client = null;
            storeChecked = true;
        }

        /// <summary>Forgets the tokens here and in the store; the client identity and discovery results stay.</summary>
        public async Task ForgetTokensAsync(IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                tokens = null;
                if (key is not null)
                {
                    await CreateStore(callbacks).UpdateAsync(key, record => record is null ? null : record with { Tokens = null }, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                gate.Release();
            }
        }

        /// <summary>Revokes the held tokens at the authorization server (RFC 7009), best effort.</summary>
        public async Task<bool> RevokeAsync(IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            TokenSet? current = tokens;
            if (current is null || client is null || authorizationServer is null)
            {
                return false;
            }

            var endpointClient = new TokenEndpointClient(http, callbacks);
            bool revoked = false;
            if (current.RefreshToken is not null)
            {
                revoked |= await endpointClient.RevokeAsync(authorizationServer, client, current.RefreshToken, "refresh_token", cancellationToken).ConfigureAwait(false);
            }

            revoked |= await endpointClient.RevokeAsync(authorizationServer, client, current.AccessToken, "access_token", cancellationToken).ConfigureAwait(false);
            return revoked;
        }

        private async Task StepUpAsync(BearerChallenge challenge, int attempt, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            IReadOnlyList<string> required = challenge.Scope;
            IReadOnlyList<string> granted = CredentialMapping.Scopes(tokens);
            bool alreadyGranted = required.Count > 0 && required.All(s => granted.Contains(s, StringComparer.Ordinal));
            if (attempt >= Options.MaxStepUpAttempts || (attempt > 0 && alreadyGranted))
            {
                // Consent was given for exactly what the server asks, and it still refuses: stop early.
                throw InsufficientScope(required, $"{serverUri} still requires the scopes '{string.Join(" ", required)}' after {attempt} re-authorization(s); giving up.");
            }

            if (!CanAuthorize(callbacks))
            {
                throw InsufficientScope(required, $"{serverUri} requires the scopes '{string.Join(" ", required)}' (403 insufficient_scope), and this session cannot ask for consent.");
            }

            IReadOnlyList<string> wanted = ScopeSelector.Union(granted, required);
            callbacks.Verbose($"Step-up: the server requires '{string.Join(" ", required)}'; asking for consent to '{string.Join(" ", wanted)}' (never a silent refresh).");
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await SignInAsync(challenge, wanted, forceConsent: true, callbacks, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }

        private McpAuthException InsufficientScope(IReadOnlyList<string> required, string message)
            => new InsufficientScopeException(message, serverUri, required);

        private bool CanAuthorize(IEngineCallbacks callbacks) => Options.Method switch
        {
            AuthorizationMethod.ClientCredentials => true,

            // Chosen explicitly: the code is shown on the information stream and can be entered anywhere.
            AuthorizationMethod.DeviceCode => true,
            AuthorizationMethod.Handler => Options.AuthorizationHandler is not null,
            _ => callbacks.IsInteractive,
        };

        private async Task<TokenSet?> RefreshAsync(TokenSet current, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (!ReferenceEquals(tokens, current) && tokens is not null && !Stale(tokens))
                {
                    return tokens;
                }

                return await RefreshLockedAsync(tokens ?? current, callbacks, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }

        /// <summary>
        /// Refreshes under the store's cross-process lock: re-reads the record first and adopts a fresh token
        /// another process already obtained (any access token other than <paramref name="current"/>); else
        /// refreshes with the newest stored refresh token and persists the rotated one before releasing the
        /// lock. Returns null when the refresh token is dead (the dead tokens are cleared).
        /// </summary>
        private async Task<TokenSet?> RefreshLockedAsync(TokenSet current, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            if (client is null || authorizationServer is null || key is null)
            {
                return null;
            }

            ClientIdentity refreshClient = client;
            AuthorizationServerMetadata asm = authorizationServer;
            var endpointClient = new TokenEndpointClient(http, callbacks);
            ICredentialStore store = CreateStore(callbacks);
            TokenSet? result = null;
            McpAuthException? failure = null;
            bool forgetClient = false;
            await store.UpdateAsync(key, record =>
            {
                TokenSet? stored = CredentialMapping.FromStored(record?.Tokens, asm.Issuer, current.Resource);
                if (stored is not null && !stored.AccessToken.Equals(current.AccessToken) && !Stale(stored))
                {
                    callbacks.Verbose("Another process already refreshed the token; using its result.");
                    result = stored;
                    return record;
                }

                TokenSet basis = stored ?? current;
                if (basis.RefreshToken is null)
                {
                    return record;
                }

                try
                {
                    callbacks.Verbose($"Refreshing the access token at {asm.TokenEndpoint} (client {refreshClient.ClientId}, resource {basis.Resource.OriginalString}).");
                    result = endpointClient.RefreshAsync(asm, refreshClient, basis, null, cancellationToken).GetAwaiter().GetResult();
                }
                catch (McpAuthException ex) when (ex.ErrorId == ErrorIds.InvalidGrant)
                {
                    failure = ex;
                    callbacks.Verbose("The refresh token is no longer valid; the stored tokens were cleared.");
                    return record is null ? null : record with { Tokens = null };
                }
                catch (McpAuthException ex) when (ex.ErrorId == ErrorIds.InvalidClient && ClientRegistrar.CanRegisterAgain(refreshClient, asm))
                {
                    // The AS forgot the registered client: drop it with its tokens; the sign-in registers again once.
                    failure = ex;
                    forgetClient = true;
                    callbacks.Verbose($"The authorization server no longer knows client {refreshClient.ClientId}; it will be registered again.");
                    return record is null ? null : record with { Tokens = null, Client = null };
                }

                return (record ?? new CredentialRecord(key)) with { Tokens = CredentialMapping.ToStored(result) };
            }, cancellationToken).ConfigureAwait(false);

            if (failure is not null)
            {
                tokens = null;
                if (forgetClient)
                {
                    client = null;
                }

                return null;
            }

            if (result is not null)
            {
                tokens = result;
            }

            return result;
        }

        private bool Stale(TokenSet? t) => t is not null && t.IsExpired(DateTimeOffset.UtcNow, t.RenewalSkew(Options.ExpirySkew));

        /// <summary>Loads the newest stored credential for this server. Returns true when one was found.</summary>
        private async Task<bool> LoadStoredAsync(IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            ICredentialStore store = CreateStore(callbacks);
            IReadOnlyList<CredentialRecord> records = await store.ListAsync(cancellationToken).ConfigureAwait(false);
            CredentialRecord? record = records
                .Where(r => !r.IsCorrupted && r.Tokens?.AccessToken is not null && r.Discovery is not null && CredentialMapping.ResourceMatches(r.Key.Resource, serverUri))
                .Where(r => Options.Client.ClientId is null || r.Client?.ClientId == Options.Client.ClientId)
                .OrderByDescending(r => r.UpdatedAt)
                .FirstOrDefault();
            if (record is null)
            {
                callbacks.Verbose($"No stored credential for {serverUri} in {store.Location}.");
                return false;
            }

            AuthorizationServerMetadata asm = CredentialMapping.ToMetadata(record.Discovery!);
            ClientIdentity? storedClient = CredentialMapping.FromStored(record.Client, asm.Issuer, Options.Client);
            if (storedClient is null)
            {
                return false;
            }

            if (!Options.MethodChosen && record.AuthorizedBy is AuthorizationMethod.ClientCredentials or AuthorizationMethod.DeviceCode)
            {
                // Sign in again the way this credential was obtained (a handler script block cannot be stored).
                Options.Method = record.AuthorizedBy.Value;
                callbacks.Verbose($"The stored credential was obtained with {Options.Method}; a new sign-in will use it again.");
            }

            authorizationServer = asm;
            client = storedClient;
            key = record.Key;
            resourceIndicator = record.Key.Resource;
            tokens = CredentialMapping.FromStored(record.Tokens, asm.Issuer, new Uri(record.Key.Resource, UriKind.Absolute));
            callbacks.Verbose($"Found a stored credential for {record.Key.Resource} from {record.Key.Issuer} (client {storedClient.ClientId}, scopes '{string.Join(" ", tokens?.Scopes ?? Array.Empty<string>())}').");
            return tokens is not null;
        }

        /// <summary>The whole sign-in: discovery, client identity, authorization, token exchange, persistence.</summary>
        private async Task SignInAsync(BearerChallenge? challenge, IReadOnlyList<string>? scopes, bool forceConsent, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            if (!Options.AllowSignIn)
            {
                throw new McpAuthException(
                    ErrorIds.AuthenticationRequired,
                    McpErrorKind.AuthenticationError,
                    $"{serverUri} requires sign-in and no usable stored credential was found.",
                    serverUri);
            }

            if (!CanAuthorize(callbacks))
            {
                throw new InteractionRequiredException(serverUri);
            }

            DiscoveryResult discovery = await new DiscoveryClient().DiscoverAsync(serverUri, challenge, http, callbacks, cancellationToken).ConfigureAwait(false);
            AuthorizationServerMetadata asm = discovery.AuthorizationServer;
            var resource = new Uri(discovery.ResourceIndicator, UriKind.Absolute);
            IReadOnlyList<string> chosen;
            bool promptConsent;
            if (scopes is null)
            {
                chosen = ScopeSelector.Select(Options.Scopes, challenge, discovery.ProtectedResource, asm, out promptConsent);
            }
            else
            {
                // Step-up or explicit scopes: keep offline_access so the new grant still has a refresh token.
                chosen = scopes;
                promptConsent = false;
                if (Options.Method != AuthorizationMethod.ClientCredentials
                    && asm.ScopesSupported.Contains(ScopeSelector.OfflineAccess, StringComparer.Ordinal)
                    && !chosen.Contains(ScopeSelector.OfflineAccess, StringComparer.Ordinal))
                {
                    chosen = chosen.Concat(new[] { ScopeSelector.OfflineAccess }).ToList();
                    promptConsent = true;
                }
            }

            promptConsent |= forceConsent;
            if (Options.Method == AuthorizationMethod.ClientCredentials)
            {
                // A machine identity has no user to consent and gets no refresh token.
                chosen = chosen.Where(s => s != ScopeSelector.OfflineAccess).ToList();
                promptConsent = false;
            }
            callbacks.Verbose($"Sign-in: issuer {asm.IssuerString}, resource {discovery.ResourceIndicator}, scopes '{string.Join(" ", chosen)}', method {Options.Method}.");
            var key = new CredentialKey(discovery.ResourceIndicator, asm.IssuerString);
            ClientIdentity? known = client is not null && client.BelongsTo(asm.Issuer) && (Options.Client.ClientId is null || Options.Client.ClientId == client.ClientId) ? client : null;
            known ??= await StoredClientAsync(key, asm, callbacks, cancellationToken).ConfigureAwait(false);

            TokenSet obtained;
            ClientIdentity used;
            if (Options.Method == AuthorizationMethod.ClientCredentials)
            {
                used = known ?? await registrar.ResolveAsync(Options.Client, asm, null, http, callbacks, cancellationToken).ConfigureAwait(false);
                callbacks.Verbose($"Client credentials grant as {used.ClientId} ({used.TokenEndpointAuthMethod}).");
                obtained = await new TokenEndpointClient(http, callbacks).ClientCredentialsAsync(asm, used, chosen, resource, cancellationToken).ConfigureAwait(false);
            }
            else if (Options.Method == AuthorizationMethod.DeviceCode)
            {
                used = known ?? await registrar.ResolveAsync(Options.Client, asm, null, http, callbacks, cancellationToken).ConfigureAwait(false);
                obtained = await new TokenEndpointClient(http, callbacks).SignInWithDeviceCodeAsync(
                    asm, used, chosen, resource, device => callbacks.Information(device.Instruction), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                (used, obtained) = await AuthorizeWithCodeAsync(discovery, known, chosen, promptConsent, resource, callbacks, cancellationToken).ConfigureAwait(false);
            }

            DateTimeOffset now = DateTimeOffset.UtcNow;
            StoredDiscovery storedDiscovery = CredentialMapping.ToStored(discovery, now);
            ICredentialStore store = CreateStore(callbacks);
            await store.UpdateAsync(key, record => (record ?? new CredentialRecord(key)) with
            {
                Client = CredentialMapping.ToStored(used),
                Tokens = CredentialMapping.ToStored(obtained),
                Discovery = storedDiscovery with { McpProtocolVersion = record?.Discovery?.McpProtocolVersion },
                AuthorizedBy = Options.Method,
            }, cancellationToken).ConfigureAwait(false);

            authorizationServer = asm;
            client = used;
            this.key = key;
            resourceIndicator = discovery.ResourceIndicator;
            tokens = obtained;
            storeChecked = true;
            callbacks.Verbose($"Signed in: scopes '{string.Join(" ", obtained.Scopes)}', expires {obtained.ExpiresAt:u}, refresh token {(obtained.RefreshToken is null ? "not issued" : "issued")}; stored in {store.Location}.");
        }

        private async Task<ClientIdentity?> StoredClientAsync(CredentialKey key, AuthorizationServerMetadata asm, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            if (Options.Client.ClientId is not null && Options.Client.ClientSecret is not null)
            {
                return null;
            }

            CredentialRecord? record;
            try
            {
                record = await CreateStore(callbacks).GetAsync(key, cancellationToken).ConfigureAwait(false);
            }
            catch (McpAuthException ex) when (ex.ErrorId == ErrorIds.CredentialCorrupted)
            {
                callbacks.Warning($"The stored credential for {key.Resource} is damaged and will be replaced after sign-in.");
                return null;
            }

            ClientIdentity? stored = CredentialMapping.FromStored(record?.Client, asm.Issuer, Options.Client);
            if (stored is null || (Options.Client.ClientId is not null && stored.ClientId != Options.Client.ClientId) || stored.IsSecretExpired(DateTimeOffset.UtcNow))
            {
                return null;
            }

            callbacks.Verbose($"Using the stored client identity {stored.ClientId} ({stored.Source}).");
            return stored;
        }

        private async Task<(ClientIdentity Client, TokenSet Tokens)> AuthorizeWithCodeAsync(
            DiscoveryResult discovery,
            ClientIdentity? known,
            IReadOnlyList<string> scopes,
            bool promptConsent,
            Uri resource,
            IEngineCallbacks callbacks,
            CancellationToken cancellationToken)
        {
            AuthorizationServerMetadata asm = discovery.AuthorizationServer;
            asm.RequireS256();
            using LoopbackRedirectListener listener = LoopbackRedirectListener.Start(Options.CallbackPort);
            ClientIdentity used = known ?? await registrar.ResolveAsync(Options.Client, asm, listener.RedirectUri, http, callbacks, cancellationToken).ConfigureAwait(false);
            for (int registration = 0; ; registration++)
            {
                var request = AuthorizationRequest.Create(asm, used.ClientId, listener.RedirectUri, scopes, discovery.ResourceIndicator, promptConsent);
                callbacks.Verbose($"Authorization request to {asm.AuthorizationEndpoint} (client {used.ClientId}, redirect {listener.RedirectUri}, PKCE S256{(promptConsent ? ", prompt=consent" : string.Empty)}).");
                Uri callback = await new InteractiveAuthorization(Options, callbacks).GetCallbackAsync(request.Url, listener, asm.IssuerString, cancellationToken).ConfigureAwait(false);
                Secret code = AuthorizationResponse.Validate(callback, request.State, asm);
                try
                {
                    TokenSet obtained = await new TokenEndpointClient(http, callbacks).ExchangeCodeAsync(asm, used, code, request.Pkce.Verifier, listener.RedirectUri, resource, scopes, cancellationToken).ConfigureAwait(false);
                    return (used, obtained);
                }
                catch (McpAuthException ex) when (ex.ErrorId == ErrorIds.InvalidClient && registration == 0 && ClientRegistrar.CanRegisterAgain(used, asm))
                {
                    callbacks.Verbose($"The authorization server no longer knows client {used.ClientId}; registering again once.");
                    used = await registrar.RegisterAsync(Options.Client, asm, listener.RedirectUri, http, callbacks, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        private ICredentialStore CreateStore(IEngineCallbacks callbacks)
        {
            var options = new CredentialStoreOptions
            {
                Kind = Options.Store.Kind,
                Directory = Options.Store.Directory,
                AllowPlaintext = Options.Store.AllowPlaintext,
                LockTimeout = Options.Store.LockTimeout,
                Callbacks = callbacks,
            };
            return CredentialStoreFactory.Create(options);
        }
    }
}
