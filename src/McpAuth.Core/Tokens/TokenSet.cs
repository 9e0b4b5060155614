using System;
using System.Collections.Generic;

namespace McpAuth.Core.Tokens
{
    /// <summary>
    /// The tokens one token response granted for one resource at one issuer. The expiry is absolute,
    /// computed when the response arrived, so a stored set can be judged later without the response.
    /// </summary>
    public sealed class TokenSet
    {
        public TokenSet(
            Secret accessToken,
            string tokenType,
            IReadOnlyList<string> scopes,
            DateTimeOffset? expiresAt,
            Uri issuer,
            Uri resource,
            Secret? refreshToken = null,
            Secret? idToken = null)
        {
            AccessToken = accessToken ?? throw new ArgumentNullException(nameof(accessToken));
            TokenType = tokenType ?? throw new ArgumentNullException(nameof(tokenType));
            Scopes = scopes ?? Array.Empty<string>();
            ExpiresAt = expiresAt;
            Issuer = issuer ?? throw new ArgumentNullException(nameof(issuer));
            Resource = resource ?? throw new ArgumentNullException(nameof(resource));
            RefreshToken = refreshToken;
            IdToken = idToken;
        }

        /// <summary>Gets the access token; sent only as <c>Authorization: Bearer</c> (or <c>DPoP</c>) to <see cref="Resource"/>.</summary>
        public Secret AccessToken { get; }

        /// <summary>Gets the refresh token, when the server issued one (or an earlier one still applies).</summary>
        public Secret? RefreshToken { get; }

        /// <summary>Gets the token type the server named (Bearer or DPoP, in any letter case).</summary>
        public string TokenType { get; }

        /// <summary>Gets a value indicating whether the token is DPoP-bound (RFC 9449 token type <c>DPoP</c>).</summary>
        public bool IsDpop => string.Equals(TokenType, "DPoP", StringComparison.OrdinalIgnoreCase);

        /// <summary>Gets the granted scopes: the response's <c>scope</c>, else the ones requested.</summary>
        public IReadOnlyList<string> Scopes { get; }

        /// <summary>Gets when the access token expires; null when the server did not say.</summary>
        public DateTimeOffset? ExpiresAt { get; }

        /// <summary>Gets when the tokens were received; with <see cref="ExpiresAt"/> it gives the token's lifetime.</summary>
        public DateTimeOffset? IssuedAt { get; init; }

        /// <summary>
        /// Gets how long before expiry to renew: <paramref name="maximum"/>, but never more than a tenth of
        /// the token's lifetime, so short-lived tokens are not refreshed on every request.
        /// </summary>
        public TimeSpan RenewalSkew(TimeSpan maximum)
        {
            if (ExpiresAt is DateTimeOffset at && IssuedAt is DateTimeOffset issued && at > issued)
            {
                var tenth = TimeSpan.FromTicks((at - issued).Ticks / 10);
                return tenth < maximum ? tenth : maximum;
            }

            return maximum;
        }

        /// <summary>Gets the OpenID Connect ID token, when one came with the response.</summary>
        public Secret? IdToken { get; }

        /// <summary>Gets the issuer that granted these tokens.</summary>
        public Uri Issuer { get; }

        /// <summary>Gets the resource (RFC 8707) the tokens were requested for: the MCP server.</summary>
        public Uri Resource { get; }

        /// <summary>
        /// Returns true when the access token has expired, or will within <paramref name="skew"/>. A token
        /// without a known expiry counts as valid until a server rejects it.
        /// </summary>
        public bool IsExpired(DateTimeOffset now, TimeSpan skew) => ExpiresAt is DateTimeOffset at && now + skew >= at;

        /// <summary>Returns a copy with another refresh token (for example after rotation).</summary>
        public TokenSet WithRefreshToken(Secret? refreshToken) =>
            new TokenSet(AccessToken, TokenType, Scopes, ExpiresAt, Issuer, Resource, refreshToken, IdToken) { IssuedAt = IssuedAt };

        public override string ToString()
        {
            string expiry = ExpiresAt is DateTimeOffset at ? "expires " + at.ToString("u", System.Globalization.CultureInfo.InvariantCulture) : "no expiry";
            string scopes = Scopes.Count == 0 ? "no scopes" : "scopes '" + string.Join(" ", Scopes) + "'";
            return $"{TokenType} token for {Resource} from {Issuer}, {scopes}, {expiry}, refresh token: {(RefreshToken is null ? "no" : "yes")}";
        }
    }
}
