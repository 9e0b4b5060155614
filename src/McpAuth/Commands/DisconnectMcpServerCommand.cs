using System;
using System.Management.Automation;
using McpAuth.Core;
using McpAuth.Core.Mcp;

namespace McpAuth.Commands
{
    /// <summary>Ends the MCP session with a server (HTTP DELETE) and forgets the connection.</summary>
    [Cmdlet(VerbsCommunications.Disconnect, "McpServer", DefaultParameterSetName = UriSet)]
    [OutputType(typeof(void))]
    public sealed class DisconnectMcpServerCommand : McpServerFirstCmdletBase
    {
        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            try
            {
                Uri server = TargetUri;
                bool closed = RunEngine((callbacks, token) => McpConnectionRegistry.DisconnectAsync(server, new McpCallContext(callbacks), token));
                if (!closed)
                {
                    WriteVerbose($"There was no live connection to {TargetUri}.");
                }
            }
            catch (McpAuthException ex)
            {
                WriteEngineError(ex);
            }
        }
    }
}
