using System;
using System.Text.Json;

namespace McpAuth.Core.Tokens
{
    /// <summary>
    /// Reads the claims of a JWT without verifying it: for what this client needs to know of a token it only
    /// passes on (when an identity assertion expires, which account an ID token names). Trust decisions stay
    /// with the servers that verify them.
    /// </summary>
    internal static class UnverifiedJwt
    {
        /// <summary>Returns the claims of <paramref name="token"/> when it is a JWS in compact form; null otherwise.</summary>
        public static JwtClaims? TryRead(string token)
        {
            string[] parts = token.Split('.');
            if (parts.Length != 3 || parts[1].Length == 0)
            {
                return null;
            }

            try
            {
                return JsonSerializer.Deserialize(Base64Url.Decode(parts[1]), TokensJsonContext.Default.JwtClaims);
            }
            catch (Exception ex) when (ex is FormatException || ex is JsonException)
            {
                return null;
            }
        }

        /// <summary>Returns when <paramref name="token"/> expires (its <c>exp</c>), when it is a JWT that says.</summary>
        public static DateTimeOffset? ExpiresAt(string token) =>
            TryRead(token)?.ExpiresAt is long exp && exp > 0 && exp < 253402300799 ? DateTimeOffset.FromUnixTimeSeconds(exp) : null;
    }
}
