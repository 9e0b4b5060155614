using System;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core;
using McpAuth.Core.Mcp;
using McpAuth.Core.Tokens;

namespace McpAuth
{
    /// <summary>
    /// Kept for the credential commands that still call it: connection wiring lives in the engine
    /// (<see cref="McpConnectionRegistry.ConnectAsync"/>); this forwards to it.
    /// </summary>
    internal static class ConnectionFactory
    {
        /// <summary>Returns the live connection to the server, or makes one, talking to the server either way.</summary>
        public static Task<McpConnection> ConnectAsync(Uri serverUri, TimeSpan timeout, bool forceNew, SignInOptions? signIn, IEngineCallbacks callbacks, CancellationToken cancellationToken)
            => McpConnectionRegistry.ConnectAsync(
                serverUri,
                new McpConnectOptions { Timeout = timeout, ForceNew = forceNew, Verify = true, SignIn = signIn },
                new McpCallContext(callbacks),
                cancellationToken);
    }
}
