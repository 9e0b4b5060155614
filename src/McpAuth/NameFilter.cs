using System;
using System.Collections.Generic;
using System.Management.Automation;

namespace McpAuth
{
    /// <summary>
    /// The -Name filter of the Get- cmdlets: wildcard patterns, ignoring case (everything when there are none),
    /// and the plain names that matched nothing, which the cmdlet reports as not found.
    /// </summary>
    internal sealed class NameFilter
    {
        private readonly string[] given;
        private readonly List<WildcardPattern> patterns = new List<WildcardPattern>();
        private readonly HashSet<int> matched = new HashSet<int>();

        public NameFilter(string[]? given)
        {
            this.given = given ?? Array.Empty<string>();
            foreach (string pattern in this.given)
            {
                patterns.Add(new WildcardPattern(pattern, WildcardOptions.IgnoreCase));
            }
        }

        /// <summary>Gets a value indicating whether there is no pattern at all.</summary>
        public bool IsEmpty => patterns.Count == 0;

        /// <summary>Whether any pattern matches one of <paramref name="candidates"/> (noting which matched); true when there is no pattern.</summary>
        public bool Includes(params string?[] candidates)
        {
            bool include = patterns.Count == 0;
            for (int i = 0; i < patterns.Count; i++)
            {
                foreach (string? candidate in candidates)
                {
                    if (candidate is not null && patterns[i].IsMatch(candidate))
                    {
                        include = true;
                        matched.Add(i);
                        break;
                    }
                }
            }

            return include;
        }

        /// <summary>The names without wildcards that matched nothing.</summary>
        public IEnumerable<string> Unmatched()
        {
            for (int i = 0; i < patterns.Count; i++)
            {
                if (!matched.Contains(i) && !WildcardPattern.ContainsWildcardCharacters(given[i]))
                {
                    yield return given[i];
                }
            }
        }
    }
}
