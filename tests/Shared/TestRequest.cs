using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;

namespace McpAuth.Testing
{
    /// <summary>One request a <see cref="TestHttpServer"/> received, as it arrived.</summary>
    public sealed class TestRequest
    {
        public TestRequest(string method, string target, IReadOnlyDictionary<string, string> headers, string body, DateTimeOffset receivedAt)
        {
            Method = method;
            Target = target;
            Headers = headers;
            Body = body;
            ReceivedAt = receivedAt;
            if (Header("Content-Type")?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true)
            {
                foreach (KeyValuePair<string, string> pair in Pairs(body))
                {
                    if (!Form.TryGetValue(pair.Key, out List<string>? values))
                    {
                        Form[pair.Key] = values = new List<string>();
                    }

                    values.Add(pair.Value);
                }
            }
        }

        public string Method { get; }

        /// <summary>Gets the request target as sent (origin form, or absolute form through a proxy).</summary>
        public string Target { get; }

        public IReadOnlyDictionary<string, string> Headers { get; }

        public string Body { get; }

        /// <summary>Gets when the request arrived (real time).</summary>
        public DateTimeOffset ReceivedAt { get; }

        /// <summary>Gets the form fields (every value of a repeated field), when the body is form-urlencoded.</summary>
        public Dictionary<string, List<string>> Form { get; } = new(StringComparer.Ordinal);

        /// <summary>Gets the form fields with the last value of a repeated one.</summary>
        public Dictionary<string, string> FormFields => Form.ToDictionary(f => f.Key, f => f.Value[^1], StringComparer.Ordinal);

        /// <summary>Gets the path and query, also for absolute-form targets.</summary>
        public string PathAndQuery => Target.StartsWith("/", StringComparison.Ordinal) || !Uri.TryCreate(Target, UriKind.Absolute, out Uri? absolute) ? Target : absolute.PathAndQuery;

        /// <summary>Gets the path without the query.</summary>
        public string Path => PathAndQuery.Split('?')[0];

        /// <summary>Gets the query without the '?'.</summary>
        public string Query => PathAndQuery.IndexOf('?', StringComparison.Ordinal) is int q and >= 0 ? PathAndQuery.Substring(q + 1) : string.Empty;

        /// <summary>Gets the fields of the query string (the last value of a repeated one).</summary>
        public Dictionary<string, string> QueryFields => Fields(Query);

        /// <summary>Gets the bearer token the request carried, or null.</summary>
        public string? Bearer => Header("Authorization") is string a && a.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? a.Substring(7).Trim() : null;

        /// <summary>Decodes one form-urlencoded name or value ('+' is a space).</summary>
        public static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));

        /// <summary>Parses a form-urlencoded body or a query string into its fields (the last value of a repeated one).</summary>
        public static Dictionary<string, string> Fields(string text)
        {
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (KeyValuePair<string, string> pair in Pairs(text))
            {
                fields[pair.Key] = pair.Value;
            }

            return fields;
        }

        public string? Header(string name) => Headers.TryGetValue(name, out string? v) ? v : null;

        /// <summary>Returns the one value of a form field, or null.</summary>
        public string? Field(string name) => Form.TryGetValue(name, out List<string>? v) ? v.Single() : null;

        public JsonElement Json()
        {
            using JsonDocument doc = JsonDocument.Parse(Body);
            return doc.RootElement.Clone();
        }

        private static IEnumerable<KeyValuePair<string, string>> Pairs(string text)
        {
            foreach (string pair in text.Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                string[] parts = pair.Split('=', 2);
                yield return new(Decode(parts[0]), parts.Length > 1 ? Decode(parts[1]) : string.Empty);
            }
        }
    }
}
