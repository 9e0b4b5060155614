using System;
using System.Collections.Generic;

namespace McpAuth.Core.Mcp
{
    /// <summary>
    /// A connection's cacheable results other than tools/list (MCP 2026-07-28 caching): resources/list,
    /// resources/templates/list, prompts/list and resources/read, each under its cache key (the method and the
    /// parameters that affect the result, such as the URI read). A result is fresh for <c>ttlMs</c> after it
    /// arrived (absent, zero or negative: immediately stale, as from every legacy server) and reused while
    /// fresh; a change notification for a resource invalidates its read at once. The cache belongs to one
    /// connection and is never shared, so a <c>private</c> result stays within its authorization context.
    /// It holds a bounded number of entries; the one that goes stale first makes room.
    /// </summary>
    internal sealed class ResultCache
    {
        private const int Capacity = 128;
        private readonly Dictionary<string, Entry> entries = new Dictionary<string, Entry>(StringComparer.Ordinal);

        /// <summary>The result stored under <paramref name="key"/> while it is fresh, else null.</summary>
        public T? Fresh<T>(string key, DateTimeOffset now)
            where T : class
        {
            lock (entries)
            {
                return entries.TryGetValue(key, out Entry? e) && now < e.FreshUntil ? e.Value as T : null;
            }
        }

        /// <summary>The last result stored under <paramref name="key"/>, fresh or not (tab completion), else null.</summary>
        public T? Last<T>(string key)
            where T : class
        {
            lock (entries)
            {
                return entries.TryGetValue(key, out Entry? e) ? e.Value as T : null;
            }
        }

        public void Store(string key, object value, TimeSpan ttl, string? cacheScope, DateTimeOffset received)
        {
            lock (entries)
            {
                if (!entries.ContainsKey(key) && entries.Count >= Capacity)
                {
                    string? oldest = null;
                    DateTimeOffset earliest = DateTimeOffset.MaxValue;
                    foreach (KeyValuePair<string, Entry> kv in entries)
                    {
                        if (kv.Value.FreshUntil <= earliest)
                        {
                            earliest = kv.Value.FreshUntil;
                            oldest = kv.Key;
                        }
                    }

                    entries.Remove(oldest!);
                }

                entries[key] = new Entry(value, received + (ttl > TimeSpan.Zero ? ttl : TimeSpan.Zero), cacheScope);
            }
        }

        /// <summary>Marks the result under <paramref name="key"/> stale (a change notification said it changed).</summary>
        public void Invalidate(string key)
        {
            lock (entries)
            {
                if (entries.TryGetValue(key, out Entry? e))
                {
                    entries[key] = new Entry(e.Value, DateTimeOffset.MinValue, e.CacheScope);
                }
            }
        }

        /// <summary>The freshness a server's hint gives: <c>ttlMs</c> clamped to zero .. one day.</summary>
        public static TimeSpan Ttl(double? ttlMs) => TimeSpan.FromMilliseconds(Math.Max(0, Math.Min(ttlMs ?? 0, TimeSpan.FromDays(1).TotalMilliseconds)));

        private sealed class Entry
        {
            public Entry(object value, DateTimeOffset freshUntil, string? cacheScope)
            {
                Value = value;
                FreshUntil = freshUntil;
                CacheScope = cacheScope;
            }

            public object Value { get; }

            public DateTimeOffset FreshUntil { get; }

            public string? CacheScope { get; }
        }
    }
}
