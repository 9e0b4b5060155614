using System;
using System.Management.Automation;
using McpAuth.Core;
using McpAuth.Core.Mcp;

namespace McpAuth.Commands
{
    /// <summary>
    /// Gets a prompt's messages (prompts/get) with its arguments filled in: one McpPromptMessage per message,
    /// its content an object (text, image or audio with bytes, resource link, embedded resource).
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "McpPromptMessage", DefaultParameterSetName = UriSet)]
    [OutputType(typeof(McpPromptMessage))]
    public sealed class GetMcpPromptMessageCommand : McpToolCmdletBase
    {
        /// <summary>Gets or sets the prompt's name.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.PromptNameCompleter))]
        public string Name { get; set; } = null!;

        /// <summary>Gets or sets the prompt's arguments: a hashtable of names and values (sent as strings).</summary>
        [Parameter(Position = 1)]
        [Alias("Args")]
        [ArgumentCompleter(typeof(Completion.ToolArgumentsCompleter))]
        public object? Arguments { get; set; }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            Uri server = TargetUri;
            object? arguments;
            try
            {
                arguments = Arguments is null ? null : JsonConversion.ToData(Arguments);
            }
            catch (McpAuthException ex)
            {
                WriteEngineError(ex);
                return;
            }

            if (!TryRunOnTarget((target, context, token) => McpOperations.GetPromptAsync(target, Name, arguments, context, token), out McpPromptResult result))
            {
                return;
            }

            for (int i = 0; i < result.Messages.Count; i++)
            {
                McpPromptMessageInfo message = result.Messages[i];
                if (McpContent.From(message.Content, server, $"{Name}-{i + 1}") is McpContent content)
                {
                    WriteObject(new McpPromptMessage(server, Name, result.Description, message.Role, content));
                }
                else if (message.Content.Error is McpAuthException malformed)
                {
                    WriteEngineError(malformed);
                }
            }
        }
    }
}
