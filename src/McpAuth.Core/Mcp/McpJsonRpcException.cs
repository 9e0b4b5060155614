using System.Text.Json.Nodes;

namespace McpAuth.Core.Mcp
{
    /// <summary>A JSON-RPC error the MCP server answered with; keeps the code and data.</summary>
    public sealed class McpJsonRpcException : McpAuthException
    {
        public McpJsonRpcException(string errorId, long code, string message, object? target, JsonNode? data)
            : base(errorId, McpErrorKind.ServerError, message, target)
        {
            Code = code;
            ErrorData = data;
        }

        /// <summary>Gets the JSON-RPC error code.</summary>
        public long Code { get; }

        /// <summary>Gets the error's data member, if any.</summary>
        public JsonNode? ErrorData { get; }
    }
}
