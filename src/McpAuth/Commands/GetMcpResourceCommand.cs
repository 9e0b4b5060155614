using System;
using System.Collections.Generic;
using System.Management.Automation;
using McpAuth.Core;
using McpAuth.Core.Mcp;

namespace McpAuth.Commands
{
    /// <summary>
    /// Lists the resources an MCP server offers (resources/list, every page), or with -Template its resource
    /// templates (resources/templates/list). A modern server's list is reused while its ttlMs says it is fresh.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "McpResource", DefaultParameterSetName = UriSet)]
    [OutputType(typeof(McpResource), typeof(McpResourceTemplate))]
    public sealed class GetMcpResourceCommand : McpServerFirstCmdletBase
    {
        /// <summary>Gets or sets wildcard patterns of resource names to return; all when omitted.</summary>
        [Parameter(Position = 1)]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(Completion.ResourceCompleter))]
        public string[]? Name { get; set; }

        /// <summary>Gets or sets wildcard patterns of resource URIs (or, with -Template, URI templates) to return.</summary>
        [Parameter]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(Completion.ResourceCompleter))]
        public string[]? ResourceUri { get; set; }

        /// <summary>Gets or sets a value indicating whether to list the resource templates instead of the resources.</summary>
        [Parameter]
        public SwitchParameter Template { get; set; }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            Uri server = TargetUri;
            var names = new NameFilter(Name);
            var uris = new NameFilter(ResourceUri);
            if (Template.IsPresent)
            {
                if (TryRunOnTarget(McpOperations.ListResourceTemplatesAsync, out IReadOnlyList<McpResourceTemplateInfo> templates))
                {
                    foreach (McpResourceTemplateInfo template in templates)
                    {
                        if (names.Includes(template.Name) && uris.Includes(template.UriTemplate))
                        {
                            WriteObject(new McpResourceTemplate(server, template));
                        }
                    }

                    ReportMissing(server, names, uris, "resource template");
                }

                return;
            }

            if (TryRunOnTarget(McpOperations.ListResourcesAsync, out IReadOnlyList<McpResourceInfo> resources))
            {
                foreach (McpResourceInfo resource in resources)
                {
                    if (names.Includes(resource.Name) && uris.Includes(resource.Uri))
                    {
                        WriteObject(new McpResource(server, resource));
                    }
                }

                ReportMissing(server, names, uris, "resource");
            }
        }

        private void ReportMissing(Uri server, NameFilter names, NameFilter uris, string what)
        {
            foreach (string missing in names.Unmatched())
            {
                WriteError(new ErrorRecord(new ItemNotFoundException($"The server {server} lists no {what} named '{missing}'."), ErrorIds.ResourceNotFound, ErrorCategory.ObjectNotFound, missing));
            }

            foreach (string missing in uris.Unmatched())
            {
                WriteError(new ErrorRecord(new ItemNotFoundException($"The server {server} lists no {what} '{missing}'."), ErrorIds.ResourceNotFound, ErrorCategory.ObjectNotFound, missing));
            }
        }
    }
}
