using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Net.Http;

namespace McpAuth.Core.Http
{
    /// <summary>
    /// Parses <c>WWW-Authenticate</c> header values with the RFC 9110 §11.6.1 grammar:
    /// <c>#challenge</c>, <c>challenge = auth-scheme [ 1*SP ( token68 / #auth-param ) ]</c>,
    /// <c>auth-param = token BWS "=" BWS ( token / quoted-string )</c>. One header line may hold several
    /// challenges, and a response may have several lines. The parser is a single forward scan (linear time) and
    /// reports anything malformed as <c>MalformedChallenge</c>, never as another exception.
    /// </summary>
    public static partial class WwwAuthenticateHeader
    {
        /// <summary>The header's name.</summary>
        public const string HeaderName = "WWW-Authenticate";

        /// <summary>The most header text (all lines together, in characters) this parser accepts: 64 KiB.</summary>
        public const int MaxTotalLength = 64 * 1024;

        /// <summary>Parses every challenge in the given header values, in order.</summary>
        /// <param name="headerValues">The header lines (field values), each holding one or more challenges.</param>
        /// <returns>The challenges; empty when the values hold none.</returns>
        /// <exception cref="McpAuthException"><c>MalformedChallenge</c> when a value does not follow the grammar.</exception>
        public static IReadOnlyList<AuthChallenge> Parse(IEnumerable<string> headerValues)
        {
            if (headerValues is null)
            {
                throw new ArgumentNullException(nameof(headerValues));
            }

            if (!TryParseCore(headerValues, out List<AuthChallenge>? challenges, out string? problem))
            {
                throw new McpAuthException(
                    ErrorIds.MalformedChallenge,
                    McpErrorKind.ProtocolError,
                    $"The server's WWW-Authenticate header could not be parsed ({problem}). The server is not following RFC 9110; report it to its operator.",
                    HeaderName);
            }

            return challenges;
        }

        /// <summary>Parses every challenge in one header value.</summary>
        /// <exception cref="McpAuthException"><c>MalformedChallenge</c> when the value does not follow the grammar.</exception>
        public static IReadOnlyList<AuthChallenge> Parse(string headerValue) => Parse(new[] { headerValue ?? throw new ArgumentNullException(nameof(headerValue)) });

        /// <summary>Parses the header values, returning false instead of throwing when one is malformed.</summary>
        /// <param name="headerValues">The header lines.</param>
        /// <param name="challenges">The challenges, when the result is true.</param>
        public static bool TryParse(IEnumerable<string> headerValues, [NotNullWhen(true)] out IReadOnlyList<AuthChallenge>? challenges)
        {
            if (headerValues is not null && TryParseCore(headerValues, out List<AuthChallenge>? list, out _))
            {
                challenges = list;
                return true;
            }

            challenges = null;
            return false;
        }

        /// <summary>Returns the response's challenges (all <c>WWW-Authenticate</c> lines); empty when it has none.</summary>
        /// <exception cref="McpAuthException"><c>MalformedChallenge</c> when a value is malformed.</exception>
        public static IReadOnlyList<AuthChallenge> Parse(HttpResponseMessage response)
        {
            if (response is null)
            {
                throw new ArgumentNullException(nameof(response));
            }

            return response.Headers.TryGetValues(HeaderName, out IEnumerable<string>? values)
                ? Parse(values)
                : Array.Empty<AuthChallenge>();
        }

        private static bool TryParseCore(IEnumerable<string> headerValues, [NotNullWhen(true)] out List<AuthChallenge>? challenges, [NotNullWhen(false)] out string? problem)
        {
            challenges = new List<AuthChallenge>();
            long total = 0;
            foreach (string? value in headerValues)
            {
                if (value is null)
                {
                    continue;
                }

                total += value.Length;
                if (total > MaxTotalLength)
                {
                    challenges = null;
                    problem = $"longer than {MaxTotalLength / 1024} KiB";
                    return false;
                }

                var parser = new Parser(value);
                if (!parser.Run(challenges))
                {
                    challenges = null;
                    problem = parser.Problem!;
                    return false;
                }
            }

            problem = null;
            return true;
        }

        internal static bool IsTchar(char c)
        {
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
            {
                return true;
            }

            switch (c)
            {
                case '!':
                case '#':
                case '$':
                case '%':
                case '&':
                case '\'':
                case '*':
                case '+':
                case '-':
                case '.':
                case '^':
                case '_':
                case '`':
                case '|':
                case '~':
                    return true;
                default:
                    return false;
            }
        }

        private static bool IsToken68Char(char c) =>
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';

        private static bool IsOws(char c) => c == ' ' || c == '\t';

        /// <summary>qdtext and the characters a quoted-pair may escape: HTAB, SP, VCHAR, obs-text.</summary>
        private static bool IsQuotedTextChar(char c) => c == '\t' || c == ' ' || (c >= '!' && c <= '~') || c >= '\u0080';
    }
}
