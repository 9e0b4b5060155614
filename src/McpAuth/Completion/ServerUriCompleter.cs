using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using McpAuth.Core.Mcp;
using McpAuth.Core.Storage;

namespace McpAuth.Completion
{
    /// <summary>
    /// Completes -Uri with the MCP servers this session knows: the live connections of this process, and
    /// the servers (RFC 8707 resources) that have a credential in the store — the store -CredentialStore
    /// names on the line, else the default one. Disconnect-McpServer offers live connections only.
    /// </summary>
    /// <remarks>
    /// The word typed matches from the start of the URL or of the part after the scheme
    /// (<c>127.0</c> finds <c>http://127.0.0.1:8080/mcp</c>), ignoring case; an opening quote is kept. The
    /// store is read with a 2-second limit, and a missing or locked keychain simply adds nothing.
    /// </remarks>
    public sealed class ServerUriCompleter : IArgumentCompleter
    {
        /// <summary>How long completion waits for the credential store.</summary>
        internal static readonly TimeSpan StoreWait = TimeSpan.FromSeconds(2);

        /// <inheritdoc/>
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
            => CompletionText.Guarded(() => Complete(commandName, wordToComplete, fakeBoundParameters));

        private static List<CompletionResult> Complete(string commandName, string wordToComplete, IDictionary fakeBoundParameters)
        {
            string typed = CompletionText.Unquote(wordToComplete, out char quote);
            var candidates = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (McpConnection connection in McpConnectionRegistry.All)
            {
                string name = connection.Client.ServerName ?? connection.ServerUri.Host;
                string version = connection.Client.ServerVersion is string v ? " " + v : string.Empty;
                candidates[connection.ServerUri.AbsoluteUri] = $"Connected: {name}{version} (since {connection.ConnectedAt.ToLocalTime():T})";
            }

            if (!string.Equals(commandName, "Disconnect-McpServer", StringComparison.OrdinalIgnoreCase))
            {
                McpCredentialStore? store = StoreNamed(CompletionText.Bound(fakeBoundParameters, "CredentialStore"));
                foreach (CredentialRecord record in StoredServers.List(store, StoreWait))
                {
                    if (Uri.TryCreate(record.Key.Resource, UriKind.Absolute, out Uri? resource) && !candidates.ContainsKey(resource.AbsoluteUri))
                    {
                        candidates[resource.AbsoluteUri] = record.IsCorrupted
                            ? $"Stored credential (damaged) from {record.Key.Issuer}"
                            : $"Stored credential from {record.Key.Issuer}";
                    }
                }
            }

            return candidates
                .Where(c => Matches(c.Key, typed))
                .OrderBy(c => c.Key, StringComparer.OrdinalIgnoreCase)
                .Select(c => CompletionText.Result(CompletionText.Quote(c.Key, quote), c.Key, CompletionResultType.ParameterValue, c.Key + "\n" + c.Value))
                .ToList();
        }

        private static bool Matches(string uri, string typed)
        {
            if (typed.Length == 0 || CompletionText.StartsWith(uri, typed))
            {
                return true;
            }

            int scheme = uri.IndexOf("://", StringComparison.Ordinal);
            return scheme > 0 && CompletionText.StartsWith(uri.Substring(scheme + 3), typed);
        }

        private static McpCredentialStore? StoreNamed(object? value) => value switch
        {
            McpCredentialStore store => store,
            string text when Enum.TryParse(CompletionText.Unquote(text, out _), ignoreCase: true, out McpCredentialStore parsed) => parsed,
            _ => null,
        };
    }
}
