using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using McpAuth.Core.Mcp;

namespace McpAuth.Completion
{
    /// <summary>
    /// What the name and URI completers share: the items (tools, prompts, resources, templates) of the
    /// connections the line targets (<see cref="CompletionTarget"/>), each once (the first server's wins), and
    /// the completions of the word typed — a prefix ignoring case, or a wildcard pattern when it has one —
    /// sorted, quoted as the line needs, the tooltip naming the server when several servers offer items.
    /// </summary>
    internal static class CatalogCompletion
    {
        /// <summary>How long completion waits for a list the connection does not have yet.</summary>
        internal static readonly TimeSpan ListWait = TimeSpan.FromSeconds(2);

        /// <summary>The items of the targeted connections, each key once.</summary>
        public static List<KeyValuePair<McpConnection, T>> Items<T>(IDictionary fakeBoundParameters, Func<IReadOnlyList<McpConnection>, TimeSpan, IReadOnlyList<KeyValuePair<McpConnection, IReadOnlyList<T>>>> catalog, Func<T, string> keyOf)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var items = new List<KeyValuePair<McpConnection, T>>();
            foreach (KeyValuePair<McpConnection, IReadOnlyList<T>> server in catalog(CompletionTarget.Connections(fakeBoundParameters), ListWait))
            {
                foreach (T item in server.Value)
                {
                    if (seen.Add(keyOf(item)))
                    {
                        items.Add(new KeyValuePair<McpConnection, T>(server.Key, item));
                    }
                }
            }

            return items;
        }

        /// <summary>The completions of <paramref name="wordToComplete"/> among <paramref name="items"/>.</summary>
        public static List<CompletionResult> Complete<T>(string wordToComplete, List<KeyValuePair<McpConnection, T>> items, Func<T, string> textOf, Func<T, string?> toolTipOf)
        {
            string typed = CompletionText.Unquote(wordToComplete, out char quote);
            WildcardPattern? pattern = WildcardPattern.ContainsWildcardCharacters(typed) ? new WildcardPattern(typed, WildcardOptions.IgnoreCase) : null;
            bool severalServers = items.Select(t => t.Key).Distinct().Count() > 1;
            return items
                .Where(t => pattern?.IsMatch(textOf(t.Value)) ?? CompletionText.StartsWith(textOf(t.Value), typed))
                .OrderBy(t => textOf(t.Value), StringComparer.OrdinalIgnoreCase)
                .Select(t => CompletionText.Result(
                    CompletionText.Quote(textOf(t.Value), quote),
                    textOf(t.Value),
                    CompletionResultType.ParameterValue,
                    ToolTip(toolTipOf(t.Value) ?? textOf(t.Value), severalServers ? t.Key.ServerUri : null)))
                .ToList();
        }

        private static string ToolTip(string text, Uri? server) => server is null ? text : text + "\n(" + server.AbsoluteUri + ")";
    }
}
