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
            IReadOnlyList<McpToolInfo> tools;
            Uri server = TargetUri;
            try
            {
                McpTarget target = Target();
                Func<IEngineCallbacks, McpCallContext> context = CallContext();
                tools = RunEngineOfferingStore((callbacks, token) => McpOperations.ListToolsAsync(target, context(callbacks), token));
            }
            catch (McpAuthException ex)
            {
                WriteEngineError(ex);
                return;
            }

            var patterns = new List<WildcardPattern>();
            foreach (string n in Name ?? Array.Empty<string>())
            {
                patterns.Add(new WildcardPattern(n, WildcardOptions.IgnoreCase));
            }

            var matched = new HashSet<int>();
            foreach (McpToolInfo tool in tools)
            {
                bool include = patterns.Count == 0;
                for (int i = 0; i < patterns.Count; i++)
                {
                    if (patterns[i].IsMatch(tool.Name))
                    {
                        include = true;
                        matched.Add(i);
                    }
                }

                if (include)
                {
                    WriteObject(new McpTool(server, tool));
                }
            }

            for (int i = 0; i < patterns.Count; i++)
            {
                if (!matched.Contains(i) && !WildcardPattern.ContainsWildcardCharacters(Name![i]))
                {
                    WriteError(new ErrorRecord(
                        new ItemNotFoundException($"The server {server} has no tool named '{Name[i]}'."),
                        ErrorIds.ToolNotFound,
                        ErrorCategory.ObjectNotFound,
                        Name[i]));
                }
            }
        }
    }
}
