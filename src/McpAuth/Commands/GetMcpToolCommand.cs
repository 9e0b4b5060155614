using System;
using System.Collections.Generic;
using System.Management.Automation;
using McpAuth.Core;
using McpAuth.Core.Mcp;

namespace McpAuth.Commands
{
    /// <summary>Lists the tools an MCP server offers (tools/list, every page).</summary>
    [Cmdlet(VerbsCommon.Get, "McpTool", DefaultParameterSetName = UriSet)]
    [OutputType(typeof(McpTool))]
    public sealed class GetMcpToolCommand : McpToolCmdletBase
    {
        /// <summary>Gets or sets wildcard patterns of tool names to return; all tools when omitted.</summary>
        [Parameter(Position = 0)]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(Completion.ToolNameCompleter))]
        public string[]? Name { get; set; }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            Uri server = TargetUri;
            if (!TryRunOnTarget(McpOperations.ListToolsAsync, out IReadOnlyList<McpToolInfo> tools))
            {
                return;
            }

            WriteMatching(tools, Name, x => x.Name, x => new McpTool(server, x), "tool", ErrorIds.ToolNotFound);
        }
    }
}
