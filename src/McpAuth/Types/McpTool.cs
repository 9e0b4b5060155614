using System;
using System.Linq;
using McpAuth.Core.Mcp;

namespace McpAuth
{
    /// <summary>A tool an MCP server offers, as Get-McpTool returns it. Pipe it to Invoke-McpTool.</summary>
    public sealed class McpTool
    {
        internal McpTool(Uri serverUri, McpToolInfo info)
        {
            ServerUri = serverUri;
            Name = info.Name;
            Title = info.Title;
            Description = info.Description;
            InputSchema = JsonConversion.ToPowerShell(info.InputSchemaData);
            OutputSchema = JsonConversion.ToPowerShell(info.OutputSchemaData);
            Parameters = info.ParameterNames.ToArray();
            RequiredParameters = info.RequiredParameterNames.ToArray();
            Info = info;
        }

        /// <summary>Gets the MCP endpoint that offers the tool.</summary>
        public Uri ServerUri { get; }

        /// <summary>Gets the tool's name.</summary>
        public string Name { get; }

        /// <summary>Gets the tool's display title, if any.</summary>
        public string? Title { get; }

        /// <summary>Gets the tool's description.</summary>
        public string? Description { get; }

        /// <summary>Gets the names of the tool's arguments.</summary>
        public string[] Parameters { get; }

        /// <summary>Gets the names of the arguments the tool requires.</summary>
        public string[] RequiredParameters { get; }

        /// <summary>Gets the JSON schema of the tool's arguments, as PowerShell objects.</summary>
        public object? InputSchema { get; }

        /// <summary>Gets the JSON schema of the tool's structured output, if it declares one.</summary>
        public object? OutputSchema { get; }

        internal McpToolInfo Info { get; }

        public override string ToString() => Name;
    }
}
