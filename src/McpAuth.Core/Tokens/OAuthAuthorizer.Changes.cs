using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Core.Tokens
{
    /// <summary>What the credential commands ask of a connection: its token (Get-McpToken) and changes to it (Update-McpCredential).</summary>
    public sealed partial class OAuthAuthorizer
    {
        /// <summary>
        /// Returns the access token for Get-McpToken: from memory or the store, renewed when stale or when
        /// <paramref name="forceRefresh"/> asks; with <paramref name="scopes"/>, with those scopes (step-up with
        /// consent when missing).
        /// </summary>
        /// <exception cref="McpAuthException"><c>TokenNotAvailable</c> when the server never asked for a token.</exception>
        public async Task<TokenSet> GetTokenAsync(IReadOnlyList<string>? scopes, bool forceRefresh, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            RequireToken();
            await EnsureSignedInAsync(Current, scopes, forceRefresh, callbacks, cancellationToken).ConfigureAwait(false);
            return Tokens ?? throw NoToken();
        }

        /// <summary>
        /// Changes this connection's credential as Update-McpCredential asks: refresh now, add scopes (with
        /// consent), sign in again with another client, or revoke the tokens and forget them. A way to authorize
        /// given with the change is used for this change; the credential records how it was obtained.
        /// </summary>
        public async Task ChangeAsync(CredentialChange change, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            Guard.NotNull(change, nameof(change));
            using IDisposable operation = OperationSecrets.Begin();
            if (change.Method is not null)
            {
                // An explicit way to authorize is this connection's way from now on (a handler cannot be stored).
                using (await LockAsync(cancellationToken).ConfigureAwait(false))
                {
                    binding = binding.With(change.AuthorizingOnly());
                }
            }

            SignInOptions options = change.ApplyTo(Current);
            switch (change.Kind)
            {
                case CredentialChangeKind.Revoke:
                    await RevokeAndForgetAsync(callbacks, cancellationToken).ConfigureAwait(false);
                    break;
                case CredentialChangeKind.AddScopes:
                    await EnsureSignedInAsync(options, change.Scopes, forceRefresh: false, callbacks, cancellationToken).ConfigureAwait(false);
                    break;
                case CredentialChangeKind.SwitchClient when ClientId != options.Client.ClientId:
                    using (await LockAsync(cancellationToken).ConfigureAwait(false))
                    {
                        await SignInLockedAsync(options, null, null, forceConsent: false, callbacks, cancellationToken).ConfigureAwait(false);
                    }

                    break;
                case CredentialChangeKind.SwitchClient:
                    await EnsureSignedInAsync(options, null, forceRefresh: false, callbacks, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    RequireToken();
                    await EnsureSignedInAsync(options, null, forceRefresh: true, callbacks, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }

        private async Task RevokeAndForgetAsync(IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            using (await LockAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!binding.StoreChecked)
                {
                    await LoadStoredAsync(callbacks, cancellationToken).ConfigureAwait(false);
                }

                Credential? held = Credential;
                bool revoked = held?.Tokens is TokenSet tokens
                    && await new TokenEndpointClient(http, callbacks, Options.Clock).RevokeAllAsync(held.AuthorizationServer, held.ClientFor(Options.Client), tokens, cancellationToken).ConfigureAwait(false);
                if (held is not null)
                {
                    await cache.Value.ForgetTokensAsync(held.Key, callbacks, cancellationToken).ConfigureAwait(false);
                }

                callbacks.Verbose(revoked ? "The authorization server confirmed the revocation." : "The authorization server offers no revocation (or did not confirm it); the tokens were forgotten here.");
            }
        }

        private void RequireToken()
        {
            // Connecting would have signed in had the server asked for a token. A connection bound to a credential
            // whose tokens were revoked or forgotten did sign in: it signs in again when asked for a token.
            if (!HasToken && binding.Key is null)
            {
                throw NoToken();
            }
        }

        private McpAuthException NoToken() => new McpAuthException(
            ErrorIds.TokenNotAvailable,
            McpErrorKind.InvalidOperation,
            $"{serverUri} did not ask for a token: it accepts requests without sign-in, so there is no token to return or refresh.",
            serverUri);
    }
}
