using System;
using System.IO;
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

            string header = Base64Url(Json(writer =>
            {
                writer.WriteString("alg", key.Algorithm);
                writer.WriteString("typ", "JWT");
            }));

            long issuedAt = now.ToUnixTimeSeconds();
            string payload = Base64Url(Json(writer =>
            {
                writer.WriteString("iss", clientId);
                writer.WriteString("sub", clientId);
                writer.WriteString("aud", audience);
                writer.WriteString("jti", Guid.NewGuid().ToString("N"));
                writer.WriteNumber("iat", issuedAt);
                writer.WriteNumber("exp", issuedAt + (long)Lifetime.TotalSeconds);
            }));

            string signingInput = header + "." + payload;
            byte[] signature = key.Sign(Encoding.ASCII.GetBytes(signingInput));
            return signingInput + "." + Base64Url(signature);
        }

        internal static string Base64Url(byte[] bytes) =>
            Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        private static byte[] Json(Action<Utf8JsonWriter> write)
        {
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream))
            {
                writer.WriteStartObject();
                write(writer);
                writer.WriteEndObject();
            }

            return stream.ToArray();
        }
    }
}
