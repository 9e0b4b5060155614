using System;
using System.Management.Automation;
using McpAuth.Core;
using McpAuth.Core.Mcp;

namespace McpAuth.Commands
{
    /// <summary>
    /// Calls a tool on an MCP server (tools/call). Text content comes out as strings and structured
    /// content as objects; images and audio as objects with their bytes (or, with -OutDirectory, as the files
    /// they were written to), resource links and embedded resources as objects that pipe to Read-McpResource.
    /// A result the tool marks as an error becomes a non-terminating error, and so does a malformed block.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "McpTool", DefaultParameterSetName = UriSet)]
    [OutputType(typeof(string), typeof(PSObject), typeof(McpContent), typeof(System.IO.FileInfo), typeof(McpToolCallResult))]
    public sealed class InvokeMcpToolCommand : McpToolCmdletBase
    {
        /// <summary>Gets or sets the tool's name.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.ToolNameCompleter))]
        public string Name { get; set; } = null!;

        /// <summary>Gets or sets the tool's arguments: a hashtable or an object with properties.</summary>
        [Parameter(Position = 1)]
        [Alias("Args")]
        [ArgumentCompleter(typeof(Completion.ToolArgumentsCompleter))]
        public object? Arguments { get; set; }

        /// <summary>Gets or sets a value indicating whether to return the whole result object instead of its content.</summary>
        [Parameter]
        public SwitchParameter Raw { get; set; }

        /// <summary>Gets or sets a folder to write images, audio and embedded resources to; their files come out instead.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? OutDirectory { get; set; }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            object arguments;
            try
            {
                arguments = JsonConversion.ToArguments(Arguments);
            }
            catch (McpAuthException ex)
            {
                WriteEngineError(ex);
                return;
            }

            if (!TryRunOnTarget((target, context, token) => McpOperations.CallToolAsync(target, Name, arguments, context, token), out McpToolResult result))
            {
                return;
            }

            if (Raw.IsPresent)
            {
                WriteMalformed(result);
                WriteObject(new McpToolCallResult(Name, TargetUri, result));
                return;
            }

            if (result.IsError)
            {
                string text = result.Text;
                WriteError(new ErrorRecord(
                    new McpAuthException(ErrorIds.ToolError, McpErrorKind.ServerError, $"The tool '{Name}' reported an error: {(text.Length == 0 ? "(no message)" : text)}", Name),
                    ErrorIds.ToolError,
                    ErrorCategory.InvalidResult,
                    Name));
                return;
            }

            if (result.HasStructuredContent)
            {
                WriteObject(JsonConversion.ToPowerShell(result.StructuredData), enumerateCollection: true);
                return;
            }

            var files = new ContentFiles();
            string? folder = OutDirectory is null ? null : GetUnresolvedProviderPathFromPSPath(OutDirectory);
            for (int i = 0; i < result.Blocks.Count; i++)
            {
                McpContentBlock block = result.Blocks[i];
                if (block.Kind == McpContentKind.Text)
                {
                    WriteObject(block.Text);
                }
                else if (McpContent.From(block, TargetUri, $"{Name}-{i + 1}") is not McpContent content)
                {
                    WriteEngineError(block.Error!);
                }
                else if (folder is not null && ContentFiles.Savable(content) is (string file, byte[] bytes))
                {
                    WriteContentFile(System.IO.Path.Combine(folder, file), () => files.Write(folder, file, bytes));
                }
                else
                {
                    WriteObject(content);
                }
            }
        }

        private void WriteMalformed(McpToolResult result)
        {
            foreach (McpContentBlock block in result.Blocks)
            {
                if (block.Error is McpAuthException malformed)
                {
                    WriteEngineError(malformed);
                }
            }
        }
    }
}
