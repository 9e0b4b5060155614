using System;
using System.Collections.Generic;

namespace McpAuth.Core.Mcp
{
    /// <summary>MCP protocol versions this client speaks, newest first.</summary>
    public static class McpProtocol
    {
        public const string Latest = "2025-11-25";

        /// <summary>Gets the versions we accept from a server, newest first.</summary>
        public static IReadOnlyList<string> Supported { get; } = new[] { "2025-11-25", "2025-06-18", "2025-03-26" };

        public static bool IsSupported(string? version) => version is not null && Array.IndexOf((string[])Supported, version) >= 0;
    }
}
