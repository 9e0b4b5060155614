using System;
using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace McpAuth.Core.Storage
{
    /// <summary>
    /// What a call to a modern (MCP 2026-07-28) server's tools needs from its last <c>tools/list</c>: for each
    /// tool it listed with valid annotations, which arguments go into <c>Mcp-Param-*</c> headers (SEP-2243), and
    /// how long the server said that list stays fresh (<c>ttlMs</c>, counted from before the list was asked for).
    /// Kept in the credential the list was fetched with (its authorization context, so a <c>private</c> list is
    /// never used with another credential), per MCP endpoint, so a new process can call a tool at once while the
    /// list is fresh. Not secret: tool names and header names, no argument values.
    /// </summary>
    public sealed record StoredToolHeaders
    {
        /// <summary>Gets when the list was asked for (the start of its freshness).</summary>
        [JsonPropertyName("listed_at")]
        public DateTimeOffset ListedAt { get; init; }

        /// <summary>Gets until when the server said the list is fresh.</summary>
        [JsonPropertyName("fresh_until")]
        public DateTimeOffset FreshUntil { get; init; }

        /// <summary>Gets, for each tool, its mirrored parameters (empty: the tool mirrors none).</summary>
        [JsonPropertyName("tools")]
        public IReadOnlyDictionary<string, IReadOnlyList<StoredToolHeader>>? Tools { get; init; }

        /// <summary>True while the list is fresh at <paramref name="now"/>; never when the clock is before its listing.</summary>
        public bool IsFreshAt(DateTimeOffset now) => ListedAt <= now && now < FreshUntil;
    }

    /// <summary>One <c>x-mcp-header</c> annotation: the property path from the schema root and the header name.</summary>
    public sealed record StoredToolHeader
    {
        /// <summary>Gets the chain of <c>properties</c> keys leading to the annotated property.</summary>
        [JsonPropertyName("path")]
        public IReadOnlyList<string>? Path { get; init; }

        /// <summary>Gets the header name (without the <c>Mcp-Param-</c> prefix).</summary>
        [JsonPropertyName("header")]
        public string? Header { get; init; }
    }
}
