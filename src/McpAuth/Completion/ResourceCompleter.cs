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
    /// Completes resource URIs (-ResourceUri of Read-McpResource, Watch-McpResource and Get-McpResource) and
    /// resource names (Get-McpResource -Name) with the resources of the server on the line (as
    /// <see cref="ToolNameCompleter"/> finds it). Read-McpResource also offers the server's URI templates (fill
    /// them in with -Arguments), and Get-McpResource -Template offers templates only. The tooltip is the
    /// resource's name, MIME type and description. It never connects and never starts a sign-in.
    /// </summary>
    public sealed class ResourceCompleter : IArgumentCompleter
    {
        /// <inheritdoc/>
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            try
            {
                bool byName = string.Equals(parameterName, "Name", StringComparison.OrdinalIgnoreCase);
                bool templatesOnly = CompletionText.Bound(fakeBoundParameters, "Template") is SwitchParameter { IsPresent: true } or true;
                var entries = new List<KeyValuePair<McpConnection, Entry>>();
                if (!templatesOnly)
                {
                    entries.AddRange(CatalogCompletion.Items(fakeBoundParameters, ServerCatalog.Resources, r => r.Uri)
                        .Select(r => new KeyValuePair<McpConnection, Entry>(r.Key, new Entry(byName ? r.Value.Name : r.Value.Uri, Describe(r.Value.Name, r.Value.MimeType, r.Value.Description)))));
                }

                if (templatesOnly || string.Equals(commandName, "Read-McpResource", StringComparison.OrdinalIgnoreCase))
                {
                    entries.AddRange(CatalogCompletion.Items(fakeBoundParameters, ServerCatalog.ResourceTemplates, t => t.UriTemplate)
                        .Select(t => new KeyValuePair<McpConnection, Entry>(t.Key, new Entry(byName ? t.Value.Name : t.Value.UriTemplate, "Template: " + Describe(t.Value.Name, t.Value.MimeType, t.Value.Description)))));
                }

                var unique = entries.GroupBy(e => e.Value.Text, StringComparer.Ordinal).Select(g => g.First()).ToList();
                return CatalogCompletion.Complete(wordToComplete, unique, e => e.Text, e => e.ToolTip);
            }
            catch (Exception ex) when (CompletionText.CanIgnore(ex))
            {
                return Array.Empty<CompletionResult>();
            }
        }

        private static string Describe(string name, string? mimeType, string? description)
            => name + (mimeType is null ? string.Empty : " (" + mimeType + ")") + (description is null ? string.Empty : ": " + description);

        private sealed class Entry
        {
            public Entry(string text, string toolTip)
            {
                Text = text;
                ToolTip = toolTip;
            }

            public string Text { get; }

            public string ToolTip { get; }
        }
    }
}
