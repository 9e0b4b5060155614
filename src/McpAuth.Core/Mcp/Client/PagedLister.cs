using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Core.Mcp
{
    /// <summary>
    /// Reads every page of a list method (tools/list, resources/list, resources/templates/list, prompts/list),
    /// following <c>nextCursor</c>, with the guards against a hostile server (a bounded number of pages, no cursor
    /// twice). The whole list is as fresh as its least fresh page, and takes the first page's cache scope.
    /// </summary>
    internal static class PagedLister
    {
        public static async Task<Listing<T>> ReadAllAsync<TPage, T>(ProtocolEra era, string method, JsonTypeInfo<TPage> type, Func<JsonNode?, T?> read, McpCallContext context, CancellationToken cancellationToken)
            where TPage : PagedResult
            where T : class
        {
            var items = new List<T>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            double? ttlMs = null;
            string? scope = null;
            string? cursor = null;
            for (int page = 0; ; page++)
            {
                if (page >= era.Options.MaxPages)
                {
                    throw new McpAuthException(ErrorIds.MalformedResponse, McpErrorKind.InvalidData, $"The server returned more than {era.Options.MaxPages} pages for {method}; stopped reading.", era.Endpoint);
                }

                JsonElement element = await era.SendAsync(method, new PaginatedParams { Cursor = cursor }, null, context, cancellationToken).ConfigureAwait(false);
                TPage result = JsonRpcCodec.Read(element, type, method, era.Endpoint);
                List<JsonNode?> pageItems = result.Items ?? throw JsonRpcCodec.Malformed($"The server's {method} result has no list of items.", era.Endpoint, null);
                ttlMs = ttlMs is null ? result.TtlMs ?? 0 : Math.Min(ttlMs.Value, result.TtlMs ?? 0);
                scope ??= result.CacheScope;
                foreach (JsonNode? node in pageItems)
                {
                    if (read(node) is T item)
                    {
                        items.Add(item);
                    }
                }

                cursor = string.IsNullOrEmpty(result.NextCursor) ? null : result.NextCursor;
                if (cursor is null)
                {
                    return new Listing<T>(items, ResultCache.Ttl(ttlMs), scope);
                }

                if (!seen.Add(cursor))
                {
                    throw JsonRpcCodec.Malformed($"The server's {method} returned the same cursor twice; stopped to avoid an endless loop.", era.Endpoint, null);
                }

                context.Callbacks.Debug($"{method}: {items.Count} items so far, next page.");
            }
        }

        /// <summary>Every item of a list, and how long the server says it stays fresh.</summary>
        internal sealed class Listing<T>
        {
            public Listing(IReadOnlyList<T> items, TimeSpan ttl, string? cacheScope)
            {
                Items = items;
                Ttl = ttl;
                CacheScope = cacheScope;
            }

            public IReadOnlyList<T> Items { get; }

            public TimeSpan Ttl { get; }

            public string? CacheScope { get; }
        }
    }
}
