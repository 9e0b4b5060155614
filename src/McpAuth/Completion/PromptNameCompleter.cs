using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using McpAuth.Core.Mcp;

namespace McpAuth.Completion
{
    /// <summary>
    /// Completes -Name of Get-McpPrompt and Get-McpPromptMessage with the prompts of the server on the line
    /// (as <see cref="ToolNameCompleter"/> finds it); the tooltip is the prompt's description and arguments.
    /// It never connects and never starts a sign-in.
    /// </summary>
    public sealed class PromptNameCompleter : IArgumentCompleter
    {
        /// <inheritdoc/>
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
            => CompletionText.Guarded(() => CatalogCompletion.Complete(wordToComplete, CatalogCompletion.Items(fakeBoundParameters, ServerCatalog.Prompts, p => p.Name), p => p.Name, ToolTip));

        /// <summary>The prompts of the connections the line targets.</summary>
        internal static IEnumerable<McpPromptInfo> Prompts(IDictionary fakeBoundParameters)
            => CatalogCompletion.Items(fakeBoundParameters, ServerCatalog.Prompts, p => p.Name).Select(p => p.Value);

        private static string ToolTip(McpPromptInfo prompt)
        {
            string text = prompt.Description ?? prompt.Title ?? prompt.Name;
            return prompt.Arguments.Count == 0 ? text : text + "\nArguments: " + string.Join(", ", prompt.Arguments.Select(a => a.Required ? a.Name : "[" + a.Name + "]"));
        }
    }
}
