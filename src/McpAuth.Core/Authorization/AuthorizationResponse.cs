using System;
using System.Collections.Generic;
using System.Text;
using McpAuth.Core.Discovery;
using McpAuth.Core.Http;

namespace McpAuth.Core.Authorization
{
    /// <summary>
    /// Checks the authorization response that arrived at the redirect URI (RFC 6749 §4.1.2, RFC 9207) and hands
    /// back the authorization code.
    /// </summary>
    public static class AuthorizationResponse
    {
        /// <summary>
        /// Validates a callback URL: <c>state</c> must be present once and equal <paramref name="expectedState"/>;
        /// RFC 9207 <c>iss</c> is compared with the issuer as a plain ordinal string when present, and required when
        /// the AS advertises <c>authorization_response_iss_parameter_supported</c>; an <c>error</c> is reported; else
        /// the <c>code</c> is returned.
        /// </summary>
        /// <param name="callbackUrl">The full callback URL (from the loopback listener or pasted).</param>
        /// <param name="expectedState">The state the authorization request was sent with.</param>
        /// <param name="authorizationServer">The metadata of the AS the request went to.</param>
        /// <returns>The authorization code.</returns>
        /// <exception cref="McpAuthException">
        /// <c>StateMismatch</c> and <c>AuthorizationResponseIssuerMismatch</c> (SecurityError); <c>AuthorizationDenied</c>
        /// (PermissionDenied) for <c>access_denied</c>; <c>AuthorizationFailed</c> (AuthenticationError) otherwise.
        /// </exception>
        public static Secret Validate(Uri callbackUrl, string expectedState, AuthorizationServerMetadata authorizationServer)
        {
            if (callbackUrl is null)
            {
                throw new ArgumentNullException(nameof(callbackUrl));
            }

            if (string.IsNullOrEmpty(expectedState))
            {
                throw new ArgumentException("The expected state is required.", nameof(expectedState));
            }

            if (authorizationServer is null)
            {
                throw new ArgumentNullException(nameof(authorizationServer));
            }

            List<KeyValuePair<string, string>> parameters = QueryString.Parse(callbackUrl.IsAbsoluteUri ? callbackUrl.Query : string.Empty);
            string issuer = authorizationServer.IssuerString;

            // state: exactly once and identical, or this response is not the answer to our request (CSRF).
            List<string> states = QueryString.GetAll(parameters, "state");
            if (states.Count != 1 || !FixedTimeEquals(states[0], expectedState))
            {
                string what = states.Count == 0 ? "carries no state" : states.Count > 1 ? "carries more than one state" : "carries a state that does not match the request";
                throw new McpAuthException(
                    ErrorIds.StateMismatch,
                    McpErrorKind.SecurityError,
                    $"The sign-in response {what}, so it was rejected (it may be forged or belong to another sign-in). Sign in again.",
                    issuer);
            }

            // RFC 9207: advertised+present: compare; advertised+absent: reject; not advertised+present: compare; neither: proceed.
            List<string> issValues = QueryString.GetAll(parameters, "iss");
            if (issValues.Count > 1)
            {
                throw IssuerMismatch(issuer, "carries more than one iss parameter");
            }

            if (issValues.Count == 1)
            {
                if (!string.Equals(issValues[0], issuer, StringComparison.Ordinal))
                {
                    throw IssuerMismatch(issuer, $"says it comes from the issuer {ServerText.Sanitize(issValues[0])}");
                }
            }
            else if (authorizationServer.AuthorizationResponseIssParameterSupported)
            {
                throw IssuerMismatch(issuer, "carries no iss parameter although the authorization server promises one (RFC 9207)");
            }

            string? error = Single(parameters, "error", issuer);
            if (error is not null)
            {
                string? description = Single(parameters, "error_description", issuer);
                string detail = description is null ? ServerText.Sanitize(error) : $"{ServerText.Sanitize(error)}: {ServerText.Sanitize(description)}";
                if (string.Equals(error, "access_denied", StringComparison.Ordinal))
                {
                    throw new AuthorizationErrorException(
                        ErrorIds.AuthorizationDenied,
                        McpErrorKind.PermissionDenied,
                        $"Sign-in was declined at the authorization server {issuer} ({detail}). Sign in again and approve the request, or ask for access.",
                        issuer,
                        error,
                        description);
                }

                throw new AuthorizationErrorException(
                    ErrorIds.AuthorizationFailed,
                    McpErrorKind.AuthenticationError,
                    $"The authorization server {issuer} refused the sign-in request ({detail}). Check the client registration and scopes, then sign in again.",
                    issuer,
                    error,
                    description);
            }

            string? code = Single(parameters, "code", issuer);
            if (string.IsNullOrEmpty(code))
            {
                throw new McpAuthException(
                    ErrorIds.AuthorizationFailed,
                    McpErrorKind.AuthenticationError,
                    $"The sign-in response from {issuer} carries neither an authorization code nor an error. Sign in again.",
                    issuer);
            }

            return new Secret(code!);
        }

        private static string? Single(List<KeyValuePair<string, string>> parameters, string name, string issuer)
        {
            List<string> values = QueryString.GetAll(parameters, name);
            if (values.Count > 1)
            {
                throw new McpAuthException(
                    ErrorIds.AuthorizationFailed,
                    McpErrorKind.AuthenticationError,
                    $"The sign-in response from {issuer} carries the parameter '{name}' more than once, which OAuth forbids. Sign in again.",
                    issuer);
            }

            return values.Count == 1 ? values[0] : null;
        }

        private static McpAuthException IssuerMismatch(string issuer, string what) => new McpAuthException(
            ErrorIds.AuthorizationResponseIssuerMismatch,
            McpErrorKind.SecurityError,
            $"The sign-in response {what}, but the request went to {issuer}; it was rejected as a possible mix-up attack. Sign in again.",
            issuer);

        private static bool FixedTimeEquals(string a, string b)
        {
            if (a.Length != b.Length)
            {
                return false;
            }

            int diff = 0;
            for (int i = 0; i < a.Length; i++)
            {
                diff |= a[i] ^ b[i];
            }

            return diff == 0;
        }

    }

    /// <summary>An authorization response that carried an OAuth error (RFC 6749 §4.1.2.1), with its code and description.</summary>
    public sealed class AuthorizationErrorException : McpAuthException
    {
        public AuthorizationErrorException(string errorId, McpErrorKind kind, string message, object? target, string error, string? description)
            : base(errorId, kind, message, target)
        {
            Error = error;
            Description = description;
        }

        /// <summary>Gets the OAuth error code the authorization server sent (<c>access_denied</c>, <c>invalid_client</c>, ...).</summary>
        public string Error { get; }

        /// <summary>Gets its <c>error_description</c>, as sent (not for display unsanitised).</summary>
        public string? Description { get; }
    }
}
