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

            var filter = new NameFilter(Name);
            foreach (McpPromptInfo prompt in prompts)
            {
                if (filter.Includes(prompt.Name))
                {
                    WriteObject(new McpPrompt(server, prompt));
                }
            }

            foreach (string missing in filter.Unmatched())
            {
                WriteError(new ErrorRecord(new ItemNotFoundException($"The server {server} has no prompt named '{missing}'."), ErrorIds.PromptNotFound, ErrorCategory.ObjectNotFound, missing));
            }
        }
    }
}
