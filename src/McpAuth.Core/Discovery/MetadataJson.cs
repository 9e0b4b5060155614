using System;
using System.Collections.Generic;
using System.Text.Json;
using McpAuth.Core.Http;

namespace McpAuth.Core.Discovery
{
    /// <summary>Typed, strict reads of metadata documents: a wrong type is <c>MalformedMetadata</c>, JSON null is absent.</summary>
    internal sealed class MetadataJson
    {
        private readonly Dictionary<string, JsonElement> properties;
        private readonly string documentName;
        private readonly Uri? source;

        private MetadataJson(Dictionary<string, JsonElement> properties, string documentName, Uri? source)
        {
            this.properties = properties;
            this.documentName = documentName;
            this.source = source;
        }

        /// <summary>Parses a JSON object; throws <c>MalformedMetadata</c> for invalid JSON, a non-object, or duplicate names.</summary>
        public static MetadataJson Parse(string json, string documentName, Uri? source)
        {
            if (json is null)
            {
                throw new ArgumentNullException(nameof(json));
            }

            JsonDocument document;
            try
            {
                document = PeerJson.Parse(json, 32);
            }
            catch (JsonException ex)
            {
                throw Malformed(documentName, source, "it is not valid JSON (" + ServerText.Sanitize(ex.Message, 120) + ")", ex);
            }

            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw Malformed(documentName, source, "it is not a JSON object", null);
                }

                var properties = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                foreach (JsonProperty property in document.RootElement.EnumerateObject())
                {
                    if (properties.ContainsKey(property.Name))
                    {
                        throw Malformed(documentName, source, $"the member '{ServerText.Shorten(property.Name, 40)}' appears twice", null);
                    }

                    properties.Add(property.Name, property.Value.Clone());
                }

                return new MetadataJson(properties, documentName, source);
            }
        }

        public string? GetString(string name)
        {
            if (!properties.TryGetValue(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (value.ValueKind != JsonValueKind.String)
            {
                throw Fail($"'{name}' must be a string");
            }

            return value.GetString();
        }

        public string RequireString(string name) => GetString(name) ?? throw Fail($"the required member '{name}' is missing");

        public bool GetBoolean(string name)
        {
            if (!properties.TryGetValue(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
            {
                return false;
            }

            return value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw Fail($"'{name}' must be true or false"),
            };
        }

        public IReadOnlyList<string> GetStringArray(string name)
        {
            if (!properties.TryGetValue(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
            {
                return Array.Empty<string>();
            }

            if (value.ValueKind != JsonValueKind.Array)
            {
                throw Fail($"'{name}' must be an array of strings");
            }

            var result = new List<string>();
            foreach (JsonElement item in value.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String)
                {
                    throw Fail($"'{name}' must be an array of strings");
                }

                result.Add(item.GetString()!);
            }

            return result;
        }

        /// <summary>Reads an optional absolute http(s) URL; the Uri keeps the string as given in OriginalString.</summary>
        public Uri? GetUrl(string name, bool allowQuery = true)
        {
            string? text = GetString(name);
            return text is null ? null : ToUrl(name, text, allowQuery);
        }

        public Uri RequireUrl(string name, bool allowQuery = true) => ToUrl(name, RequireString(name), allowQuery);

        public IReadOnlyList<Uri> GetUrlArray(string name)
        {
            IReadOnlyList<string> texts = GetStringArray(name);
            var result = new List<Uri>(texts.Count);
            foreach (string text in texts)
            {
                result.Add(ToUrl(name, text, allowQuery: true));
            }

            return result;
        }

        public McpAuthException Fail(string what) => Malformed(documentName, source, what, null);

        internal static McpAuthException Malformed(string documentName, Uri? source, string what, Exception? inner) => new McpAuthException(
            ErrorIds.MalformedMetadata,
            McpErrorKind.InvalidData,
            source is null
                ? $"The {documentName} is malformed: {what}. Report it to the server's operator."
                : $"The {documentName} at {source} is malformed: {what}. Report it to the server's operator.",
            source,
            inner);

        private Uri ToUrl(string name, string text, bool allowQuery)
        {
            // "/x" parses as an absolute file URI on Unix, hence the explicit scheme check.
            if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) ||
                !(string.Equals(uri.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase) ||
                  string.Equals(uri.Scheme, Uri.UriSchemeHttp, StringComparison.OrdinalIgnoreCase)) ||
                uri.Host.Length == 0)
            {
                throw Fail($"'{name}' must be an absolute http or https URL");
            }

            if (uri.Fragment.Length > 0 || text.IndexOf('#') >= 0)
            {
                throw Fail($"'{name}' must not have a fragment");
            }

            if (!allowQuery && (uri.Query.Length > 0 || text.IndexOf('?') >= 0))
            {
                throw Fail($"'{name}' must not have a query");
            }

            return uri;
        }
    }
}
