using System;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace McpAuth.Core.Mcp
{
    /// <summary>One JSON-RPC 2.0 message as received: a request, a notification, or a response.</summary>
    public sealed class JsonRpcMessage
    {
        private JsonRpcMessage(JsonObject raw)
        {
            Raw = raw;
        }

        public JsonObject Raw { get; }

        /// <summary>Gets the id (number or string) as a JsonNode, or null for notifications.</summary>
        public JsonNode? Id => Raw["id"];

        public string? Method => Raw["method"] is JsonValue v && v.TryGetValue(out string? m) ? m : null;

        public JsonNode? Params => Raw["params"];

        public JsonNode? Result => Raw["result"];

        public JsonObject? Error => Raw["error"] as JsonObject;

        public bool IsRequest => Method is not null && Raw.ContainsKey("id");

        public bool IsNotification => Method is not null && !Raw.ContainsKey("id");

        public bool IsResponse => Method is null && (Raw.ContainsKey("result") || Raw.ContainsKey("error"));

        /// <summary>Returns true when this response answers the request with <paramref name="id"/>.</summary>
        public bool Answers(long id)
        {
            if (!IsResponse || Id is not JsonValue value)
            {
                return false;
            }

            if (value.TryGetValue(out long l))
            {
                return l == id;
            }

            if (value.TryGetValue(out double d))
            {
                return Math.Abs(d - id) < 0.5;
            }

            return value.TryGetValue(out string? s) && s == id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        /// <summary>Parses one message; throws MalformedResponse on anything that is not a JSON-RPC 2.0 object.</summary>
        public static JsonRpcMessage Parse(string json, object? target)
        {
            JsonNode? node;
            try
            {
                node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 128 });
            }
            catch (JsonException ex)
            {
                throw Malformed("The server sent malformed JSON (" + FirstLine(ex.Message) + ").", target, ex);
            }

            if (node is not JsonObject obj)
            {
                throw Malformed("The server sent JSON that is not a JSON-RPC message object.", target, null);
            }

            if (obj["jsonrpc"] is not JsonValue ver || !ver.TryGetValue(out string? v) || v != "2.0")
            {
                throw Malformed("The server sent a message without \"jsonrpc\": \"2.0\".", target, null);
            }

            return new JsonRpcMessage(obj);
        }

        internal static McpAuthException Malformed(string message, object? target, Exception? inner)
            => new McpAuthException(ErrorIds.MalformedResponse, McpErrorKind.InvalidData, message, target, inner);

        private static string FirstLine(string text)
        {
            int i = text.IndexOf('\n');
            string line = i < 0 ? text : text.Substring(0, i);
            return line.Length > 200 ? line.Substring(0, 200) : line;
        }
    }
}
