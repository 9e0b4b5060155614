using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;
using McpAuth.Core.Mcp;

namespace McpAuth.Completion
{
    /// <summary>
    /// Completes -Name of Invoke-McpTool and Get-McpTool with the tools of the server on the line: the
    /// -Connection object, else the live connection to -Uri, else (nothing named, for example a connection
    /// piped in) every live connection. The tooltip is the tool's description.
    /// </summary>
    /// <remarks>
    /// Uses each connection's cached tools; without them it lists the tools once (waiting at most
    /// 2 seconds; a slower answer fills the cache for the next Tab). It never connects and never starts a
    /// sign-in. The word typed matches as a prefix ignoring case, or as a wildcard pattern when it has one.
    /// </remarks>
    public sealed class ToolNameCompleter : IArgumentCompleter
    {
        /// <summary>How long completion waits for tools/list.</summary>
        internal static readonly TimeSpan ListWait = CatalogCompletion.ListWait;

        /// <inheritdoc/>
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
            => CompletionText.Guarded(() => CatalogCompletion.Complete(wordToComplete, Items(fakeBoundParameters), t => t.Name, t => t.Description ?? t.Title));

        /// <summary>The tools of the connections the line targets, each name once (the first server's wins).</summary>
        internal static List<KeyValuePair<McpConnection, McpToolInfo>> Items(IDictionary fakeBoundParameters)
            => CatalogCompletion.Items(fakeBoundParameters, ServerCatalog.Tools, t => t.Name);

        /// <summary>The tools of the connections the line targets.</summary>
        internal static IEnumerable<McpToolInfo> Tools(IDictionary fakeBoundParameters)
        {
            foreach (KeyValuePair<McpConnection, McpToolInfo> item in Items(fakeBoundParameters))
            {
                yield return item.Value;
            }
        }
    }
}
