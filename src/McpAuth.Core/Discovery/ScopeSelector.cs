using System;
using System.Collections.Generic;
using McpAuth.Core.Http;

namespace McpAuth.Core.Discovery
{
    /// <summary>
    /// Chooses the scopes to request (MCP authorization, scope selection strategy): the user's explicit scopes win;
    /// else the challenge's <c>scope</c>; else every scope in the protected resource metadata's
    /// <c>scopes_supported</c>; else none. <c>offline_access</c> is added when the authorization server lists it.
    /// </summary>
    public static class ScopeSelector
    {
        /// <summary>The scope that asks for a refresh token on OpenID Connect servers.</summary>
        public const string OfflineAccess = "offline_access";

        /// <summary>Selects the scopes to request.</summary>
        /// <param name="userScopes">Scopes the user gave explicitly; null or empty when they gave none.</param>
        /// <param name="challenge">The server's Bearer challenge, if any.</param>
        /// <param name="prm">The protected resource metadata, if any.</param>
        /// <param name="asm">The authorization server metadata.</param>
        /// <param name="promptConsent">
        /// True when the result contains <c>offline_access</c>: OpenID Connect servers issue a refresh token for it
        /// only with <c>prompt=consent</c>.
        /// </param>
        /// <returns>The scopes, in order, without duplicates; possibly empty (then omit <c>scope</c>).</returns>
        public static IReadOnlyList<string> Select(
            IReadOnlyList<string>? userScopes,
            BearerChallenge? challenge,
            ProtectedResourceMetadata? prm,
            AuthorizationServerMetadata asm,
            out bool promptConsent)
        {
            if (asm is null)
            {
                throw new ArgumentNullException(nameof(asm));
            }

            IReadOnlyList<string> chosen;
            if (userScopes is not null && HasAny(userScopes))
            {
                chosen = userScopes;
            }
            else if (challenge is not null && challenge.Scope.Count > 0)
            {
                chosen = challenge.Scope;
            }
            else if (prm is not null && prm.ScopesSupported.Count > 0)
            {
                chosen = prm.ScopesSupported;
            }
            else
            {
                chosen = Array.Empty<string>();
            }

            var result = new List<string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            AddAll(result, seen, chosen);
            if (asm.ScopesSupported.Contains(OfflineAccess))
            {
                AddAll(result, seen, new[] { OfflineAccess });
            }

            promptConsent = seen.Contains(OfflineAccess);
            return result;
        }

        /// <summary>
        /// The scopes to ask for on step-up: everything already granted plus everything the challenge asks for, in
        /// that order, without duplicates.
        /// </summary>
        public static IReadOnlyList<string> Union(IReadOnlyList<string>? granted, IReadOnlyList<string>? challenged)
        {
            var result = new List<string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            AddAll(result, seen, granted);
            AddAll(result, seen, challenged);
            return result;
        }

        private static bool HasAny(IReadOnlyList<string> scopes)
        {
            foreach (string scope in scopes)
            {
                if (!string.IsNullOrWhiteSpace(scope))
                {
                    return true;
                }
            }

            return false;
        }

        private static void AddAll(List<string> result, HashSet<string> seen, IEnumerable<string>? scopes)
        {
            if (scopes is null)
            {
                return;
            }

            foreach (string? entry in scopes)
            {
                // A caller may pass "a b" as one entry; scope tokens never contain spaces.
                foreach (string scope in BearerChallenge.SplitScope(entry))
                {
                    if (seen.Add(scope))
                    {
                        result.Add(scope);
                    }
                }
            }
        }

        private static bool Contains(this IReadOnlyList<string> list, string value)
        {
            foreach (string item in list)
            {
                if (string.Equals(item, value, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
