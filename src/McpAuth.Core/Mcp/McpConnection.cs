using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Http;
using McpAuth.Core.Tokens;

namespace McpAuth.Core.Mcp
{
    /// <summary>
    /// A live connection to one MCP server in this process: its MCP client, and (for servers that need
    /// sign-in) its OAuth authorizer. Two HTTP clients share one connection pool: the MCP client's passes
    /// every request through <see cref="OAuthHandler"/> (bearer token, 401 refresh or sign-in, 403
    /// step-up) and a <see cref="DeadlineHandler"/>, and both an <see cref="UnsentRequestRetryHandler"/>; <see cref="Http"/> carries no credentials and is the
    /// one sign-in uses for discovery and the authorization server. Connections are cached per server by
    /// <see cref="McpConnectionRegistry"/>, so a warm call costs one HTTP request.
    /// </summary>
    public sealed class McpConnection : IDisposable
    {
        private readonly HttpClient http;
        private readonly HttpClient mcp;

        internal McpConnection(Uri serverUri, McpConnectOptions options, Func<IRequestAuthorizer, IRequestAuthorizer>? observe = null)
        {
            ServerUri = serverUri;
            SignInOptions signIn = options.SignIn ?? new SignInOptions();
            // Unsent requests are sent once more (UnsentRequestRetryHandler) inside the same deadline.
            HttpMessageHandler pool = new UnsentRequestRetryHandler(McpHttpClientFactory.CreateHandler(options.Network));

            // Discovery and the authorization server: one deadline per request, headers and body; the pool is shared.
            http = McpHttpClientFactory.Create(new DeadlineHandler(options.Timeout, "server", pool), disposeHandler: false, Timeout.InfiniteTimeSpan);
            OAuth = new OAuthAuthorizer(serverUri, http, signIn);
            var pipeline = new OAuthHandler(observe?.Invoke(OAuth) ?? OAuth, serverUri, new DeadlineHandler(options.Timeout, "MCP server", pool));
            mcp = McpHttpClientFactory.Create(pipeline, disposeHandler: true, Timeout.InfiniteTimeSpan);
            var clientOptions = new McpClientOptions { RequestTimeout = options.Timeout, ClientName = "McpAuth" };
            Client = new McpClient(serverUri, mcp, clientOptions, new EraMemory(signIn.Store, OAuth.CredentialInUseAsync));
            ConnectedAt = DateTimeOffset.UtcNow;
        }

        /// <summary>Gets the MCP endpoint URL, normalised.</summary>
        public Uri ServerUri { get; }

        /// <summary>Gets the MCP client.</summary>
        public McpClient Client { get; }

        /// <summary>Gets the HttpClient sign-in uses (discovery, authorization server); it carries no credentials.</summary>
        public HttpClient Http => http;

        public DateTimeOffset ConnectedAt { get; }

        /// <summary>Gets the OAuth authorizer of this connection; idle until the server asks for a token.</summary>
        public OAuthAuthorizer OAuth { get; }

        /// <summary>Gets the tools last listed, for completion and validation.</summary>
        public System.Collections.Generic.IReadOnlyList<McpToolInfo>? CachedTools => Client.CachedTools;

        /// <summary>Gets a value indicating whether the connection was closed.</summary>
        public bool IsClosed { get; private set; }

        /// <summary>Ends the MCP session (DELETE, legacy servers) and releases the HTTP clients.</summary>
        public async Task CloseAsync(McpCallContext context, CancellationToken cancellationToken)
        {
            if (IsClosed)
            {
                return;
            }

            IsClosed = true;
            try
            {
                await Client.CloseAsync(context, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Dispose();
            }
        }

        public void Dispose()
        {
            IsClosed = true;
            Client.Dispose();
            mcp.Dispose();
            http.Dispose();
        }
    }

    /// <summary>How to make a connection.</summary>
    public sealed class McpConnectOptions
    {
        /// <summary>Gets or sets how long one HTTP request may take.</summary>
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);

        /// <summary>Gets or sets a value indicating whether to make a new connection even when one is live.</summary>
        public bool ForceNew { get; set; }

        /// <summary>Gets or sets a value indicating whether to talk to the server even when its era is remembered (Connect-McpServer).</summary>
        public bool Verify { get; set; }

        /// <summary>Gets or sets how the connection signs in; the defaults when null.</summary>
        public SignInOptions? SignIn { get; set; }

        /// <summary>Gets or sets the proxy and certificate authorities; the environment's and the system's when null.</summary>
        public NetworkOptions? Network { get; set; }
    }
}
