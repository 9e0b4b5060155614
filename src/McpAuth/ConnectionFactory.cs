using System;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core;
using McpAuth.Core.Mcp;

namespace McpAuth
{
    /// <summary>Makes (or reuses) the process-wide connection to a server with the module's options.</summary>
    internal static class ConnectionFactory
    {
        public static Task<McpConnection> ConnectAsync(Uri serverUri, TimeSpan timeout, bool forceNew, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            var options = new McpClientOptions
            {
                RequestTimeout = timeout,
                ClientName = "McpAuth",
            };
            return McpConnectionRegistry.GetOrConnectAsync(serverUri, options, timeout, forceNew, null, callbacks, cancellationToken);
        }
    }
}
