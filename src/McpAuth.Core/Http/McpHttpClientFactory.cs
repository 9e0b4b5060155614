using System;
using System.Net;
using System.Net.Http;
using System.Reflection;

namespace McpAuth.Core.Http
{
    /// <summary>Creates the HttpClient a server connection uses: explicit timeout, User-Agent, no automatic redirects.</summary>
    public static class McpHttpClientFactory
    {
        /// <summary>Gets the User-Agent product token, McpAuth/&lt;version&gt;.</summary>
        public static string UserAgent { get; } = "McpAuth/" + (typeof(McpHttpClientFactory).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0");

        /// <summary>Creates a client. Redirects are not followed: OAuth and MCP both need to see them.</summary>
        /// <param name="timeout">The per-request timeout; cancellation still ends a request at once.</param>
        public static HttpClient Create(TimeSpan timeout)
        {
            var handler = new HttpClientHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,

                // The server-to-client stream holds one connection for the session's life; .NET Framework
                // would otherwise allow only two per server.
                MaxConnectionsPerServer = 32,
            };
            var client = new HttpClient(handler, disposeHandler: true)
            {
                Timeout = timeout,
            };
            client.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
            return client;
        }
    }
}
