using System;
using System.Collections.Generic;
using McpAuth.Core.Http;

namespace McpAuth.Core.Authorization
{
    /// <summary>Reads a callback URL a user pasted (the fallback when no browser can reach the loopback listener).</summary>
    public static class CallbackUrl
    {
        /// <summary>
        /// Parses pasted text into a callback URL. Surrounding whitespace, quotes and angle brackets are ignored. When
        /// <paramref name="redirectUri"/> is given, the URL must be that redirect URI (scheme, host, port and path), and a
        /// bare query (<c>?code=...&amp;state=...</c> or <c>code=...&amp;state=...</c>) is accepted too. The URL must
        /// carry <c>code</c> or <c>error</c>. Messages never repeat the pasted text, which holds a code.
        /// </summary>
        /// <exception cref="McpAuthException"><c>InvalidCallbackUrl</c> (InvalidArgument).</exception>
        public static Uri Parse(string pasted, Uri? redirectUri = null)
        {
            string text = (pasted ?? string.Empty).Trim().Trim('"', '\'', '<', '>').Trim();
            if (text.Length == 0)
            {
                throw Invalid("It is empty. Paste the whole address from the browser's address bar after signing in.");
            }

            if (redirectUri is not null && text.IndexOf("://", StringComparison.Ordinal) < 0 && text.IndexOf('=') > 0)
            {
                text = redirectUri.GetLeftPart(UriPartial.Path) + (text[0] == '?' ? text : "?" + text);
            }

            if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? url) ||
                !(string.Equals(url.Scheme, Uri.UriSchemeHttp, StringComparison.OrdinalIgnoreCase) || string.Equals(url.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase)) ||
                url.Host.Length == 0)
            {
                throw Invalid("It is not an http URL. Paste the whole address from the browser's address bar after signing in.");
            }

            if (redirectUri is not null &&
                Uri.Compare(url, redirectUri, UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped, StringComparison.OrdinalIgnoreCase) != 0)
            {
                throw Invalid($"It is not an address under the redirect URI {redirectUri}. Paste the address the browser ended on after signing in.");
            }

            List<KeyValuePair<string, string>> parameters = QueryString.Parse(url.Query);
            if (QueryString.GetAll(parameters, "code").Count == 0 && QueryString.GetAll(parameters, "error").Count == 0)
            {
                throw Invalid("It carries no code and no error. Paste the address the browser ended on after signing in, including everything after '?'.");
            }

            return url;
        }

        private static McpAuthException Invalid(string what) => new McpAuthException(
            ErrorIds.InvalidCallbackUrl,
            McpErrorKind.InvalidArgument,
            "The pasted callback URL cannot be used. " + what);
    }
}
