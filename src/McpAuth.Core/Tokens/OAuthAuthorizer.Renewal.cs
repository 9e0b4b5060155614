using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Http;

namespace McpAuth.Core.Tokens
{
    /// <summary>How a connection comes to hold a usable credential: sign-in, step-up and renewal under the lock, and the check for a changed authorization server.</summary>
    public sealed partial class OAuthAuthorizer
    {
        /// <summary>Signs in now, or makes sure a usable credential is held; with <paramref name="scopes"/>, one with those scopes.</summary>
        private async Task EnsureSignedInAsync(SignInOptions options, IReadOnlyList<string>? scopes, bool forceRefresh, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            using (await LockAsync(cancellationToken).ConfigureAwait(false))
            {
                bool othersMayApply = !binding.StoreChecked && (await LoadStoredAsync(callbacks, cancellationToken).ConfigureAwait(false)).OthersMayApply;
                TokenSet? tokens = Tokens;
                if (scopes is { Count: > 0 } && tokens is not null && !scopes.All(s => tokens.Scopes.Contains(s, StringComparer.Ordinal)))
                {
                    await SignInLockedAsync(options, null, Discovery.ScopeSelector.Union(tokens.Scopes, scopes), forceConsent: true, callbacks, cancellationToken).ConfigureAwait(false);
                    return;
                }

                if (Credential is { Tokens: TokenSet held } credential && Policy.CanRenewSilently(credential) && (forceRefresh || Policy.IsStale(held))
                    && await RenewLockedAsync(credential, forChallenge: false, callbacks, cancellationToken).ConfigureAwait(false))
                {
                    return;
                }

                tokens = Tokens;
                if (tokens is null || Policy.IsStale(tokens) || forceRefresh)
                {
                    await SignInLockedAsync(options, null, scopes, forceConsent: false, callbacks, cancellationToken, storedMayApply: othersMayApply && Credential is null).ConfigureAwait(false);
                }
            }
        }

        private async Task StepUpAsync(BearerChallenge challenge, int attempt, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            IReadOnlyList<string> wanted = Policy.StepUpScopes(serverUri, challenge.Scope, GrantedScopes, attempt, Policy.CanAuthorize(Policy.MethodFor(Credential), callbacks));
            callbacks.Verbose($"Step-up: the server requires '{string.Join(" ", challenge.Scope)}'; asking for consent to '{string.Join(" ", wanted)}' (never a silent refresh).");
            using (await LockAsync(cancellationToken).ConfigureAwait(false))
            {
                await SignInLockedAsync(Current, challenge, wanted, forceConsent: true, callbacks, cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>Renews a stale token before a request; returns the tokens to present, or null when it could not.</summary>
        private async Task<TokenSet?> RenewAsync(TokenSet stale, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            using (await LockAsync(cancellationToken).ConfigureAwait(false))
            {
                Credential? held = Credential;
                if (held?.Tokens is TokenSet now && (!ReferenceEquals(now, stale) && !Policy.IsStale(now)))
                {
                    return now;
                }

                return held?.Tokens is not null && await RenewLockedAsync(held, forChallenge: false, callbacks, cancellationToken).ConfigureAwait(false) ? Tokens : null;
            }
        }

        /// <summary>
        /// Renews the tokens without a person (refresh, or an assertion grant again), or adopts another process's;
        /// true when fresh tokens are held afterwards. A renewal a 401 started counts for the storm breaker. Call with
        /// the lock held.
        /// </summary>
        private async Task<bool> RenewLockedAsync(Credential credential, bool forChallenge, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            if (forChallenge)
            {
                cache.Value.Breaker.CheckRenewal(serverUri, Options.Clock.UtcNow);
            }

            var endpoint = new TokenEndpointClient(http, callbacks, Options.Clock, credential.RequestOptions(nonces));
            (Credential? _, RefreshOutcome outcome) = await Policy.RefreshAsync(cache.Value, credential, endpoint, Grants(callbacks), callbacks, cancellationToken).ConfigureAwait(false);
            bool renewed = outcome is RefreshOutcome.Refreshed or RefreshOutcome.Adopted;
            if (renewed && forChallenge)
            {
                renewedForChallenge = Tokens;
                cache.Value.Breaker.Obtained(serverUri, Options.Clock.UtcNow, signIn: false);
            }

            return renewed;
        }

        /// <summary>The assertion grants, talking to identity providers without DPoP and without a resource on refresh.</summary>
        private AssertionGrants Grants(IEngineCallbacks callbacks) => new AssertionGrants(
            new TokenEndpointClient(http, callbacks, Options.Clock, new TokenRequestOptions(null, new ServerSettings { OmitResource = true }, nonces)),
            callbacks,
            Options.Clock);

        /// <summary>
        /// Signs in with <paramref name="options"/> and binds this connection to the new credential; a sign-in a 401
        /// started counts for the storm breaker. <paramref name="storedMayApply"/>: a stored credential may serve once
        /// the server's own discovery names it. Call with the lock held.
        /// </summary>
        private async Task SignInLockedAsync(SignInOptions options, BearerChallenge? challenge, IReadOnlyList<string>? scopes, bool forceConsent, IEngineCallbacks callbacks, CancellationToken cancellationToken, bool forChallenge = false, bool storedMayApply = false)
        {
            // The settings and account the credential in use was stored with, unless the caller gave others.
            if (Credential is Credential held)
            {
                options = options with
                {
                    Settings = options.Settings ?? (held.Settings.IsDefault ? null : held.Settings),
                    Account = options.Account ?? (held.Key.Account.Length > 0 ? held.Key.Account : null),
                };
            }

            var flow = new SignInFlow(serverUri, http, options, cache.Value, nonces) { CountsForBreaker = forChallenge };
            Credential signedIn = await flow.SignInAsync(challenge, scopes, forceConsent, Credential, storedMayApply, callbacks, cancellationToken).ConfigureAwait(false);
            binding = binding.With(signedIn.Key);
            if (forChallenge)
            {
                renewedForChallenge = signedIn.Tokens;
            }
        }

        /// <summary>
        /// After the server rejected a token it had no reason to reject: looks at its protected resource metadata,
        /// and returns true when it no longer names the credential's authorization server (SEP-2352), so the
        /// credential is not renewed there but a sign-in at the new one follows. False when it cannot tell.
        /// </summary>
        private async Task<bool> AuthorizationServerChangedAsync(Credential held, TokenSet? rejected, BearerChallenge? challenge, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            if (rejected is null || Policy.IsStale(rejected) || held.Settings.TrustedIssuer is not null)
            {
                return false;
            }

            Discovery.ProtectedResourceMetadata? prm;
            try
            {
                prm = await new Discovery.DiscoveryClient().FindProtectedResourceAsync(serverUri, challenge, http, callbacks, cancellationToken).ConfigureAwait(false);
            }
            catch (McpAuthException ex)
            {
                callbacks.Verbose($"Could not check which authorization server {serverUri} names now ({ex.ErrorId}); renewing the credential.");
                return false;
            }

            if (prm is null || prm.AuthorizationServers.Count == 0 || prm.AuthorizationServers.Any(a => Discovery.DiscoveryClient.SameIssuer(a, held.AuthorizationServer.Issuer)))
            {
                return false;
            }

            callbacks.Verbose($"{serverUri} now names the authorization server {string.Join(", ", prm.AuthorizationServers.Select(a => a.OriginalString))}, not {held.Key.Issuer} that issued the credential; signing in there (its client and tokens are not used with another issuer).");
            return true;
        }
    }
}
