using System;
using System.Collections.Generic;
using McpAuth.Core.Storage;

namespace McpAuth.Core.Mcp
{
    /// <summary>
    /// A connection's last tools/list, with the server's caching hints (MCP 2026-07-28): the list is fresh
    /// for <c>ttlMs</c> after it arrived (absent or negative means immediately stale, as from every legacy
    /// server) and reused while fresh. <c>cacheScope</c> is kept with it; a connection never shares its
    /// list with another, so a private list is never seen by another authorization context. Tools whose
    /// <c>x-mcp-header</c> annotations are invalid are kept aside with the reason, out of the list.
    /// </summary>
    internal sealed class ToolCache
    {
        private Snapshot? current;

        /// <summary>Gets the tools last listed, fresh or not, or null before the first listing.</summary>
        public IReadOnlyList<McpToolInfo>? Tools => current?.Tools;

        /// <summary>Gets the scope the server gave the last list (public or private), if any.</summary>
        public string? CacheScope => current?.CacheScope;

        /// <summary>Returns the list while it is fresh, else null.</summary>
        public IReadOnlyList<McpToolInfo>? Fresh(DateTimeOffset now)
        {
            Snapshot? s = current;
            return s is not null && now < s.FreshUntil ? s.Tools : null;
        }

        public void Store(IReadOnlyList<McpToolInfo> tools, IReadOnlyDictionary<string, string> rejected, TimeSpan ttl, string? cacheScope, DateTimeOffset received)
            => current = new Snapshot(tools, rejected, received + (ttl > TimeSpan.Zero ? ttl : TimeSpan.Zero), cacheScope);

        /// <summary>Marks the list stale (the server's answer showed it changed).</summary>
        public void Invalidate()
        {
            Snapshot? s = current;
            if (s is not null)
            {
                current = new Snapshot(s.Tools, s.Rejected, DateTimeOffset.MinValue, s.CacheScope);
            }
        }

        /// <summary>Finds a listed tool by name.</summary>
        public McpToolInfo? Find(string name)
        {
            foreach (McpToolInfo tool in current?.Tools ?? Array.Empty<McpToolInfo>())
            {
                if (string.Equals(tool.Name, name, StringComparison.Ordinal))
                {
                    return tool;
                }
            }

            return null;
        }

        /// <summary>Why a tool was left out of the list, or null.</summary>
        public string? RejectionOf(string name) => current?.Rejected.TryGetValue(name, out string? why) == true ? why : null;

        /// <summary>A listing's header rules as the credential store keeps them: fresh from <paramref name="received"/> for <paramref name="ttl"/>.</summary>
        public static StoredToolHeaders ToStored(IReadOnlyList<McpToolInfo> tools, DateTimeOffset received, TimeSpan ttl)
        {
            var rules = new Dictionary<string, IReadOnlyList<StoredToolHeader>>(StringComparer.Ordinal);
            foreach (McpToolInfo tool in tools)
            {
                if (!rules.ContainsKey(tool.Name))
                {
                    rules[tool.Name] = tool.HeaderParameters.ToStored();
                }
            }

            return new StoredToolHeaders { ListedAt = received, FreshUntil = received + (ttl > TimeSpan.Zero ? ttl : TimeSpan.Zero), Tools = rules };
        }

        /// <summary>
        /// A tool's header rules from a listing kept in the credential store: only while that listing is fresh and
        /// only for a tool it had (a tool it did not list, or left out as invalid, is listed again); else null.
        /// </summary>
        public static ToolHeaderParameters? FromStored(StoredToolHeaders? stored, string name, DateTimeOffset now) =>
            stored is not null && stored.IsFreshAt(now) && stored.Tools is not null && stored.Tools.TryGetValue(name, out IReadOnlyList<StoredToolHeader>? rules)
                ? ToolHeaderParameters.FromStored(rules)
                : null;

        private sealed class Snapshot
        {
            public Snapshot(IReadOnlyList<McpToolInfo> tools, IReadOnlyDictionary<string, string> rejected, DateTimeOffset freshUntil, string? cacheScope)
            {
                Tools = tools;
                Rejected = rejected;
                FreshUntil = freshUntil;
                CacheScope = cacheScope;
            }

            public IReadOnlyList<McpToolInfo> Tools { get; }

            public IReadOnlyDictionary<string, string> Rejected { get; }

            public DateTimeOffset FreshUntil { get; }

            public string? CacheScope { get; }
        }
    }
}
