using System;
using System.Text;
using System.Text.Json;

namespace McpAuth.Core.Tokens
{
    /// <summary>
    /// An RFC 7523 §2.2 client assertion: a JWT the client signs with its private key to authenticate at
    /// the authorization server (<c>private_key_jwt</c>). <c>iss</c> = <c>sub</c> = client id, <c>aud</c> =
    /// the issuer identifier (as RFC 7523bis and the MCP client-credentials extension require), a fresh
    /// <c>jti</c>, and a short lifetime.
    /// </summary>
    internal static class ClientAssertion
    {
        /// <summary>The <c>client_assertion_type</c> for a JWT assertion.</summary>
        public const string JwtBearerType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

        /// <summary>How long an assertion is valid.</summary>
        public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(2);

        /// <summary>Builds and signs an assertion.</summary>
        public static string Create(string clientId, string audience, Secret privateKeyPem, string? algorithm, DateTimeOffset now)
        {
            using ClientSigningKey key = ClientSigningKey.FromPem(privateKeyPem.Reveal(), algorithm);
            long issuedAt = now.ToUnixTimeSeconds();
            var claims = new ClientAssertionClaims
            {
                Issuer = clientId,
                Subject = clientId,
                Audience = audience,
                Id = Guid.NewGuid().ToString("N"),
                IssuedAt = issuedAt,
                ExpiresAt = issuedAt + (long)Lifetime.TotalSeconds,
            };
            string header = Base64Url.Encode(JsonSerializer.SerializeToUtf8Bytes(new JwtHeader { Algorithm = key.Algorithm }, TokensJsonContext.Default.JwtHeader));
            string payload = Base64Url.Encode(JsonSerializer.SerializeToUtf8Bytes(claims, TokensJsonContext.Default.ClientAssertionClaims));
            string signingInput = header + "." + payload;
            byte[] signature = key.Sign(Encoding.ASCII.GetBytes(signingInput));
            return signingInput + "." + Base64Url.Encode(signature);
        }
    }
}
