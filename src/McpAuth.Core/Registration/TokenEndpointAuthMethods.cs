using System;

namespace McpAuth.Core.Registration
{
    /// <summary>The RFC 7591 <c>token_endpoint_auth_method</c> values this client can use.</summary>
    public static class TokenEndpointAuthMethods
    {
        /// <summary>A public client: only <c>client_id</c> in the request body.</summary>
        public const string None = "none";

        /// <summary>HTTP Basic with the form-urlencoded client id and secret (RFC 6749 §2.3.1).</summary>
        public const string ClientSecretBasic = "client_secret_basic";

        /// <summary><c>client_id</c> and <c>client_secret</c> in the request body.</summary>
        public const string ClientSecretPost = "client_secret_post";

        /// <summary>A JWT client assertion signed with the client's private key (RFC 7523 §2.2).</summary>
        public const string PrivateKeyJwt = "private_key_jwt";

        /// <summary>Returns true for the four methods above (exact, lower case).</summary>
        public static bool IsSupported(string? method) =>
            string.Equals(method, None, StringComparison.Ordinal)
            || string.Equals(method, ClientSecretBasic, StringComparison.Ordinal)
            || string.Equals(method, ClientSecretPost, StringComparison.Ordinal)
            || string.Equals(method, PrivateKeyJwt, StringComparison.Ordinal);

        /// <summary>Returns true for the two methods that send a client secret.</summary>
        public static bool UsesSecret(string? method) =>
            string.Equals(method, ClientSecretBasic, StringComparison.Ordinal)
            || string.Equals(method, ClientSecretPost, StringComparison.Ordinal);
    }
}
