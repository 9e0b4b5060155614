using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Http;

namespace McpAuth.Core.Mcp
{
    /// <summary>
    /// The process-wide cache of live connections, one per server. This is the only static mutable state
    /// in the engine.
    /// </summary>
    public static class McpConnectionRegistry
    {
        private static readonly ConcurrentDictionary<string, McpConnection> Connections = new ConcurrentDictionary<string, McpConnection>(StringComparer.Ordinal);
        private static readonly SemaphoreSlim ConnectLock = new SemaphoreSlim(1, 1);

        /// <summary>Gets every live connection.</summary>
        public static IReadOnlyList<McpConnection> All => Connections.Values.Where(c => !c.IsClosed).OrderBy(c => c.ServerUri.ToString(), StringComparer.Ordinal).ToList();

        /// <summary>Validates and normalises a server URL (absolute http(s), https unless loopback, no fragment).</summary>
        public static Uri Normalize(Uri serverUri)
        {
            if (serverUri is null || !serverUri.IsAbsoluteUri || (serverUri.Scheme != Uri.UriSchemeHttp && serverUri.Scheme != Uri.UriSchemeHttps))
            {
                throw new McpAuthException(
                    ErrorIds.InvalidServerUri,
                    McpErrorKind.InvalidArgument,
                    $"'{serverUri}' is not an absolute http or https URL of an MCP endpoint (for example https://server.example.com/mcp).",
                    serverUri);
            }

            EndpointPolicy.Require(serverUri, "MCP server");
            var builder = new UriBuilder(serverUri) { Fragment = string.Empty };
            return builder.Uri;
        }

        /// <summary>Returns the live connection to a server, if there is one.</summary>
        public static McpConnection? Find(Uri serverUri)
        {
            Uri key = Normalize(serverUri);
            return Connections.TryGetValue(key.AbsoluteUri, out McpConnection? c) && !c.IsClosed ? c : null;
        }

        /// <summary>
        /// Returns the live, initialized connection to a server, creating and initializing one when there
        /// is none (or when <paramref name="forceNew"/> is set).
        /// </summary>
        public static async Task<McpConnection> GetOrConnectAsync(Uri serverUri, McpClientOptions options, TimeSpan timeout, bool forceNew, Func<McpConnection, Task>? configure, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            Uri key = Normalize(serverUri);
            if (!forceNew && Connections.TryGetValue(key.AbsoluteUri, out McpConnection? existing) && !existing.IsClosed)
            {
                await existing.Session.EnsureInitializedAsync(callbacks, cancellationToken).ConfigureAwait(false);
                return existing;
            }

            await ConnectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (!forceNew && Connections.TryGetValue(key.AbsoluteUri, out existing) && !existing.IsClosed)
                {
                    await existing.Session.EnsureInitializedAsync(callbacks, cancellationToken).ConfigureAwait(false);
                    return existing;
                }

                var connection = new McpConnection(key, options, timeout);
                try
                {
                    if (configure is not null)
                    {
                        await configure(connection).ConfigureAwait(false);
                    }

                    await connection.Session.EnsureInitializedAsync(callbacks, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    connection.Dispose();
                    throw;
                }

                if (Connections.TryGetValue(key.AbsoluteUri, out McpConnection? old))
                {
                    await old.CloseAsync(callbacks, cancellationToken).ConfigureAwait(false);
                }

                Connections[key.AbsoluteUri] = connection;
                return connection;
            }
            finally
            {
                ConnectLock.Release();
            }
        }

        /// <summary>Closes and forgets the connection to a server. Returns false when there was none.</summary>
        public static async Task<bool> DisconnectAsync(Uri serverUri, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            Uri key = Normalize(serverUri);
            if (!Connections.TryRemove(key.AbsoluteUri, out McpConnection? connection))
            {
                return false;
            }

            await connection.CloseAsync(callbacks, cancellationToken).ConfigureAwait(false);
            return true;
        }
    }
}
