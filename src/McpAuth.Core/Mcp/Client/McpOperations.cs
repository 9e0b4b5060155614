using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Core.Mcp
{
    /// <summary>The server a command acts on: a live connection it was given, or a URL (a live connection to it is reused, or one is made).</summary>
    public sealed class McpTarget
    {
        public McpTarget(McpConnection? connection, Uri serverUri, McpConnectOptions options)
        {
            Connection = connection;
            ServerUri = serverUri ?? throw new ArgumentNullException(nameof(serverUri));
            Options = options ?? throw new ArgumentNullException(nameof(options));
        }

        public McpConnection? Connection { get; }

        public Uri ServerUri { get; }

        public McpConnectOptions Options { get; }

        internal Task<McpConnection> ResolveAsync(McpCallContext context, CancellationToken cancellationToken)
            => McpConnectionRegistry.ResolveAsync(Connection, ServerUri, Options, context, cancellationToken);
    }

    /// <summary>The engine calls of the commands that speak MCP: one call each, connection included.</summary>
    public static class McpOperations
    {
        /// <summary>Calls a tool on the target (connecting first when needed). A result with isError is returned, not thrown.</summary>
        public static async Task<McpToolResult> CallToolAsync(McpTarget target, string name, object? arguments, McpCallContext context, CancellationToken cancellationToken)
        {
            McpConnection connection = await target.ResolveAsync(context, cancellationToken).ConfigureAwait(false);
            return await connection.Client.CallToolAsync(name, arguments, context, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Lists the target's tools (connecting first when needed), or returns its list while it is fresh.</summary>
        public static async Task<IReadOnlyList<McpToolInfo>> ListToolsAsync(McpTarget target, McpCallContext context, CancellationToken cancellationToken)
        {
            McpConnection connection = await target.ResolveAsync(context, cancellationToken).ConfigureAwait(false);
            return await connection.Client.ListToolsAsync(context, cancellationToken).ConfigureAwait(false);
        }
    }
}
