using System;
using System.Collections.Generic;
using System.Linq;
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

        /// <summary>The stored client, for this issuer only; a private key stays user configuration and comes from <paramref name="options"/>.</summary>
        public static ClientIdentity? FromStored(StoredClientIdentity? stored, Uri issuer, ClientOptions? options)
        {
            if (stored is null)
            {
                return null;
            }

            Uri? redirect = stored.RedirectUri is null ? null : new Uri(stored.RedirectUri, UriKind.Absolute);
            var client = new ClientIdentity(
                stored.ClientId,
                stored.TokenEndpointAuthMethod ?? TokenEndpointAuthMethods.None,
                stored.Source,
                issuer,
                stored.ClientSecret,
                redirect,
                stored.RegisteredAt,
                stored.ClientSecretExpiresAt);
            return options is null ? client : WithKey(client, options);
        }

        /// <summary>Returns <paramref name="client"/> with the private key of <paramref name="options"/> when they name this client; else as it is.</summary>
        public static ClientIdentity WithKey(ClientIdentity client, ClientOptions options)
        {
            if (options.PrivateKeyPem is null || client.PrivateKeyPem is not null || !string.Equals(client.ClientId, options.ClientId, StringComparison.Ordinal))
            {
                return client;
            }

            return new ClientIdentity(
                client.ClientId,
                client.TokenEndpointAuthMethod,
                client.Source,
                client.Issuer,
                client.ClientSecret,
                client.RedirectUri,
                client.RegisteredAt,
                client.SecretExpiresAt,
                options.PrivateKeyPem,
                options.SigningAlgorithm);
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

        /// <summary>
        /// The one rule for which stored credential may be presented to which MCP server: the one whose record
        /// names the server among those whose own challenge and protected resource metadata led to it (see
        /// <see cref="StoredDiscovery.Servers"/>). A record from before that list was kept serves only the server
        /// whose URL is its resource. A resource that is merely a prefix of the server's URL (the origin, say) is
        /// no reason: that server's own discovery decides (<see cref="MayApply"/>).
        /// </summary>
        public static bool IsEstablishedFor(CredentialRecord record, Uri serverUrl)
        {
            if (record.Discovery?.Servers is IReadOnlyList<string> servers)
            {
                string wanted = ServerKey(serverUrl);
                return servers.Any(s => Uri.TryCreate(s, UriKind.Absolute, out Uri? listed) && ServerKey(listed) == wanted);
            }

            return Uri.TryCreate(record.Key.Resource, UriKind.Absolute, out Uri? resource) && ServerKey(resource) == ServerKey(serverUrl);
        }

        /// <summary>
        /// True when the server's own discovery could name this record's credential: its resource identifies the
        /// server by the RFC 9728 rule (the same URL, or a path prefix on the same origin). Only a candidate: the
        /// credential is used once that discovery names its resource and issuer.
        /// </summary>
        public static bool MayApply(CredentialRecord record, Uri serverUrl) =>
            Uri.TryCreate(record.Key.Resource, UriKind.Absolute, out Uri? resource) && ProtectedResourceMetadata.Identifies(resource, serverUrl);

        /// <summary>Returns <paramref name="servers"/> with <paramref name="serverUrl"/> added (once).</summary>
        public static IReadOnlyList<string> WithServer(IReadOnlyList<string>? servers, Uri serverUrl)
        {
            var list = new List<string>(servers ?? Array.Empty<string>());
            string key = ServerKey(serverUrl);
            if (!list.Any(s => Uri.TryCreate(s, UriKind.Absolute, out Uri? listed) && ServerKey(listed) == key))
            {
                list.Add(serverUrl.GetComponents(UriComponents.SchemeAndServer | UriComponents.PathAndQuery, UriFormat.UriEscaped));
            }

            return list;
        }

        /// <summary>A server URL for comparison: scheme, host and port (lower case, default port explicit), path without a trailing slash, query.</summary>
        private static string ServerKey(Uri url) =>
            url.Scheme.ToLowerInvariant() + "://" + url.Host.ToLowerInvariant() + ":" + url.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)
            + url.AbsolutePath.TrimEnd('/') + url.Query;

        public static IReadOnlyList<string> Scopes(TokenSet? tokens) => tokens?.Scopes ?? Array.Empty<string>();
    }
}
