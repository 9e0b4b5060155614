using System;
using System.Text.Json;

namespace McpAuth.Core.Http
{
    /// <summary>
    /// Parses JSON a peer sent (metadata, OAuth and MCP answers) so that everything read from it afterwards is
    /// well-defined: a member that appears twice in any object, or a string or member name that is not valid
    /// UTF-16 (a lone surrogate escape such as <c>"\ud800"</c>), is a <see cref="JsonException"/> here, which every
    /// caller already turns into its typed malformed-answer error, instead of an ArgumentException or
    /// InvalidOperationException wherever the value happens to be read.
    /// </summary>
    internal static class PeerJson
    {
        /// <summary>Parses and checks <paramref name="utf8"/>; dispose the result.</summary>
        public static JsonDocument Parse(ReadOnlyMemory<byte> utf8, int maxDepth) => Checked(JsonDocument.Parse(utf8, Options(maxDepth)));

        /// <summary>Parses and checks <paramref name="json"/>; dispose the result.</summary>
        public static JsonDocument Parse(string json, int maxDepth) => Checked(JsonDocument.Parse(json, Options(maxDepth)));

        private static JsonDocumentOptions Options(int maxDepth) => new JsonDocumentOptions { MaxDepth = maxDepth, AllowDuplicateProperties = false };

        private static JsonDocument Checked(JsonDocument document)
        {
            try
            {
                Check(document.RootElement);
                return document;
            }
            catch (InvalidOperationException ex)
            {
                document.Dispose();
                throw new JsonException("a string is not valid text (" + ex.Message + ")", ex);
            }
            catch
            {
                document.Dispose();
                throw;
            }
        }

        // Depth is bounded by the parser's MaxDepth.
        private static void Check(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (JsonProperty property in element.EnumerateObject())
                    {
                        _ = property.Name;
                        Check(property.Value);
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (JsonElement item in element.EnumerateArray())
                    {
                        Check(item);
                    }

                    break;
                case JsonValueKind.String:
                    _ = element.GetString();
                    break;
            }
        }
    }
}
