using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace McpAuth.Core.Mcp
{
    /// <summary>
    /// RFC 6570 URI templates, all four levels: the expressions <c>{var}</c>, <c>{+var}</c>, <c>{#var}</c>,
    /// <c>{.var}</c>, <c>{/var}</c>, <c>{;var}</c>, <c>{?var}</c> and <c>{&amp;var}</c>, with prefixes
    /// (<c>{var:3}</c>) and explosion (<c>{var*}</c>) of lists and maps. MCP resource templates use them;
    /// expanding one with the user's values gives a URI to read. Values are strings (other scalars in their
    /// invariant text form), lists or maps (a <see cref="JsonMap"/> or an IDictionary); null, an empty list and
    /// an empty map are undefined and left out, as the RFC says.
    /// </summary>
    public static class UriTemplate
    {
        private const string Unreserved = "-._~";
        private const string Reserved = ":/?#[]@!$&'()*+,;=";

        /// <summary>The names of the variables in <paramref name="template"/>, each once, in order; empty when it is not a valid template.</summary>
        public static IReadOnlyList<string> VariableNames(string template)
        {
            var names = new List<string>();
            try
            {
                foreach (Expression expression in Parse(template, out _))
                {
                    foreach (VarSpec spec in expression.Vars)
                    {
                        if (!names.Contains(spec.Name))
                        {
                            names.Add(spec.Name);
                        }
                    }
                }
            }
            catch (McpAuthException)
            {
                names.Clear();
            }

            return names;
        }

        /// <summary>Expands <paramref name="template"/> with <paramref name="values"/>; a name the template does not have is an error (most likely a typo).</summary>
        public static string Expand(string template, IEnumerable<KeyValuePair<string, object?>> values)
        {
            List<Expression> expressions = Parse(template, out List<string> literals);
            var known = new HashSet<string>(StringComparer.Ordinal);
            foreach (Expression e in expressions)
            {
                foreach (VarSpec v in e.Vars)
                {
                    known.Add(v.Name);
                }
            }

            var lookup = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (KeyValuePair<string, object?> kv in values)
            {
                if (!known.Contains(kv.Key))
                {
                    throw Invalid($"The URI template '{template}' has no variable '{kv.Key}' (it has: {(known.Count == 0 ? "none" : string.Join(", ", known))}).", template);
                }

                lookup[kv.Key] = kv.Value;
            }

            var uri = new StringBuilder();
            for (int i = 0; i < literals.Count; i++)
            {
                AppendEncoded(uri, literals[i], allowReserved: true);
                if (i < expressions.Count)
                {
                    expressions[i].Expand(uri, lookup);
                }
            }

            return uri.ToString();
        }

        private static List<Expression> Parse(string template, out List<string> literals)
        {
            var expressions = new List<Expression>();
            literals = new List<string>();
            int position = 0;
            while (true)
            {
                int open = template.IndexOf('{', position);
                int stray = template.IndexOf('}', position);
                if (stray >= 0 && (open < 0 || stray < open))
                {
                    throw Invalid($"The URI template '{template}' has a '}}' without a '{{'.", template);
                }

                if (open < 0)
                {
                    literals.Add(template.Substring(position));
                    return expressions;
                }

                int close = template.IndexOf('}', open);
                if (close < 0)
                {
                    throw Invalid($"The URI template '{template}' has a '{{' that is not closed.", template);
                }

                literals.Add(template.Substring(position, open - position));
                expressions.Add(Expression.Parse(template.Substring(open + 1, close - open - 1), template));
                position = close + 1;
            }
        }

        private static void AppendEncoded(StringBuilder uri, string value, bool allowReserved)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(value);
            for (int i = 0; i < bytes.Length; i++)
            {
                char c = (char)bytes[i];
                bool plain = bytes[i] < 0x80 && (char.IsLetterOrDigit(c) || Unreserved.IndexOf(c) >= 0);
                bool reserved = allowReserved && bytes[i] < 0x80 && Reserved.IndexOf(c) >= 0;
                bool triplet = allowReserved && c == '%' && i + 2 < bytes.Length && IsHex(bytes[i + 1]) && IsHex(bytes[i + 2]);
                if (plain || reserved || triplet)
                {
                    uri.Append(c);
                }
                else
                {
                    uri.Append('%').Append(bytes[i].ToString("X2", CultureInfo.InvariantCulture));
                }
            }
        }

        private static bool IsHex(byte b) => (b >= '0' && b <= '9') || (b >= 'A' && b <= 'F') || (b >= 'a' && b <= 'f');

        private static McpAuthException Invalid(string message, string template)
            => new McpAuthException(ErrorIds.InvalidResourceUri, McpErrorKind.InvalidArgument, message, template);

        private static string Scalar(object value) => value switch
        {
            string s => s,
            bool b => b ? "true" : "false",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? string.Empty,
        };

        private sealed class VarSpec
        {
            public VarSpec(string name, int prefix, bool explode)
            {
                Name = name;
                Prefix = prefix;
                Explode = explode;
            }

            public string Name { get; }

            public int Prefix { get; }

            public bool Explode { get; }
        }

        /// <summary>One expression and its operator's rules (RFC 6570 appendix A).</summary>
        private sealed class Expression
        {
            private readonly string first;
            private readonly string separator;
            private readonly bool named;
            private readonly string ifEmpty;
            private readonly bool allowReserved;

            private Expression(char op, List<VarSpec> vars)
            {
                Vars = vars;
                first = op switch { '+' => string.Empty, '\0' => string.Empty, _ => op.ToString() };
                separator = op switch { '.' => ".", '/' => "/", ';' => ";", '?' => "&", '&' => "&", _ => "," };
                named = op == ';' || op == '?' || op == '&';
                ifEmpty = op == '?' || op == '&' ? "=" : string.Empty;
                allowReserved = op == '+' || op == '#';
            }

            public List<VarSpec> Vars { get; }

            public static Expression Parse(string body, string template)
            {
                char op = body.Length > 0 && "+#./;?&".IndexOf(body[0]) >= 0 ? body[0] : '\0';
                string list = op == '\0' ? body : body.Substring(1);
                var vars = new List<VarSpec>();
                foreach (string part in list.Split(','))
                {
                    string name = part;
                    int prefix = 0;
                    bool explode = false;
                    if (name.EndsWith("*", StringComparison.Ordinal))
                    {
                        explode = true;
                        name = name.Substring(0, name.Length - 1);
                    }
                    else if (name.IndexOf(':') is int colon && colon >= 0)
                    {
                        if (!int.TryParse(name.Substring(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix < 1 || prefix > 9999)
                        {
                            throw Invalid($"The URI template '{template}' has an invalid prefix in '{{{body}}}'.", template);
                        }

                        name = name.Substring(0, colon);
                    }

                    if (name.Length == 0 || !IsVarName(name))
                    {
                        throw Invalid($"The URI template '{template}' has an invalid expression '{{{body}}}'.", template);
                    }

                    vars.Add(new VarSpec(name, prefix, explode));
                }

                return new Expression(op, vars);
            }

            public void Expand(StringBuilder uri, Dictionary<string, object?> values)
            {
                bool any = false;
                foreach (VarSpec spec in Vars)
                {
                    values.TryGetValue(spec.Name, out object? value);
                    List<KeyValuePair<string, string>>? map = AsMap(value);
                    List<string>? list = map is null ? AsList(value) : null;
                    string? text = map is null && list is null && value is not null ? Scalar(value) : null;
                    if (text is null && (list is null || list.Count == 0) && (map is null || map.Count == 0))
                    {
                        continue;
                    }

                    uri.Append(any ? separator : first);
                    any = true;
                    if (text is not null)
                    {
                        AppendNamed(uri, spec.Name, Truncate(text, spec.Prefix));
                    }
                    else if (list is not null)
                    {
                        AppendList(uri, spec, list);
                    }
                    else
                    {
                        AppendMap(uri, spec, map!);
                    }
                }
            }

            private static bool IsVarName(string name)
            {
                for (int i = 0; i < name.Length; i++)
                {
                    char c = name[i];
                    bool ok = (c < 0x80 && (char.IsLetterOrDigit(c) || c == '_' || c == '.')) || (c == '%' && i + 2 < name.Length);
                    if (!ok)
                    {
                        return false;
                    }
                }

                return true;
            }

            private static string Truncate(string text, int prefix)
            {
                if (prefix <= 0 || text.Length <= prefix)
                {
                    return text;
                }

                // Count characters, not UTF-16 units: never cut a surrogate pair.
                var info = new StringInfo(text);
                return info.LengthInTextElements <= prefix ? text : info.SubstringByTextElements(0, prefix);
            }

            private static List<KeyValuePair<string, string>>? AsMap(object? value)
            {
                var map = new List<KeyValuePair<string, string>>();
                switch (value)
                {
                    case JsonMap json:
                        foreach (KeyValuePair<string, object?> kv in json)
                        {
                            if (kv.Value is not null)
                            {
                                map.Add(new KeyValuePair<string, string>(kv.Key, Scalar(kv.Value)));
                            }
                        }

                        return map;
                    case IDictionary dictionary:
                        foreach (DictionaryEntry entry in dictionary)
                        {
                            if (entry.Value is not null)
                            {
                                map.Add(new KeyValuePair<string, string>(Scalar(entry.Key), Scalar(entry.Value)));
                            }
                        }

                        return map;
                    default:
                        return null;
                }
            }

            private static List<string>? AsList(object? value)
            {
                if (value is null || value is string || value is not IEnumerable items)
                {
                    return null;
                }

                var list = new List<string>();
                foreach (object? item in items)
                {
                    if (item is not null)
                    {
                        list.Add(Scalar(item));
                    }
                }

                return list;
            }

            private void AppendNamed(StringBuilder uri, string name, string value)
            {
                if (named)
                {
                    AppendEncoded(uri, name, allowReserved: false);
                    uri.Append(value.Length == 0 ? ifEmpty : "=");
                }

                AppendEncoded(uri, value, allowReserved);
            }

            private void AppendList(StringBuilder uri, VarSpec spec, List<string> list)
            {
                if (spec.Explode)
                {
                    for (int i = 0; i < list.Count; i++)
                    {
                        uri.Append(i == 0 ? string.Empty : separator);
                        AppendNamed(uri, spec.Name, list[i]);
                    }

                    return;
                }

                if (named)
                {
                    AppendEncoded(uri, spec.Name, allowReserved: false);
                    uri.Append('=');
                }

                for (int i = 0; i < list.Count; i++)
                {
                    uri.Append(i == 0 ? string.Empty : ",");
                    AppendEncoded(uri, list[i], allowReserved);
                }
            }

            private void AppendMap(StringBuilder uri, VarSpec spec, List<KeyValuePair<string, string>> map)
            {
                if (!spec.Explode && named)
                {
                    AppendEncoded(uri, spec.Name, allowReserved: false);
                    uri.Append('=');
                }

                for (int i = 0; i < map.Count; i++)
                {
                    uri.Append(i == 0 ? string.Empty : spec.Explode ? separator : ",");
                    AppendEncoded(uri, map[i].Key, allowReserved);
                    uri.Append(spec.Explode ? "=" : ",");
                    AppendEncoded(uri, map[i].Value, allowReserved);
                }
            }
        }
    }
}
