using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core;
using McpAuth.Core.Mcp;

namespace McpAuth
{
    /// <summary>
    /// Base of the cmdlets that act on one server, given either as a connection object (-Connection, from
    /// the pipeline) or a URL (-Uri, also bound from a ServerUri property).
    /// </summary>
    public abstract class McpServerCmdletBase : McpCmdletBase
    {
        /// <summary>The parameter set that takes a connection object.</summary>
        protected const string ConnectionSet = "Connection";

        /// <summary>The parameter set that takes a server URL.</summary>
        protected const string UriSet = "Uri";

        /// <summary>Gets or sets the connection, as Connect-McpServer returned it.</summary>
        [Parameter(ParameterSetName = ConnectionSet, Mandatory = true, ValueFromPipeline = true)]
        [ValidateNotNull]
        public McpServerConnection Connection { get; set; } = null!;

        /// <summary>Gets or sets the MCP endpoint URL; a live connection to it is reused, or one is made.</summary>
        [Parameter(ParameterSetName = UriSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [Alias("ServerUri")]
        [ValidateNotNull]
        [ArgumentCompleter(typeof(Completion.ServerUriCompleter))]
        public Uri Uri { get; set; } = null!;

        /// <summary>Gets or sets the seconds one HTTP request may take when a new connection is made.</summary>
        [Parameter]
        [ValidateRange(1, 86400)]
        public int TimeoutSec { get; set; } = 100;

        /// <summary>Gets the server this invocation targets.</summary>
        protected Uri TargetUri => ParameterSetName == ConnectionSet ? Connection.ServerUri : Uri;

        /// <summary>Returns the live connection for -Connection or -Uri, connecting when needed.</summary>
        internal async Task<McpConnection> ResolveConnectionAsync(IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            if (ParameterSetName == ConnectionSet && !Connection.Connection.IsClosed)
            {
                await Connection.Connection.Session.EnsureInitializedAsync(callbacks, cancellationToken).ConfigureAwait(false);
                return Connection.Connection;
            }

            return await ConnectionFactory.ConnectAsync(TargetUri, TimeSpan.FromSeconds(TimeoutSec), forceNew: false, signIn: null, callbacks, cancellationToken).ConfigureAwait(false);
        }
    }
}
