using System;
using McpAuth.Core.Discovery;
using McpAuth.Testing;

namespace McpAuth.Core.Tests
{
    /// <summary>A <see cref="TestHttpServer"/> as an authorization server, in the engine's types (the shared server knows none).</summary>
    public static class TestHttpServerMetadata
    {
        /// <summary>Returns authorization server metadata for this server with every endpoint set.</summary>
        public static AuthorizationServerMetadata Metadata(this TestHttpServer server) => new()
        {
            Issuer = server.Issuer,
            AuthorizationEndpoint = new Uri(server.BaseUri, "authorize"),
            TokenEndpoint = new Uri(server.BaseUri, "token"),
            RegistrationEndpoint = new Uri(server.BaseUri, "register"),
            RevocationEndpoint = new Uri(server.BaseUri, "revoke"),
            DeviceAuthorizationEndpoint = new Uri(server.BaseUri, "device"),
            CodeChallengeMethodsSupported = new[] { "S256" },
        };
    }
}
