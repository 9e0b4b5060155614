using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Discovery;
using McpAuth.Core.Http;
using McpAuth.Core.Registration;
using McpAuth.Core.Storage;

namespace McpAuth.Core.Tokens
{
    /// <summary>
    /// One whole sign-in, start to end, keeping nothing between calls: discovery (with the server's settings: a
    /// trusted issuer, a chosen authorization server), scope choice, the client identity (one held or stored for
    /// the issuer, else resolved or registered; never one from another issuer), whether to use DPoP, authorization
    /// (code with PKCE in <c>SignInFlow.Code.cs</c>, device code, client credentials, an enterprise-managed or a
    /// workload identity assertion), the token request, and the record stored in the cache.
    /// </summary>
    internal sealed partial class SignInFlow
    {
        private readonly Uri serverUri;
        private readonly HttpClient http;
        private readonly SignInOptions options;
        private readonly ServerSettings settings;
        private readonly TokenCache cache;
        private readonly TokenPolicy policy;
        private readonly ClientRegistrar registrar;
        private readonly DpopNonces nonces;

        public SignInFlow(Uri serverUri, HttpClient http, SignInOptions options, TokenCache cache, DpopNonces? nonces = null)
        {
            this.serverUri = serverUri;
            this.http = http;
            this.options = options;
            this.cache = cache;
            this.nonces = nonces ?? new DpopNonces();
            settings = options.Settings ?? ServerSettings.None;
            policy = new TokenPolicy(options);
            registrar = new ClientRegistrar(options.Clock);
        }

        /// <summary>Gets a value indicating whether a 401 started this sign-in, so it counts for the storm breaker.</summary>
        public bool CountsForBreaker { get; init; }

        /// <summary>Signs in and stores the credential; returns it.</summary>
        /// <param name="challenge">The server's Bearer challenge, when a 401 or 403 started this.</param>
        /// <param name="scopes">Scopes to ask for (step-up or explicit); null chooses them from the options, challenge and metadata.</param>
        /// <param name="forceConsent">Ask for consent even when the server would not.</param>
        /// <param name="current">The credential this connection held, whose client is reused at the same issuer.</param>
        /// <param name="callbacks">Where diagnostics and prompts go.</param>
        /// <param name="cancellationToken">Cancels every step.</param>
        public async Task<Credential> SignInAsync(BearerChallenge? challenge, IReadOnlyList<string>? scopes, bool forceConsent, Credential? current, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            AuthorizationMethod method = policy.MethodFor(current);
            if (!options.AllowSignIn)
            {
                throw new McpAuthException(
                    ErrorIds.AuthenticationRequired,
                    McpErrorKind.AuthenticationError,
                    $"{serverUri} requires sign-in and no usable stored credential was found.",
                    serverUri);
            }

            bool silentEnterprise = method == AuthorizationMethod.EnterpriseManaged && options.Enterprise is null
                && current?.Enterprise is StoredEnterpriseGrant stored && AssertionGrants.CanRenew(stored, options.Clock.UtcNow);
            if (!policy.CanAuthorize(method, callbacks) && !silentEnterprise)
            {
                throw new InteractionRequiredException(serverUri);
            }

            using IDisposable operation = OperationSecrets.Begin();
            var discoveryClient = new DiscoveryClient { TrustedIssuer = settings.TrustedIssuer, AuthorizationServer = settings.AuthorizationServer };
            DiscoveryResult discovery = await discoveryClient.DiscoverAsync(serverUri, challenge, http, callbacks, cancellationToken).ConfigureAwait(false);
            AuthorizationServerMetadata asm = discovery.AuthorizationServer;
            RefuseMovedClient(current, asm);
            IReadOnlyList<string> chosen = ChooseScopes(discovery, challenge, scopes, method, forceConsent, out bool promptConsent);
            var key = new CredentialKey(discovery.ResourceIndicator, asm.IssuerString, options.Account);

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
                    if (CountsForBreaker)
                    {
                        cache.Breaker.CheckSignIn(serverUri, options.Clock.UtcNow);
                    }

                    callbacks.Verbose($"Sign-in: issuer {asm.IssuerString}, resource {discovery.ResourceIndicator}{DescribeResourceSetting()}, scopes '{string.Join(" ", chosen)}', method {method}{(options.Account is null ? string.Empty : ", account " + options.Account)}.");
                    ClientIdentity? known = current is not null && current.Client.BelongsTo(asm.Issuer) && Matches(current.Client) ? current.ClientFor(options.Client) : null;
                    known ??= await StoredClientAsync(key, asm, callbacks, token).ConfigureAwait(false);
                    DpopKey? dpop = ChooseDpop(asm, discovery.ProtectedResource, challenge, current, callbacks);
                    SignInResult obtained = await AuthorizeAsync(method, discovery, known, chosen, promptConsent, dpop, current, callbacks, token).ConfigureAwait(false);
                    Credential? saved = await cache.SaveAsync(key, discovery, obtained, callbacks, token).ConfigureAwait(false);
                    if (CountsForBreaker)
                    {
                        cache.Breaker.Obtained(serverUri, options.Clock.UtcNow, signIn: true);
                    }

                    TokenSet tokens = obtained.Tokens;
                    callbacks.Verbose($"Signed in: scopes '{string.Join(" ", tokens.Scopes)}', expires {tokens.ExpiresAt:u}, {(tokens.IsDpop ? "DPoP-bound" : "bearer")} token, refresh token {(tokens.RefreshToken is null ? "not issued" : "issued")}; stored in {cache.Store.Location}.");
                    return saved ?? throw new InvalidOperationException("The credential just stored could not be read back.");
                },
                callbacks,
                cancellationToken).ConfigureAwait(false);
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

        /// <summary>
        /// SEP-2352: a pre-registered client belongs to the authorization server it was registered at. When the
        /// server now names another one and the caller gave no client for it, nothing is reused or registered
        /// silently: a typed error says to sign in with a client registered there.
        /// </summary>
        private void RefuseMovedClient(Credential? current, AuthorizationServerMetadata asm)
        {
            if (options.Client.ClientId is null && current?.Client is ClientIdentity client && client.Source == ClientIdentitySource.PreRegistered && !client.BelongsTo(asm.Issuer))
            {
                throw new McpAuthException(
                    ErrorIds.AuthorizationServerChanged,
                    McpErrorKind.AuthenticationError,
                    $"{serverUri} now uses the authorization server {asm.IssuerString}, but its credential was issued by {current.Key.Issuer} to the pre-registered client '{client.ClientId}', which is never used with another authorization server. Register a client at {asm.IssuerString} and sign in with it.",
                    serverUri);
            }
        }

        private IReadOnlyList<string> ChooseScopes(DiscoveryResult discovery, BearerChallenge? challenge, IReadOnlyList<string>? scopes, AuthorizationMethod method, bool forceConsent, out bool promptConsent)
        {
            AuthorizationServerMetadata asm = discovery.AuthorizationServer;
            bool noPerson = method is AuthorizationMethod.ClientCredentials or AuthorizationMethod.WorkloadIdentity or AuthorizationMethod.EnterpriseManaged;
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
                if (!noPerson
                    && asm.ScopesSupported.Contains(ScopeSelector.OfflineAccess, StringComparer.Ordinal)
                    && !chosen.Contains(ScopeSelector.OfflineAccess, StringComparer.Ordinal))
                {
                    chosen = chosen.Concat(new[] { ScopeSelector.OfflineAccess }).ToList();
                    promptConsent = true;
                }
            }

            promptConsent |= forceConsent;
            if (noPerson)
            {
                // A grant no person consents to (a machine identity, an assertion) asks for no refresh token:
                // the assertion or the client's credentials renew it.
                chosen = chosen.Where(s => s != ScopeSelector.OfflineAccess).ToList();
                promptConsent = false;
            }

            return chosen;
        }

        /// <summary>
        /// The DPoP key for this sign-in, or null for bearer tokens: DPoP when the user asked for it; never when the
        /// user said no; else when the authorization server does ES256 proofs and the MCP server takes DPoP-bound
        /// tokens (its challenge or metadata says so, or its credential was DPoP-bound), or when the MCP server
        /// requires them. An authorization server that does DPoP says nothing about the MCP server, which may take
        /// Bearer tokens only.
        /// </summary>
        private DpopKey? ChooseDpop(AuthorizationServerMetadata asm, ProtectedResourceMetadata? prm, BearerChallenge? challenge, Credential? current, IEngineCallbacks callbacks)
        {
            bool asOffers = asm.SupportsDpop(DpopKey.Algorithm);
            if (settings.Dpop == false)
            {
                return null;
            }

            if (settings.Dpop == true)
            {
                callbacks.Verbose(asOffers
                    ? "Using DPoP (asked for): token requests and MCP requests carry ES256 proofs."
                    : $"Using DPoP (asked for), although {asm.IssuerString} does not list ES256 in dpop_signing_alg_values_supported: it may issue a Bearer token.");
                return DpopKey.Create();
            }

            bool rsRequires = prm?.DpopBoundAccessTokensRequired == true;
            bool rsOffers = rsRequires
                || challenge?.IsDpop == true
                || challenge?.OffersDpop == true
                || prm?.DpopSigningAlgValuesSupported.Contains(DpopKey.Algorithm, StringComparer.Ordinal) == true
                || current?.IsDpopBound == true;
            if ((asOffers && rsOffers) || rsRequires)
            {
                callbacks.Verbose($"Using DPoP: {asm.IssuerString} does ES256 proofs and {serverUri} {(rsRequires ? "requires" : "takes")} DPoP-bound tokens; the key is kept with the credential.");
                return DpopKey.Create();
            }

            if (asOffers)
            {
                callbacks.Verbose($"Not using DPoP: {asm.IssuerString} offers it, but {serverUri} says nothing of DPoP-bound tokens.");
            }

            return null;
        }

        private async Task<SignInResult> AuthorizeAsync(
            AuthorizationMethod method,
            DiscoveryResult discovery,
            ClientIdentity? known,
            IReadOnlyList<string> scopes,
            bool promptConsent,
            DpopKey? dpop,
            Credential? current,
            IEngineCallbacks callbacks,
            CancellationToken cancellationToken)
        {
            AuthorizationServerMetadata asm = discovery.AuthorizationServer;
            var resource = new Uri(discovery.ResourceIndicator, UriKind.Absolute);
            var endpoint = new TokenEndpointClient(http, callbacks, options.Clock, new TokenRequestOptions(dpop, settings, nonces));
            switch (method)
            {
                case AuthorizationMethod.ClientCredentials:
                {
                    ClientIdentity used = known ?? await registrar.ResolveAsync(options.Client, asm, null, http, callbacks, cancellationToken).ConfigureAwait(false);
                    callbacks.Verbose($"Client credentials grant as {used.ClientId} ({used.TokenEndpointAuthMethod}).");
                    return Result(used, await endpoint.ClientCredentialsAsync(asm, used, scopes, resource, cancellationToken).ConfigureAwait(false), method, dpop);
                }

                case AuthorizationMethod.DeviceCode:
                {
                    ClientIdentity used = known ?? await ResolveDeviceClientAsync(asm, callbacks, cancellationToken).ConfigureAwait(false);
                    TokenSet tokens = await endpoint.SignInWithDeviceCodeAsync(asm, used, scopes, resource, device => callbacks.Information(device.Instruction), cancellationToken).ConfigureAwait(false);
                    return Result(used, tokens, method, dpop);
                }

                case AuthorizationMethod.WorkloadIdentity:
                {
                    StoredWorkloadGrant source = options.Workload is WorkloadIdentityOptions workload
                        ? new StoredWorkloadGrant { TokenPath = workload.TokenPath, TokenVariable = workload.TokenVariable }
                        : current?.Workload ?? throw AssertionSourceMissing("workload identity assertion");
                    ClientIdentity used = known ?? await registrar.ResolveAsync(options.Client, asm, null, http, callbacks, cancellationToken).ConfigureAwait(false);
                    TokenSet tokens = await Grants(callbacks).WorkloadTokensAsync(source, asm, used, scopes, resource, endpoint, cancellationToken).ConfigureAwait(false);
                    return Result(used, tokens, method, dpop) with { Workload = source };
                }

                case AuthorizationMethod.EnterpriseManaged:
                {
                    StoredEnterpriseGrant grant = await EnterpriseGrantAsync(current, callbacks, cancellationToken).ConfigureAwait(false);
                    ClientIdentity used = known ?? await registrar.ResolveAsync(options.Client, asm, null, http, callbacks, cancellationToken).ConfigureAwait(false);
                    (TokenSet tokens, StoredEnterpriseGrant renewed) = await Grants(callbacks).EnterpriseTokensAsync(
                        grant, asm, used, scopes, resource, settings.Resource ?? discovery.ResourceIndicator, endpoint, cancellationToken).ConfigureAwait(false);
                    return Result(used, tokens, method, dpop) with { Enterprise = renewed };
                }

                default:
                {
                    (ClientIdentity used, TokenSet tokens) = await AuthorizeWithCodeAsync(method, discovery, known, scopes, promptConsent, endpoint, callbacks, cancellationToken).ConfigureAwait(false);
                    return Result(used, tokens, method, dpop);
                }
            }
        }

        private SignInResult Result(ClientIdentity client, TokenSet tokens, AuthorizationMethod method, DpopKey? dpop) =>
            new SignInResult(client, tokens, method, settings) { Dpop = tokens.IsDpop ? dpop : null };

        /// <summary>The assertion grants, talking to identity providers without DPoP and without a resource on refresh.</summary>
        private AssertionGrants Grants(IEngineCallbacks callbacks) =>
            new AssertionGrants(IdentityProviderEndpoint(callbacks), callbacks, options.Clock);

        private TokenEndpointClient IdentityProviderEndpoint(IEngineCallbacks callbacks) =>
            new TokenEndpointClient(http, callbacks, options.Clock, new TokenRequestOptions(null, new ServerSettings { OmitResource = true }, nonces));

        /// <summary>
        /// The enterprise-managed grant to exchange: the assertion the user gave; else a sign-in at the identity
        /// provider; else, in a later session, the stored one while it (or the IdP's refresh token) still works,
        /// or a sign-in at the stored identity provider when a person can do one.
        /// </summary>
        private async Task<StoredEnterpriseGrant> EnterpriseGrantAsync(Credential? current, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            EnterpriseOptions? given = options.Enterprise;
            if (given is null)
            {
                StoredEnterpriseGrant stored = current?.Enterprise ?? throw AssertionSourceMissing("identity provider");
                if (AssertionGrants.CanRenew(stored, options.Clock.UtcNow) || !(callbacks.IsInteractive || options.AuthorizationHandler is not null))
                {
                    return stored;
                }

                given = new EnterpriseOptions { IdentityProvider = new Uri(stored.IdpIssuer, UriKind.Absolute), ClientId = stored.IdpClientId, ClientSecret = stored.IdpClientSecret };
            }

            AuthorizationServerMetadata idp = await new DiscoveryClient().DiscoverAuthorizationServerAsync(given.IdentityProvider, http, callbacks, cancellationToken).ConfigureAwait(false);
            if (given.Assertion is not null)
            {
                callbacks.Verbose($"Enterprise-managed authorization: exchanging the identity assertion given at {idp.IssuerString}.");
                return AssertionGrants.Given(given, idp);
            }

            callbacks.Verbose($"Enterprise-managed authorization: signing in at the identity provider {idp.IssuerString} for an identity assertion.");
            TokenSet idpTokens = await SignInAtIdentityProviderAsync(given, idp, callbacks, cancellationToken).ConfigureAwait(false);
            return AssertionGrants.SignedIn(given, idp, idpTokens);
        }

        private McpAuthException AssertionSourceMissing(string what) => new McpAuthException(
            ErrorIds.AuthenticationRequired,
            McpErrorKind.AuthenticationError,
            $"{serverUri} was signed in to with a {what} that is not stored with its credential; sign in again and name it.",
            serverUri);

        private string DescribeResourceSetting() =>
            settings.OmitResource ? " (no resource parameter sent)" : settings.Resource is string other ? $" (resource parameter sent: {other})" : string.Empty;

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
