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
            Name = connection.Session.ServerName ?? connection.ServerUri.Host;
            ServerVersion = connection.Session.ServerVersion;
            ProtocolVersion = connection.Session.ProtocolVersion;
            SessionId = connection.Session.SessionId;
            Instructions = connection.Session.Instructions;
            ConnectedAt = connection.ConnectedAt;
        }

        /// <summary>Gets the MCP endpoint URL.</summary>
        public Uri ServerUri { get; }

        /// <summary>Gets the server's name (serverInfo.name).</summary>
        public string Name { get; }

        /// <summary>Gets the server's version (serverInfo.version).</summary>
        public string? ServerVersion { get; }

        /// <summary>Gets the negotiated MCP protocol version.</summary>
        public string? ProtocolVersion { get; }

        /// <summary>Gets the MCP session id, if the server uses sessions.</summary>
        public string? SessionId { get; }

        /// <summary>Gets the server's instructions for clients, if any.</summary>
        public string? Instructions { get; }

        /// <summary>Gets when this connection was made.</summary>
        public DateTimeOffset ConnectedAt { get; }

        /// <summary>Gets a value indicating whether the connection is still open.</summary>
        public bool IsConnected => !Connection.IsClosed;

        internal McpConnection Connection { get; }

        public override string ToString() => ServerUri.ToString();
    }
}
