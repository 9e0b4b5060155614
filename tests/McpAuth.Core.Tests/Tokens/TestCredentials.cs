using System;
using System.Net.Http;
using McpAuth.Core.Discovery;
using McpAuth.Core.Http;
using McpAuth.Core.Registration;
using McpAuth.Core.Storage;
using McpAuth.Core.Tests.Storage;
using McpAuth.Core.Tokens;
using McpAuth.Testing;

namespace McpAuth.Core.Tests.Tokens
{
    /// <summary>Stored credentials for engine tests of the token layer: a dynamically registered public client at a test authorization server.</summary>
    internal static class TestCredentials
    {
        public const string ClientId = "dyn-client";

        /// <summary>A record with an access and a refresh token issued an hour before <paramref name="expiresAt"/>.</summary>
        public static CredentialRecord Record(CredentialKey key, AuthorizationServerMetadata asm, string accessToken, string refreshToken, DateTimeOffset expiresAt, AuthorizationMethod method = AuthorizationMethod.Handler) => new(key)
        {
            Client = new StoredClientIdentity(ClientId, ClientIdentitySource.DynamicRegistration) { TokenEndpointAuthMethod = TokenEndpointAuthMethods.None },
            Tokens = Tokens(accessToken, refreshToken, expiresAt),
            Discovery = new StoredDiscovery(asm.IssuerString) { TokenEndpoint = asm.TokenEndpoint, RegistrationEndpoint = asm.RegistrationEndpoint, RevocationEndpoint = asm.RevocationEndpoint },
            AuthorizedBy = method,
        };

        public static StoredTokenSet Tokens(string accessToken, string refreshToken, DateTimeOffset expiresAt) => new()
        {
            AccessToken = new Secret(accessToken),
            RefreshToken = new Secret(refreshToken),
            TokenType = "Bearer",
            Scopes = new[] { "mcp:read" },
            ExpiresAt = expiresAt,
            IssuedAt = expiresAt.AddHours(-1),
        };
    }

    /// <summary>
    /// What engine tests of the token layer share: a file store in a temporary directory, a local authorization
    /// server, a manual clock, and the key of a credential for a test MCP server at that authorization server.
    /// </summary>
    public abstract class TokenLayerTest : IDisposable
    {
        protected static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
        protected static readonly Uri Server = new("http://127.0.0.1:9/mcp");

        protected TokenLayerTest()
        {
            Clock = new ManualClock(Start);
            Key = new CredentialKey(Server.OriginalString, AuthorizationServer.Issuer.OriginalString);
        }

        internal TempDirectory Temp { get; } = new();

        internal TestHttpServer AuthorizationServer { get; } = TestHttpServer.Start();

        internal HttpClient Http { get; } = McpHttpClientFactory.Create(TimeSpan.FromSeconds(10));

        internal RecordingCallbacks Callbacks { get; } = new();

        internal ManualClock Clock { get; }

        internal CredentialKey Key { get; }

        public void Dispose()
        {
            Http.Dispose();
            AuthorizationServer.Dispose();
            Temp.Dispose();
        }

        /// <summary>A new store instance over the test's directory, as another session would open it.</summary>
        internal PlaintextFileCredentialStore NewStore() => new(Temp.StoreDir, allowPlaintext: true, clock: Clock);

        internal TokenEndpointClient Endpoint() => new(Http, Callbacks, Clock);
    }
}
