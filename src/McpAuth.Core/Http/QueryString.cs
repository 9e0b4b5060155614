using System;
using System.Collections.Generic;
using System.Text;

namespace McpAuth.Core.Http
{
    /// <summary>application/x-www-form-urlencoded query strings: parse (keeping repeats and order) and build.</summary>
    internal static class QueryString
    {
        /// <summary>Parses a query (with or without the leading '?'); names and values are decoded, '+' is a space.</summary>
        public static List<KeyValuePair<string, string>> Parse(string? query)
        {
            var result = new List<KeyValuePair<string, string>>();
            if (string.IsNullOrEmpty(query))
            {
                return result;
            }

            int start = query![0] == '?' ? 1 : 0;
            while (start <= query.Length)
            {
                int end = query.IndexOf('&', start);
                if (end < 0)
                {
                    end = query.Length;
                }

                if (end > start)
                {
                    int equals = query.IndexOf('=', start, end - start);
                    string name = equals < 0 ? query.Substring(start, end - start) : query.Substring(start, equals - start);
                    string value = equals < 0 ? string.Empty : query.Substring(equals + 1, end - equals - 1);
                    result.Add(new KeyValuePair<string, string>(Decode(name), Decode(value)));
                }

                start = end + 1;
            }

            return result;
        }

        /// <summary>Returns every value of <paramref name="name"/> (ordinal), in order.</summary>
        public static List<string> GetAll(List<KeyValuePair<string, string>> pairs, string name)
        {
            var values = new List<string>();
            foreach (KeyValuePair<string, string> pair in pairs)
            {
                if (string.Equals(pair.Key, name, StringComparison.Ordinal))
                {
                    values.Add(pair.Value);
                }
            }

            return values;
        }

        public static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));

        public static string Encode(string text) => Uri.EscapeDataString(text);

        /// <summary>Appends <c>name=value</c>, encoded, with a separating '&amp;' when the builder is not empty.</summary>
        public static void Append(StringBuilder builder, string name, string value)
        {
            if (builder.Length > 0)
            {
                builder.Append('&');
            }

            builder.Append(Encode(name)).Append('=').Append(Encode(value));
        }
    }
}
