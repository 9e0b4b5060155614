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
        internal static readonly TimeSpan ListWait = TimeSpan.FromSeconds(2);

        /// <inheritdoc/>
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
            => CompletionText.Guarded(() => Complete(wordToComplete, fakeBoundParameters));

        /// <summary>The tools of the connections the line targets, each name once (the first server's wins).</summary>
        internal static List<KeyValuePair<McpConnection, McpToolInfo>> Tools(IDictionary fakeBoundParameters)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var tools = new List<KeyValuePair<McpConnection, McpToolInfo>>();
            foreach (KeyValuePair<McpConnection, IReadOnlyList<McpToolInfo>> server in ToolCatalog.Get(CompletionTarget.Connections(fakeBoundParameters), ListWait))
            {
                foreach (McpToolInfo tool in server.Value)
                {
                    if (seen.Add(tool.Name))
                    {
                        tools.Add(new KeyValuePair<McpConnection, McpToolInfo>(server.Key, tool));
                    }
                }
            }

            return tools;
        }

        private static List<CompletionResult> Complete(string wordToComplete, IDictionary fakeBoundParameters)
        {
            string typed = CompletionText.Unquote(wordToComplete, out char quote);
            WildcardPattern? pattern = WildcardPattern.ContainsWildcardCharacters(typed) ? new WildcardPattern(typed, WildcardOptions.IgnoreCase) : null;
            List<KeyValuePair<McpConnection, McpToolInfo>> tools = Tools(fakeBoundParameters);
            bool severalServers = tools.Select(t => t.Key).Distinct().Count() > 1;
            return tools
                .Where(t => pattern?.IsMatch(t.Value.Name) ?? CompletionText.StartsWith(t.Value.Name, typed))
                .OrderBy(t => t.Value.Name, StringComparer.OrdinalIgnoreCase)
                .Select(t => CompletionText.Result(
                    CompletionText.Quote(t.Value.Name, quote),
                    t.Value.Name,
                    CompletionResultType.ParameterValue,
                    ToolTip(t.Value, severalServers ? t.Key.ServerUri : null)))
                .ToList();
        }

        private static string ToolTip(McpToolInfo tool, Uri? server)
        {
            string text = tool.Description ?? tool.Title ?? tool.Name;
            return server is null ? text : text + "\n(" + server.AbsoluteUri + ")";
        }
    }
}
