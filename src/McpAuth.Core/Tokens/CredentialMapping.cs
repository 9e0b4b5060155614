using System;
using System.Collections.Generic;
using McpAuth.Core.Discovery;
using McpAuth.Core.Registration;
using McpAuth.Core.Storage;

namespace McpAuth.Core.Tokens
{
    /// <summary>Converts between the engine's live objects and the stored credential record.</summary>
    internal static class CredentialMapping
    {
        public static StoredTokenSet ToStored(TokenSet tokens) => new StoredTokenSet
        {
            AccessToken = tokens.AccessToken,
            RefreshToken = tokens.RefreshToken,
            TokenType = tokens.TokenType,
            Scopes = tokens.Scopes,
            ExpiresAt = tokens.ExpiresAt,
            IssuedAt = tokens.IssuedAt,
            IdToken = tokens.IdToken,
        };

        public static TokenSet? FromStored(StoredTokenSet? stored, Uri issuer, Uri resource)
        {
            if (stored?.AccessToken is null)
            {
                return null;
            }

            return new TokenSet(stored.AccessToken, stored.TokenType ?? "Bearer", stored.Scopes ?? Array.Empty<string>(), stored.ExpiresAt, issuer, resource, stored.RefreshToken, stored.IdToken)
            {
                IssuedAt = stored.IssuedAt,
            };
        }

        public static StoredClientIdentity ToStored(ClientIdentity client) => new StoredClientIdentity(client.ClientId, client.Source)
        {
            ClientSecret = client.ClientSecret,
            ClientSecretExpiresAt = client.SecretExpiresAt,
            TokenEndpointAuthMethod = client.TokenEndpointAuthMethod,
            RedirectUri = client.RedirectUri?.OriginalString,
            RegisteredAt = client.RegisteredAt,
        };

        /// <summary>The stored client, for this issuer only; a private key stays user configuration and comes from the options.</summary>
        public static ClientIdentity? FromStored(StoredClientIdentity? stored, Uri issuer, ClientOptions options)
        {
            if (stored is null)
            {
                return null;
            }

            Uri? redirect = stored.RedirectUri is null ? null : new Uri(stored.RedirectUri, UriKind.Absolute);
            return new ClientIdentity(
                stored.ClientId,
                stored.TokenEndpointAuthMethod ?? TokenEndpointAuthMethods.None,
                stored.Source,
                issuer,
                stored.ClientSecret,
                redirect,
                stored.RegisteredAt,
                stored.ClientSecretExpiresAt,
                stored.ClientId == options.ClientId ? options.PrivateKeyPem : null,
                stored.ClientId == options.ClientId ? options.SigningAlgorithm : null);
        }

        public static StoredDiscovery ToStored(DiscoveryResult discovery, DateTimeOffset now)
        {
            AuthorizationServerMetadata asm = discovery.AuthorizationServer;
            return new StoredDiscovery(asm.IssuerString)
            {
                ResourceMetadataUrl = discovery.ProtectedResource?.SourceUrl,
                AuthorizationEndpoint = asm.AuthorizationEndpoint,
                TokenEndpoint = asm.TokenEndpoint,
                RegistrationEndpoint = asm.RegistrationEndpoint,
                RevocationEndpoint = asm.RevocationEndpoint,
                DeviceAuthorizationEndpoint = asm.DeviceAuthorizationEndpoint,
                FetchedAt = now,
            };
        }

        /// <summary>Rebuilds enough AS metadata from a stored record to refresh or revoke without discovery.</summary>
        public static AuthorizationServerMetadata ToMetadata(StoredDiscovery stored) => new AuthorizationServerMetadata
        {
            Issuer = new Uri(stored.Issuer, UriKind.Absolute),
            AuthorizationEndpoint = stored.AuthorizationEndpoint,
            TokenEndpoint = stored.TokenEndpoint,
            RegistrationEndpoint = stored.RegistrationEndpoint,
            RevocationEndpoint = stored.RevocationEndpoint,
            DeviceAuthorizationEndpoint = stored.DeviceAuthorizationEndpoint,
            CodeChallengeMethodsSupported = new[] { AuthorizationServerMetadata.S256 },
        };

        /// <summary>True when a stored record's resource identifies this MCP server (same rule as RFC 9728 resource checks).</summary>
        public static bool ResourceMatches(string storedResource, Uri serverUrl)
        {
            if (!Uri.TryCreate(storedResource, UriKind.Absolute, out Uri? resource))
            {
                return false;
            }

            var prm = new ProtectedResourceMetadata { Resource = resource };
            return prm.IdentifiesServer(serverUrl);
        }

        public static IReadOnlyList<string> Scopes(TokenSet? tokens) => tokens?.Scopes ?? Array.Empty<string>();
    }
}
