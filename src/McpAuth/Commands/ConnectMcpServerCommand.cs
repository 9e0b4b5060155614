using System;
using System.Management.Automation;
using McpAuth.Core;
using McpAuth.Core.Mcp;

namespace McpAuth.Commands
{
    /// <summary>
    /// Connects to an MCP server over the streamable HTTP transport and returns the connection. The
    /// connection is kept for this PowerShell process, so later commands for the same server reuse it.
    /// </summary>
    [Cmdlet(VerbsCommunications.Connect, "McpServer")]
    [OutputType(typeof(McpServerConnection))]
    public sealed class ConnectMcpServerCommand : McpCmdletBase
    {
        /// <summary>Gets or sets the MCP endpoint URL, for example https://server.example.com/mcp.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("ServerUri")]
        [ValidateNotNull]
        public Uri Uri { get; set; } = null!;

        /// <summary>Gets or sets the seconds one HTTP request may take.</summary>
        [Parameter]
        [ValidateRange(1, 86400)]
        public int TimeoutSec { get; set; } = 100;

        /// <summary>Gets or sets a value indicating whether to start a new MCP session even when one is live.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            try
            {
                McpConnection connection = RunEngine((callbacks, token) =>
                    ConnectionFactory.ConnectAsync(Uri, TimeSpan.FromSeconds(TimeoutSec), Force.IsPresent, callbacks, token));
                WriteObject(new McpServerConnection(connection));
            }
            catch (McpAuthException ex)
            {
                WriteEngineError(ex);
            }
        }
    }
}
