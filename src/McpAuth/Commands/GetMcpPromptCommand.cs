using System;
using System.Collections.Generic;
using System.Management.Automation;
using McpAuth.Core;
using McpAuth.Core.Mcp;

namespace McpAuth.Commands
{
    /// <summary>Lists the prompts an MCP server offers (prompts/list, every page), with their arguments.</summary>
    [Cmdlet(VerbsCommon.Get, "McpPrompt", DefaultParameterSetName = UriSet)]
    [OutputType(typeof(McpPrompt))]
    public sealed class GetMcpPromptCommand : McpToolCmdletBase
    {
        /// <summary>Gets or sets wildcard patterns of prompt names to return; all prompts when omitted.</summary>
        [Parameter(Position = 0)]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(Completion.PromptNameCompleter))]
        public string[]? Name { get; set; }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            Uri server = TargetUri;
            if (!TryRunOnTarget(McpOperations.ListPromptsAsync, out IReadOnlyList<McpPromptInfo> prompts))
            {
                return;
            }

            WriteMatching(prompts, Name, x => x.Name, x => new McpPrompt(server, x), "prompt", ErrorIds.PromptNotFound);
        }
    }
}
