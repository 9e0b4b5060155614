using System;

namespace McpAuth.Core.Registration
{
    /// <summary>
    /// The OAuth client this module is at one authorization server: its id, how it authenticates at the
    /// token endpoint, and the issuer it belongs to. An identity is never used with another issuer.
    /// </summary>
    public sealed class ClientIdentity
    {
        public ClientIdentity(
            string clientId,
            string tokenEndpointAuthMethod,
            ClientIdentitySource source,
            Uri issuer,
            Secret? clientSecret = null,
            Uri? redirectUri = null,
            DateTimeOffset? registeredAt = null,
            DateTimeOffset? secretExpiresAt = null,
            Secret? privateKeyPem = null,
            string? signingAlgorithm = null)
        {
            if (string.IsNullOrEmpty(clientId))
            {
                throw new ArgumentException("A client id is required.", nameof(clientId));
            }

            if (!TokenEndpointAuthMethods.IsSupported(tokenEndpointAuthMethod))
            {
                throw new ArgumentException($"Unsupported token endpoint auth method '{tokenEndpointAuthMethod}'.", nameof(tokenEndpointAuthMethod));
            }

            ClientId = clientId;
            TokenEndpointAuthMethod = tokenEndpointAuthMethod;
            Source = source;
            Issuer = issuer ?? throw new ArgumentNullException(nameof(issuer));
            ClientSecret = clientSecret;
            RedirectUri = redirectUri;
            RegisteredAt = registeredAt;
            SecretExpiresAt = secretExpiresAt;
            PrivateKeyPem = privateKeyPem;
            SigningAlgorithm = signingAlgorithm;
        }

        /// <summary>Gets the client id (for a metadata document: its https URL).</summary>
        public string ClientId { get; }

        /// <summary>Gets the client secret, when the client has one.</summary>
        public Secret? ClientSecret { get; }

        /// <summary>Gets the token endpoint auth method: one of <see cref="TokenEndpointAuthMethods"/>.</summary>
        public string TokenEndpointAuthMethod { get; }

        /// <summary>Gets the redirect URI the client was registered with, if any.</summary>
        public Uri? RedirectUri { get; }

        /// <summary>Gets where the identity came from.</summary>
        public ClientIdentitySource Source { get; }

        /// <summary>Gets the issuer of the authorization server this identity belongs to.</summary>
        public Uri Issuer { get; }

        /// <summary>Gets when the authorization server registered the client, if known.</summary>
        public DateTimeOffset? RegisteredAt { get; }

        /// <summary>Gets when the client secret expires; null when it does not (or there is none).</summary>
        public DateTimeOffset? SecretExpiresAt { get; }

        /// <summary>
        /// Gets the PEM (PKCS#8, or PKCS#1 / SEC1) private key for <c>private_key_jwt</c>. It is
        /// configuration the user supplies each time; do not persist it with tokens.
        /// </summary>
        public Secret? PrivateKeyPem { get; }

        /// <summary>Gets the JWS algorithm for client assertions (RS256, PS256, ES256...); null picks one from the key.</summary>
        public string? SigningAlgorithm { get; }

        /// <summary>Returns true when this identity belongs to <paramref name="issuer"/> (exact comparison).</summary>
        public bool BelongsTo(Uri issuer) =>
            issuer is not null && string.Equals(Issuer.AbsoluteUri, issuer.AbsoluteUri, StringComparison.Ordinal);

        /// <summary>Returns true when the secret has an expiry that has passed.</summary>
        public bool IsSecretExpired(DateTimeOffset now) => SecretExpiresAt is DateTimeOffset at && at <= now;

        public override string ToString() => $"{ClientId} ({Source}, {TokenEndpointAuthMethod}) at {Issuer}";
    }
}
