using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Core.Mcp
{
    /// <summary>
    /// MCP 2026-07-28 and later: stateless. Every request carries its protocol version, client info and
    /// capabilities (and the log level asked for) in <c>_meta</c>, and the <c>MCP-Protocol-Version</c>,
    /// <c>Mcp-Method</c> and <c>Mcp-Name</c> headers. An <c>UnsupportedProtocolVersionError</c> (-32022)
    /// switches to a version both sides speak and sends the request once more; a broken response stream
    /// loses the request, which is sent again as a new request with a new id (there is no resumption).
    /// A 4xx without a modern JSON-RPC error is the sign of a legacy server (<see cref="EraMismatchException"/>).
    /// </summary>
    internal sealed class ModernEra : ProtocolEra, IIncomingMessages
    {
        private volatile string version;

        public ModernEra(StreamableHttpTransport transport, string version)
            : base(transport)
        {
            this.version = version;
        }

        public override McpEra Era => McpEra.Modern;

        public override string ProtocolVersion => version;

        /// <summary>Asks the server which versions it speaks and who it is; the era adopts a version both speak.</summary>
        /// <returns>The server's result, or null when it is no DiscoverResult at all (a legacy server's odd answer).</returns>
        public async Task<DiscoverResult?> DiscoverAsync(McpCallContext context, CancellationToken cancellationToken)
        {
            JsonElement result = await SendAsync("server/discover", new EmptyParams(), null, context, cancellationToken).ConfigureAwait(false);
            DiscoverResult? discover = JsonRpcCodec.TryRead(result, McpJsonContext.Default.DiscoverResult);
            if (discover?.SupportedVersions is not { Count: > 0 } versions)
            {
                return null;
            }

            string? mutual = McpProtocol.MutualModern(versions);
            if (mutual is not null)
            {
                version = mutual;
                Server = Server.With(discover.ServerInfo, discover.Capabilities, discover.Instructions);
                NoteServerInfo(discover.Meta);
            }

            return discover;
        }

        /// <inheritdoc/>
        public override async Task<JsonElement> SendAsync(string method, RequestParams parameters, IEnumerable<KeyValuePair<string, string>>? headers, McpCallContext context, CancellationToken cancellationToken)
        {
            List<KeyValuePair<string, string>> extra = headers?.ToList() ?? new List<KeyValuePair<string, string>>();
            bool corrected = false;
            for (int reissue = 0; ; reissue++)
            {
                string used = version;
                parameters.Meta = Meta(parameters.Meta?.ProgressToken, used, context);
                long id = NextId();
                try
                {
                    JsonElement? result = await ExchangeAsync(new JsonRpcRequest(id, method, parameters), extra, context, cancellationToken).ConfigureAwait(false);
                    if (result is JsonElement complete)
                    {
                        return complete;
                    }
                }
                catch (McpJsonRpcException ex) when (ex.Code == McpErrorCodes.UnsupportedProtocolVersion && !corrected)
                {
                    corrected = true;
                    version = ChooseVersion(ex, used);
                    context.Callbacks.Verbose($"The server does not take MCP {used} here; sending the request again with {version}.");
                    reissue--;
                    continue;
                }

                if (reissue >= Options.MaxStreamResumptions)
                {
                    throw new McpAuthException(ErrorIds.StreamEndedEarly, McpErrorKind.ProtocolError, $"The server's response stream ended {reissue + 1} times before it answered {method}; gave up.", Endpoint);
                }

                context.Callbacks.Verbose($"The response stream ended before the answer to {method}; sending it again as a new request (MCP {used} has no stream resumption).");
            }
        }

        /// <inheritdoc/>
        Task IIncomingMessages.HandleAsync(JsonRpcMessage message, McpCallContext context, CancellationToken cancellationToken)
        {
            if (message.IsNotification)
            {
                NotificationRouter.Handle(message, context);
            }
            else
            {
                // Modern servers ask for input in an input_required result, never with a request of their own.
                context.Callbacks.Debug($"Ignored '{message.Method ?? "a response"}' on a response stream; MCP {version} servers send no requests there.");
            }

            return Task.CompletedTask;
        }

        /// <inheritdoc/>
        public override Task<IChangeFeed> SubscribeAsync(IReadOnlyList<string> uris, Action<string> onChange, McpCallContext context, CancellationToken cancellationToken)
            => ModernSubscriptionFeed.StartAsync(this, uris, onChange, context, cancellationToken);

        /// <summary>A request of this era with a new id and this request's _meta (for a stream the caller reads itself).</summary>
        internal JsonRpcRequest Prepare(string method, RequestParams parameters, McpCallContext context)
        {
            parameters.Meta = Meta(parameters.Meta?.ProgressToken, version, context);
            return new JsonRpcRequest(NextId(), method, parameters);
        }

        /// <summary>
        /// POSTs a request with the era's headers and returns the answer for the caller to read: JSON or an event
        /// stream. A status that is not a success is thrown as a typed error (or <see cref="EraMismatchException"/>).
        /// </summary>
        internal async Task<TransportResponse> OpenAsync(JsonRpcRequest request, IEnumerable<KeyValuePair<string, string>> extra, McpCallContext context, CancellationToken cancellationToken)
        {
            string used = request.Params?.Meta?.ProtocolVersion ?? version;
            var headers = new List<KeyValuePair<string, string>>
            {
                new KeyValuePair<string, string>(McpHeaders.ProtocolVersion, used),
                new KeyValuePair<string, string>(McpHeaders.Method, request.Method),
            };
            if (request.Params?.MirroredName is string name)
            {
                headers.Add(new KeyValuePair<string, string>(McpHeaders.Name, McpHeaders.EncodeValue(name)));
            }

            headers.AddRange(extra);
            TransportResponse response = await Transport.PostAsync(JsonRpcCodec.Serialize(request), headers, request.Method, context, handleChallenges: true, cancellationToken).ConfigureAwait(false);
            if (response.Kind != ResponseKind.Failure)
            {
                return response;
            }

            using (response)
            {
                // A modern server answers with a modern error, or 404 with -32601 for a method it does not
                // implement (a legacy HTTP+SSE server's 404 has no such body); any other 4xx is a legacy server's.
                McpAuthException failure = await response.FailureAsync(request.Method, cancellationToken).ConfigureAwait(false);
                bool modernError = failure is McpJsonRpcException rpc
                    && (McpErrorCodes.IsModern(rpc.Code) || (response.Status == 404 && rpc.Code == McpErrorCodes.MethodNotFound));
                if (!modernError && response.Status >= 400 && response.Status < 500)
                {
                    throw new EraMismatchException(failure);
                }

                throw failure;
            }
        }

        /// <summary>POSTs the request; returns its result, or null when the stream ended before the answer.</summary>
        private async Task<JsonElement?> ExchangeAsync(JsonRpcRequest request, List<KeyValuePair<string, string>> extra, McpCallContext context, CancellationToken cancellationToken)
        {
            using TransportResponse response = await OpenAsync(request, extra, context, cancellationToken).ConfigureAwait(false);
            JsonRpcMessage? answer = await ResponseReader.ReadAnswerAsync(response, request.Id!.Value, this, new StreamPosition(), context, cancellationToken).ConfigureAwait(false);
            if (answer is null)
            {
                return null;
            }

            JsonElement result = JsonRpcCodec.ResultOf(answer, 200, Endpoint);
            if (result.ValueKind == JsonValueKind.Object && result.TryGetProperty("_meta", out JsonElement meta) && meta.ValueKind == JsonValueKind.Object)
            {
                NoteServerInfo(JsonRpcCodec.ToNode(meta) as System.Text.Json.Nodes.JsonObject);
            }

            return result;
        }

        /// <summary>The version to send again after -32022: one both speak, else the error as it is (typed).</summary>
        private string ChooseVersion(McpJsonRpcException error, string used)
        {
            UnsupportedVersionData? data = JsonRpcCodec.TryRead(error.ErrorData, McpJsonContext.Default.UnsupportedVersionData);
            List<string> supported = data?.Supported ?? new List<string>();
            string? mutual = McpProtocol.MutualModern(supported);
            if (mutual is not null)
            {
                return mutual;
            }

            string listed = supported.Count == 0 ? "none" : string.Join(", ", supported.Select(v => Http.ServerText.Sanitize(v, 40)));
            if (supported.Count > 0 && !supported.Any(McpProtocol.IsModern))
            {
                throw new EraMismatchException(error);
            }

            throw new McpAuthException(
                ErrorIds.UnsupportedProtocolVersion,
                McpErrorKind.ProtocolError,
                $"The server does not speak MCP {used} and offers no version this client speaks (the server: {listed}; this client: {string.Join(", ", McpProtocol.Supported)}).",
                Endpoint,
                error);
        }

        private RequestMeta Meta(long? progressToken, string used, McpCallContext context) => new RequestMeta
        {
            ProgressToken = progressToken,
            ProtocolVersion = used,
            ClientInfo = ClientInfo(),
            ClientCapabilities = new ClientCapabilities
            {
                Elicitation = new ElicitationCapability { Form = new EmptyObject(), Url = new EmptyObject() },
            },
            LogLevel = context.LogLevel,
        };
    }

    /// <summary>
    /// A modern request met a legacy server (a 4xx without a modern JSON-RPC error, or a -32022 listing only
    /// legacy versions). It carries the original failure's id and message, so when nothing can fall back
    /// it surfaces as that failure.
    /// </summary>
    internal sealed class EraMismatchException : McpAuthException
    {
        public EraMismatchException(McpAuthException failure)
            : base(failure.ErrorId, failure.Kind, failure.Message, failure.Target, failure)
        {
        }
    }
}
