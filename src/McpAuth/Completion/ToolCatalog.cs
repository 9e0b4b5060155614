using System;
using System.Collections.Generic;
using McpAuth.Core.Mcp;

namespace McpAuth.Completion
{
    /// <summary>The tools of live connections for the completers; the engine's <see cref="ToolLookup"/> does the work (and never signs in).</summary>
    internal static class ToolCatalog
    {
        /// <summary>The tools of each connection known within <paramref name="wait"/>.</summary>
        public static IReadOnlyList<KeyValuePair<McpConnection, IReadOnlyList<McpToolInfo>>> Get(IReadOnlyList<McpConnection> connections, TimeSpan wait)
            => ToolLookup.Get(connections, wait);
    }
}
