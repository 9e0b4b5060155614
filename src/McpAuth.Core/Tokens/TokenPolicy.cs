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
        /// Renews <paramref name="current"/>'s tokens, which this connection found stale or the server rejected.
        /// Under the store's lock: a fresh token another process stored meanwhile is adopted; else the newest
        /// stored refresh token is used and the rotated one stored before the lock is released. Returns the
        /// credential afterwards (null when the client was dropped or the credential removed meanwhile) and what
        /// happened.
        /// </summary>
        public async Task<(Credential? Credential, RefreshOutcome Outcome)> RefreshAsync(TokenCache cache, Credential current, TokenEndpointClient endpoint, IEngineCallbacks callbacks, CancellationToken cancellationToken)
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

                    TokenSet basis = stored ?? presented;
                    if (basis.RefreshToken is null)
                    {
                        return (record, RefreshOutcome.NoRefreshToken);
                    }

                    try
                    {
                        callbacks.Verbose($"Refreshing the access token at {asm.TokenEndpoint} (client {client.ClientId}, resource {basis.Resource.OriginalString}).");
                        TokenSet refreshed = await endpoint.RefreshAsync(asm, client, basis, null, token).ConfigureAwait(false);
                        return (record with { Tokens = CredentialMapping.ToStored(refreshed) }, RefreshOutcome.Refreshed);
                    }
                    catch (McpAuthException ex) when (ex.ErrorId == ErrorIds.InvalidGrant)
                    {
                        callbacks.Verbose("The refresh token is no longer valid; the stored tokens were cleared.");
                        return (record with { Tokens = null }, RefreshOutcome.RefreshTokenDead);
                    }
                    catch (McpAuthException ex) when (ex.ErrorId == ErrorIds.InvalidClient && ClientRegistrar.CanRegisterAgain(client, asm))
                    {
                        // The AS forgot the registered client: drop it with its tokens; the sign-in registers again once.
                        callbacks.Verbose($"The authorization server no longer knows client {client.ClientId}; it will be registered again.");
                        return (record with { Tokens = null, Client = null }, RefreshOutcome.ClientForgotten);
                    }
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
        /// obtained when that was the device code or client credentials (a handler script block cannot be
        /// stored); else the default, the browser.
        /// </summary>
        public AuthorizationMethod MethodFor(Credential? credential) =>
            !options.MethodChosen && credential?.AuthorizedBy is AuthorizationMethod stored && stored is AuthorizationMethod.ClientCredentials or AuthorizationMethod.DeviceCode
                ? stored
                : options.Method;

        /// <summary>Returns true when a sign-in with <paramref name="method"/> can complete here without anyone at a browser who is not there.</summary>
        public bool CanAuthorize(AuthorizationMethod method, IEngineCallbacks callbacks) => method switch
        {
            AuthorizationMethod.ClientCredentials => true,

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
