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
    [JsonDerivedType(typeof(ListToolsParams))]
    [JsonDerivedType(typeof(CallToolParams))]
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

    internal sealed class ListToolsParams : RequestParams
    {
        [JsonPropertyName("cursor")]
        public string? Cursor { get; set; }
    }

    internal sealed class CallToolParams : RequestParams
    {
        [JsonPropertyName("name")]
        public string Name { get; set; } = string.Empty;

        [JsonPropertyName("arguments")]
        public JsonObject Arguments { get; set; } = new JsonObject();

        /// <summary>Gets or sets the answers to a modern server's input requests, on a retry only.</summary>
        [JsonPropertyName("inputResponses")]
        public JsonObject? InputResponses { get; set; }

        /// <summary>Gets or sets the server's opaque state, echoed exactly on a retry when it sent one.</summary>
        [JsonPropertyName("requestState")]
        public string? RequestState { get; set; }

        [JsonIgnore]
        public override string? MirroredName => Name;

        /// <summary>A copy for a retry: the same call, new input responses and state, no _meta yet.</summary>
        public CallToolParams Retry(JsonObject? inputResponses, string? requestState) => new CallToolParams
        {
            Name = Name,
            Arguments = (JsonObject)Arguments.DeepClone(),
            InputResponses = inputResponses,
            RequestState = requestState,
        };
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
        public string? ProgressToken { get; set; }

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
