using System;
using System.Net;
using System.Net.Http;
using System.Reflection;

namespace McpAuth.Core.Http
{
    /// <summary>Creates the HTTP clients a server connection uses: explicit timeout, User-Agent, no automatic redirects.</summary>
    public static class McpHttpClientFactory
    {
        // A legacy server-to-client stream holds one connection for the session's life; .NET Framework would
        // otherwise allow only two per server.
        private const int MaxConnectionsPerServer = 32;

        /// <summary>Gets the User-Agent product token, McpAuth/&lt;version&gt;.</summary>
        public static string UserAgent { get; } = "McpAuth/" + (typeof(McpHttpClientFactory).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0");

        /// <summary>Creates a client with its own handler. Redirects are not followed: OAuth and MCP both need to see them.</summary>
        /// <param name="timeout">The time each request may take, headers and body (<see cref="DeadlineHandler"/>); cancellation still ends a request at once.</param>
        public static HttpClient Create(TimeSpan timeout) => Create(new DeadlineHandler(timeout, "server", CreateHandler()), disposeHandler: true, System.Threading.Timeout.InfiniteTimeSpan);

        /// <summary>
        /// How long a pooled connection may sit idle before it is retired when its server has announced no keep-alive
        /// (and always in .NET's handler): well below the 5 s that servers which say nothing commonly keep, so that a
        /// request is never written to a connection the server is closing. .NET retires idle connections on a timer
        /// that runs every quarter of this, so one goes between 3 and 3.75 s. See <see cref="LongestAnnouncedKeepAlive"/>.
        /// </summary>
        public static readonly TimeSpan PooledConnectionIdleTimeout = TimeSpan.FromSeconds(3);

        /// <summary>
        /// The longest a connection whose server announces a longer keep-alive (<c>Keep-Alive: timeout=N</c>) stays idle
        /// in <see cref="DirectHttpHandler"/>'s pool: .NET's own default limit. A connection closed early all the same
        /// (something between the two that keeps less) ends before the first byte of an answer, and the request is sent
        /// once more on a new one, as .NET does.
        /// </summary>
        public static readonly TimeSpan LongestAnnouncedKeepAlive = TimeSpan.FromSeconds(60);

        // SocketsHttpHandler (what HttpClientHandler wraps on .NET Core and later, so in pwsh 7) is the one handler that
        // can retire idle connections, but netstandard2.0 cannot name it: it is made by name, once per connection,
        // through public members only. Where it is missing (Windows PowerShell) the plain handler is used.
        private static readonly Type? SocketsHandlerType = Type.GetType("System.Net.Http.SocketsHttpHandler, System.Net.Http", throwOnError: false);

        /// <summary>
        /// Creates the handler that sends: one connection pool per server connection, shared by its clients. Without a
        /// proxy or certificate authorities of its own that is <see cref="DirectHttpHandler"/> over .NET's handler; with
        /// them (<paramref name="network"/>) it is the plain handler, which takes them directly, and idle connections
        /// are retired after .NET's default minute instead.
        /// </summary>
        /// <param name="network">The proxy and certificate authorities; the environment's and the system's when null.</param>
        public static HttpMessageHandler CreateHandler(NetworkOptions? network = null)
        {
            bool ownNetwork = network is not null && (network.Proxy is not null || network.CertificateAuthorityPath is not null);
            return ownNetwork ? CreateRuntimeHandler(network) : new DirectHttpHandler(CreateRuntimeHandler(null));
        }

        /// <summary>Creates .NET's own handler: for what <see cref="DirectHttpHandler"/> does not send itself, or, with <paramref name="network"/>, for everything.</summary>
        private static HttpMessageHandler CreateRuntimeHandler(NetworkOptions? network)
        {
            if (network is null && SocketsHandlerType is not null && Activator.CreateInstance(SocketsHandlerType) is HttpMessageHandler sockets)
            {
                Set(sockets, nameof(HttpClientHandler.AllowAutoRedirect), false);
                Set(sockets, nameof(HttpClientHandler.UseCookies), false);
                Set(sockets, nameof(HttpClientHandler.AutomaticDecompression), DecompressionMethods.GZip | DecompressionMethods.Deflate);
                Set(sockets, nameof(HttpClientHandler.MaxConnectionsPerServer), MaxConnectionsPerServer);
                Set(sockets, nameof(PooledConnectionIdleTimeout), PooledConnectionIdleTimeout);
                return sockets;
            }

            var handler = new HttpClientHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
                MaxConnectionsPerServer = MaxConnectionsPerServer,
            };
            try
            {
                network?.ApplyTo(handler);
            }
            catch
            {
                handler.Dispose();
                throw;
            }

            return handler;
        }

        /// <summary>Creates a client over <paramref name="handler"/> (for example an <see cref="OAuthHandler"/> pipeline).</summary>
        /// <param name="handler">What sends the requests.</param>
        /// <param name="disposeHandler">Whether disposing the client disposes the handler.</param>
        /// <param name="timeout">The whole-request timeout; <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> when the pipeline has its own deadlines.</param>
        public static HttpClient Create(HttpMessageHandler handler, bool disposeHandler, TimeSpan timeout)
        {
            var client = new HttpClient(handler, disposeHandler) { Timeout = timeout };
            client.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
            return client;
        }

        private static void Set(object handler, string property, object value)
            => (handler.GetType().GetProperty(property) ?? throw new MissingMemberException(handler.GetType().FullName, property)).SetValue(handler, value);
    }
}
