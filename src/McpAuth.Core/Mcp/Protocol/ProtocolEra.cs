using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Core.Mcp
{
    /// <summary>
    /// One way of speaking MCP over the streamable HTTP transport: the strategy for an era. It turns a
    /// request into the era's message and headers, reads the answer, and keeps what the era needs (the
    /// legacy session; the modern version). The client API above is the same for both.
    /// </summary>
    internal abstract class ProtocolEra : IDisposable
    {
        private long nextId;

        protected ProtocolEra(StreamableHttpTransport transport)
        {
            Transport = transport;
        }

        public abstract McpEra Era { get; }

        /// <summary>Gets the protocol version in use.</summary>
        public abstract string ProtocolVersion { get; }

        /// <summary>Gets the legacy session id, if the server assigned one.</summary>
        public virtual string? SessionId => null;

        /// <summary>Gets what the server said about itself (initialize, server/discover, or a result's _meta).</summary>
        public ServerIdentity Server { get; protected set; } = new ServerIdentity();

        protected StreamableHttpTransport Transport { get; }

        public McpClientOptions Options => Transport.Options;

        /// <summary>Gets the MCP endpoint (the target of the era's errors).</summary>
        internal Uri Endpoint => Transport.Endpoint;

        /// <summary>Sends a request and returns its result (JSON-RPC errors are thrown as typed errors).</summary>
        /// <param name="method">The JSON-RPC method.</param>
        /// <param name="parameters">The params; the era completes their _meta.</param>
        /// <param name="headers">Extra headers for this request (Mcp-Param-*), or null.</param>
        /// <param name="context">The operation.</param>
        /// <param name="cancellationToken">Cancels the request.</param>
        public abstract Task<JsonElement> SendAsync(string method, RequestParams parameters, IEnumerable<KeyValuePair<string, string>>? headers, McpCallContext context, CancellationToken cancellationToken);

        /// <summary>
        /// Subscribes to changes of resources: returns once the server agreed (modern: acknowledged a
        /// subscriptions/listen stream; legacy: answered resources/subscribe for each URI). Each change goes to
        /// <paramref name="onChange"/>, on a thread of the feed's.
        /// </summary>
        public abstract Task<IChangeFeed> SubscribeAsync(IReadOnlyList<string> uris, Action<string> onChange, McpCallContext context, CancellationToken cancellationToken);

        /// <summary>Ends what the era keeps on the server (a legacy session), best effort.</summary>
        public virtual Task CloseAsync(McpCallContext context, CancellationToken cancellationToken)
        {
            Changes.EndAll(null);
            return Task.CompletedTask;
        }

        /// <summary>Ends the era's subscriptions (gracefully: the connection was closed).</summary>
        public virtual void Dispose() => Changes.EndAll(null);

        /// <summary>Gets the subscriptions running in this era.</summary>
        internal ChangeHub Changes { get; } = new ChangeHub();

        protected long NextId() => Interlocked.Increment(ref nextId);

        protected Implementation ClientInfo() => new Implementation { Name = Options.ClientName, Version = Options.ClientVersion };

        /// <summary>Notes the server's identity from a modern result's <c>_meta</c> (<c>io.modelcontextprotocol/serverInfo</c>).</summary>
        protected void NoteServerInfo(JsonObject? meta)
        {
            if (meta?["io.modelcontextprotocol/serverInfo"] is JsonObject info)
            {
                Server = Server.With(info, null, null);
            }
        }
    }

    /// <summary>What a server said about itself.</summary>
    internal sealed class ServerIdentity
    {
        public string? Name { get; private set; }

        public string? Version { get; private set; }

        public string? Instructions { get; private set; }

        public JsonObject? Capabilities { get; private set; }

        /// <summary>A copy with what a new answer adds; absent members keep their old values.</summary>
        public ServerIdentity With(JsonObject? serverInfo, JsonObject? capabilities, string? instructions) => new ServerIdentity
        {
            Name = Text(serverInfo?["name"]) ?? Name,
            Version = Text(serverInfo?["version"]) ?? Version,
            Capabilities = capabilities ?? Capabilities,
            Instructions = instructions ?? Instructions,
        };

        private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue(out string? s) ? s : null;
    }
}
