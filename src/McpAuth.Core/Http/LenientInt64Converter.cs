using System;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace McpAuth.Core.Http
{
    /// <summary>
    /// Reads an optional whole number that servers send as a JSON number or a numeric string (<c>expires_in</c>,
    /// <c>interval</c>, registration times). A fraction is cut off; anything else (another type, a number out of
    /// range) reads as absent rather than failing the whole response, as the field's meaning allows.
    /// </summary>
    internal sealed class LenientInt64Converter : JsonConverter<long?>
    {
        public override bool HandleNull => true;

        public override long? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.Number when reader.TryGetDouble(out double number) && number < long.MaxValue && number > long.MinValue:
                    return (long)number;
                case JsonTokenType.String when long.TryParse(reader.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out long parsed):
                    return parsed;
                case JsonTokenType.StartObject:
                case JsonTokenType.StartArray:
                    reader.Skip();
                    return null;
                default:
                    return null;
            }
        }

        public override void Write(Utf8JsonWriter writer, long? value, JsonSerializerOptions options)
        {
            if (value is long number)
            {
                writer.WriteNumberValue(number);
            }
            else
            {
                writer.WriteNullValue();
            }
        }
    }
}
