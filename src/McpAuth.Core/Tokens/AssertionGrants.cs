using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Discovery;
using McpAuth.Core.Registration;
using McpAuth.Core.Storage;

namespace McpAuth.Core.Tokens
{
    /// <summary>
    /// Tokens from assertions, without a person: enterprise-managed authorization (SEP-990: the identity assertion
    /// is exchanged at the organisation's identity provider for an ID-JAG, RFC 8693, which the JWT bearer grant,
    /// RFC 7523, turns into tokens at the MCP server's authorization server) and workload identity (the JWT a
    /// platform gives a job, read from a file or an environment variable on every exchange because it rotates,
    /// used in the JWT bearer grant). Errors are reported at once: nothing is retried, and no other grant is tried
    /// instead.
    /// </summary>
    internal sealed class AssertionGrants
    {
        /// <summary>The largest assertion read from a file or variable.</summary>
        private const int MaxAssertionChars = 64 * 1024;

        /// <summary>An identity assertion this close to its expiry is not used any more.</summary>
        private static readonly TimeSpan AssertionSkew = TimeSpan.FromSeconds(30);

        private readonly IEngineCallbacks callbacks;
        private readonly IClock clock;
        private readonly TokenEndpointClient identityProvider;

        /// <param name="identityProvider">Talks to the identity provider's token endpoint (no DPoP, no resource on refresh).</param>
        /// <param name="callbacks">Where diagnostics go.</param>
        /// <param name="clock">Judges an assertion's expiry.</param>
        public AssertionGrants(TokenEndpointClient identityProvider, IEngineCallbacks callbacks, IClock clock)
        {
            this.identityProvider = identityProvider;
            this.callbacks = callbacks;
            this.clock = clock;
        }

        /// <summary>Reads a workload's assertion now, from its file or environment variable.</summary>
        /// <exception cref="McpAuthException"><c>WorkloadIdentityUnavailable</c> when it is missing, empty or unreadable.</exception>
        public static Secret ReadWorkloadAssertion(StoredWorkloadGrant source)
        {
            string? text;
            string where;
            if (source.TokenPath is string path)
            {
                where = $"the file {path}";
                try
                {
                    var info = new FileInfo(path);
                    if (!info.Exists)
                    {
                        throw Unavailable(where, "it does not exist");
                    }

                    if (info.Length > MaxAssertionChars)
                    {
                        throw Unavailable(where, "it is larger than an assertion can be (64 KiB)");
                    }

                    text = File.ReadAllText(path);
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is ArgumentException || ex is NotSupportedException)
                {
                    throw Unavailable(where, "it cannot be read (" + ex.GetType().Name + ")");
                }
            }
            else if (source.TokenVariable is string variable)
            {
                where = $"the environment variable {variable}";
                text = Environment.GetEnvironmentVariable(variable);
                if (text is null)
                {
                    throw Unavailable(where, "it is not set");
                }

                if (text.Length > MaxAssertionChars)
                {
                    throw Unavailable(where, "it is longer than an assertion can be (64 KiB)");
                }
            }
            else
            {
                throw Unavailable("no file or environment variable", "none was given");
            }

            string assertion = text.Trim();
            if (assertion.Length == 0)
            {
                throw Unavailable(where, "it is empty");
            }

            return new Secret(assertion);
        }

        /// <summary>
        /// The JWT bearer grant with the workload's assertion, read now. One request; an error (an expired or
        /// rejected assertion) is reported at once.
        /// </summary>
        public async Task<TokenSet> WorkloadTokensAsync(StoredWorkloadGrant source, AuthorizationServerMetadata asm, ClientIdentity client, IReadOnlyList<string>? scopes, Uri resource, TokenEndpointClient authorizationServer, CancellationToken cancellationToken)
        {
            Secret assertion = ReadWorkloadAssertion(source);
            string where = source.TokenPath is string path ? "the file " + path : "the environment variable " + source.TokenVariable;
            DateTimeOffset? expires = UnverifiedJwt.ExpiresAt(assertion.Reveal());
            callbacks.Verbose($"Read the workload identity assertion from {where}{(expires is DateTimeOffset at ? " (it expires " + at.ToString("u", System.Globalization.CultureInfo.InvariantCulture) + ")" : string.Empty)}.");
            return await authorizationServer.JwtBearerAsync(asm, client, assertion, scopes, resource, "workload identity assertion", cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Returns true when <paramref name="grant"/> can get new tokens without a person: its assertion is still valid, or the identity provider's refresh token can get a new one.</summary>
        public static bool CanRenew(StoredEnterpriseGrant grant, DateTimeOffset now) =>
            IsUsable(grant, now) || grant.IdpRefreshToken is not null;

        /// <summary>
        /// The enterprise-managed exchange: an identity assertion (the stored one while valid, else a new one from
        /// the identity provider's refresh token) for an ID-JAG at the identity provider, then the JWT bearer grant
        /// at the MCP server's authorization server. Returns the tokens and the grant as it is now (a new assertion,
        /// a rotated refresh token).
        /// </summary>
        /// <exception cref="McpAuthException"><c>IdentityAssertionRequired</c> when the assertion expired and nothing renews it.</exception>
        public async Task<(TokenSet Tokens, StoredEnterpriseGrant Grant)> EnterpriseTokensAsync(
            StoredEnterpriseGrant grant,
            AuthorizationServerMetadata asm,
            ClientIdentity client,
            IReadOnlyList<string>? scopes,
            Uri resource,
            string resourceIndicator,
            TokenEndpointClient authorizationServer,
            CancellationToken cancellationToken)
        {
            StoredEnterpriseGrant current = await EnsureAssertionAsync(grant, cancellationToken).ConfigureAwait(false);
            AuthorizationServerMetadata idp = IdentityProviderMetadata(current);
            IssuedAssertion idJag = await identityProvider.ExchangeForIdJagAsync(
                idp,
                IdentityProviderClient(current),
                current.Assertion!,
                current.AssertionType ?? EnterpriseOptions.IdTokenType,
                asm.IssuerString,
                resourceIndicator,
                scopes,
                cancellationToken).ConfigureAwait(false);
            TokenSet tokens = await authorizationServer.JwtBearerAsync(asm, client, idJag.Value, scopes, resource, "ID-JAG", cancellationToken).ConfigureAwait(false);
            return (tokens, current);
        }

        /// <summary>The grant for an assertion the user gave.</summary>
        public static StoredEnterpriseGrant Given(EnterpriseOptions options, AuthorizationServerMetadata idp)
        {
            string assertion = options.Assertion!.Reveal();
            return new StoredEnterpriseGrant
            {
                IdpIssuer = idp.IssuerString,
                IdpTokenEndpoint = idp.TokenEndpoint,
                IdpAuthorizationEndpoint = idp.AuthorizationEndpoint,
                IdpClientId = options.ClientId,
                IdpClientSecret = options.ClientSecret,
                Assertion = options.Assertion,
                AssertionType = options.AssertionType ?? GuessType(assertion),
                AssertionExpiresAt = UnverifiedJwt.ExpiresAt(assertion),
            };
        }

        /// <summary>The grant after a sign-in at the identity provider: its ID token, and its refresh token when it gave one.</summary>
        public static StoredEnterpriseGrant SignedIn(EnterpriseOptions options, AuthorizationServerMetadata idp, TokenSet idpTokens)
        {
            Secret idToken = idpTokens.IdToken!;
            return new StoredEnterpriseGrant
            {
                IdpIssuer = idp.IssuerString,
                IdpTokenEndpoint = idp.TokenEndpoint,
                IdpAuthorizationEndpoint = idp.AuthorizationEndpoint,
                IdpClientId = options.ClientId,
                IdpClientSecret = options.ClientSecret,
                Assertion = idToken,
                AssertionType = EnterpriseOptions.IdTokenType,
                AssertionExpiresAt = UnverifiedJwt.ExpiresAt(idToken.Reveal()),
                IdpRefreshToken = idpTokens.RefreshToken,
            };
        }

        /// <summary>The identity provider as stored with a grant: enough of its metadata for its token endpoint.</summary>
        public static AuthorizationServerMetadata IdentityProviderMetadata(StoredEnterpriseGrant grant) => new AuthorizationServerMetadata
        {
            Issuer = new Uri(grant.IdpIssuer, UriKind.Absolute),
            TokenEndpoint = grant.IdpTokenEndpoint,
            AuthorizationEndpoint = grant.IdpAuthorizationEndpoint,
            CodeChallengeMethodsSupported = new[] { AuthorizationServerMetadata.S256 },
        };

        /// <summary>McpAuth's client at the identity provider: a secret means client_secret_basic, else a public client.</summary>
        public static ClientIdentity IdentityProviderClient(StoredEnterpriseGrant grant) => new ClientIdentity(
            grant.IdpClientId,
            grant.IdpClientSecret is null ? TokenEndpointAuthMethods.None : TokenEndpointAuthMethods.ClientSecretBasic,
            ClientIdentitySource.PreRegistered,
            new Uri(grant.IdpIssuer, UriKind.Absolute),
            grant.IdpClientSecret);

        /// <summary>
        /// An RFC 8693 token type for an assertion whose type was not given: a JWT is an ID token; anything else
        /// (base64 XML) a SAML 2 assertion.
        /// </summary>
        internal static string GuessType(string assertion) =>
            UnverifiedJwt.TryRead(assertion) is not null ? EnterpriseOptions.IdTokenType : EnterpriseOptions.Saml2Type;

        private static bool IsUsable(StoredEnterpriseGrant grant, DateTimeOffset now) =>
            grant.Assertion is not null && (grant.AssertionExpiresAt is not DateTimeOffset at || at - AssertionSkew > now);

        private async Task<StoredEnterpriseGrant> EnsureAssertionAsync(StoredEnterpriseGrant grant, CancellationToken cancellationToken)
        {
            DateTimeOffset now = clock.UtcNow;
            if (IsUsable(grant, now))
            {
                return grant;
            }

            if (grant.IdpRefreshToken is not Secret refreshToken)
            {
                throw AssertionRequired(grant);
            }

            callbacks.Verbose($"The identity assertion from {grant.IdpIssuer} expired; getting a new ID token with the identity provider's refresh token.");
            AuthorizationServerMetadata idp = IdentityProviderMetadata(grant);
            TokenSet refreshed;
            try
            {
                refreshed = await identityProvider.RefreshAsync(idp, IdentityProviderClient(grant), refreshToken, idp.Issuer, null, cancellationToken).ConfigureAwait(false);
            }
            catch (McpAuthException ex) when (ex.ErrorId == ErrorIds.InvalidGrant)
            {
                throw AssertionRequired(grant);
            }

            if (refreshed.IdToken is not Secret idToken)
            {
                throw AssertionRequired(grant);
            }

            return grant with
            {
                Assertion = idToken,
                AssertionType = EnterpriseOptions.IdTokenType,
                AssertionExpiresAt = UnverifiedJwt.ExpiresAt(idToken.Reveal()),
                IdpRefreshToken = refreshed.RefreshToken ?? refreshToken,
            };
        }

        private static McpAuthException AssertionRequired(StoredEnterpriseGrant grant) => new McpAuthException(
            ErrorIds.IdentityAssertionRequired,
            McpErrorKind.AuthenticationError,
            $"The identity assertion from the identity provider {grant.IdpIssuer} has expired, and nothing can get a new one without a person. Sign in again with a new identity assertion, or at the identity provider.",
            new Uri(grant.IdpIssuer, UriKind.Absolute));

        private static McpAuthException Unavailable(string where, string why) => new McpAuthException(
            ErrorIds.WorkloadIdentityUnavailable,
            McpErrorKind.InvalidArgument,
            $"The workload identity assertion cannot be read from {where}: {why}. The platform that runs this job provides it; check the path or variable name.",
            where);
    }
}
