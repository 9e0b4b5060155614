using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;

namespace McpAuth.Core.Mcp
{
    /// <summary>
    /// The leading YAML frontmatter of a SKILL.md, read strictly for the subset skills use: <c>key: value</c>
    /// scalars (plain, single- or double-quoted) and nested maps by indentation (spaces only). Anything else
    /// (lists, block scalars, anchors, tabs, duplicate keys, a missing closing <c>---</c>) is not understood,
    /// and <see cref="TryParse"/> says why. Values are strings or nested maps (ordinal keys).
    /// </summary>
    public static class SkillFrontmatter
    {
        /// <summary>Parses the frontmatter at the start of <paramref name="document"/>; false with the reason when it cannot.</summary>
        public static bool TryParse(string document, out IReadOnlyDictionary<string, object> values, out string error)
        {
            values = new Dictionary<string, object>(StringComparer.Ordinal);
            error = string.Empty;
            string[] lines = (document ?? string.Empty).Replace("\r\n", "\n").Split('\n');
            if (lines.Length == 0 || lines[0].TrimEnd() != "---")
            {
                error = "the file does not start with a '---' frontmatter line";
                return false;
            }

            int end = Array.FindIndex(lines, 1, l => l.TrimEnd() == "---");
            if (end < 0)
            {
                error = "the frontmatter has no closing '---' line";
                return false;
            }

            var root = new Dictionary<string, object>(StringComparer.Ordinal);
            var stack = new List<(int Indent, Dictionary<string, object> Map)> { (0, root) };
            int? pendingChildIndent = null;
            for (int i = 1; i < end; i++)
            {
                string line = lines[i];
                string trimmed = line.Trim(' ');
                if (trimmed.Length == 0 || trimmed.StartsWith("#", StringComparison.Ordinal))
                {
                    continue;
                }

                if (line.IndexOf('\t') >= 0)
                {
                    error = $"line {i + 1} has a tab";
                    return false;
                }

                int indent = line.Length - line.TrimStart(' ').Length;
                if (pendingChildIndent is int parentIndent)
                {
                    if (indent <= parentIndent)
                    {
                        error = $"line {i + 1}: a key with no value must be followed by an indented map";
                        return false;
                    }

                    stack[stack.Count - 1] = (indent, stack[stack.Count - 1].Map);
                    pendingChildIndent = null;
                }

                while (stack.Count > 1 && indent < stack[stack.Count - 1].Indent)
                {
                    stack.RemoveAt(stack.Count - 1);
                }

                if (indent != stack[stack.Count - 1].Indent)
                {
                    error = $"line {i + 1} is indented inconsistently";
                    return false;
                }

                if (!TrySplit(trimmed, out string key, out string rest))
                {
                    error = $"line {i + 1} is not 'key: value'";
                    return false;
                }

                Dictionary<string, object> map = stack[stack.Count - 1].Map;
                if (map.ContainsKey(key))
                {
                    error = $"line {i + 1} repeats the key '{key}'";
                    return false;
                }

                if (rest.Length == 0)
                {
                    var child = new Dictionary<string, object>(StringComparer.Ordinal);
                    map[key] = child;
                    stack.Add((indent, child));
                    pendingChildIndent = indent;
                    continue;
                }

                if (!TryScalar(rest, out string value))
                {
                    error = $"line {i + 1}: the value of '{key}' is not a scalar this reader understands";
                    return false;
                }

                map[key] = value;
            }

            if (pendingChildIndent is not null)
            {
                error = "the frontmatter ends with a key that has no value";
                return false;
            }

            values = root;
            return true;
        }

        /// <summary>
        /// Compares parsed frontmatter with a skills/list entry's, field by field (same keys, same values; a JSON
        /// number or boolean compares by its JSON text). Returns null when they agree, else the first difference.
        /// </summary>
        public static string? Compare(IReadOnlyDictionary<string, object> parsed, IReadOnlyDictionary<string, object> entry, string path = "")
        {
            foreach (string key in entry.Keys.Union(parsed.Keys, StringComparer.Ordinal).OrderBy(k => k, StringComparer.Ordinal))
            {
                string name = path.Length == 0 ? key : path + "." + key;
                if (!parsed.TryGetValue(key, out object? mine))
                {
                    return $"the file has no '{name}' field the entry has";
                }

                if (!entry.TryGetValue(key, out object? theirs))
                {
                    return $"the file has a '{name}' field the entry does not have";
                }

                if (mine is IReadOnlyDictionary<string, object> a && theirs is IReadOnlyDictionary<string, object> b)
                {
                    if (Compare(a, b, name) is string inner)
                    {
                        return inner;
                    }
                }
                else if (mine is not string s || theirs is not string t || !string.Equals(s, t, StringComparison.Ordinal))
                {
                    return $"the field '{name}' differs from the entry";
                }
            }

            return null;
        }

        /// <summary>A skills/list entry's frontmatter object as strings and nested maps (numbers and booleans by their JSON text); null for other JSON.</summary>
        public static IReadOnlyDictionary<string, object>? FromJson(JsonNode? node)
        {
            if (node is not JsonObject o)
            {
                return null;
            }

            var map = new Dictionary<string, object>(StringComparer.Ordinal);
            foreach (KeyValuePair<string, JsonNode?> kv in o)
            {
                object? value = kv.Value switch
                {
                    JsonObject child => FromJson(child),
                    JsonValue v when v.TryGetValue(out string? s) => s,
                    JsonValue v => v.ToJsonString(),
                    _ => null,
                };
                if (value is null)
                {
                    return null;
                }

                map[kv.Key] = value;
            }

            return map;
        }

        private static bool TrySplit(string line, out string key, out string rest)
        {
            key = rest = string.Empty;
            int colon = line.IndexOf(':');
            while (colon >= 0 && colon + 1 < line.Length && line[colon + 1] != ' ')
            {
                colon = line.IndexOf(':', colon + 1);
            }

            if (colon <= 0)
            {
                return false;
            }

            key = line.Substring(0, colon).TrimEnd(' ');
            rest = line.Substring(colon + 1).Trim(' ');
            return key.Length > 0 && key.IndexOfAny(new[] { '"', '\'', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '%', '@', '`', '?', '-' }) != 0
                && key.IndexOfAny(new[] { '"', '\'', '{', '}', '[', ']' }) < 0;
        }

        private static bool TryScalar(string text, out string value)
        {
            value = string.Empty;
            if (text[0] == '"')
            {
                return TryDoubleQuoted(text, out value);
            }

            if (text[0] == '\'')
            {
                int close = 1;
                var sb = new StringBuilder();
                while (close < text.Length)
                {
                    if (text[close] == '\'')
                    {
                        if (close + 1 < text.Length && text[close + 1] == '\'')
                        {
                            sb.Append('\'');
                            close += 2;
                            continue;
                        }

                        value = sb.ToString();
                        return IsTrailingNothing(text.Substring(close + 1));
                    }

                    sb.Append(text[close++]);
                }

                return false;
            }

            if ("[]{}&*!|>%@`,".IndexOf(text[0]) >= 0 || text.StartsWith("- ", StringComparison.Ordinal) || text == "-")
            {
                return false;
            }

            int comment = text.IndexOf(" #", StringComparison.Ordinal);
            string plain = (comment >= 0 ? text.Substring(0, comment) : text).TrimEnd(' ');
            if (plain.Contains(": ") || plain.EndsWith(":", StringComparison.Ordinal))
            {
                return false;
            }

            value = plain;
            return true;
        }

        private static bool TryDoubleQuoted(string text, out string value)
        {
            value = string.Empty;
            var sb = new StringBuilder();
            for (int i = 1; i < text.Length; i++)
            {
                char c = text[i];
                if (c == '"')
                {
                    value = sb.ToString();
                    return IsTrailingNothing(text.Substring(i + 1));
                }

                if (c != '\\')
                {
                    sb.Append(c);
                    continue;
                }

                if (++i >= text.Length)
                {
                    return false;
                }

                switch (text[i])
                {
                    case '"': sb.Append('"'); break;
                    case '\\': sb.Append('\\'); break;
                    case '/': sb.Append('/'); break;
                    case 'n': sb.Append('\n'); break;
                    case 't': sb.Append('\t'); break;
                    case 'r': sb.Append('\r'); break;
                    case '0': sb.Append('\0'); break;
                    case 'u' when i + 4 < text.Length && ushort.TryParse(text.Substring(i + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ushort code):
                        sb.Append((char)code);
                        i += 4;
                        break;
                    default: return false;
                }
            }

            return false;
        }

        private static bool IsTrailingNothing(string rest)
        {
            string t = rest.Trim(' ');
            return t.Length == 0 || t.StartsWith("#", StringComparison.Ordinal) && rest.StartsWith(" ", StringComparison.Ordinal);
        }
    }
}
