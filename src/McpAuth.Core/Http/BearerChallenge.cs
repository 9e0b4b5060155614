using System;
using System.Collections.Generic;
using System.Net.Http;

namespace McpAuth.Core.Http
{
    /// <summary>
    /// The <c>Bearer</c> challenge of a 401 or 403 response (RFC 6750 §3, RFC 9728 §5.1): the error, the scopes the
    /// resource asks for, and where its protected resource metadata lives.
    /// </summary>
    public sealed class BearerChallenge
    {
        /// <summary>The Bearer auth-scheme name.</summary>
        public const string SchemeName = "Bearer";

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

            foreach (AuthChallenge challenge in challenges)
            {
                if (challenge.IsScheme(SchemeName))
                {
                    return Create(challenge, requestUri);
                }
            }

            return null;
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
