using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Http;
using McpAuth.Core.Storage;

namespace McpAuth.Core.Tokens
{
    /// <summary>
    /// OAuth for one MCP connection: puts the bearer token on requests (a DPoP-bound token with a proof made for
    /// each attempt, RFC 9449 §7); on 401 uses the stored credential, renews once (refresh, or an assertion grant
    /// again), or signs in, after a DPoP nonce once when the server asks for one; on 403 insufficient_scope steps
    /// up with a real re-consent, never a silent refresh. A 401 for a token the server had no reason to reject
    /// first checks whether the server now names another authorization server (SEP-2352), and renewals a 401 starts
    /// are bounded per server (<see cref="RenewalBreaker"/>). The credential itself lives in the process's
    /// <see cref="TokenCache"/> (so every connection and runspace sees one refresh or removal); when to renew is
    /// <see cref="TokenPolicy"/>'s call and a sign-in is a <see cref="SignInFlow"/>. All this connection remembers
    /// is which stored credential it uses, the DPoP nonces servers gave, and which token it last got because of a
    /// 401. One sign-in or refresh runs at a time per connection.
    /// </summary>
    public sealed partial class OAuthAuthorizer : IRequestAuthorizer
    {
        private readonly Uri serverUri;
        private readonly HttpClient http;
        private readonly Lazy<TokenCache> cache;
        private readonly SemaphoreSlim gate = new SemaphoreSlim(1, 1);
        private readonly DpopNonces nonces = new DpopNonces();

        // The token a 401 made this connection get (by renewal or sign-in): when the server rejects that one too,
        // renewing it again is pointless.
        private volatile TokenSet? renewedForChallenge;

        // Which stored credential this connection uses, and the way to sign in an update chose for it;
        // replaced whole (under the gate), never changed in place.
        private volatile Binding binding = Binding.Unknown;

        // Whether the store was searched before the first request (whatever came of it); see AdoptStoredAsync.
        private volatile bool storeTriedBeforeSending;

        /// <summary>Creates the authorizer of a connection to <paramref name="serverUri"/>, over the process's cache of <paramref name="options"/>' store.</summary>
        public OAuthAuthorizer(Uri serverUri, HttpClient http, SignInOptions options)
            : this(serverUri, http, options, null)
        {
        }

        /// <summary>Creates the authorizer of a connection to <paramref name="serverUri"/> over <paramref name="cache"/> (tests), or the process's cache when null.</summary>
        public OAuthAuthorizer(Uri serverUri, HttpClient http, SignInOptions options, TokenCache? cache)
        {
            this.serverUri = Guard.NotNull(serverUri, nameof(serverUri));
            this.http = Guard.NotNull(http, nameof(http));
            Options = Guard.NotNull(options, nameof(options));

            // Opened on first use, so a connection to a server without sign-in never needs a store; a store that
            // cannot be opened fails each use instead of once for good.
            this.cache = cache is null
                ? new Lazy<TokenCache>(() => TokenCache.For(options.Store), LazyThreadSafetyMode.PublicationOnly)
                : new Lazy<TokenCache>(() => cache);
        }

        /// <summary>Gets the options this connection was made with.</summary>
        public SignInOptions Options { get; }

        /// <summary>
        /// Gets the options sign-ins use now: <see cref="Options"/>, with the way to authorize an update chose, and the
        /// account and server settings of the credential in use when the caller gave none.
        /// </summary>
        private SignInOptions Current
        {
            get
            {
                SignInOptions options = binding.Way?.ApplyTo(Options) ?? Options;
                Credential? held = Credential;
                if (held is null)
                {
                    return options;
                }

                if (options.Settings is null && !held.Settings.IsDefault)
                {
                    options = options with { Settings = held.Settings };
                }

                return options.Account is null && held.Key.Account.Length > 0 ? options with { Account = held.Key.Account } : options;
            }
        }

        private TokenPolicy Policy => new TokenPolicy(Current);

        /// <summary>Gets the credential this connection uses, as the process holds it now; null before sign-in or after removal.</summary>
        public Credential? Credential => binding.Key is CredentialKey key ? cache.Value.Get(key) : null;

        /// <summary>Gets the current tokens (for Get-McpToken).</summary>
        public TokenSet? Tokens => Credential?.Tokens;

        /// <summary>Gets a value indicating whether this connection holds a token.</summary>
        public bool HasToken => Tokens is not null;

        /// <summary>Gets the issuer of the current credential.</summary>
        public Uri? Issuer => Credential?.AuthorizationServer.Issuer;

        /// <summary>Gets the RFC 8707 resource the tokens are for.</summary>
        public string? Resource => Credential?.Resource;

        /// <summary>Gets the granted scopes.</summary>
        public IReadOnlyList<string> GrantedScopes => CredentialMapping.Scopes(Tokens);

        /// <summary>Gets the access token's absolute expiry, when known.</summary>
        public DateTimeOffset? ExpiresAt => Tokens?.ExpiresAt;

        /// <summary>Gets the client id in use.</summary>
        public string? ClientId => Credential?.Client.ClientId;

        /// <summary>Gets a value indicating whether a refresh token is held.</summary>
        public bool HasRefreshToken => Tokens?.RefreshToken is not null;

        /// <summary>Gets how this connection's credential was obtained, or how it would sign in when it has none.</summary>
        public AuthorizationMethod Method => Credential?.AuthorizedBy ?? Policy.MethodFor(Credential);

        /// <summary>Gets a value indicating whether the tokens are DPoP-bound (usable only with proofs of this credential's key).</summary>
        public bool IsDpopBound => Credential?.IsDpopBound ?? false;

        /// <summary>Gets the account the credential is for; empty when it is not tied to a named account.</summary>
        public string? Account => Credential?.Key.Account;

        /// <inheritdoc/>
        public async Task AuthorizeAsync(HttpRequestMessage request, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            TokenSet? current = Tokens;
            if (current is null && !binding.StoreChecked && !storeTriedBeforeSending)
            {
                current = await AdoptStoredAsync(callbacks, cancellationToken).ConfigureAwait(false);
                if (current is not null)
                {
                    // The server has not accepted this stored token yet: a 401 to it counts as the challenge that
                    // would have led to it (see HandleChallengeAsync), so the bound on renewals stays what it was.
                    request.Properties[StoredFirstProperty] = true;
                }
            }

            if (current is null)
            {
                return;
            }

            if (Policy.IsStale(current) && Policy.CanRenewSilently(Credential))
            {
                current = await RenewAsync(current, callbacks, cancellationToken).ConfigureAwait(false) ?? Tokens;
            }

            Credential? held = Credential;
            if (current is null || held is null)
            {
                return;
            }

            if (!current.IsDpop)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", current.AccessToken.Reveal());
                return;
            }

            DpopKey key = held.DpopKey ?? throw new McpAuthException(
                ErrorIds.DpopKeyUnavailable,
                McpErrorKind.AuthenticationError,
                $"The token for {serverUri} is DPoP-bound, but the key it is bound to is not stored with it, so it cannot be used. Sign in again.",
                serverUri);
            Uri target = request.RequestUri ?? serverUri;
            string? nonce = nonces.For(target);
            request.Headers.Authorization = new AuthenticationHeaderValue("DPoP", current.AccessToken.Reveal());
            request.Headers.Remove(TokenEndpointClient.DpopHeader);
            request.Headers.TryAddWithoutValidation(TokenEndpointClient.DpopHeader, key.Proof(request.Method.Method, target, Options.Clock.UtcNow, nonce, current.AccessToken));
            request.Properties[SentNonceProperty] = nonce;
        }

        /// <inheritdoc/>
        public void Observe(HttpResponseMessage response)
        {
            if (response.RequestMessage?.RequestUri is Uri target)
            {
                nonces.Remember(target, OAuthHttp.DpopNonce(response));
            }

            if (response.StatusCode != HttpStatusCode.Unauthorized && response.RequestMessage?.Headers.Authorization is not null)
            {
                cache.Value.Breaker.Accepted(serverUri);
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

            if (challenge is { IsUseDpopNonce: true })
            {
                // RFC 9449 §9: send it once more with the nonce the server gave, unless the proof already carried it.
                string? given = OAuthHttp.DpopNonce(response);
                object? sent = null;
                response.RequestMessage?.Properties.TryGetValue(SentNonceProperty, out sent);
                bool retry = given is not null && !string.Equals(given, sent as string, StringComparison.Ordinal) && IsDpopBound;
                callbacks.Verbose(retry
                    ? $"{serverUri} asked for a DPoP proof with its nonce (use_dpop_nonce); sending the request once more with it."
                    : $"{serverUri} asked for a DPoP nonce again although the proof carried the one it gave; giving up.");
                return retry;
            }

            // A request that went out with a stored token before any challenge has had the round a challenge would
            // have spent on adopting that token.
            object? storedFirst = null;
            response.RequestMessage?.Properties.TryGetValue(StoredFirstProperty, out storedFirst);
            if (storedFirst is true)
            {
                attempt++;
            }

            if (attempt >= 2)
            {
                throw new McpAuthException(
                    ErrorIds.AuthenticationRequired,
                    McpErrorKind.AuthenticationError,
                    $"{serverUri} keeps rejecting the token it was just given ({challenge?.Error ?? "401"}). Check that the server trusts the authorization server {Issuer}.",
                    serverUri);
            }

            TokenSet? rejected = Tokens;
            using (await LockAsync(cancellationToken).ConfigureAwait(false))
            {
                // Another request may have renewed the token while this one waited.
                TokenSet? now = Tokens;
                if (now is not null && !ReferenceEquals(now, rejected))
                {
                    return true;
                }

                (Credential? Established, bool OthersMayApply) lookup = binding.StoreChecked ? (null, false) : await LoadStoredAsync(callbacks, cancellationToken).ConfigureAwait(false);
                if (lookup.Established is { Tokens: TokenSet stored } loaded)
                {
                    // A stored token the server has not rejected yet: use it, or renew it (once per machine).
                    if (!Policy.IsStale(stored))
                    {
                        callbacks.Verbose($"Using the stored credential for {loaded.Resource} from {loaded.Key.Issuer} (expires {stored.ExpiresAt:u}).");
                        return true;
                    }

                    if (await RenewLockedAsync(loaded, forChallenge: true, callbacks, cancellationToken).ConfigureAwait(false))
                    {
                        return true;
                    }
                }

                Credential? held = Credential;
                bool renewedAlready = rejected is not null && ReferenceEquals(rejected, renewedForChallenge);
                if (held?.Tokens is not null && !renewedAlready && Policy.CanRenewSilently(held)
                    && !await AuthorizationServerChangedAsync(held, rejected, challenge, callbacks, cancellationToken).ConfigureAwait(false)
                    && await RenewLockedAsync(held, forChallenge: true, callbacks, cancellationToken).ConfigureAwait(false))
                {
                    return true;
                }

                if (renewedAlready)
                {
                    callbacks.Verbose($"{serverUri} rejected the token it was just given; signing in again.");
                }

                await SignInLockedAsync(Current, challenge, null, forceConsent: false, callbacks, cancellationToken, forChallenge: true, storedMayApply: lookup.OthersMayApply && Credential is null).ConfigureAwait(false);
                return true;
            }
        }

        /// <summary>The request property that remembers which DPoP nonce the request's proof carried.</summary>
        private const string SentNonceProperty = "McpAuth.DpopNonce";

        /// <summary>The request property that marks a request sent with a stored token the server has not accepted yet.</summary>
        private const string StoredFirstProperty = "McpAuth.StoredFirst";

        private async Task<IDisposable> LockAsync(CancellationToken cancellationToken)
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            return new Releaser(gate);
        }

        private sealed class Binding
        {
            public static readonly Binding Unknown = new Binding(null, storeChecked: false, null);

            private Binding(CredentialKey? key, bool storeChecked, CredentialChange? way)
            {
                Key = key;
                StoreChecked = storeChecked;
                Way = way;
            }

            /// <summary>Gets the key of the credential in use; null before the first sign-in or stored credential.</summary>
            public CredentialKey? Key { get; }

            /// <summary>Gets a value indicating whether the store was already searched for a credential for the server.</summary>
            public bool StoreChecked { get; }

            /// <summary>Gets the way to authorize an update chose for this connection, or null.</summary>
            public CredentialChange? Way { get; }

            /// <summary>Bound to <paramref name="key"/>, with the store searched.</summary>
            public Binding With(CredentialKey? key) => new Binding(key, storeChecked: true, Way);

            public Binding With(CredentialChange way) => new Binding(Key, StoreChecked, way);
        }

        private sealed class Releaser : IDisposable
        {
            private SemaphoreSlim? gate;

            public Releaser(SemaphoreSlim gate) => this.gate = gate;

            public void Dispose() => Interlocked.Exchange(ref gate, null)?.Release();
        }
    }
}
