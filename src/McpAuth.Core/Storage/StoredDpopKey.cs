using System.Text.Json.Serialization;

namespace McpAuth.Core.Storage
{
    /// <summary>
    /// The private key a credential's DPoP-bound tokens are bound to (RFC 9449), as a JWK (RFC 7518 §6.2): an
    /// EC P-256 key that signs ES256 proofs. It lives only in the record, in the keychain (or the store the user
    /// chose), never in a file of its own, so a refresh in another process proves possession with the same key.
    /// </summary>
    public sealed record StoredDpopKey
    {
        /// <summary>Gets the JWS algorithm of the proofs (ES256).</summary>
        [JsonPropertyName("alg")]
        public string Algorithm { get; init; } = "ES256";

        /// <summary>Gets the curve (P-256).</summary>
        [JsonPropertyName("crv")]
        public string Curve { get; init; } = "P-256";

        /// <summary>Gets the public point's x coordinate, base64url.</summary>
        [JsonPropertyName("x")]
        public string X { get; init; } = string.Empty;

        /// <summary>Gets the public point's y coordinate, base64url.</summary>
        [JsonPropertyName("y")]
        public string Y { get; init; } = string.Empty;

        /// <summary>Gets the private scalar, base64url: a secret.</summary>
        [JsonPropertyName("d")]
        public Secret? D { get; init; }
    }
}
