using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Http;

namespace McpAuth.Core.Mcp
{
    /// <summary>
    /// A live connection to one MCP server in this process: its HttpClient, its MCP session and (when the
    /// server needs sign-in) its authorizer. Connections are cached per server by
    /// <see cref="McpConnectionRegistry"/>, so a warm call costs one HTTP request.
    /// </summary>
    public sealed class McpConnection : IDisposable
    {
        private readonly HttpClient http;

        internal McpConnection(Uri serverUri, McpClientOptions options, TimeSpan timeout)
        {
            ServerUri = serverUri;
            http = McpHttpClientFactory.Create(timeout);
            Session = new McpClientSession(serverUri, http, options);
            ConnectedAt = DateTimeOffset.UtcNow;
        }

        /// <summary>Gets the MCP endpoint URL, normalised.</summary>
        public Uri ServerUri { get; }

        /// <summary>Gets the MCP session.</summary>
        public McpClientSession Session { get; }

        /// <summary>Gets the HttpClient this connection uses for the server (and its authorization server).</summary>
        public HttpClient Http => http;

        public DateTimeOffset ConnectedAt { get; }

        /// <summary>Gets or sets the OAuth authorizer of this connection (null until configured).</summary>
        public Tokens.OAuthAuthorizer? OAuth
        {
            get => Session.Authorizer as Tokens.OAuthAuthorizer;
            set => Session.Authorizer = value;
        }

        /// <summary>Gets or sets the tools last listed, for completion and validation.</summary>
        public IReadOnlyList<McpToolInfo>? CachedTools { get; set; }

        /// <summary>Gets a value indicating whether the connection was closed.</summary>
        public bool IsClosed { get; private set; }

        /// <summary>Lists tools and remembers them.</summary>
        public async Task<IReadOnlyList<McpToolInfo>> ListToolsAsync(IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            IReadOnlyList<McpToolInfo> tools = await Session.ListToolsAsync(callbacks, cancellationToken).ConfigureAwait(false);
            CachedTools = tools;
            return tools;
        }

        /// <summary>Ends the MCP session (DELETE) and releases the HttpClient.</summary>
        public async Task CloseAsync(IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            if (IsClosed)
            {
                return;
            }

            IsClosed = true;
            try
            {
                await Session.CloseAsync(callbacks, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Dispose();
            }
        }

        public void Dispose()
        {
            IsClosed = true;
            Session.Dispose();
            http.Dispose();
        }
    }
}
