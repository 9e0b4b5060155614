using System.Collections.Generic;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace McpAuth.Core.Mcp
{
    /// <summary>
    /// The params of a request this client sends. Every kind carries <c>_meta</c>, which the era fills in:
    /// a progress token always when wanted, and on modern servers the protocol version, client info,
    /// capabilities and log level of this very request.
    /// </summary>
    [JsonPolymorphic]
    [JsonDerivedType(typeof(EmptyParams))]
    [JsonDerivedType(typeof(InitializeParams))]
    [JsonDerivedType(typeof(PaginatedParams))]
    [JsonDerivedType(typeof(CallToolParams))]
    [JsonDerivedType(typeof(ReadResourceParams))]
    [JsonDerivedType(typeof(GetPromptParams))]
    [JsonDerivedType(typeof(ResourceUriParams))]
    [JsonDerivedType(typeof(ListenParams))]
    [JsonDerivedType(typeof(CancelledParams))]
    internal abstract class RequestParams
    {
        [JsonPropertyName("_meta")]
        public RequestMeta? Meta { get; set; }

        /// <summary>Gets the name the <c>Mcp-Name</c> header mirrors (tools/call's tool name), if any.</summary>
        [JsonIgnore]
        public virtual string? MirroredName => null;
    }

    /// <summary>Params with nothing but <c>_meta</c> (server/discover, ping, tools/list without a cursor).</summary>
    internal sealed class EmptyParams : RequestParams
    {
    }

    internal sealed class InitializeParams : RequestParams
    {
        [JsonPropertyName("protocolVersion")]
        public string ProtocolVersion { get; set; } = McpProtocol.LatestLegacy;

        [JsonPropertyName("capabilities")]
        public ClientCapabilities Capabilities { get; set; } = new ClientCapabilities();

        [JsonPropertyName("clientInfo")]
        public Implementation ClientInfo { get; set; } = new Implementation();
    }

    /// <summary>The params of a list method (tools, resources, resource templates, prompts): the page's cursor.</summary>
    internal sealed class PaginatedParams : RequestParams
    {
        [JsonPropertyName("cursor")]
        public string? Cursor { get; set; }
    }

    /// <summary>
    /// The params of a request a modern server may answer with input_required (tools/call, resources/read,
    /// prompts/get): a retry carries the answers and the server's state, and is otherwise the same request.
    /// </summary>
    internal abstract class InputResponseParams : RequestParams
    {
        /// <summary>Gets or sets the answers to a modern server's input requests, on a retry only.</summary>
        [JsonPropertyName("inputResponses")]
        public JsonObject? InputResponses { get; set; }

        /// <summary>Gets or sets the server's opaque state, echoed exactly on a retry when it sent one.</summary>
        [JsonPropertyName("requestState")]
        public string? RequestState { get; set; }

        /// <summary>Gets what the request names, for messages (the tool, resource or prompt).</summary>
        [JsonIgnore]
        public abstract string Subject { get; }

        /// <summary>A copy for a retry: the same request, new input responses and state, no _meta yet.</summary>
        public InputResponseParams Retry(JsonObject? inputResponses, string? requestState)
        {
            InputResponseParams copy = CopyRequest();
            copy.InputResponses = inputResponses;
            copy.RequestState = requestState;
            return copy;
        }

        protected abstract InputResponseParams CopyRequest();
    }

    internal sealed class CallToolParams : InputResponseParams
    {
        [JsonPropertyName("name")]
        public string Name { get; set; } = string.Empty;

        [JsonPropertyName("arguments")]
        public JsonObject Arguments { get; set; } = new JsonObject();

        [JsonIgnore]
        public override string? MirroredName => Name;

        [JsonIgnore]
        public override string Subject => $"tools/call '{Name}'";

        protected override InputResponseParams CopyRequest() => new CallToolParams { Name = Name, Arguments = (JsonObject)Arguments.DeepClone() };
    }

    internal sealed class ReadResourceParams : InputResponseParams
    {
        [JsonPropertyName("uri")]
        public string Uri { get; set; } = string.Empty;

        [JsonIgnore]
        public override string? MirroredName => Uri;

        [JsonIgnore]
        public override string Subject => $"resources/read '{Uri}'";

        protected override InputResponseParams CopyRequest() => new ReadResourceParams { Uri = Uri };
    }

    internal sealed class GetPromptParams : InputResponseParams
    {
        [JsonPropertyName("name")]
        public string Name { get; set; } = string.Empty;

        /// <summary>Gets or sets the prompt's arguments: names to string values.</summary>
        [JsonPropertyName("arguments")]
        public JsonObject? Arguments { get; set; }

        [JsonIgnore]
        public override string? MirroredName => Name;

        [JsonIgnore]
        public override string Subject => $"prompts/get '{Name}'";

        protected override InputResponseParams CopyRequest() => new GetPromptParams { Name = Name, Arguments = (JsonObject?)Arguments?.DeepClone() };
    }

    /// <summary>The params of legacy resources/subscribe and resources/unsubscribe.</summary>
    internal sealed class ResourceUriParams : RequestParams
    {
        [JsonPropertyName("uri")]
        public string Uri { get; set; } = string.Empty;
    }

    /// <summary>The params of subscriptions/listen (2026-07-28): the notifications this stream opts in to.</summary>
    internal sealed class ListenParams : RequestParams
    {
        [JsonPropertyName("notifications")]
        public SubscriptionFilter Notifications { get; set; } = new SubscriptionFilter();
    }

    /// <summary>A subscriptions/listen filter: what the client asks for, and (acknowledged) what the server agreed to.</summary>
    internal sealed class SubscriptionFilter
    {
        [JsonPropertyName("toolsListChanged")]
        public bool? ToolsListChanged { get; set; }

        [JsonPropertyName("promptsListChanged")]
        public bool? PromptsListChanged { get; set; }

        [JsonPropertyName("resourcesListChanged")]
        public bool? ResourcesListChanged { get; set; }

        [JsonPropertyName("resourceSubscriptions")]
        public List<string>? ResourceSubscriptions { get; set; }
    }

    internal sealed class CancelledParams : RequestParams
    {
        [JsonPropertyName("requestId")]
        public long RequestId { get; set; }

        [JsonPropertyName("reason")]
        public string Reason { get; set; } = "The user cancelled the operation.";
    }

    /// <summary>The <c>_meta</c> of a request: the progress token, and on modern servers the per-request protocol fields.</summary>
    internal sealed class RequestMeta
    {
        [JsonPropertyName("progressToken")]
        public long? ProgressToken { get; set; }

        [JsonPropertyName("io.modelcontextprotocol/protocolVersion")]
        public string? ProtocolVersion { get; set; }

        [JsonPropertyName("io.modelcontextprotocol/clientInfo")]
        public Implementation? ClientInfo { get; set; }

        [JsonPropertyName("io.modelcontextprotocol/clientCapabilities")]
        public ClientCapabilities? ClientCapabilities { get; set; }

        [JsonPropertyName("io.modelcontextprotocol/logLevel")]
        public string? LogLevel { get; set; }
    }

    /// <summary>A name and version: clientInfo as this client sends it.</summary>
    internal sealed class Implementation
    {
        [JsonPropertyName("name")]
        public string Name { get; set; } = "McpAuth";

        [JsonPropertyName("version")]
        public string Version { get; set; } = "0.0.0";
    }

    /// <summary>What this client offers: elicitation, in form mode (and on modern servers URL mode).</summary>
    internal sealed class ClientCapabilities
    {
        [JsonPropertyName("elicitation")]
        public ElicitationCapability? Elicitation { get; set; }
    }

    internal sealed class ElicitationCapability
    {
        [JsonPropertyName("form")]
        public EmptyObject? Form { get; set; }

        [JsonPropertyName("url")]
        public EmptyObject? Url { get; set; }
    }

    /// <summary>Serializes as <c>{}</c>.</summary>
    internal sealed class EmptyObject
    {
    }
}
