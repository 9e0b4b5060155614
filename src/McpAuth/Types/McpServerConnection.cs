using System;
using McpAuth.Core.Mcp;

namespace McpAuth
{
    /// <summary>
    /// A live connection to an MCP server, as Connect-McpServer returns it. Pipe it to Invoke-McpTool,
    /// Get-McpTool or Disconnect-McpServer; its ServerUri also binds to their -Uri parameter.
    /// </summary>
    public sealed class McpServerConnection
    {
        internal McpServerConnection(McpConnection connection)
        {
            Connection = connection;
            ServerUri = connection.ServerUri;
            Name = connection.Client.ServerName ?? connection.ServerUri.Host;
            ServerVersion = connection.Client.ServerVersion;
            ProtocolVersion = connection.Client.ProtocolVersion;
            Era = connection.Client.Era?.ToString();
            SessionId = connection.Client.SessionId;
            Instructions = connection.Client.Instructions;
            ConnectedAt = connection.ConnectedAt;
            Core.Tokens.OAuthAuthorizer? oauth = connection.OAuth;
            if (oauth is not null && oauth.HasToken)
            {
                AuthorizationMethod = oauth.Method.ToString();
                Issuer = oauth.Issuer;
                Resource = oauth.Resource;
                Scopes = new System.Collections.Generic.List<string>(oauth.GrantedScopes).ToArray();
                ExpiresOn = oauth.ExpiresAt;
                ClientId = oauth.ClientId;
                HasRefreshToken = oauth.HasRefreshToken;
                IsDPoPBound = oauth.IsDpopBound;
                Account = string.IsNullOrEmpty(oauth.Account) ? null : oauth.Account;
            }
            else
            {
                AuthorizationMethod = "None";
                Scopes = System.Array.Empty<string>();
            }
        }

        /// <summary>Gets the MCP endpoint URL.</summary>
        public Uri ServerUri { get; }

        /// <summary>Gets the server's name (serverInfo.name).</summary>
        public string Name { get; }

        /// <summary>Gets the server's version (serverInfo.version).</summary>
        public string? ServerVersion { get; }

        /// <summary>Gets the negotiated MCP protocol version.</summary>
        public string? ProtocolVersion { get; }

        /// <summary>Gets the protocol era: Modern (2026-07-28 and later, stateless) or Legacy (an initialize handshake and a session).</summary>
        public string? Era { get; }

        /// <summary>Gets the MCP session id, if the server uses sessions (legacy servers only).</summary>
        public string? SessionId { get; }

        /// <summary>Gets the server's instructions for clients, if any.</summary>
        public string? Instructions { get; }

        /// <summary>Gets when this connection was made.</summary>
        public DateTimeOffset ConnectedAt { get; }

        /// <summary>Gets how the connection signed in: None, Browser, Handler, DeviceCode, ClientCredentials, EnterpriseManaged or WorkloadIdentity.</summary>
        public string AuthorizationMethod { get; }

        /// <summary>Gets the authorization server that issued the token, when signed in.</summary>
        public Uri? Issuer { get; }

        /// <summary>Gets the RFC 8707 resource the token is for, when signed in.</summary>
        public string? Resource { get; }

        /// <summary>Gets the granted scopes.</summary>
        public string[] Scopes { get; }

        /// <summary>Gets when the access token expires, when known.</summary>
        public DateTimeOffset? ExpiresOn { get; }

        /// <summary>Gets the OAuth client id in use, when signed in.</summary>
        public string? ClientId { get; }

        /// <summary>Gets a value indicating whether a refresh token is held (so sign-in need not be repeated).</summary>
        public bool HasRefreshToken { get; }

        /// <summary>Gets a value indicating whether the token is DPoP-bound (every request carries a proof of the credential's key).</summary>
        public bool IsDPoPBound { get; }

        /// <summary>Gets the account the credential is for, when it names one.</summary>
        public string? Account { get; }

        /// <summary>Gets a value indicating whether the connection is still open.</summary>
        public bool IsConnected => !Connection.IsClosed;

        internal McpConnection Connection { get; }

        public override string ToString() => ServerUri.ToString();
    }
}
