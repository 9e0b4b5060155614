using System;
using System.Collections.Generic;
using System.Management.Automation;
using McpAuth.Core;
using McpAuth.Core.Mcp;

namespace McpAuth.Commands
{
    /// <summary>
    /// Lists the skills an MCP server offers (skills/list of the io.modelcontextprotocol/skills extension, every
    /// page). Reads none of their files: Read-McpSkill loads and verifies one. A server without the extension is
    /// the error SkillsNotSupported.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "McpSkill", DefaultParameterSetName = UriSet)]
    [OutputType(typeof(McpSkill))]
    public sealed class GetMcpSkillCommand : McpToolCmdletBase
    {
        /// <summary>Gets or sets wildcard patterns of skill names to return; all skills when omitted.</summary>
        [Parameter(Position = 0)]
        [SupportsWildcards]
        public string[]? Name { get; set; }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            Uri server = TargetUri;
            if (!TryRunOnTarget(McpOperations.ListSkillsAsync, out IReadOnlyList<McpSkillInfo> skills))
            {
                return;
            }

            WriteMatching(skills, Name, x => x.Name, x => new McpSkill(server, x), "skill", "SkillNotFound");
        }
    }
}
