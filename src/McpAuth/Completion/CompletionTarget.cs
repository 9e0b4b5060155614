using System;
using System.Collections;
using System.Collections.Generic;
using McpAuth.Core;
using McpAuth.Core.Mcp;

namespace McpAuth.Completion
{
    /// <summary>
    /// Finds the live connections a command line being completed talks about, without ever connecting:
    /// -Connection (an McpServerConnection) or -Uri/-ServerUri (the live connection to that server, if
    /// any). When the line names neither (for example the connection comes from the pipeline), every live
    /// connection of this process is a candidate.
    /// </summary>
    internal static class CompletionTarget
    {
        /// <summary>The live connections to complete against; empty when the line names a server with no live connection.</summary>
        public static IReadOnlyList<McpConnection> Connections(IDictionary? fakeBoundParameters)
        {
            if (CompletionText.Bound(fakeBoundParameters, "Connection") is McpServerConnection given)
            {
                McpConnection? live = !given.Connection.IsClosed ? given.Connection : Find(given.ServerUri);
                return live is null ? Array.Empty<McpConnection>() : new[] { live };
            }

            object? uriValue = CompletionText.Bound(fakeBoundParameters, "Uri") ?? CompletionText.Bound(fakeBoundParameters, "ServerUri");
            if (uriValue is not null)
            {
                McpConnection? live = CompletionText.AsUri(uriValue) is Uri uri ? Find(uri) : null;
                return live is null ? Array.Empty<McpConnection>() : new[] { live };
            }

            return McpConnectionRegistry.All;
        }

        private static McpConnection? Find(Uri uri)
        {
            try
            {
                return McpConnectionRegistry.Find(uri);
            }
            catch (McpAuthException)
            {
                // Not a usable MCP endpoint URL (for example plain http to a remote host): nothing to offer.
                return null;
            }
        }
    }
}
