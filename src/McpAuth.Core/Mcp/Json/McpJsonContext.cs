using System.Text.Json.Serialization;

namespace McpAuth.Core.Mcp
{
    /// <summary>
    /// Source-generated System.Text.Json metadata for every message the client reads or writes: no
    /// reflection, no hand-built JSON objects for the protocol's own shapes. Schemas, content blocks and
    /// other server-defined JSON stay JsonObject/JsonNode so they pass through exactly as sent.
    /// </summary>
    [JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, MaxDepth = 128)]
    [JsonSerializable(typeof(JsonRpcRequest))]
    [JsonSerializable(typeof(JsonRpcReply))]
    [JsonSerializable(typeof(JsonRpcMessage))]
    [JsonSerializable(typeof(GenericResult))]
    [JsonSerializable(typeof(InitializeResult))]
    [JsonSerializable(typeof(DiscoverResult))]
    [JsonSerializable(typeof(ListToolsResult))]
    [JsonSerializable(typeof(CallToolResult))]
    [JsonSerializable(typeof(ListResourcesResult))]
    [JsonSerializable(typeof(ListResourceTemplatesResult))]
    [JsonSerializable(typeof(ListPromptsResult))]
    [JsonSerializable(typeof(ListSkillsResult))]
    [JsonSerializable(typeof(ReadResourceResult))]
    [JsonSerializable(typeof(GetPromptResult))]
    [JsonSerializable(typeof(ChangeNotificationParams))]
    [JsonSerializable(typeof(InputRequest))]
    [JsonSerializable(typeof(ElicitParams))]
    [JsonSerializable(typeof(ElicitReply))]
    [JsonSerializable(typeof(ProgressParams))]
    [JsonSerializable(typeof(LogMessageParams))]
    [JsonSerializable(typeof(UnsupportedVersionData))]
    internal sealed partial class McpJsonContext : JsonSerializerContext
    {
    }
}
