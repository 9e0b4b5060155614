using System.Management.Automation;
using McpAuth.Core.Mcp;

namespace McpAuth.Commands
{
    /// <summary>Lists the live MCP server connections of this PowerShell process.</summary>
    [Cmdlet(VerbsCommon.Get, "McpServer")]
    [OutputType(typeof(McpServerConnection))]
    public sealed class GetMcpServerCommand : McpCmdletBase
    {
        /// <summary>Gets or sets a wildcard pattern matched against the server URL or name.</summary>
        [Parameter(Position = 0)]
        [SupportsWildcards]
        public string? Name { get; set; }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            WildcardPattern? pattern = string.IsNullOrEmpty(Name) ? null : new WildcardPattern(Name, WildcardOptions.IgnoreCase);
            foreach (McpConnection connection in McpConnectionRegistry.All)
            {
                var item = new McpServerConnection(connection);
                if (pattern is null || pattern.IsMatch(item.Name) || pattern.IsMatch(item.ServerUri.ToString()))
                {
                    WriteObject(item);
                }
            }
        }
    }
}
