using System;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace McpAuth.Core.Storage
{
    /// <summary>Reads and writes a <see cref="Secret"/> as a JSON string; only the credential store uses it.</summary>
    internal sealed class SecretJsonConverter : JsonConverter<Secret>
    {
        public override Secret? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                return null;
            }

            if (reader.TokenType != JsonTokenType.String)
            {
                // Never echo the value: it is a secret even when malformed.
                throw new JsonException("A secret must be a JSON string.");
            }

            return new Secret(reader.GetString()!);
        }

        public override void Write(Utf8JsonWriter writer, Secret value, JsonSerializerOptions options)
        {
            writer.WriteStringValue(value.Reveal());
        }
    }

    /// <summary>Writes times as UTC ISO 8601 (<c>2026-01-02T03:04:05.0000000Z</c>) so stored expiries are absolute.</summary>
    internal sealed class UtcDateTimeOffsetConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            return reader.GetDateTimeOffset().ToUniversalTime();
        }

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
        {
            writer.WriteStringValue(value.ToUniversalTime());
        }
    }
}
