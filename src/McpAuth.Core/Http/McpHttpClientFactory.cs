using System;
using System.Net;
using System.Net.Http;
using System.Reflection;

namespace McpAuth.Core.Http
{
    /// <summary>Creates the HTTP clients a server connection uses: explicit timeout, User-Agent, no automatic redirects.</summary>
    public static class McpHttpClientFactory
    {
        /// <summary>Gets the User-Agent product token, McpAuth/&lt;version&gt;.</summary>
        public static string UserAgent { get; } = "McpAuth/" + (typeof(McpHttpClientFactory).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0");

        /// <summary>Creates a client with its own handler. Redirects are not followed: OAuth and MCP both need to see them.</summary>
        /// <param name="timeout">The per-request timeout; cancellation still ends a request at once.</param>
        public static HttpClient Create(TimeSpan timeout) => Create(CreateHandler(), disposeHandler: true, timeout);

        /// <summary>Creates the handler that sends: one connection pool per server connection, shared by its clients.</summary>
        /// <param name="network">The proxy and certificate authorities; the environment's and the system's when null.</param>
        public static HttpClientHandler CreateHandler(NetworkOptions? network = null)
        {
            var handler = new HttpClientHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,

                // A legacy server-to-client stream holds one connection for the session's life; .NET Framework
                // would otherwise allow only two per server.
                MaxConnectionsPerServer = 32,
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
    }
}
