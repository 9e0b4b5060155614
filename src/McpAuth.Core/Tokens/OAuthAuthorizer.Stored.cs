using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Storage;

namespace McpAuth.Core.Tokens
{
    /// <summary>How a connection finds its stored credential: before its first request, or on the first challenge.</summary>
    public sealed partial class OAuthAuthorizer
    {
        /// <summary>
        /// Before the connection's first request: a stored credential for the server goes on it at once, so a new
        /// process does not first take a 401 it could have avoided. Best effort, tried once: a store that cannot be
        /// read here (a public server needs none) is read again, and reported, when the server asks for a token.
        /// The credential is the one a challenge would have adopted (its resource identifies this server).
        /// </summary>
        private async Task<TokenSet?> AdoptStoredAsync(IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            using (await LockAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!binding.StoreChecked && !storeTriedBeforeSending)
                {
                    storeTriedBeforeSending = true;
                    try
                    {
                        // Quiet while looking (a public server has nothing stored, and a plaintext store warns on
                        // each use); a credential found is then read and bound as on a challenge, with its reports.
                        if (await FindSendableAsync(cancellationToken).ConfigureAwait(false) is not null
                            && (await LoadStoredAsync(callbacks, cancellationToken).ConfigureAwait(false)).Established is not null)
                        {
                            callbacks.Verbose("Sending the stored credential with the first request.");
                        }
                    }
                    catch (McpAuthException ex)
                    {
                        callbacks.Debug("The credential store could not be read before the first request: " + ex.Message);
                    }
                }

                return Tokens;
            }
        }

        /// <summary>
        /// The stored credential this connection's requests carry, or the one its first request will carry (what
        /// <see cref="AdoptStoredAsync"/> adopts), found without binding it; null when there is none (a public server,
        /// or tokens only a new sign-in can replace). What is kept per authorization context is kept in this one.
        /// </summary>
        public async Task<CredentialKey?> CredentialInUseAsync(CancellationToken cancellationToken)
        {
            if (Credential is Credential held)
            {
                return held.Tokens is null ? null : held.Key;
            }

            if (binding.StoreChecked)
            {
                return null;
            }

            return (await FindSendableAsync(cancellationToken).ConfigureAwait(false))?.Key;
        }

        /// <summary>
        /// The stored credential for the server, found quietly, when its token can go on a request: still valid, or
        /// renewable without a person. A stale token only a new sign-in can replace is left to the server's challenge.
        /// </summary>
        private async Task<Credential?> FindSendableAsync(CancellationToken cancellationToken)
        {
            Credential? found = await cache.Value.FindAsync(serverUri, Options.Client.ClientId, NullEngineCallbacks.Instance, cancellationToken, Options.Account).ConfigureAwait(false);
            return found?.Tokens is TokenSet tokens && (!Policy.IsStale(tokens) || Policy.CanRenewSilently(found)) ? found : null;
        }

        /// <summary>
        /// Binds this connection to the newest stored credential established for the server, once; says whether
        /// another stored credential might serve it once the server's own discovery names it. Call with the lock held.
        /// </summary>
        private async Task<(Credential? Established, bool OthersMayApply)> LoadStoredAsync(IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            (Credential? stored, bool othersMayApply) = await cache.Value.LookupAsync(serverUri, Options.Client.ClientId, callbacks, cancellationToken, Options.Account).ConfigureAwait(false);
            binding = binding.With(stored?.Key ?? binding.Key);
            if (stored is not null)
            {
                callbacks.Verbose($"Found a stored credential for {stored.Resource} from {stored.Key.Issuer} (client {stored.Client.ClientId}, scopes '{string.Join(" ", CredentialMapping.Scopes(stored.Tokens))}').");
                if (!Options.MethodChosen && stored.AuthorizedBy is AuthorizationMethod.ClientCredentials or AuthorizationMethod.DeviceCode or AuthorizationMethod.EnterpriseManaged or AuthorizationMethod.WorkloadIdentity)
                {
                    callbacks.Verbose($"The stored credential was obtained with {stored.AuthorizedBy}; a new sign-in will use it again.");
                }
            }

            return (stored, othersMayApply);
        }
    }
}
