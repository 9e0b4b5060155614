using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using McpAuth.Core.Discovery;
using McpAuth.Core.Http;
using McpAuth.Core.Registration;

namespace McpAuth.Core.Tokens
{
    /// <summary>How a token endpoint's answer is checked and read into a <see cref="TokenSet"/>, and what a bearer token may contain.</summary>
    public sealed partial class TokenEndpointClient
    {
        private TokenSet ReadTokens(
            OAuthHttpResponse response,
            Uri endpoint,
            ClientIdentity client,
            AuthorizationServerMetadata asm,
            Uri resource,
            IReadOnlyList<string>? requestedScopes,
            Secret? previousRefreshToken,
            string what,
            DateTimeOffset sentAt)
        {
            TokenResponse? body = response.IsSuccess ? response.Read(TokensJsonContext.Default.TokenResponse) : null;
            if (body is null || response.Error is not null)
            {
                throw TokenErrors.From(response, endpoint, client, what);
            }

            if (string.IsNullOrEmpty(body.AccessToken))
            {
                throw TokenErrors.Malformed(endpoint, "The token response has no access_token.");
            }

            if (!IsBearerTokenText(body.AccessToken!))
            {
                // Sent as it is in an Authorization header, a control character, space or non-ASCII letter would break
                // (or inject into) the request; the value itself is never shown.
                throw TokenErrors.Malformed(endpoint, "The token response's access_token has characters an HTTP Authorization header cannot carry.");
            }

            var accessToken = new Secret(body.AccessToken!);
            string tokenType = body.TokenType ?? throw TokenErrors.Malformed(endpoint, "The token response has no token_type.");
            bool dpop = string.Equals(tokenType, "DPoP", StringComparison.OrdinalIgnoreCase);
            if (dpop && !UsesDpop)
            {
                throw new McpAuthException(
                    ErrorIds.TokenRequestFailed,
                    McpErrorKind.ProtocolError,
                    "The authorization server issued a DPoP-bound token although the request carried no DPoP proof; it cannot be used.",
                    endpoint);
            }

            if (!dpop && !string.Equals(tokenType, "Bearer", StringComparison.OrdinalIgnoreCase))
            {
                throw new McpAuthException(
                    ErrorIds.TokenRequestFailed,
                    McpErrorKind.ProtocolError,
                    $"The authorization server issued a token of type '{ServerText.Sanitize(tokenType, 40)}'; this client can only use Bearer and DPoP tokens.",
                    endpoint);
            }

            if (!dpop && UsesDpop)
            {
                callbacks.Verbose("The authorization server issued a Bearer token although the request carried a DPoP proof: the token is not DPoP-bound.");
            }

            IReadOnlyList<string> scopes = body.Scope is string scope
                ? scope.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries)
                : (IReadOnlyList<string>?)requestedScopes?.ToArray() ?? Array.Empty<string>();
            long? expiresIn = body.ExpiresIn > 0 ? Math.Min(body.ExpiresIn.Value, MaxLifetimeSeconds) : null;
            Secret? refreshToken = string.IsNullOrEmpty(body.RefreshToken) ? previousRefreshToken : new Secret(body.RefreshToken!);
            string refreshNote = body.RefreshToken is { Length: > 0 }
                ? (previousRefreshToken is null ? "issued" : "rotated")
                : (previousRefreshToken is null ? "none" : "kept the previous one");
            DateTimeOffset? expiresAt = expiresIn is long seconds ? sentAt.AddSeconds(seconds) : null;
            var tokens = new TokenSet(accessToken, tokenType, scopes, expiresAt, asm.Issuer, resource, refreshToken, Secret.FromNullable(body.IdToken))
            {
                IssuedAt = clock.UtcNow,
            };

            callbacks.Verbose($"Received a {tokenType} token for {ResourceParameter(resource)}{(dpop ? " (DPoP-bound)" : string.Empty)}: scopes '{ServerText.Sanitize(string.Join(" ", scopes), 200)}', {(expiresIn is null ? "no expiry given" : "expires in " + expiresIn.Value.ToString(CultureInfo.InvariantCulture) + " s")}, refresh token {refreshNote}.");
            return tokens;
        }

        /// <summary>True when every character is visible ASCII (%x21-7E): what an Authorization header value can carry as a token.</summary>
        private static bool IsBearerTokenText(string token)
        {
            foreach (char c in token)
            {
                if (c < '!' || c > '~')
                {
                    return false;
                }
            }

            return true;
        }
    }
}
