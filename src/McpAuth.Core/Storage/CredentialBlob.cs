using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace McpAuth.Core.Storage
{
    /// <summary>
    /// The persisted document, <c>{"v":1,"records":[...]}</c>, parsed record by record: a record that
    /// cannot be read becomes a flagged entry that keeps its original JSON and is written back unchanged,
    /// so one damaged record never takes the others with it. A document that is not valid JSON at all is
    /// refused (<see cref="ErrorIds.CredentialCorrupted"/>) and never overwritten except by a reset.
    /// </summary>
    internal sealed class CredentialBlob
    {
        public const int CurrentVersion = 1;

        internal static readonly JsonSerializerOptions JsonOptions = CreateOptions();

        private CredentialBlob(List<Entry> entries)
        {
            Entries = entries;
        }

        public List<Entry> Entries { get; }

        public static CredentialBlob Empty() => new CredentialBlob(new List<Entry>());

        /// <summary>Parses stored bytes; empty means an empty store.</summary>
        public static CredentialBlob Parse(byte[]? data, string location)
        {
            var entries = new List<Entry>();
            if (data is null || data.Length == 0)
            {
                return new CredentialBlob(entries);
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(data);
            }
            catch (JsonException ex)
            {
                throw Corrupted(location, $"it is not valid JSON (at byte {ex.BytePositionInLine ?? 0} of line {ex.LineNumber ?? 0})", ex);
            }

            using (document)
            {
                JsonElement root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    throw Corrupted(location, "it is not a JSON object", null);
                }

                if (!root.TryGetProperty("v", out JsonElement version) || version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out int v))
                {
                    throw Corrupted(location, "it has no format version (\"v\")", null);
                }

                if (v != CurrentVersion)
                {
                    throw Corrupted(location, $"it has format version {v}, which this version of McpAuth does not read (a newer McpAuth wrote it?)", null);
                }

                if (!root.TryGetProperty("records", out JsonElement records) || records.ValueKind != JsonValueKind.Array)
                {
                    throw Corrupted(location, "it has no \"records\" array", null);
                }

                int index = 0;
                foreach (JsonElement element in records.EnumerateArray())
                {
                    entries.Add(ParseEntry(element, index++));
                }
            }

            return new CredentialBlob(entries);
        }

        /// <summary>Serialises the document: good records freshly, flagged ones byte for byte as they were read.</summary>
        public byte[] Serialize()
        {
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream))
            {
                writer.WriteStartObject();
                writer.WriteNumber("v", CurrentVersion);
                writer.WriteStartArray("records");
                foreach (Entry entry in Entries)
                {
                    if (entry.Record is not null)
                    {
                        JsonSerializer.Serialize(writer, entry.Record, JsonOptions);
                    }
                    else
                    {
                        writer.WriteRawValue(entry.RawJson!);
                    }
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            return stream.ToArray();
        }

        /// <summary>Finds the entry (good or flagged) stored under <paramref name="key"/>.</summary>
        public Entry? Find(CredentialKey key)
        {
            foreach (Entry entry in Entries)
            {
                if (key.Equals(entry.Key))
                {
                    return entry;
                }
            }

            return null;
        }

        /// <summary>Removes every entry (good or flagged) stored under <paramref name="key"/>; true when any was.</summary>
        public bool Remove(CredentialKey key) => Entries.RemoveAll(e => key.Equals(e.Key)) > 0;

        /// <summary>Replaces the entry for the record's key, or adds one.</summary>
        public void Put(CredentialRecord record)
        {
            Remove(record.Key);
            Entries.Add(new Entry(record.Key, record, null, null));
        }

        internal static McpAuthException Corrupted(string location, string why, Exception? inner) =>
            new CredentialStoreException(
                ErrorIds.CredentialCorrupted,
                McpErrorKind.InvalidData,
                $"The credential store at {location} cannot be read: {why}. Its contents are left as they are; "
                + "reset the credential store to start over (every stored sign-in is then forgotten).",
                location,
                "Reset the credential store (every stored sign-in is then forgotten), then sign in again.",
                inner);

        private static Entry ParseEntry(JsonElement element, int index)
        {
            string raw = element.GetRawText();
            CredentialKey? key = TryReadKey(element);
            try
            {
                if (element.ValueKind != JsonValueKind.Object)
                {
                    return new Entry(key, null, raw, $"record {index} is not a JSON object");
                }

                if (!element.TryGetProperty("v", out JsonElement v) || v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out int version))
                {
                    return new Entry(key, null, raw, $"record {index} has no format version");
                }

                if (version < CredentialRecord.OldestReadableVersion || version > CredentialRecord.CurrentVersion)
                {
                    return new Entry(key, null, raw, $"record {index} has format version {version}, which this version of McpAuth does not read");
                }

                CredentialRecord? record = element.Deserialize<CredentialRecord>(JsonOptions);
                if (record is null || record.Key is null)
                {
                    return new Entry(key, null, raw, $"record {index} has no key");
                }

                if (record.Discovery is not null && !string.Equals(record.Discovery.Issuer, record.Key.Issuer, StringComparison.Ordinal))
                {
                    return new Entry(key, null, raw, $"record {index} names a different issuer in its discovery results than in its key");
                }

                return new Entry(record.Key, record, null, null);
            }
            catch (Exception ex) when (ex is JsonException || ex is ArgumentException || ex is FormatException || ex is InvalidOperationException || ex is NotSupportedException)
            {
                // The exception text may quote the offending value, which could be a secret: report the kind only.
                return new Entry(key, null, raw, $"record {index} could not be read ({ex.GetType().Name})");
            }
        }

        private static CredentialKey? TryReadKey(JsonElement element)
        {
            if (element.ValueKind == JsonValueKind.Object
                && element.TryGetProperty("key", out JsonElement key)
                && key.ValueKind == JsonValueKind.Object
                && key.TryGetProperty("resource", out JsonElement resource) && resource.ValueKind == JsonValueKind.String
                && key.TryGetProperty("issuer", out JsonElement issuer) && issuer.ValueKind == JsonValueKind.String)
            {
                string? account = key.TryGetProperty("account", out JsonElement a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
                string r = resource.GetString()!;
                string i = issuer.GetString()!;
                if (r.Length > 0 && i.Length > 0)
                {
                    return new CredentialKey(r, i, account);
                }
            }

            return null;
        }

        private static JsonSerializerOptions CreateOptions()
        {
            var options = new JsonSerializerOptions
            {
                DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
                WriteIndented = false,
            };
            options.Converters.Add(new SecretJsonConverter());
            options.Converters.Add(new UtcDateTimeOffsetConverter());
            options.Converters.Add(new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false));
            return options;
        }

        /// <summary>One stored entry: a good record, or the raw JSON of one that could not be read.</summary>
        internal sealed class Entry
        {
            public Entry(CredentialKey? key, CredentialRecord? record, string? rawJson, string? problem)
            {
                Key = key;
                Record = record;
                RawJson = rawJson;
                Problem = problem;
            }

            /// <summary>Gets the key, or null when even that could not be read from a flagged entry.</summary>
            public CredentialKey? Key { get; }

            public CredentialRecord? Record { get; }

            public string? RawJson { get; }

            public string? Problem { get; }
        }
    }
}
