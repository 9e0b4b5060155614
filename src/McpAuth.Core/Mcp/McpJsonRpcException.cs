using System.Text.Json;

namespace McpAuth.Core.Mcp
{
    /// <summary>A JSON-RPC error the MCP server answered with; keeps the code, the data and the HTTP status.</summary>
    public sealed class McpJsonRpcException : McpAuthException
    {
        internal McpJsonRpcException(string errorId, long code, string message, object? target, JsonElement? data, int httpStatus)
            : base(errorId, McpErrorKind.ServerError, message, target)
        {
            Code = code;
            ErrorData = data;
            HttpStatus = httpStatus;
        }

        /// <summary>Gets the JSON-RPC error code.</summary>
        public long Code { get; }

        /// <summary>Gets the HTTP status the error came with (200 when it came in a successful response or stream).</summary>
        public int HttpStatus { get; }

        /// <summary>Gets the error's data member as plain .NET data, if any.</summary>
        public object? ErrorDataValue => ClrJson.ToClr(JsonRpcCodec.ToNode(ErrorData));

        internal JsonElement? ErrorData { get; }
    }
}
