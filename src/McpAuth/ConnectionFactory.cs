using System;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core;
using McpAuth.Core.Mcp;
using McpAuth.Core.Tokens;

namespace McpAuth
{
    /// <summary>Makes (or reuses) the process-wide connection to a server with the module's options.</summary>
    internal static class ConnectionFactory
    {
        /// <summary>
        /// Returns the live connection to the server, or makes one. Every connection gets an OAuth
        /// authorizer, which stays idle until the server asks for a token.
        /// </summary>
        public static Task<McpConnection> ConnectAsync(Uri serverUri, TimeSpan timeout, bool forceNew, SignInOptions? signIn, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            var options = new McpClientOptions
            {
                RequestTimeout = timeout,
                ClientName = "McpAuth",
            };
            return McpConnectionRegistry.GetOrConnectAsync(
                serverUri,
                options,
                timeout,
                forceNew,
                connection =>
                {
                    connection.OAuth = new OAuthAuthorizer(connection.ServerUri, connection.Http, signIn ?? new SignInOptions());
                    return Task.CompletedTask;
                },
                callbacks,
                cancellationToken);
        }
    }
}
