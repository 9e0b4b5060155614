using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Core.Mcp
{
    /// <summary>
    /// MCP 2025-11-25 (also 2025-06-18 and 2025-03-26): the initialize handshake, the session and
    /// protocol-version headers, resumption of a broken event stream with Last-Event-ID after the server's
    /// retry, a new session when the server forgot the old one (404), the server-to-client GET stream,
    /// requests the server sends (ping, elicitation/create), notifications/cancelled, DELETE on close.
    /// </summary>
    internal sealed class LegacyEra : ProtocolEra, IIncomingMessages
    {
        private readonly SemaphoreSlim initLock = new SemaphoreSlim(1, 1);
        private readonly LegacyServerStream serverStream;
        private Session? session;

        public LegacyEra(StreamableHttpTransport transport)
            : base(transport)
        {
            serverStream = new LegacyServerStream(transport, this, () => Changes.EndAll(new McpAuthException(
                ErrorIds.SubscriptionEnded,
                McpErrorKind.ConnectionError,
                $"{Endpoint} closed the stream that carries its notifications (the session's HTTP GET stream) and did not let it be opened again; the subscription ended.",
                Endpoint)));
        }

        public override McpEra Era => McpEra.Legacy;

        public override string ProtocolVersion => session?.ProtocolVersion ?? McpProtocol.LatestLegacy;

        public override string? SessionId => session?.Id;

        public bool IsInitialized => session is not null;

        /// <summary>Gets a value indicating whether the session's server-to-client stream is open (it carries subscribed changes).</summary>
        public bool HasServerStream => serverStream.IsRunning;

        /// <summary>Initializes the session unless it already is.</summary>
        public async Task EnsureInitializedAsync(McpCallContext context, CancellationToken cancellationToken)
        {
            if (session is not null)
            {
                return;
            }

            await initLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (session is null)
                {
                    await InitializeAsync(context, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                initLock.Release();
            }
        }

        /// <inheritdoc/>
        public override async Task<JsonElement> SendAsync(string method, RequestParams parameters, IEnumerable<KeyValuePair<string, string>>? headers, McpCallContext context, CancellationToken cancellationToken)
        {
            serverStream.Enter(context);
            try
            {
                for (int attempt = 0; ; attempt++)
                {
                    await EnsureInitializedAsync(context, cancellationToken).ConfigureAwait(false);
                    Session current = session ?? throw new InvalidOperationException("The session is not initialized.");
                    long id = NextId();
                    try
                    {
                        return await ExchangeAsync(new JsonRpcRequest(id, method, parameters), current, context, cancellationToken).ConfigureAwait(false);
                    }
                    catch (SessionGoneException) when (attempt == 0)
                    {
                        context.Callbacks.Verbose($"The server no longer knows session {current.Id}; starting a new session.");
                        serverStream.Stop();
                        Changes.EndAll(new McpAuthException(ErrorIds.SubscriptionEnded, McpErrorKind.ConnectionError, $"{Endpoint} forgot the MCP session, and its subscriptions with it.", Endpoint));
                        Interlocked.CompareExchange(ref session, null, current);
                    }
                    catch (SessionGoneException)
                    {
                        throw new McpAuthException(ErrorIds.SessionExpired, McpErrorKind.ProtocolError, "The server ended the MCP session again right after it was re-initialized.", Endpoint);
                    }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                    {
                        await NotifyCancelledAsync(id, current, context).ConfigureAwait(false);
                        throw;
                    }
                }
            }
            finally
            {
                serverStream.Leave(context);
            }
        }

        /// <inheritdoc/>
        public override Task<IChangeFeed> SubscribeAsync(IReadOnlyList<string> uris, Action<string> onChange, McpCallContext context, CancellationToken cancellationToken)
            => LegacySubscriptionFeed.StartAsync(this, uris, onChange, context, cancellationToken);

        /// <summary>Ends the session: DELETE with the session id (best effort).</summary>
        public override async Task CloseAsync(McpCallContext context, CancellationToken cancellationToken)
        {
            Session? current = Interlocked.Exchange(ref session, null);
            serverStream.Stop();
            Changes.EndAll(null);
            if (current?.Id is not null)
            {
                await Transport.DeleteAsync(current.Headers(), context, cancellationToken).ConfigureAwait(false);
            }
        }

        public override void Dispose()
        {
            serverStream.Stop();
            base.Dispose();
            initLock.Dispose();
        }

        /// <inheritdoc/>
        async Task IIncomingMessages.HandleAsync(JsonRpcMessage message, McpCallContext context, CancellationToken cancellationToken)
        {
            if (message.IsNotification)
            {
                if (!Changes.Offer(message))
                {
                    NotificationRouter.Handle(message, context);
                }

                return;
            }

            if (!message.IsRequest || session is not Session current)
            {
                context.Callbacks.Debug("Ignored a response to an unknown request.");
                return;
            }

            JsonRpcReply reply;
            switch (message.Method)
            {
                case "ping":
                    reply = new JsonRpcReply(message.Id!.Value, new System.Text.Json.Nodes.JsonObject(), null);
                    break;
                case "elicitation/create":
                    ElicitReply answer = await ElicitationResponder.AnswerAsync(JsonRpcCodec.ToNode(message.Params) as System.Text.Json.Nodes.JsonObject, urlModeOffered: false, context, cancellationToken).ConfigureAwait(false);
                    reply = new JsonRpcReply(message.Id!.Value, JsonSerializer.SerializeToNode(answer, McpJsonContext.Default.ElicitReply), null);
                    break;
                default:
                    context.Callbacks.Debug($"The server asked for '{message.Method}', which this client does not offer.");
                    reply = new JsonRpcReply(message.Id!.Value, null, new JsonRpcError { Code = McpErrorCodes.MethodNotFound, Message = "Method not found" });
                    break;
            }

            using TransportResponse response = await Transport.PostAsync(JsonRpcCodec.Serialize(reply), current.Headers(), "response", context, handleChallenges: true, cancellationToken).ConfigureAwait(false);
            if (response.Kind == ResponseKind.Failure)
            {
                throw await response.FailureAsync("response", cancellationToken).ConfigureAwait(false);
            }
        }

        private async Task InitializeAsync(McpCallContext context, CancellationToken cancellationToken)
        {
            var parameters = new InitializeParams
            {
                ProtocolVersion = McpProtocol.LatestLegacy,
                Capabilities = new ClientCapabilities { Elicitation = new ElicitationCapability { Form = new EmptyObject() } },
                ClientInfo = ClientInfo(),
            };
            var pending = new Session(null, null);
            context.Callbacks.Verbose($"Initializing an MCP session with {Endpoint}.");
            JsonElement result = await ExchangeAsync(new JsonRpcRequest(NextId(), "initialize", parameters), pending, context, cancellationToken).ConfigureAwait(false);
            InitializeResult init = result.ValueKind == JsonValueKind.Object
                ? JsonRpcCodec.Read(result, McpJsonContext.Default.InitializeResult, "initialize", Endpoint)
                : throw new McpAuthException(ErrorIds.NotAnMcpServer, McpErrorKind.ProtocolError, $"{Endpoint} answered initialize without a result object; it does not look like an MCP server.", Endpoint);
            string? version = init.ProtocolVersion;
            var ready = new Session(pending.Id, version);
            if (version is null || McpProtocol.IsModern(version) || !McpProtocol.IsSupported(version))
            {
                session = ready;
                await CloseAsync(context, cancellationToken).ConfigureAwait(false);
                throw new McpAuthException(
                    ErrorIds.UnsupportedProtocolVersion,
                    McpErrorKind.ProtocolError,
                    $"The server wants MCP protocol version '{version}', which this client does not speak (it speaks {string.Join(", ", McpProtocol.Supported)}).",
                    Endpoint);
            }

            Server = Server.With(init.ServerInfo, init.Capabilities, init.Instructions);
            context.Callbacks.Verbose($"Connected to MCP server '{Server.Name}' (protocol {version}{(ready.Id is null ? string.Empty : ", session " + ready.Id)}).");
            byte[] initialized = JsonRpcCodec.Serialize(new JsonRpcRequest(null, "notifications/initialized", null));
            using (TransportResponse sent = await Transport.PostAsync(initialized, ready.Headers(), "notifications/initialized", context, handleChallenges: true, cancellationToken).ConfigureAwait(false))
            {
                if (sent.Kind == ResponseKind.Failure)
                {
                    throw await sent.FailureAsync("notifications/initialized", cancellationToken).ConfigureAwait(false);
                }
            }

            session = ready;
            await serverStream.StartAsync(ready, context, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>POSTs one request and reads until its answer arrives, resuming a broken event stream.</summary>
        private async Task<JsonElement> ExchangeAsync(JsonRpcRequest request, Session current, McpCallContext context, CancellationToken cancellationToken)
        {
            using TransportResponse response = await Transport.PostAsync(JsonRpcCodec.Serialize(request), current.Headers(), request.Method, context, handleChallenges: true, cancellationToken).ConfigureAwait(false);
            if (response.Kind == ResponseKind.Failure)
            {
                if (response.Status == 404 && current.Id is not null)
                {
                    throw new SessionGoneException();
                }

                throw await response.FailureAsync(request.Method, cancellationToken).ConfigureAwait(false);
            }

            if (request.Method == "initialize")
            {
                current.Id = response.SessionId;
            }

            var position = new StreamPosition();
            JsonRpcMessage? answer = await ResponseReader.ReadAnswerAsync(response, request.Id!.Value, this, position, context, cancellationToken).ConfigureAwait(false);
            for (int resumption = 0; answer is null; resumption++)
            {
                answer = await ResumeAsync(request.Id.Value, current, position, resumption, context, cancellationToken).ConfigureAwait(false);
            }

            return JsonRpcCodec.ResultOf(answer, 200, Endpoint);
        }

        /// <summary>Resumes an event stream that ended before the answer: GET with Last-Event-ID after the server's retry.</summary>
        private async Task<JsonRpcMessage?> ResumeAsync(long id, Session current, StreamPosition position, int resumption, McpCallContext context, CancellationToken cancellationToken)
        {
            if (position.LastEventId is null)
            {
                throw new McpAuthException(ErrorIds.StreamEndedEarly, McpErrorKind.ProtocolError, "The server's event stream ended before it answered the request, and gave no event id to resume from.", Endpoint);
            }

            if (resumption >= Options.MaxStreamResumptions)
            {
                throw new McpAuthException(ErrorIds.StreamEndedEarly, McpErrorKind.ProtocolError, $"The server's event stream ended {resumption + 1} times before it answered the request; gave up.", Endpoint);
            }

            TimeSpan delay = position.Delay(Options.DefaultRetryDelay);
            context.Callbacks.Verbose($"The event stream ended before the answer; resuming after event '{position.LastEventId}' in {delay.TotalMilliseconds:0} ms.");
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            using TransportResponse resumed = await Transport.GetStreamAsync(current.Headers(), position.LastEventId, context, cancellationToken).ConfigureAwait(false);
            if (resumed.Kind != ResponseKind.EventStream)
            {
                throw new McpAuthException(ErrorIds.StreamEndedEarly, McpErrorKind.ProtocolError, $"The server's event stream ended before the answer and it did not resume it (GET answered {resumed.Status}).", Endpoint);
            }

            return await ResponseReader.ReadAnswerAsync(resumed, id, this, position, context, cancellationToken).ConfigureAwait(false);
        }

        private async Task NotifyCancelledAsync(long id, Session current, McpCallContext context)
        {
            byte[] notice = JsonRpcCodec.Serialize(new JsonRpcRequest(null, "notifications/cancelled", new CancelledParams { RequestId = id }));
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                using TransportResponse response = await Transport.PostAsync(notice, current.Headers(), "notifications/cancelled", context, handleChallenges: false, grace.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is McpAuthException || ex is OperationCanceledException)
            {
                context.Callbacks.Debug("Could not tell the server the request was cancelled: " + ex.Message);
            }
        }

        /// <summary>A legacy session: its id (from initialize) and negotiated version, sent as headers on every later request.</summary>
        internal sealed class Session
        {
            public Session(string? id, string? protocolVersion)
            {
                Id = id;
                ProtocolVersion = protocolVersion;
            }

            public string? Id { get; set; }

            public string? ProtocolVersion { get; }

            public IEnumerable<KeyValuePair<string, string>> Headers()
            {
                if (Id is not null)
                {
                    yield return new KeyValuePair<string, string>(McpHeaders.SessionId, Id);
                }

                if (ProtocolVersion is not null)
                {
                    yield return new KeyValuePair<string, string>(McpHeaders.ProtocolVersion, ProtocolVersion);
                }
            }
        }

        private sealed class SessionGoneException : Exception
        {
            public SessionGoneException()
                : base("The server no longer knows the session.")
            {
            }
        }
    }
}
