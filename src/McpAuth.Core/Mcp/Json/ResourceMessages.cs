using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace McpAuth.Core.Mcp
{
    internal sealed class ListResourcesResult : PagedResult
    {
        [JsonPropertyName("resources")]
        public List<JsonNode?>? Resources { get; set; }

        [JsonIgnore]
        public override List<JsonNode?>? Items => Resources;
    }

    internal sealed class ListResourceTemplatesResult : PagedResult
    {
        [JsonPropertyName("resourceTemplates")]
        public List<JsonNode?>? ResourceTemplates { get; set; }

        [JsonIgnore]
        public override List<JsonNode?>? Items => ResourceTemplates;
    }

    internal sealed class ListPromptsResult : PagedResult
    {
        [JsonPropertyName("prompts")]
        public List<JsonNode?>? Prompts { get; set; }

        [JsonIgnore]
        public override List<JsonNode?>? Items => Prompts;
    }

    /// <summary>A skills/list page (SEP-2640).</summary>
    internal sealed class ListSkillsResult : PagedResult
    {
        [JsonPropertyName("skills")]
        public List<JsonNode?>? Skills { get; set; }

        [JsonIgnore]
        public override List<JsonNode?>? Items => Skills;
    }

    /// <summary>A resources/read result: text or blob contents (kept as sent, checked one by one), with caching hints.</summary>
    internal sealed class ReadResourceResult : CacheableResult
    {
        [JsonPropertyName("contents")]
        public List<JsonNode?>? Contents { get; set; }
    }

    /// <summary>A prompts/get result: an optional description and the messages (role and one content block each).</summary>
    internal sealed class GetPromptResult : ResultBase
    {
        [JsonPropertyName("description")]
        public string? Description { get; set; }

        [JsonPropertyName("messages")]
        public List<JsonNode?>? Messages { get; set; }
    }

    /// <summary>
    /// The params of the notifications on a subscription stream: notifications/subscriptions/acknowledged
    /// (the filter the server agreed to) and notifications/resources/updated (the URI that changed); both
    /// carry the subscription's id in <c>_meta</c> on modern servers.
    /// </summary>
    internal sealed class ChangeNotificationParams
    {
        [JsonPropertyName("notifications")]
        public SubscriptionFilter? Notifications { get; set; }

        [JsonPropertyName("uri")]
        public string? Uri { get; set; }

        [JsonPropertyName("requestId")]
        public JsonElement? RequestId { get; set; }

        [JsonPropertyName("_meta")]
        public JsonElement? Meta { get; set; }
    }
}
