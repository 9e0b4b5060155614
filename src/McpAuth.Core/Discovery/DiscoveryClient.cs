using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Http;

namespace McpAuth.Core.Discovery
{
    /// <summary>
    /// Finds the authorization server of an MCP server, in the order the MCP authorization spec (2025-11-25) gives:
    /// protected resource metadata (RFC 9728) from the challenge's <c>resource_metadata</c>, else the path-suffixed
    /// well-known URL, else the root one; then the first authorization server's metadata (RFC 8414 and OpenID
    /// Connect discovery, with path insertion). A server with no protected resource metadata is treated as a
    /// 2025-03-26 server: its origin is the authorization server, with default endpoints when it has no metadata.
    /// </summary>
    public sealed partial class DiscoveryClient
    {
        /// <summary>The RFC 9728 well-known suffix.</summary>
        public const string ProtectedResourceWellKnown = "/.well-known/oauth-protected-resource";

        /// <summary>The RFC 8414 well-known suffix.</summary>
        public const string AuthorizationServerWellKnown = "/.well-known/oauth-authorization-server";

        /// <summary>The OpenID Connect discovery well-known suffix.</summary>
        public const string OpenIdConfigurationWellKnown = "/.well-known/openid-configuration";

        private const string PrmDocument = "protected resource metadata";
        private const string AsDocument = "authorization server metadata";

        /// <summary>Gets or sets the largest metadata document read, in bytes (default 1 MiB).</summary>
        public long MaxDocumentBytes { get; set; } = 1024 * 1024;

        /// <summary>Gets or sets a callback that sees each step as it is taken (also the steps before a failure).</summary>
        public Action<DiscoveryStep>? StepTaken { get; set; }

        /// <summary>
        /// Gets or sets an issuer to accept although the authorization server metadata was fetched for another one:
        /// for vendors whose metadata <c>issuer</c> differs from where it is served. Only this exact issuer is
        /// accepted, and every use is stated in the verbose output. Null (the default) accepts none.
        /// </summary>
        public string? TrustedIssuer { get; set; }

        /// <summary>Gets or sets the authorization server to use among those the protected resource metadata names; null uses the first.</summary>
        public Uri? AuthorizationServer { get; set; }

        /// <summary>
        /// Returns the URLs to look for protected resource metadata at, in order: the challenge's
        /// <c>resource_metadata</c> (resolved against the server URL when relative), the path-suffixed well-known URL
        /// (when the server URL has a path), and the root well-known URL. Duplicates are dropped.
        /// </summary>
        public static IReadOnlyList<Uri> GetProtectedResourceMetadataUrls(Uri serverUrl, Uri? resourceMetadata)
        {
            RequireAbsolute(serverUrl);
            var urls = new List<Uri>();
            if (resourceMetadata is not null)
            {
                urls.Add(resourceMetadata.IsAbsoluteUri ? resourceMetadata : new Uri(serverUrl, resourceMetadata));
            }

            string origin = serverUrl.GetLeftPart(UriPartial.Authority);
            string path = serverUrl.AbsolutePath.TrimEnd('/');
            if (path.Length > 0 || serverUrl.Query.Length > 0)
            {
                AddDistinct(urls, new Uri(origin + ProtectedResourceWellKnown + path + serverUrl.Query));
            }

            AddDistinct(urls, new Uri(origin + ProtectedResourceWellKnown));
            return urls;
        }

        /// <summary>
        /// Returns the URLs to look for an issuer's metadata at, in order. With a path:
        /// <c>/.well-known/oauth-authorization-server/&lt;path&gt;</c>, <c>/.well-known/openid-configuration/&lt;path&gt;</c>,
        /// <c>&lt;path&gt;/.well-known/openid-configuration</c>; without one, the first two at the root.
        /// </summary>
        public static IReadOnlyList<Uri> GetAuthorizationServerMetadataUrls(Uri issuer)
        {
            RequireAbsolute(issuer);
            string origin = issuer.GetLeftPart(UriPartial.Authority);
            string path = issuer.AbsolutePath.TrimEnd('/');
            if (path.Length == 0)
            {
                return new[]
                {
                    new Uri(origin + AuthorizationServerWellKnown),
                    new Uri(origin + OpenIdConfigurationWellKnown),
                };
            }

            return new[]
            {
                new Uri(origin + AuthorizationServerWellKnown + path),
                new Uri(origin + OpenIdConfigurationWellKnown + path),
                new Uri(origin + path + OpenIdConfigurationWellKnown),
            };
        }

        /// <summary>Runs discovery for <paramref name="serverUrl"/>.</summary>
        /// <param name="serverUrl">The MCP server URL.</param>
        /// <param name="challenge">The Bearer challenge of the server's 401, when there was one.</param>
        /// <param name="http">The HTTP client (redirects are not followed).</param>
        /// <param name="callbacks">Receives each step with Verbose.</param>
        /// <param name="cancellationToken">Cancels every request.</param>
        /// <exception cref="McpAuthException">
        /// <c>InsecureEndpoint</c>, <c>ResourceMismatch</c>, <c>IssuerMismatch</c> (SecurityError); <c>MalformedMetadata</c>,
        /// <c>ResponseTooLarge</c> (InvalidData); <c>AuthorizationServerMetadataNotFound</c>; <c>ServerUnreachable</c>;
        /// <c>RequestTimedOut</c>.
        /// </exception>
        public async Task<DiscoveryResult> DiscoverAsync(Uri serverUrl, BearerChallenge? challenge, HttpClient http, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            if (serverUrl is null || !serverUrl.IsAbsoluteUri || !IsHttp(serverUrl))
            {
                throw new McpAuthException(ErrorIds.InvalidServerUri, McpErrorKind.InvalidArgument, $"The MCP server URL '{serverUrl}' must be an absolute http or https URL.", serverUrl);
            }

            if (http is null)
            {
                throw new ArgumentNullException(nameof(http));
            }

            if (callbacks is null)
            {
                throw new ArgumentNullException(nameof(callbacks));
            }

            var run = new Run(this, http, callbacks);
            IReadOnlyList<string> challengeScopes = challenge?.Scope ?? Array.Empty<string>();

            // 1. Protected resource metadata.
            ProtectedResourceMetadata? prm = null;
            foreach (Uri url in GetProtectedResourceMetadataUrls(serverUrl, challenge?.ResourceMetadata))
            {
                string? body = await run.FetchAsync(PrmDocument, url, cancellationToken).ConfigureAwait(false);
                if (body is null)
                {
                    continue;
                }

                prm = run.Parse(PrmDocument, url, () => ProtectedResourceMetadata.Parse(body, url));
                break;
            }

            if (prm is null)
            {
                run.Note(PrmDocument, serverUrl, "none found; treating the server as a 2025-03-26 server whose origin is its authorization server");
                AuthorizationServerMetadata legacy = await DiscoverLegacyAsync(run, serverUrl, cancellationToken).ConfigureAwait(false);
                return new DiscoveryResult(serverUrl, DiscoveryResult.CanonicalResource(serverUrl), null, legacy, challengeScopes, run.Trace);
            }

            if (!prm.IdentifiesServer(serverUrl))
            {
                run.Note(PrmDocument, prm.SourceUrl!, $"refused: its resource {prm.ResourceString} does not identify {serverUrl}");
                throw new McpAuthException(
                    ErrorIds.ResourceMismatch,
                    McpErrorKind.SecurityError,
                    $"The protected resource metadata at {prm.SourceUrl} is for the resource {prm.ResourceString}, not for the MCP server {serverUrl}. Refusing to sign in: check the server URL, or report the misconfiguration to the server's operator.",
                    serverUrl);
            }

            if (prm.AuthorizationServers.Count == 0)
            {
                throw MetadataJson.Malformed(PrmDocument, prm.SourceUrl, "it names no authorization server (authorization_servers is missing or empty)", null);
            }

            Uri issuer = ChooseAuthorizationServer(run, prm);

            // 2. Authorization server metadata: refuse an insecure issuer before any request to it.
            RequireEndpoint(run, AsDocument, issuer, "authorization server");
            AuthorizationServerMetadata? asm = await FetchAuthorizationServerMetadataAsync(run, issuer, issuer.OriginalString, null, cancellationToken, trustedIssuer: TrustedIssuer).ConfigureAwait(false);
            if (asm is null)
            {
                throw new McpAuthException(
                    ErrorIds.AuthorizationServerMetadataNotFound,
                    McpErrorKind.NotFound,
                    $"The authorization server {issuer.OriginalString} publishes no metadata at any of the standard locations ({string.Join(", ", GetAuthorizationServerMetadataUrls(issuer))}). Report it to the server's operator.",
                    issuer);
            }

            return new DiscoveryResult(serverUrl, prm.ResourceString, prm, asm, challengeScopes, run.Trace);
        }

        /// <summary>
        /// Fetches the metadata of the authorization server <paramref name="issuer"/> by itself (for example an
        /// organisation's identity provider), with the same locations and issuer check as <see cref="DiscoverAsync"/>.
        /// </summary>
        /// <exception cref="McpAuthException"><c>AuthorizationServerMetadataNotFound</c>, <c>IssuerMismatch</c>, <c>InsecureEndpoint</c>, ...</exception>
        public async Task<AuthorizationServerMetadata> DiscoverAuthorizationServerAsync(Uri issuer, HttpClient http, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            Guard.NotNull(issuer, nameof(issuer));
            var run = new Run(this, Guard.NotNull(http, nameof(http)), Guard.NotNull(callbacks, nameof(callbacks)));
            RequireEndpoint(run, AsDocument, issuer, "authorization server");
            return await FetchAuthorizationServerMetadataAsync(run, issuer, issuer.OriginalString, null, cancellationToken, trustedIssuer: TrustedIssuer).ConfigureAwait(false)
                ?? throw new McpAuthException(
                    ErrorIds.AuthorizationServerMetadataNotFound,
                    McpErrorKind.NotFound,
                    $"The authorization server {issuer.OriginalString} publishes no metadata at any of the standard locations ({string.Join(", ", GetAuthorizationServerMetadataUrls(issuer))}).",
                    issuer);
        }

        /// <summary>
        /// Fetches only the protected resource metadata of <paramref name="serverUrl"/> (in the usual order), for a
        /// quick look at which authorization servers it names now. Null when it has none or it does not identify the
        /// server.
        /// </summary>
        public async Task<ProtectedResourceMetadata?> FindProtectedResourceAsync(Uri serverUrl, BearerChallenge? challenge, HttpClient http, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            var run = new Run(this, Guard.NotNull(http, nameof(http)), Guard.NotNull(callbacks, nameof(callbacks)));
            foreach (Uri url in GetProtectedResourceMetadataUrls(serverUrl, challenge?.ResourceMetadata))
            {
                string? body = await run.FetchAsync(PrmDocument, url, cancellationToken).ConfigureAwait(false);
                if (body is not null)
                {
                    ProtectedResourceMetadata prm = run.Parse(PrmDocument, url, () => ProtectedResourceMetadata.Parse(body, url));
                    return prm.IdentifiesServer(serverUrl) ? prm : null;
                }
            }

            return null;
        }

        /// <summary>The authorization server to use: the one asked for (it must be listed), else the first.</summary>
        private Uri ChooseAuthorizationServer(Run run, ProtectedResourceMetadata prm)
        {
            string listed = string.Join(", ", prm.AuthorizationServers.Select(a => a.OriginalString));
            if (AuthorizationServer is Uri wanted)
            {
                Uri? match = prm.AuthorizationServers.FirstOrDefault(a => SameIssuer(a, wanted));
                if (match is null)
                {
                    run.Note(PrmDocument, prm.SourceUrl!, $"refused: it does not name the authorization server {wanted.OriginalString} asked for (it names {listed})");
                    throw new McpAuthException(
                        ErrorIds.AuthorizationServerNotListed,
                        McpErrorKind.InvalidArgument,
                        $"The MCP server names the authorization servers {listed}, not {wanted.OriginalString}. Choose one of them.",
                        wanted);
                }

                run.Note(PrmDocument, prm.SourceUrl!, $"used: resource {prm.ResourceString}, authorization server {match.OriginalString} (chosen among {listed})");
                return match;
            }

            Uri first = prm.AuthorizationServers[0];
            run.Note(PrmDocument, prm.SourceUrl!, $"used: resource {prm.ResourceString}, authorization server {first.OriginalString}" +
                (prm.AuthorizationServers.Count > 1 ? $" (the first of {prm.AuthorizationServers.Count}: {listed}; another can be chosen)" : string.Empty));
            return first;
        }

        /// <summary>True when two issuer identifiers are the same, spelled exactly so or differing only in a trailing slash.</summary>
        internal static bool SameIssuer(Uri a, Uri b) =>
            string.Equals(a.OriginalString.TrimEnd('/'), b.OriginalString.TrimEnd('/'), StringComparison.Ordinal);

        private static async Task<AuthorizationServerMetadata> DiscoverLegacyAsync(Run run, Uri serverUrl, CancellationToken cancellationToken)
        {
            string origin = serverUrl.GetLeftPart(UriPartial.Authority);
            var issuer = new Uri(origin);
            RequireEndpoint(run, AsDocument, issuer, "authorization server");

            // No protected resource metadata named an issuer, so there is no claimed issuer to hold the document to:
            // a 2025-03-26 server's metadata may name any issuer on the server's own origin (often a path such as /oauth).
            AuthorizationServerMetadata? asm = await FetchAuthorizationServerMetadataAsync(run, issuer, origin, origin + "/", cancellationToken, sameOriginIssuer: true).ConfigureAwait(false);
            if (asm is not null)
            {
                return asm;
            }

            var fallback = new AuthorizationServerMetadata
            {
                Issuer = issuer,
                AuthorizationEndpoint = new Uri(origin + "/authorize"),
                TokenEndpoint = new Uri(origin + "/token"),
                RegistrationEndpoint = new Uri(origin + "/register"),
                ResponseTypesSupported = new[] { "code" },
                GrantTypesSupported = new[] { "authorization_code", "refresh_token" },

                // The 2025-03-26 spec made PKCE with S256 mandatory, so a server without metadata supports it.
                CodeChallengeMethodsSupported = new[] { AuthorizationServerMetadata.S256 },
                IsFallback = true,
            };
            run.Note(AsDocument, issuer, $"none found; using the 2025-03-26 default endpoints {origin}/authorize, /token and /register");
            return fallback;
        }

        private static async Task<AuthorizationServerMetadata?> FetchAuthorizationServerMetadataAsync(Run run, Uri issuer, string expectedIssuer, string? alternateIssuer, CancellationToken cancellationToken, bool sameOriginIssuer = false, string? trustedIssuer = null)
        {
            foreach (Uri url in GetAuthorizationServerMetadataUrls(issuer))
            {
                string? body = await run.FetchAsync(AsDocument, url, cancellationToken).ConfigureAwait(false);
                if (body is null)
                {
                    continue;
                }

                AuthorizationServerMetadata asm = run.Parse(AsDocument, url, () => AuthorizationServerMetadata.Parse(body, url));
                string actual = asm.IssuerString;
                bool sameOrigin = sameOriginIssuer && string.Equals(asm.Issuer.GetLeftPart(UriPartial.Authority), issuer.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase);
                bool trusted = trustedIssuer is not null && string.Equals(actual, trustedIssuer, StringComparison.Ordinal) && !string.Equals(actual, expectedIssuer, StringComparison.Ordinal);
                if (trusted)
                {
                    run.Note(AsDocument, url, $"ACCEPTED A DIFFERENT ISSUER: the metadata fetched for {expectedIssuer} names the issuer {actual}, which was configured as trusted for this server; tokens, iss checks and the stored credential use {actual}");
                }
                else if (!sameOrigin && !string.Equals(actual, expectedIssuer, StringComparison.Ordinal) &&
                    !(alternateIssuer is not null && string.Equals(actual, alternateIssuer, StringComparison.Ordinal)))
                {
                    run.Note(AsDocument, url, $"refused: its issuer {actual} is not {expectedIssuer}");
                    throw new McpAuthException(
                        ErrorIds.IssuerMismatch,
                        McpErrorKind.SecurityError,
                        $"The authorization server metadata at {url} names the issuer {actual}, but it was fetched for the issuer {expectedIssuer}; they must be identical (RFC 8414). Refusing to sign in; report the misconfiguration to the operator.",
                        issuer);
                }

                RequireEndpoint(run, AsDocument, asm.AuthorizationEndpoint, "authorization endpoint");
                RequireEndpoint(run, AsDocument, asm.TokenEndpoint, "token endpoint");
                RequireEndpoint(run, AsDocument, asm.RegistrationEndpoint, "registration endpoint");
                RequireEndpoint(run, AsDocument, asm.RevocationEndpoint, "revocation endpoint");
                RequireEndpoint(run, AsDocument, asm.DeviceAuthorizationEndpoint, "device authorization endpoint");
                run.Note(AsDocument, url, $"used: issuer {actual}" + (asm.SupportsS256 ? string.Empty : "; it does not advertise PKCE S256"));
                return asm;
            }

            return null;
        }

        private static void RequireEndpoint(Run run, string document, Uri? endpoint, string role)
        {
            if (endpoint is null || EndpointPolicy.IsAllowed(endpoint))
            {
                return;
            }

            run.Note(document, endpoint, $"refused: the {role} is not https and not on loopback");
            EndpointPolicy.Require(endpoint, role);
        }

        private static void AddDistinct(List<Uri> urls, Uri url)
        {
            foreach (Uri existing in urls)
            {
                if (Uri.Compare(existing, url, UriComponents.HttpRequestUrl, UriFormat.UriEscaped, StringComparison.Ordinal) == 0)
                {
                    return;
                }
            }

            urls.Add(url);
        }

        private static void RequireAbsolute(Uri uri)
        {
            if (uri is null || !uri.IsAbsoluteUri)
            {
                throw new ArgumentException("An absolute URL is required.", nameof(uri));
            }
        }

        private static bool IsHttp(Uri uri) =>
            string.Equals(uri.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase) ||
            string.Equals(uri.Scheme, Uri.UriSchemeHttp, StringComparison.OrdinalIgnoreCase);
    }
}
