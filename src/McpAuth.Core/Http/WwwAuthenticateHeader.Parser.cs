using System;
using System.Collections.Generic;
using System.Text;

namespace McpAuth.Core.Http
{
    /// <summary>The scanner behind <see cref="WwwAuthenticateHeader"/>: one forward pass over one field value.</summary>
    public static partial class WwwAuthenticateHeader
    {
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
