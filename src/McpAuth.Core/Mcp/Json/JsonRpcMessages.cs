using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace McpAuth.Core.Mcp
{
    /// <summary>A JSON-RPC request (with an id) or notification (without) that this client sends.</summary>
    internal sealed class JsonRpcRequest
    {
        public JsonRpcRequest(long? id, string method, RequestParams? parameters)
        {
            Id = id;
            Method = method;
            Params = parameters;
        }

        [JsonPropertyName("jsonrpc")]
        public string JsonRpc => "2.0";

        [JsonPropertyName("id")]
        public long? Id { get; }

        [JsonPropertyName("method")]
        public string Method { get; }

        [JsonPropertyName("params")]
        public RequestParams? Params { get; }
    }

    /// <summary>This client's answer to a request the server sent (legacy servers only): a result or an error.</summary>
    internal sealed class JsonRpcReply
    {
        public JsonRpcReply(JsonElement id, JsonNode? result, JsonRpcError? error)
        {
            Id = id;
            Result = result;
            Error = error;
        }

        [JsonPropertyName("jsonrpc")]
        public string JsonRpc => "2.0";

        [JsonPropertyName("id")]
        public JsonElement Id { get; }

        [JsonPropertyName("result")]
        public JsonNode? Result { get; }

        [JsonPropertyName("error")]
        public JsonRpcError? Error { get; }
    }

    /// <summary>The error member of a JSON-RPC response.</summary>
    internal sealed class JsonRpcError
    {
        [JsonPropertyName("code")]
        public long Code { get; set; }

        [JsonPropertyName("message")]
        public string? Message { get; set; }

        [JsonPropertyName("data")]
        public JsonElement? Data { get; set; }
    }

    /// <summary>One JSON-RPC 2.0 message as received: a request, a notification or a response.</summary>
    internal sealed class JsonRpcMessage
    {
        [JsonPropertyName("jsonrpc")]
        public string? JsonRpc { get; set; }

        [JsonPropertyName("id")]
        public JsonElement? Id { get; set; }

        [JsonPropertyName("method")]
        public string? Method { get; set; }

        [JsonPropertyName("params")]
        public JsonElement? Params { get; set; }

        [JsonPropertyName("result")]
        public JsonElement? Result { get; set; }

        [JsonPropertyName("error")]
        public JsonRpcError? Error { get; set; }

        [JsonIgnore]
        public bool IsRequest => Method is not null && Id is not null;

        [JsonIgnore]
        public bool IsNotification => Method is not null && Id is null;

        [JsonIgnore]
        public bool IsResponse => Method is null && (Result is not null || Error is not null);

        /// <summary>Returns true when this response answers the request with <paramref name="id"/> (a number, or its decimal string).</summary>
        public bool Answers(long id)
        {
            return IsResponse && Id is JsonElement value && IsId(value, id);
        }

        /// <summary>Returns true when <paramref name="value"/> is the request id <paramref name="id"/> (a number, or its decimal string).</summary>
        public static bool IsId(JsonElement value, long id) => value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetInt64(out long l) ? l == id : value.TryGetDouble(out double d) && d == id,
            JsonValueKind.String => value.GetString() == id.ToString(CultureInfo.InvariantCulture),
            _ => false,
        };
    }
}
