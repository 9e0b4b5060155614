using System;
using System.Management.Automation;
using McpAuth.Core;
using McpAuth.Core.Mcp;

namespace McpAuth.Commands
{
    /// <summary>
    /// Calls a tool on an MCP server (tools/call). Text content comes out as strings and structured
    /// content as objects; a result the tool marks as an error becomes a non-terminating error.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "McpTool", DefaultParameterSetName = UriSet)]
    [OutputType(typeof(string), typeof(PSObject), typeof(McpToolCallResult))]
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

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            McpToolResult result;
            try
            {
                object arguments = JsonConversion.ToArguments(Arguments);
                McpTarget target = Target();
                Func<IEngineCallbacks, McpCallContext> context = CallContext();
                result = RunEngineOfferingStore((callbacks, token) => McpOperations.CallToolAsync(target, Name, arguments, context(callbacks), token));
            }
            catch (McpAuthException ex)
            {
                WriteEngineError(ex);
                return;
            }

            if (Raw.IsPresent)
            {
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

            foreach (object? block in result.ContentData)
            {
                if (block is JsonMap map && map["type"] as string == "text" && map["text"] is string text)
                {
                    WriteObject(text);
                }
                else
                {
                    WriteObject(JsonConversion.ToPowerShell(block));
                }
            }
        }
    }
}
