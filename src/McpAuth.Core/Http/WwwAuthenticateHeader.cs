using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Net.Http;
using System.Text;

namespace McpAuth.Core.Http
{
    /// <summary>
    /// Parses <c>WWW-Authenticate</c> header values with the RFC 9110 §11.6.1 grammar:
    /// <c>#challenge</c>, <c>challenge = auth-scheme [ 1*SP ( token68 / #auth-param ) ]</c>,
    /// <c>auth-param = token BWS "=" BWS ( token / quoted-string )</c>. One header line may hold several
    /// challenges, and a response may have several lines. The parser is a single forward scan (linear time) and
    /// reports anything malformed as <c>MalformedChallenge</c>, never as another exception.
    /// </summary>
    public static class WwwAuthenticateHeader
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

        /// <summary>A forward scanner over one field value.</summary>
        private sealed class Parser
        {
            private readonly string s;
            private int i;
            private string? scheme;
            private Dictionary<string, string>? parameters;
            private string? token68;

            public Parser(string value)
            {
                s = value;
            }

            public string? Problem { get; private set; }

            public bool Run(List<AuthChallenge> output)
            {
                while (true)
                {
                    SkipOws();
                    if (i >= s.Length)
                    {
                        break;
                    }

                    if (s[i] == ',')
                    {
                        // An empty list element ("a, , b" or a leading comma) is allowed by the #rule.
                        i++;
                        continue;
                    }

                    int start = i;
                    string name = ReadToken();
                    if (name.Length == 0)
                    {
                        return Fail(start, "expected an auth-scheme or parameter name");
                    }

                    int afterName = i;
                    SkipOws();
                    bool isParameter = i < s.Length && s[i] == '=';
                    if (isParameter)
                    {
                        if (scheme is null)
                        {
                            return Fail(start, "a parameter appears before any auth-scheme");
                        }

                        if (token68 is not null)
                        {
                            return Fail(start, "a challenge has both a token68 and parameters");
                        }

                        i++;
                        if (!ReadParameterValue(name))
                        {
                            return false;
                        }

                        if (!ExpectElementEnd())
                        {
                            return false;
                        }

                        continue;
                    }

                    // A new challenge: the token was its auth-scheme.
                    Flush(output);
                    scheme = name;
                    parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                    if (i >= s.Length || s[i] == ',')
                    {
                        continue;
                    }

                    if (i == afterName)
                    {
                        return Fail(i, "the auth-scheme must be followed by a space");
                    }

                    if (!StartsAuthParam(i))
                    {
                        if (!ReadToken68())
                        {
                            return false;
                        }

                        if (!ExpectElementEnd())
                        {
                            return false;
                        }
                    }
                }

                Flush(output);
                return true;
            }

            private void Flush(List<AuthChallenge> output)
            {
                if (scheme is not null)
                {
                    output.Add(new AuthChallenge(scheme, parameters, token68));
                }

                scheme = null;
                parameters = null;
                token68 = null;
            }

            /// <summary>Looks ahead: does <c>token BWS "=" BWS (token / quoted-string)</c> start at <paramref name="k"/>?</summary>
            private bool StartsAuthParam(int k)
            {
                int start = k;
                while (k < s.Length && IsTchar(s[k]))
                {
                    k++;
                }

                if (k == start)
                {
                    return false;
                }

                while (k < s.Length && IsOws(s[k]))
                {
                    k++;
                }

                if (k >= s.Length || s[k] != '=')
                {
                    return false;
                }

                k++;
                while (k < s.Length && IsOws(s[k]))
                {
                    k++;
                }

                // "abc==" and "abc=" (end or comma) are token68 padding, not a parameter.
                return k < s.Length && (s[k] == '"' || IsTchar(s[k]));
            }

            private bool ReadToken68()
            {
                int start = i;
                while (i < s.Length && IsToken68Char(s[i]))
                {
                    i++;
                }

                if (i == start)
                {
                    return Fail(i, "expected a token68 or parameters after the auth-scheme");
                }

                while (i < s.Length && s[i] == '=')
                {
                    i++;
                }

                token68 = s.Substring(start, i - start);
                return true;
            }

            private bool ReadParameterValue(string name)
            {
                SkipOws();
                string value;
                if (i < s.Length && s[i] == '"')
                {
                    if (!ReadQuotedString(out value))
                    {
                        return false;
                    }
                }
                else
                {
                    int start = i;
                    value = ReadToken();
                    if (value.Length == 0)
                    {
                        return Fail(start, $"the parameter '{ServerText.Shorten(name, 40)}' has no value");
                    }
                }

                if (parameters!.ContainsKey(name))
                {
                    return Fail(i, $"the parameter '{ServerText.Shorten(name, 40)}' appears twice in one challenge");
                }

                parameters[name] = value;
                return true;
            }

            private bool ReadQuotedString(out string value)
            {
                int open = i;
                i++;
                var builder = new StringBuilder();
                while (i < s.Length)
                {
                    char c = s[i];
                    if (c == '"')
                    {
                        i++;
                        value = builder.ToString();
                        return true;
                    }

                    if (c == '\\')
                    {
                        i++;
                        if (i >= s.Length)
                        {
                            break;
                        }

                        c = s[i];
                    }

                    if (!IsQuotedTextChar(c))
                    {
                        value = string.Empty;
                        return Fail(i, $"control character U+{(int)c:X4} in a quoted string");
                    }

                    builder.Append(c);
                    i++;
                }

                value = string.Empty;
                return Fail(open, "unterminated quoted string");
            }

            private bool ExpectElementEnd()
            {
                SkipOws();
                if (i < s.Length && s[i] != ',')
                {
                    return Fail(i, "expected a comma or the end of the value");
                }

                return true;
            }

            private string ReadToken()
            {
                int start = i;
                while (i < s.Length && IsTchar(s[i]))
                {
                    i++;
                }

                return s.Substring(start, i - start);
            }

            private void SkipOws()
            {
                while (i < s.Length && IsOws(s[i]))
                {
                    i++;
                }
            }

            private bool Fail(int position, string what)
            {
                Problem = $"{what}, at character {position + 1}";
                return false;
            }
        }
    }
}
