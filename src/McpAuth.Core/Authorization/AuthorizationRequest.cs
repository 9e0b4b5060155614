using System;
using System.Collections.Generic;
using System.Text;
using McpAuth.Core.Discovery;
using McpAuth.Core.Http;

namespace McpAuth.Core.Authorization
{
    /// <summary>
    /// An OAuth 2.1 authorization code request with PKCE (RFC 6749 §4.1.1, RFC 7636, RFC 8707): the state and PKCE
    /// pair it was made with, and the URL to open in a browser. The endpoint's own query parameters are kept.
    /// </summary>
    public sealed class AuthorizationRequest
    {
        private static readonly HashSet<string> OwnParameters = new HashSet<string>(StringComparer.Ordinal)
        {
            "response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method", "resource", "prompt",
        };

        /// <summary>Initializes a new instance of the <see cref="AuthorizationRequest"/> class with a fresh state and PKCE pair.</summary>
        /// <param name="authorizationEndpoint">The AS's authorization endpoint (must pass <see cref="EndpointPolicy"/>).</param>
        /// <param name="clientId">The client identifier.</param>
        /// <param name="redirectUri">The loopback redirect URI.</param>
        /// <param name="scopes">The scopes; <c>scope</c> is omitted when empty.</param>
        /// <param name="resource">The RFC 8707 resource, exactly as it will be sent to the token endpoint; null sends none (an authorization server that refuses it).</param>
        /// <param name="promptConsent">Whether to send <c>prompt=consent</c> (needed for offline_access on OIDC servers).</param>
        /// <param name="pkce">The PKCE pair; a new one when null.</param>
        /// <param name="state">The state; 256 random bits when null.</param>
        /// <param name="extraParameters">More parameters (login_hint, audience, acr_values ...); never one this request sets itself.</param>
        public AuthorizationRequest(
            Uri authorizationEndpoint,
            string clientId,
            Uri redirectUri,
            IReadOnlyList<string>? scopes,
            string? resource,
            bool promptConsent,
            PkceChallenge? pkce = null,
            string? state = null,
            IReadOnlyDictionary<string, string>? extraParameters = null)
        {
            if (authorizationEndpoint is null)
            {
                throw new ArgumentNullException(nameof(authorizationEndpoint));
            }

            if (string.IsNullOrEmpty(clientId))
            {
                throw new ArgumentException("A client id is required.", nameof(clientId));
            }

            if (redirectUri is null || !redirectUri.IsAbsoluteUri)
            {
                throw new ArgumentException("An absolute redirect URI is required.", nameof(redirectUri));
            }

            if (resource is not null && resource.Length == 0)
            {
                throw new ArgumentException("The resource indicator must not be empty (null sends none).", nameof(resource));
            }

            foreach (string name in extraParameters?.Keys ?? (IEnumerable<string>)Array.Empty<string>())
            {
                if (OwnParameters.Contains(name))
                {
                    throw new ArgumentException($"The authorization parameter '{name}' is set by the request itself and cannot be given as an extra parameter.", nameof(extraParameters));
                }
            }

            EndpointPolicy.Require(authorizationEndpoint, "authorization endpoint");
            AuthorizationEndpoint = authorizationEndpoint;
            ClientId = clientId;
            RedirectUri = redirectUri;
            Scopes = scopes ?? Array.Empty<string>();
            Resource = resource;
            PromptConsent = promptConsent;
            Pkce = pkce ?? PkceChallenge.Create();
            State = state ?? NewState();
            ExtraParameters = extraParameters ?? new Dictionary<string, string>();
            Url = Build();
        }

        public Uri AuthorizationEndpoint { get; }

        public string ClientId { get; }

        public Uri RedirectUri { get; }

        public IReadOnlyList<string> Scopes { get; }

        /// <summary>Gets the RFC 8707 resource indicator (null: none is sent); send the same value to the token endpoint.</summary>
        public string? Resource { get; }

        /// <summary>Gets the extra parameters the request carries.</summary>
        public IReadOnlyDictionary<string, string> ExtraParameters { get; }

        public bool PromptConsent { get; }

        /// <summary>Gets the PKCE pair; the verifier goes to the token endpoint.</summary>
        public PkceChallenge Pkce { get; }

        /// <summary>Gets the state to expect back in the callback.</summary>
        public string State { get; }

        /// <summary>Gets the authorization URL to open. It holds no secret (the PKCE challenge is a hash).</summary>
        public Uri Url { get; }

        /// <summary>
        /// Creates a request for the discovered authorization server, refusing (<c>PkceNotSupported</c>) when it does
        /// not support S256 and (<c>AuthorizationServerMetadataNotFound</c>) when it has no authorization endpoint.
        /// </summary>
        public static AuthorizationRequest Create(
            AuthorizationServerMetadata authorizationServer,
            string clientId,
            Uri redirectUri,
            IReadOnlyList<string>? scopes,
            string? resource,
            bool promptConsent,
            IReadOnlyDictionary<string, string>? extraParameters = null)
        {
            if (authorizationServer is null)
            {
                throw new ArgumentNullException(nameof(authorizationServer));
            }

            authorizationServer.RequireS256();
            Uri endpoint = authorizationServer.AuthorizationEndpoint ?? throw new McpAuthException(
                ErrorIds.AuthorizationServerMetadataNotFound,
                McpErrorKind.NotFound,
                $"The authorization server {authorizationServer.IssuerString} does not publish an authorization_endpoint, so interactive sign-in is not possible with it.",
                authorizationServer.Issuer);
            return new AuthorizationRequest(endpoint, clientId, redirectUri, scopes, resource, promptConsent, extraParameters: extraParameters);
        }

        /// <summary>Returns a new random state: 256 bits, base64url.</summary>
        public static string NewState() => Base64Url.RandomString(32);

        private Uri Build()
        {
            var query = new StringBuilder();

            // Keep the endpoint's own query parameters (RFC 6749 §3.1), except any this request sets itself.
            string existing = AuthorizationEndpoint.Query;
            if (existing.Length > 1)
            {
                foreach (string part in existing.Substring(1).Split('&'))
                {
                    if (part.Length == 0)
                    {
                        continue;
                    }

                    int equals = part.IndexOf('=');
                    string name = QueryString.Decode(equals < 0 ? part : part.Substring(0, equals));
                    if (!OwnParameters.Contains(name) && !ExtraParameters.ContainsKey(name))
                    {
                        query.Append(query.Length > 0 ? "&" : string.Empty).Append(part);
                    }
                }
            }

            QueryString.Append(query, "response_type", "code");
            QueryString.Append(query, "client_id", ClientId);
            QueryString.Append(query, "redirect_uri", RedirectUri.OriginalString);
            if (Scopes.Count > 0)
            {
                QueryString.Append(query, "scope", string.Join(" ", Scopes));
            }

            QueryString.Append(query, "state", State);
            QueryString.Append(query, "code_challenge", Pkce.Challenge);
            QueryString.Append(query, "code_challenge_method", PkceChallenge.Method);
            if (Resource is not null)
            {
                QueryString.Append(query, "resource", Resource);
            }

            if (PromptConsent)
            {
                QueryString.Append(query, "prompt", "consent");
            }

            foreach (KeyValuePair<string, string> extra in ExtraParameters)
            {
                QueryString.Append(query, extra.Key, extra.Value);
            }

            return new Uri(AuthorizationEndpoint.GetLeftPart(UriPartial.Path) + "?" + query);
        }
    }
}
