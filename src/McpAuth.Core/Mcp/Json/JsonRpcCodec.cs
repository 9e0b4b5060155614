using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using McpAuth.Core.Http;

namespace McpAuth.Core.Mcp
{
    /// <summary>
    /// Reads and writes JSON-RPC messages with the source-generated <see cref="McpJsonContext"/>, and turns
    /// what a server answers into typed results or typed errors. Anything that is not well-formed JSON-RPC
    /// 2.0 becomes <c>MalformedResponse</c>; a JSON-RPC error becomes <see cref="McpJsonRpcException"/>.
    /// </summary>
    internal static class JsonRpcCodec
    {
        private static readonly JsonDocumentOptions DocumentOptions = new JsonDocumentOptions { MaxDepth = 128 };

        public static byte[] Serialize(JsonRpcRequest request) => JsonSerializer.SerializeToUtf8Bytes(request, McpJsonContext.Default.JsonRpcRequest);

        public static byte[] Serialize(JsonRpcReply reply) => JsonSerializer.SerializeToUtf8Bytes(reply, McpJsonContext.Default.JsonRpcReply);

        /// <summary>Parses one message (an SSE event's data).</summary>
        public static JsonRpcMessage ParseMessage(string json, object? target)
        {
            JsonRpcMessage? message;
            try
            {
                message = JsonSerializer.Deserialize(json, McpJsonContext.Default.JsonRpcMessage);
            }
            catch (JsonException ex)
            {
                throw Malformed("The server sent malformed JSON (" + FirstLine(ex.Message) + ").", target, ex);
            }

            return Check(message, target);
        }

        /// <summary>Parses a JSON response body: one message, or a batch (2025-03-26 servers may send one).</summary>
        public static IReadOnlyList<JsonRpcMessage> ParseBody(byte[] body, object? target)
        {
            try
            {
                using JsonDocument document = JsonDocument.Parse(body, DocumentOptions);
                JsonElement root = document.RootElement;
                if (root.ValueKind == JsonValueKind.Array)
                {
                    var messages = new List<JsonRpcMessage>();
                    foreach (JsonElement item in root.EnumerateArray())
                    {
                        messages.Add(Check(item.Deserialize(McpJsonContext.Default.JsonRpcMessage), target));
                    }

                    return messages;
                }

                return new[] { Check(root.Deserialize(McpJsonContext.Default.JsonRpcMessage), target) };
            }
            catch (JsonException ex)
            {
                throw Malformed("The server sent malformed JSON (" + FirstLine(ex.Message) + ").", target, ex);
            }
        }

        /// <summary>Returns the message's result, or throws its error as <see cref="McpJsonRpcException"/>.</summary>
        public static JsonElement ResultOf(JsonRpcMessage message, int httpStatus, object? target)
        {
            if (message.Error is JsonRpcError error)
            {
                throw ToException(error, httpStatus, target);
            }

            return message.Result ?? throw Malformed("The server's response has neither a result nor an error.", target, null);
        }

        /// <summary>Reads a result into its typed form.</summary>
        public static T Read<T>(JsonElement result, JsonTypeInfo<T> type, string what, object? target)
            where T : class
        {
            try
            {
                return result.Deserialize(type) ?? throw Malformed($"The server's {what} result is null.", target, null);
            }
            catch (JsonException ex)
            {
                throw Malformed($"The server's {what} result does not have the shape MCP defines ({FirstLine(ex.Message)}).", target, ex);
            }
            catch (InvalidOperationException ex)
            {
                throw Malformed($"The server's {what} result is not a JSON object.", target, ex);
            }
        }

        /// <summary>Reads an element (params, error data) into its typed form; null when it does not fit.</summary>
        public static T? TryRead<T>(JsonElement? element, JsonTypeInfo<T> type)
            where T : class
        {
            if (element is not JsonElement value || value.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            try
            {
                return value.Deserialize(type);
            }
            catch (JsonException)
            {
                return null;
            }
        }

        /// <summary>A JSON element as a JsonNode (for plain-data conversion), or null.</summary>
        public static JsonNode? ToNode(JsonElement? element) => element is JsonElement value ? JsonNode.Parse(value.GetRawText(), documentOptions: DocumentOptions) : null;

        public static McpJsonRpcException ToException(JsonRpcError error, int httpStatus, object? target)
        {
            string text = string.IsNullOrEmpty(error.Message) ? "(no message)" : ServerText.Sanitize(error.Message!, 300);
            string errorId = error.Code switch
            {
                McpErrorCodes.MethodNotFound => ErrorIds.MethodNotFound,
                McpErrorCodes.InvalidParams => ErrorIds.InvalidParams,
                McpErrorCodes.HeaderMismatch => ErrorIds.HeaderMismatch,
                McpErrorCodes.MissingRequiredClientCapability => ErrorIds.MissingRequiredClientCapability,
                McpErrorCodes.UnsupportedProtocolVersion => ErrorIds.UnsupportedProtocolVersion,
                _ => ErrorIds.JsonRpcError,
            };
            return new McpJsonRpcException(errorId, error.Code, $"The MCP server answered with error {error.Code}: {text}", target, error.Data, httpStatus);
        }

        internal static McpAuthException Malformed(string message, object? target, Exception? inner)
            => new McpAuthException(ErrorIds.MalformedResponse, McpErrorKind.InvalidData, message, target, inner);

        private static JsonRpcMessage Check(JsonRpcMessage? message, object? target)
        {
            if (message is null)
            {
                throw Malformed("The server sent JSON that is not a JSON-RPC message object.", target, null);
            }

            if (message.JsonRpc != "2.0")
            {
                throw Malformed("The server sent a message without \"jsonrpc\": \"2.0\".", target, null);
            }

            return message;
        }

        private static string FirstLine(string text)
        {
            int i = text.IndexOf('\n');
            string line = i < 0 ? text : text.Substring(0, i);
            return line.Length > 200 ? line.Substring(0, 200) : line;
        }
    }

    /// <summary>JSON-RPC error codes the client acts on.</summary>
    internal static class McpErrorCodes
    {
        public const long MethodNotFound = -32601;
        public const long InvalidParams = -32602;

        /// <summary>Resource not found, as servers before 2026-07-28 answer it (modern servers answer -32602).</summary>
        public const long ResourceNotFound = -32002;
        public const long HeaderMismatch = -32020;
        public const long MissingRequiredClientCapability = -32021;
        public const long UnsupportedProtocolVersion = -32022;

        /// <summary>The errors only a modern (2026-07-28 or later) server answers with.</summary>
        public static bool IsModern(long code) => code == HeaderMismatch || code == MissingRequiredClientCapability || code == UnsupportedProtocolVersion;
    }
}
