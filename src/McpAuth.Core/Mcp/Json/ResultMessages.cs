using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace McpAuth.Core.Mcp
{
    /// <summary>
    /// What every result may carry: <c>resultType</c> (modern servers; absent means complete) and
    /// <c>_meta</c>, where modern servers name themselves (<c>io.modelcontextprotocol/serverInfo</c>); and,
    /// in an <c>input_required</c> result (2026-07-28), the server's input requests and opaque state.
    /// </summary>
    internal abstract class ResultBase
    {
        [JsonPropertyName("resultType")]
        public string? ResultType { get; set; }

        [JsonPropertyName("_meta")]
        public JsonObject? Meta { get; set; }

        [JsonPropertyName("inputRequests")]
        public JsonObject? InputRequests { get; set; }

        [JsonPropertyName("requestState")]
        public string? RequestState { get; set; }
    }

    /// <summary>Any result, read only for what every result may carry.</summary>
    internal sealed class GenericResult : ResultBase
    {
    }

    /// <summary>The caching hints of a cacheable result (2026-07-28): freshness in milliseconds and who may share it.</summary>
    internal abstract class CacheableResult : ResultBase
    {
        [JsonPropertyName("ttlMs")]
        public double? TtlMs { get; set; }

        [JsonPropertyName("cacheScope")]
        public string? CacheScope { get; set; }
    }

    internal sealed class InitializeResult : ResultBase
    {
        [JsonPropertyName("protocolVersion")]
        public string? ProtocolVersion { get; set; }

        [JsonPropertyName("capabilities")]
        public JsonObject? Capabilities { get; set; }

        [JsonPropertyName("serverInfo")]
        public JsonObject? ServerInfo { get; set; }

        [JsonPropertyName("instructions")]
        public string? Instructions { get; set; }
    }

    internal sealed class DiscoverResult : CacheableResult
    {
        [JsonPropertyName("supportedVersions")]
        public List<string>? SupportedVersions { get; set; }

        [JsonPropertyName("capabilities")]
        public JsonObject? Capabilities { get; set; }

        /// <summary>Gets or sets serverInfo in the body, where early drafts put it (now it lives in _meta).</summary>
        [JsonPropertyName("serverInfo")]
        public JsonObject? ServerInfo { get; set; }

        [JsonPropertyName("instructions")]
        public string? Instructions { get; set; }
    }

    /// <summary>One page of a list method: its items, the next page's cursor, and the caching hints.</summary>
    internal abstract class PagedResult : CacheableResult
    {
        [JsonPropertyName("nextCursor")]
        public string? NextCursor { get; set; }

        /// <summary>Gets the page's items (tools, resources, templates or prompts); null when the member is missing.</summary>
        [JsonIgnore]
        public abstract List<JsonNode?>? Items { get; }
    }

    internal sealed class ListToolsResult : PagedResult
    {
        [JsonPropertyName("tools")]
        public List<JsonNode?>? Tools { get; set; }

        [JsonIgnore]
        public override List<JsonNode?>? Items => Tools;
    }

    /// <summary>A tools/call result: complete (content, structured content, isError) or, on modern servers, input_required.</summary>
    internal sealed class CallToolResult : ResultBase
    {
        [JsonPropertyName("content")]
        public List<JsonNode?>? Content { get; set; }

        [JsonPropertyName("structuredContent")]
        public JsonNode? StructuredContent { get; set; }

        [JsonPropertyName("isError")]
        public bool? IsError { get; set; }
    }

    /// <summary>One request a server embeds in an input_required result, or sends itself (legacy).</summary>
    internal sealed class InputRequest
    {
        [JsonPropertyName("method")]
        public string? Method { get; set; }

        [JsonPropertyName("params")]
        public JsonObject? Params { get; set; }
    }

    /// <summary>The params of elicitation/create.</summary>
    internal sealed class ElicitParams
    {
        [JsonPropertyName("mode")]
        public string? Mode { get; set; }

        [JsonPropertyName("message")]
        public string? Message { get; set; }

        [JsonPropertyName("requestedSchema")]
        public JsonObject? RequestedSchema { get; set; }

        [JsonPropertyName("url")]
        public string? Url { get; set; }
    }

    /// <summary>This client's answer to elicitation/create.</summary>
    internal sealed class ElicitReply
    {
        [JsonPropertyName("action")]
        public string Action { get; set; } = "decline";

        [JsonPropertyName("content")]
        public JsonObject? Content { get; set; }
    }

    internal sealed class ProgressParams
    {
        [JsonPropertyName("progressToken")]
        public JsonElement? ProgressToken { get; set; }

        [JsonPropertyName("progress")]
        public double? Progress { get; set; }

        [JsonPropertyName("total")]
        public double? Total { get; set; }

        [JsonPropertyName("message")]
        public string? Message { get; set; }
    }

    internal sealed class LogMessageParams
    {
        [JsonPropertyName("level")]
        public string? Level { get; set; }

        [JsonPropertyName("logger")]
        public string? Logger { get; set; }

        [JsonPropertyName("data")]
        public JsonElement? Data { get; set; }
    }

    /// <summary>The data of an UnsupportedProtocolVersionError (-32022).</summary>
    internal sealed class UnsupportedVersionData
    {
        [JsonPropertyName("supported")]
        public List<string>? Supported { get; set; }

        [JsonPropertyName("requested")]
        public string? Requested { get; set; }
    }
}
