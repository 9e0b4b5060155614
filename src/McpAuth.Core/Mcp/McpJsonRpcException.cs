using System.Text.Json.Nodes;

namespace McpAuth.Core.Mcp
{
    /// <summary>A JSON-RPC error the MCP server answered with; keeps the code and data.</summary>
    public sealed class McpJsonRpcException : McpAuthException
    {
        internal McpJsonRpcException(string errorId, long code, string message, object? target, JsonNode? data)
            : base(errorId, McpErrorKind.ServerError, message, target)
        {
            Code = code;
            ErrorData = data;
        }

        /// <summary>Gets the JSON-RPC error code.</summary>
        public long Code { get; }

        /// <summary>Gets the error's data member as plain .NET data, if any.</summary>
        public object? ErrorDataValue => ClrJson.ToClr(ErrorData);

        internal JsonNode? ErrorData { get; }
    }
}
