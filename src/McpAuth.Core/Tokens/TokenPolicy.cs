using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Discovery;
using McpAuth.Core.Registration;
using McpAuth.Core.Storage;

namespace McpAuth.Core.Tokens
{
    /// <summary>
    /// When to renew a token and how, and when to step up: a token is stale within its renewal skew of expiry
    /// (on the injected clock); a refresh runs once per machine (under the store's lock, after reading the
    /// record again, adopting a token another process already obtained); a dead refresh token clears the
    /// tokens and a forgotten client is dropped so it registers again; a step-up asks for the union of granted
    /// and challenged scopes with consent, a bounded number of times, and never refreshes silently.
    /// </summary>
    internal sealed class TokenPolicy
    {
        private readonly SignInOptions options;

        public TokenPolicy(SignInOptions options)
        {
            this.options = Guard.NotNull(options, nameof(options));
        }

        /// <summary>Returns true when <paramref name="tokens"/> expired or will within its renewal skew.</summary>
        public bool IsStale(TokenSet? tokens) =>
            tokens is not null && tokens.IsExpired(options.Clock.UtcNow, tokens.RenewalSkew(options.ExpirySkew));

        /// <summary>
        /// Returns true when <paramref name="credential"/>'s tokens can be renewed without a person: with a refresh
        /// token, a workload's assertion, or an enterprise-managed grant whose assertion is still valid (or can be
        /// renewed at the identity provider).
        /// </summary>
        public bool CanRenewSilently(Credential? credential) =>
            credential?.Tokens is TokenSet tokens
            && (tokens.RefreshToken is not null
                || credential.Workload is not null
                || (credential.Enterprise is StoredEnterpriseGrant grant && AssertionGrants.CanRenew(grant, options.Clock.UtcNow)));

        /// <summary>
        /// Renews <paramref name="current"/>'s tokens, which this connection found stale or the server rejected.
        /// Under the store's lock: a fresh token another process stored meanwhile is adopted; else a workload's
        /// assertion is read and exchanged again, or the newest stored refresh token is used, or an enterprise-managed
        /// grant exchanges its assertion again, and the result is stored before the lock is released. Returns the
        /// credential afterwards (null when the client was dropped or the credential removed meanwhile) and what
        /// happened. An assertion grant's error (a rejected assertion) is thrown at once, never retried.
        /// </summary>
        public async Task<(Credential? Credential, RefreshOutcome Outcome)> RefreshAsync(
            TokenCache cache,
            Credential current,
            TokenEndpointClient endpoint,
            AssertionGrants? grants,
            IEngineCallbacks callbacks,
            CancellationToken cancellationToken)
        {
            TokenSet presented = current.Tokens ?? throw new ArgumentException("The credential has no tokens to refresh.", nameof(current));
            ClientIdentity client = current.ClientFor(options.Client);
            AuthorizationServerMetadata asm = current.AuthorizationServer;
            (Credential? Credential, RefreshOutcome Outcome) result = await cache.UpdateAsync(
                current.Key,
                async (CredentialRecord? record, CancellationToken token) =>
                {
                    if (record is null)
                    {
                        // Removed meanwhile (by another command or process): it stays removed.
                        callbacks.Verbose($"The stored credential for {current.Key} was removed; it is not refreshed.");
                        return (null, RefreshOutcome.Removed);
                    }

                    TokenSet? stored = CredentialMapping.FromStored(record.Tokens, asm.Issuer, presented.Resource);
                    if (stored is not null && !stored.AccessToken.Equals(presented.AccessToken) && !IsStale(stored))
                    {
                        callbacks.Verbose("Another process already refreshed the token; using its result.");
                        return (record, RefreshOutcome.Adopted);
                    }

                    Credential now = Credential.FromRecord(record) ?? current;
                    if (now.Workload is StoredWorkloadGrant workload && grants is not null)
                    {
                        // Read again on every exchange: the platform rotates it.
                        TokenSet renewed = await grants.WorkloadTokensAsync(workload, asm, client, presented.Scopes, presented.Resource, endpoint, token).ConfigureAwait(false);
                        return (record with { Tokens = CredentialMapping.ToStored(renewed) }, RefreshOutcome.Refreshed);
                    }

                    TokenSet basis = stored ?? presented;
                    if (basis.RefreshToken is not null)
                    {
                        try
                        {
                            callbacks.Verbose($"Refreshing the access token at {asm.TokenEndpoint} (client {client.ClientId}, resource {basis.Resource.OriginalString}{(endpoint.UsesDpop ? ", DPoP" : string.Empty)}).");
                            TokenSet refreshed = await endpoint.RefreshAsync(asm, client, basis, null, token).ConfigureAwait(false);
                            return (record with { Tokens = CredentialMapping.ToStored(refreshed) }, RefreshOutcome.Refreshed);
                        }
                        catch (McpAuthException ex) when (ex.ErrorId == ErrorIds.InvalidGrant && now.Enterprise is null)
                        {
                            callbacks.Verbose("The refresh token is no longer valid; the stored tokens were cleared.");
                            return (record with { Tokens = null }, RefreshOutcome.RefreshTokenDead);
                        }
                        catch (McpAuthException ex) when (ex.ErrorId == ErrorIds.InvalidGrant)
                        {
                            callbacks.Verbose("The refresh token is no longer valid; exchanging the identity assertion again instead.");
                        }
                        catch (McpAuthException ex) when (ex.ErrorId == ErrorIds.InvalidClient && ClientRegistrar.CanRegisterAgain(client, asm))
                        {
                            // The AS forgot the registered client: drop it with its tokens; the sign-in registers again once.
                            callbacks.Verbose($"The authorization server no longer knows client {client.ClientId}; it will be registered again.");
                            return (record with { Tokens = null, Client = null }, RefreshOutcome.ClientForgotten);
                        }
                    }

                    if (now.Enterprise is StoredEnterpriseGrant enterprise && grants is not null && AssertionGrants.CanRenew(enterprise, options.Clock.UtcNow))
                    {
                        callbacks.Verbose($"Exchanging the identity assertion again for new tokens from {asm.Issuer} (enterprise-managed authorization).");
                        (TokenSet exchanged, StoredEnterpriseGrant renewedGrant) = await grants.EnterpriseTokensAsync(
                            enterprise, asm, client, presented.Scopes, presented.Resource, now.Settings.Resource ?? presented.Resource.OriginalString, endpoint, token).ConfigureAwait(false);
                        return (record with { Tokens = CredentialMapping.ToStored(exchanged), Enterprise = renewedGrant }, RefreshOutcome.Refreshed);
                    }

                    return (record, RefreshOutcome.NoRefreshToken);
                },
                callbacks,
                cancellationToken).ConfigureAwait(false);
            if (result.Outcome == RefreshOutcome.ClientForgotten)
            {
                // Nor may another credential or process reuse it.
                await cache.ForgetRegisteredClientAsync(asm.IssuerString, client.ClientId, callbacks, cancellationToken).ConfigureAwait(false);
            }

            return result;
        }

        /// <summary>
        /// The scopes to ask consent for after a 403 <c>insufficient_scope</c>: the granted ones plus the
        /// challenged ones. Throws <c>InsufficientScope</c> when the attempts are used up, when consent to exactly
        /// these scopes was already given and the server still refuses, or when nobody can consent here.
        /// </summary>
        public IReadOnlyList<string> StepUpScopes(Uri serverUri, IReadOnlyList<string> required, IReadOnlyList<string> granted, int attempt, bool canAuthorize)
        {
            bool alreadyGranted = required.Count > 0 && required.All(s => granted.Contains(s, StringComparer.Ordinal));
            if (attempt >= options.MaxStepUpAttempts || (attempt > 0 && alreadyGranted))
            {
                throw new InsufficientScopeException($"{serverUri} still requires the scopes '{string.Join(" ", required)}' after {attempt} re-authorization(s); giving up.", serverUri, required);
            }

            if (!canAuthorize)
            {
                throw new InsufficientScopeException($"{serverUri} requires the scopes '{string.Join(" ", required)}' (403 insufficient_scope), and nobody can consent to them in this session.", serverUri, required);
            }

            return ScopeSelector.Union(granted, required);
        }

        /// <summary>
        /// How a new sign-in authorizes: the caller's choice when made; else the way a stored credential was
        /// obtained when that needs no browser of this session (the device code, client credentials, an
        /// enterprise-managed grant, a workload identity; a handler script block cannot be stored); else the
        /// default, the browser.
        /// </summary>
        public AuthorizationMethod MethodFor(Credential? credential) =>
            !options.MethodChosen && credential?.AuthorizedBy is AuthorizationMethod stored
                && stored is AuthorizationMethod.ClientCredentials or AuthorizationMethod.DeviceCode or AuthorizationMethod.EnterpriseManaged or AuthorizationMethod.WorkloadIdentity
                ? stored
                : options.Method;

        /// <summary>Returns true when a sign-in with <paramref name="method"/> can complete here without anyone at a browser who is not there.</summary>
        public bool CanAuthorize(AuthorizationMethod method, IEngineCallbacks callbacks) => method switch
        {
            AuthorizationMethod.ClientCredentials => true,
            AuthorizationMethod.WorkloadIdentity => true,

            // With an assertion nobody needs to be there; without one, a sign-in at the identity provider needs a browser or a handler.
            AuthorizationMethod.EnterpriseManaged => options.Enterprise?.Assertion is not null || options.AuthorizationHandler is not null || callbacks.IsInteractive,

            // Chosen explicitly: the code is shown on the information stream and can be entered anywhere.
            AuthorizationMethod.DeviceCode => true,
            AuthorizationMethod.Handler => options.AuthorizationHandler is not null,
            _ => callbacks.IsInteractive,
        };
    }

    /// <summary>What a refresh did.</summary>
    internal enum RefreshOutcome
    {
        /// <summary>New tokens were obtained and stored.</summary>
        Refreshed,

        /// <summary>Another process had already stored fresh tokens; they are used.</summary>
        Adopted,

        /// <summary>There is no refresh token to refresh with.</summary>
        NoRefreshToken,

        /// <summary>The refresh token is dead (<c>invalid_grant</c>); the tokens were cleared.</summary>
        RefreshTokenDead,

        /// <summary>The authorization server forgot the registered client; it was dropped with its tokens.</summary>
        ClientForgotten,

        /// <summary>The credential was removed meanwhile and stays removed.</summary>
        Removed,
    }
}
