using System;
using System.Collections.Generic;
using System.Net.Http;

namespace McpAuth.Core.Http
{
    /// <summary>
    /// The <c>Bearer</c> challenge of a 401 or 403 response (RFC 6750 §3, RFC 9728 §5.1): the error, the scopes the
    /// resource asks for, and where its protected resource metadata lives. A server that takes DPoP-bound tokens
    /// challenges with the <c>DPoP</c> scheme instead or as well (RFC 9449 §7.1), with the same parameters; its
    /// challenge is read the same way, and says so (<see cref="IsDpop"/>).
    /// </summary>
    public sealed class BearerChallenge
    {
        /// <summary>The Bearer auth-scheme name.</summary>
        public const string SchemeName = "Bearer";

        /// <summary>The DPoP auth-scheme name (RFC 9449 §7.1).</summary>
        public const string DpopSchemeName = "DPoP";

        private BearerChallenge(AuthChallenge challenge, IReadOnlyList<string> scope, Uri? resourceMetadata)
        {
            Challenge = challenge;
            Scope = scope;
            ResourceMetadata = resourceMetadata;
        }

        /// <summary>Gets the parsed challenge this was read from, with every parameter.</summary>
        public AuthChallenge Challenge { get; }

        /// <summary>Gets the <c>error</c> code (<c>invalid_token</c>, <c>insufficient_scope</c>), or null.</summary>
        public string? Error => Challenge.GetParameter("error");

        /// <summary>Gets the <c>error_description</c>, or null.</summary>
        public string? ErrorDescription => Challenge.GetParameter("error_description");

        /// <summary>Gets the <c>realm</c>, or null.</summary>
        public string? Realm => Challenge.GetParameter("realm");

        /// <summary>Gets the scopes the <c>scope</c> parameter names, in order without duplicates; empty when absent.</summary>
        public IReadOnlyList<string> Scope { get; }

        /// <summary>
        /// Gets the RFC 9728 <c>resource_metadata</c> URL, resolved against the request URL when it was relative;
        /// it stays relative only when the request URL was not known. Null when absent.
        /// </summary>
        public Uri? ResourceMetadata { get; }

        /// <summary>Gets a value indicating whether the error is <c>insufficient_scope</c> (step-up needed).</summary>
        public bool IsInsufficientScope => string.Equals(Error, "insufficient_scope", StringComparison.Ordinal);

        /// <summary>Gets a value indicating whether the error is <c>invalid_token</c>.</summary>
        public bool IsInvalidToken => string.Equals(Error, "invalid_token", StringComparison.Ordinal);

        /// <summary>Gets a value indicating whether this is a <c>DPoP</c> challenge: the server takes DPoP-bound tokens.</summary>
        public bool IsDpop => Challenge.IsScheme(DpopSchemeName);

        /// <summary>Gets a value indicating whether the server asks for a DPoP proof with its nonce (<c>use_dpop_nonce</c>, RFC 9449 §9).</summary>
        public bool IsUseDpopNonce => string.Equals(Error, "use_dpop_nonce", StringComparison.Ordinal);

        /// <summary>Gets a value indicating whether the server says it takes DPoP-bound tokens: a DPoP challenge, among this response's challenges.</summary>
        public bool OffersDpop { get; private set; }

        /// <summary>Reads the Bearer challenge of a response; null when the response carries none.</summary>
        /// <param name="response">The 401 or 403 response; its request URL resolves a relative <c>resource_metadata</c>.</param>
        /// <exception cref="McpAuthException"><c>MalformedChallenge</c> when the header is malformed.</exception>
        public static BearerChallenge? FromResponse(HttpResponseMessage response)
        {
            if (response is null)
            {
                throw new ArgumentNullException(nameof(response));
            }

            return GetBearer(WwwAuthenticateHeader.Parse(response), response.RequestMessage?.RequestUri);
        }

        /// <summary>Returns the first Bearer challenge of the list, or null when there is none.</summary>
        /// <param name="challenges">Parsed challenges.</param>
        /// <param name="requestUri">The URL of the request that was challenged, to resolve a relative <c>resource_metadata</c>.</param>
        /// <exception cref="McpAuthException"><c>MalformedChallenge</c> when <c>resource_metadata</c> is not a usable URL.</exception>
        public static BearerChallenge? GetBearer(IReadOnlyList<AuthChallenge> challenges, Uri? requestUri = null)
        {
            if (challenges is null)
            {
                throw new ArgumentNullException(nameof(challenges));
            }

            AuthChallenge? bearer = null;
            AuthChallenge? dpop = null;
            foreach (AuthChallenge challenge in challenges)
            {
                if (bearer is null && challenge.IsScheme(SchemeName))
                {
                    bearer = challenge;
                }
                else if (dpop is null && challenge.IsScheme(DpopSchemeName))
                {
                    dpop = challenge;
                }
            }

            // A DPoP error (use_dpop_nonce, a bad proof) is the DPoP challenge's; otherwise the Bearer one speaks for both.
            AuthChallenge? chosen = dpop is not null && (bearer is null || dpop.GetParameter("error") is not null) ? dpop : bearer;
            if (chosen is null)
            {
                return null;
            }

            BearerChallenge result = Create(chosen, requestUri);
            result.OffersDpop = dpop is not null;
            if (chosen == dpop && bearer is not null && result.ResourceMetadata is null && result.Scope.Count == 0)
            {
                // The resource metadata and scope, when only the Bearer challenge names them.
                BearerChallenge other = Create(bearer, requestUri);
                return new BearerChallenge(dpop, other.Scope, other.ResourceMetadata) { OffersDpop = true };
            }

            return result;
        }

        /// <summary>Splits a space-delimited scope string into distinct scope tokens, in order.</summary>
        public static IReadOnlyList<string> SplitScope(string? scope)
        {
            if (string.IsNullOrWhiteSpace(scope))
            {
                return Array.Empty<string>();
            }

            var result = new List<string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (string part in scope!.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries))
            {
                if (seen.Add(part))
                {
                    result.Add(part);
                }
            }

            return result;
        }

        private static BearerChallenge Create(AuthChallenge challenge, Uri? requestUri)
        {
            string? metadata = challenge.GetParameter("resource_metadata");
            Uri? metadataUri = metadata is null ? null : ResolveUrl(metadata, requestUri);
            return new BearerChallenge(challenge, SplitScope(challenge.GetParameter("scope")), metadataUri);
        }

        private static Uri ResolveUrl(string value, Uri? requestUri)
        {
            string trimmed = value.Trim();

            // On Unix "/path" parses as an absolute file URI; a leading slash always means a relative reference here.
            bool looksRelative = trimmed.StartsWith("/", StringComparison.Ordinal);
            if (!looksRelative && Uri.TryCreate(trimmed, UriKind.Absolute, out Uri? absolute))
            {
                if (IsHttp(absolute) && absolute.Host.Length > 0)
                {
                    return absolute;
                }

                throw Malformed("its resource_metadata is not an http or https URL");
            }

            if (trimmed.Length > 0 && Uri.TryCreate(trimmed, UriKind.Relative, out Uri? relative))
            {
                if (requestUri is null || !requestUri.IsAbsoluteUri)
                {
                    return relative;
                }

                if (Uri.TryCreate(requestUri, relative, out Uri? resolved) && IsHttp(resolved))
                {
                    return resolved;
                }
            }

            throw Malformed("its resource_metadata is not a valid URL");
        }

        private static bool IsHttp(Uri uri) =>
            string.Equals(uri.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase) ||
            string.Equals(uri.Scheme, Uri.UriSchemeHttp, StringComparison.OrdinalIgnoreCase);

        private static McpAuthException Malformed(string what) => new McpAuthException(
            ErrorIds.MalformedChallenge,
            McpErrorKind.ProtocolError,
            $"The server's Bearer challenge is malformed: {what}. Report it to the server's operator.",
            WwwAuthenticateHeader.HeaderName);
    }
}
