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
    /// The process-wide cache of live connections, one per server, and the engine's entry point for making
    /// them. This is the only static mutable state in the engine (besides what <see cref="EraMemory"/>
    /// remembers about servers, and a cache of normalised URLs).
    /// </summary>
    public static class McpConnectionRegistry
    {
        private static readonly ConcurrentDictionary<string, McpConnection> Connections = new ConcurrentDictionary<string, McpConnection>(StringComparer.Ordinal);

        // One lock per server: connecting (and signing in) to one server never waits for another.
        private static readonly ConcurrentDictionary<string, SemaphoreSlim> ConnectLocks = new ConcurrentDictionary<string, SemaphoreSlim>(StringComparer.Ordinal);

        private const int MaxNormalizedUris = 256;

        // What Normalize made of a URL's text (a Uri cannot change): a script that names hundreds of servers starts over.
        private static readonly ConcurrentDictionary<string, Uri> NormalizedUris = new ConcurrentDictionary<string, Uri>(StringComparer.Ordinal);

        /// <summary>Gets every live connection.</summary>
        public static IReadOnlyList<McpConnection> All => Connections.Values.Where(c => !c.IsClosed).OrderBy(c => c.ServerUri.ToString(), StringComparer.Ordinal).ToList();

        /// <summary>Validates and normalises a server URL (absolute http(s), https unless loopback, no fragment).</summary>
        public static Uri Normalize(Uri serverUri)
        {
            // Every cmdlet call normalises its -Uri again; the same text always gives the same answer.
            if (serverUri is not null && serverUri.IsAbsoluteUri && NormalizedUris.TryGetValue(serverUri.OriginalString, out Uri? known))
            {
                return known;
            }

            if (serverUri is null || !serverUri.IsAbsoluteUri || (serverUri.Scheme != Uri.UriSchemeHttp && serverUri.Scheme != Uri.UriSchemeHttps))
            {
                throw new McpAuthException(
                    ErrorIds.InvalidServerUri,
                    McpErrorKind.InvalidArgument,
                    $"'{serverUri}' is not an absolute http or https URL of an MCP endpoint (for example https://server.example.com/mcp).",
                    serverUri);
            }

            EndpointPolicy.Require(serverUri, "MCP server");
            Uri normalized = new UriBuilder(serverUri) { Fragment = string.Empty }.Uri;
            if (NormalizedUris.Count >= MaxNormalizedUris)
            {
                NormalizedUris.Clear();
            }

            NormalizedUris[serverUri.OriginalString] = normalized;
            return normalized;
        }

        /// <summary>Returns the live connection to a server, if there is one.</summary>
        public static McpConnection? Find(Uri serverUri)
        {
            Uri key = Normalize(serverUri);
            return Connections.TryGetValue(key.AbsoluteUri, out McpConnection? c) && !c.IsClosed ? c : null;
        }

        /// <summary>
        /// Returns the connection a cmdlet acts on: <paramref name="given"/> while it is live, else the live
        /// connection to <paramref name="serverUri"/>, else a new one; connected (era known, a legacy session
        /// initialized, signed in when the server asked).
        /// </summary>
        public static async Task<McpConnection> ResolveAsync(McpConnection? given, Uri serverUri, McpConnectOptions options, McpCallContext context, CancellationToken cancellationToken)
        {
            if (given is not null && !given.IsClosed)
            {
                await given.Client.ConnectAsync(context, options.Verify, cancellationToken).ConfigureAwait(false);
                return given;
            }

            return await ConnectAsync(serverUri, options, context, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Returns the live, connected connection to a server, making one when there is none (or when <see cref="McpConnectOptions.ForceNew"/>).</summary>
        public static async Task<McpConnection> ConnectAsync(Uri serverUri, McpConnectOptions options, McpCallContext context, CancellationToken cancellationToken)
        {
            Uri key = Normalize(serverUri);
            if (!options.ForceNew && Connections.TryGetValue(key.AbsoluteUri, out McpConnection? existing) && !existing.IsClosed)
            {
                await existing.Client.ConnectAsync(context, options.Verify, cancellationToken).ConfigureAwait(false);
                return existing;
            }

            SemaphoreSlim connectLock = ConnectLocks.GetOrAdd(key.AbsoluteUri, _ => new SemaphoreSlim(1, 1));
            await connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (!options.ForceNew && Connections.TryGetValue(key.AbsoluteUri, out existing) && !existing.IsClosed)
                {
                    await existing.Client.ConnectAsync(context, options.Verify, cancellationToken).ConfigureAwait(false);
                    return existing;
                }

                var connection = new McpConnection(key, options);
                try
                {
                    await connection.Client.ConnectAsync(context, options.Verify, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    connection.Dispose();
                    throw;
                }

                if (Connections.TryGetValue(key.AbsoluteUri, out McpConnection? old))
                {
                    await old.CloseAsync(context, cancellationToken).ConfigureAwait(false);
                }

                Connections[key.AbsoluteUri] = connection;
                return connection;
            }
            finally
            {
                connectLock.Release();
            }
        }

        /// <summary>Closes and forgets the connection to a server. Returns false when there was none.</summary>
        public static async Task<bool> DisconnectAsync(Uri serverUri, McpCallContext context, CancellationToken cancellationToken)
        {
            Uri key = Normalize(serverUri);
            if (!Connections.TryRemove(key.AbsoluteUri, out McpConnection? connection))
            {
                return false;
            }

            await connection.CloseAsync(context, cancellationToken).ConfigureAwait(false);
            return true;
        }
    }
}
