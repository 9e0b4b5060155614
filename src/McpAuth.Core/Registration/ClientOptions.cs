using System;
using System.Collections.Generic;

namespace McpAuth.Core.Registration
{
    /// <summary>What the user told us about the client: a pre-registered id, a metadata document URL, scopes. Immutable.</summary>
    public sealed record ClientOptions
    {
        /// <summary>The client name sent in dynamic registration unless the caller sets another.</summary>
        public const string DefaultClientName = "McpAuth (PowerShell)";

        /// <summary>Gets a client id registered ahead of time.</summary>
        public string? ClientId { get; init; }

        /// <summary>Gets the secret of the pre-registered client.</summary>
        public Secret? ClientSecret { get; init; }

        /// <summary>
        /// Gets the token endpoint auth method. For a pre-registered client it is used as told; for
        /// dynamic registration it is the method asked for (default <c>none</c>).
        /// </summary>
        public string? TokenEndpointAuthMethod { get; init; }

        /// <summary>Gets the https URL of this client's ID metadata document, used when the AS supports them.</summary>
        public Uri? ClientMetadataUrl { get; init; }

        /// <summary>Gets the PEM private key for <c>private_key_jwt</c> (pre-registered clients only).</summary>
        public Secret? PrivateKeyPem { get; init; }

        /// <summary>Gets the JWS algorithm for client assertions; null picks one from the key.</summary>
        public string? SigningAlgorithm { get; init; }

        /// <summary>Gets the scopes to name in dynamic registration, when known.</summary>
        public IReadOnlyList<string>? Scopes { get; init; }

        /// <summary>Gets the client name shown on consent pages after dynamic registration.</summary>
        public string ClientName { get; init; } = DefaultClientName;

        /// <summary>Gets a value indicating whether dynamic registration may be used (default true).</summary>
        public bool AllowDynamicRegistration { get; init; } = true;
    }
}
