using System;
using System.Collections.Generic;

namespace McpAuth.Core.Discovery
{
    /// <summary>What discovery found for one MCP server: the resource to ask tokens for, and the authorization server.</summary>
    public sealed class DiscoveryResult
    {
        public DiscoveryResult(
            Uri serverUrl,
            string resourceIndicator,
            ProtectedResourceMetadata? protectedResource,
            AuthorizationServerMetadata authorizationServer,
            IReadOnlyList<string> challengeScopes,
            IReadOnlyList<DiscoveryStep> trace)
        {
            ServerUrl = serverUrl ?? throw new ArgumentNullException(nameof(serverUrl));
            ResourceIndicator = resourceIndicator ?? throw new ArgumentNullException(nameof(resourceIndicator));
            Resource = new Uri(resourceIndicator, UriKind.Absolute);
            ProtectedResource = protectedResource;
            AuthorizationServer = authorizationServer ?? throw new ArgumentNullException(nameof(authorizationServer));
            ChallengeScopes = challengeScopes ?? Array.Empty<string>();
            Trace = trace ?? Array.Empty<DiscoveryStep>();
        }

        /// <summary>Gets the MCP server URL discovery ran for.</summary>
        public Uri ServerUrl { get; }

        /// <summary>Gets the canonical resource (RFC 8707) as a URI; send <see cref="ResourceIndicator"/> on the wire.</summary>
        public Uri Resource { get; }

        /// <summary>
        /// Gets the exact RFC 8707 <c>resource</c> string for authorize, token and refresh requests: the protected
        /// resource metadata's <c>resource</c> as written, else the server URL's canonical form (no fragment,
        /// lower-case scheme and host, no trailing slash on a bare origin).
        /// </summary>
        public string ResourceIndicator { get; }

        /// <summary>Gets the protected resource metadata, or null for a 2025-03-26 server that has none.</summary>
        public ProtectedResourceMetadata? ProtectedResource { get; }

        /// <summary>Gets the authorization server's metadata (possibly the 2025-03-26 fallback; see <see cref="AuthorizationServerMetadata.IsFallback"/>).</summary>
        public AuthorizationServerMetadata AuthorizationServer { get; }

        /// <summary>Gets the scopes the server's Bearer challenge asked for; empty when none.</summary>
        public IReadOnlyList<string> ChallengeScopes { get; }

        /// <summary>Gets every step taken, in order (also reported through <see cref="IEngineCallbacks.Verbose"/>).</summary>
        public IReadOnlyList<DiscoveryStep> Trace { get; }

        /// <summary>Gets a value indicating whether the server had no protected resource metadata (2025-03-26 behaviour).</summary>
        public bool IsLegacy => ProtectedResource is null;

        /// <summary>
        /// Returns the canonical form of an MCP server URL for use as an RFC 8707 resource: absolute, fragment
        /// removed, scheme and host lower case, default port dropped, and no trailing slash when the path is only "/".
        /// </summary>
        public static string CanonicalResource(Uri serverUrl)
        {
            if (serverUrl is null || !serverUrl.IsAbsoluteUri)
            {
                throw new ArgumentException("The server URL must be absolute.", nameof(serverUrl));
            }

            string text = serverUrl.GetComponents(UriComponents.HttpRequestUrl, UriFormat.UriEscaped);
            if (serverUrl.AbsolutePath == "/" && serverUrl.Query.Length == 0 && text.EndsWith("/", StringComparison.Ordinal))
            {
                text = text.Substring(0, text.Length - 1);
            }

            return text;
        }
    }
}
