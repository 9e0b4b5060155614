using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Http;

namespace McpAuth.Core.Mcp
{
    /// <summary>
    /// One MCP session over the streamable HTTP transport (MCP 2025-11-25; also 2025-06-18 and 2025-03-26
    /// servers): initialize, the session and protocol-version headers, JSON or SSE responses, stream
    /// resumption with Last-Event-ID and the server's retry, re-initialization when the session is gone,
    /// server-to-client requests, cancellation, and DELETE on close. Safe for concurrent requests.
    /// </summary>
    public sealed class McpClientSession : IDisposable
    {
        private const string JsonMediaType = "application/json";
        private const string SseMediaType = "text/event-stream";

        private readonly HttpClient http;
        private readonly bool ownsHttp;
        private readonly McpClientOptions options;
        private readonly SemaphoreSlim initLock = new SemaphoreSlim(1, 1);
        private long nextId;
        private readonly List<IEngineCallbacks> activeCallbacks = new List<IEngineCallbacks>();
        private SessionState? state;
        private CancellationTokenSource? serverStream;
        private bool disposed;

        public McpClientSession(Uri endpoint, HttpClient http, McpClientOptions? options = null, IRequestAuthorizer? authorizer = null, bool ownsHttpClient = false)
        {
            Endpoint = endpoint ?? throw new ArgumentNullException(nameof(endpoint));
            this.http = http ?? throw new ArgumentNullException(nameof(http));
            this.options = options ?? new McpClientOptions();
            Authorizer = authorizer;
            ownsHttp = ownsHttpClient;
        }

        /// <summary>Gets the MCP endpoint URL.</summary>
        public Uri Endpoint { get; }

        /// <summary>Gets or sets what puts credentials on requests; null for servers without auth.</summary>
        public IRequestAuthorizer? Authorizer { get; set; }

        /// <summary>Gets the session id the server assigned, if any.</summary>
        public string? SessionId => state?.SessionId;

        /// <summary>Gets the negotiated protocol version, once initialized.</summary>
        public string? ProtocolVersion => state?.ProtocolVersion;

        /// <summary>Gets the server's name from serverInfo.</summary>
        public string? ServerName => state?.ServerInfo?["name"]?.GetValue<string>();

        /// <summary>Gets the server's version from serverInfo.</summary>
        public string? ServerVersion => state?.ServerInfo?["version"] is JsonValue v && v.TryGetValue(out string? s) ? s : null;

        /// <summary>Gets the server's instructions, if it sent any.</summary>
        public string? Instructions => state?.Instructions;

        /// <summary>Gets the server's capabilities object.</summary>
        internal JsonObject? ServerCapabilities => state?.Capabilities;

        public bool IsInitialized => state is not null;

        /// <summary>Initializes the session unless it already is.</summary>
        public async Task EnsureInitializedAsync(IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            if (state is not null)
            {
                return;
            }

            await initLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (state is null)
                {
                    await InitializeCoreAsync(callbacks, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                initLock.Release();
            }
        }

        /// <summary>Lists every tool, following nextCursor through all pages.</summary>
        public async Task<IReadOnlyList<McpToolInfo>> ListToolsAsync(IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            var tools = new List<McpToolInfo>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            string? cursor = null;
            for (int page = 0; ; page++)
            {
                if (page >= options.MaxPages)
                {
                    throw new McpAuthException(ErrorIds.MalformedResponse, McpErrorKind.InvalidData, $"The server returned more than {options.MaxPages} pages of tools; stopped reading.", Endpoint);
                }

                JsonObject? parameters = cursor is null ? null : new JsonObject { ["cursor"] = cursor };
                JsonNode? result = await SendRequestAsync("tools/list", parameters, callbacks, cancellationToken).ConfigureAwait(false);
                if (result is not JsonObject obj || obj["tools"] is not JsonArray array)
                {
                    throw JsonRpcMessage.Malformed("The server's tools/list result has no tools array.", Endpoint, null);
                }

                foreach (JsonNode? item in array)
                {
                    McpToolInfo? tool = McpToolInfo.FromJson(item);
                    if (tool is not null)
                    {
                        tools.Add(tool);
                    }
                }

                cursor = obj["nextCursor"] is JsonValue c && c.TryGetValue(out string? next) && !string.IsNullOrEmpty(next) ? next : null;
                if (cursor is null)
                {
                    return tools;
                }

                if (!seen.Add(cursor))
                {
                    throw JsonRpcMessage.Malformed("The server's tools/list returned the same cursor twice; stopped to avoid an endless loop.", Endpoint, null);
                }

                callbacks.Debug($"tools/list: {tools.Count} tools so far, next page.");
            }
        }

        /// <summary>
        /// Calls a tool with arguments given as plain .NET data (an IDictionary or a list of key/value
        /// pairs). A result with isError is returned, not thrown: the caller decides.
        /// </summary>
        public Task<McpToolResult> CallToolAsync(string name, object? arguments, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            JsonNode? node = ClrJson.FromClr(arguments);
            if (node is not null && node is not JsonObject)
            {
                throw new McpAuthException(ErrorIds.InvalidToolArguments, McpErrorKind.InvalidArgument, "Tool arguments must be a hashtable or an object with properties, for example @{ message = 'hi' }.", name);
            }

            return CallToolAsync(name, node as JsonObject, callbacks, cancellationToken);
        }

        /// <summary>Calls a tool. A result with isError is returned, not thrown: the caller decides.</summary>
        internal async Task<McpToolResult> CallToolAsync(string name, JsonObject? arguments, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            if (string.IsNullOrEmpty(name))
            {
                throw new ArgumentException("A tool name is required.", nameof(name));
            }

            string progressToken = "mcpauth-" + Guid.NewGuid().ToString("N");
            var parameters = new JsonObject
            {
                ["name"] = name,
                ["arguments"] = arguments ?? new JsonObject(),
                ["_meta"] = new JsonObject { ["progressToken"] = progressToken },
            };
            var progress = new ProgressContext(progressToken, "Tool " + name);
            try
            {
                JsonNode? result = await SendRequestAsync("tools/call", parameters, callbacks, cancellationToken, progress).ConfigureAwait(false);
                return McpToolResult.FromJson(result, name);
            }
            finally
            {
                if (progress.Started)
                {
                    callbacks.Progress(new ProgressUpdate(progress.ActivityId, progress.Activity, "done") { Completed = true });
                }
            }
        }

        /// <summary>Sends a ping and waits for the answer.</summary>
        public Task PingAsync(IEngineCallbacks callbacks, CancellationToken cancellationToken)
            => SendRequestAsync("ping", null, callbacks, cancellationToken);

        /// <summary>
        /// Sends a JSON-RPC request and returns its result. Initializes first when needed; re-initializes
        /// once when the server says the session is gone; sends notifications/cancelled when cancelled.
        /// </summary>
        internal Task<JsonNode?> SendRequestAsync(string method, JsonObject? parameters, IEngineCallbacks callbacks, CancellationToken cancellationToken)
            => SendRequestAsync(method, parameters, callbacks, cancellationToken, null);

        /// <summary>Ends the session: DELETE with the session id (best effort).</summary>
        public async Task CloseAsync(IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            SessionState? current = state;
            state = null;
            StopServerStream();
            if (current?.SessionId is null)
            {
                return;
            }

            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Delete, Endpoint);
                AddSessionHeaders(request, current);
                if (Authorizer is not null)
                {
                    await Authorizer.AuthorizeAsync(request, callbacks, cancellationToken).ConfigureAwait(false);
                }

                using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                callbacks.Debug($"DELETE {Endpoint} (end session): {(int)response.StatusCode}");
            }
            catch (HttpRequestException ex)
            {
                callbacks.Debug("Ending the session failed: " + ex.Message);
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                callbacks.Debug("Ending the session timed out.");
            }
        }

        public void Dispose()
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            StopServerStream();
            initLock.Dispose();
            if (ownsHttp)
            {
                http.Dispose();
            }
        }

        private async Task<JsonNode?> SendRequestAsync(string method, JsonObject? parameters, IEngineCallbacks callbacks, CancellationToken cancellationToken, ProgressContext? progress)
        {
            lock (activeCallbacks)
            {
                activeCallbacks.Add(callbacks);
            }

            try
            {
                return await SendRequestCoreAsync(method, parameters, callbacks, cancellationToken, progress).ConfigureAwait(false);
            }
            finally
            {
                lock (activeCallbacks)
                {
                    activeCallbacks.Remove(callbacks);
                }
            }
        }

        private async Task<JsonNode?> SendRequestCoreAsync(string method, JsonObject? parameters, IEngineCallbacks callbacks, CancellationToken cancellationToken, ProgressContext? progress)
        {
            for (int attempt = 0; ; attempt++)
            {
                await EnsureInitializedAsync(callbacks, cancellationToken).ConfigureAwait(false);
                SessionState current = state ?? throw new InvalidOperationException("The session is not initialized.");
                long id = Interlocked.Increment(ref nextId);
                var message = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method };
                if (parameters is not null)
                {
                    message["params"] = parameters.DeepClone();
                }

                try
                {
                    return await ExchangeAsync(message, id, current, callbacks, progress, cancellationToken).ConfigureAwait(false);
                }
                catch (SessionGoneException) when (attempt == 0)
                {
                    callbacks.Verbose($"The server no longer knows session {current.SessionId}; starting a new session.");
                    StopServerStream();
                    Interlocked.CompareExchange(ref state, null, current);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    await NotifyCancelledAsync(id, current, callbacks).ConfigureAwait(false);
                    throw;
                }
                catch (SessionGoneException)
                {
                    throw new McpAuthException(ErrorIds.SessionExpired, McpErrorKind.ProtocolError, "The server ended the MCP session again right after it was re-initialized.", Endpoint);
                }
            }
        }

        private async Task InitializeCoreAsync(IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            long id = Interlocked.Increment(ref nextId);
            var message = new JsonObject
            {
                ["jsonrpc"] = "2.0",
                ["id"] = id,
                ["method"] = "initialize",
                ["params"] = new JsonObject
                {
                    ["protocolVersion"] = McpProtocol.Latest,
                    ["capabilities"] = new JsonObject
                    {
                        ["elicitation"] = new JsonObject { ["form"] = new JsonObject() },
                    },
                    ["clientInfo"] = new JsonObject
                    {
                        ["name"] = options.ClientName,
                        ["version"] = options.ClientVersion,
                    },
                },
            };

            var pending = new SessionState(null, null);
            callbacks.Verbose($"Initializing an MCP session with {Endpoint}.");
            JsonNode? result = await ExchangeAsync(message, id, pending, callbacks, null, cancellationToken).ConfigureAwait(false);
            if (result is not JsonObject obj)
            {
                throw new McpAuthException(ErrorIds.NotAnMcpServer, McpErrorKind.ProtocolError, $"{Endpoint} answered initialize without a result object; it does not look like an MCP server.", Endpoint);
            }

            string? version = obj["protocolVersion"] is JsonValue v && v.TryGetValue(out string? s) ? s : null;
            if (!McpProtocol.IsSupported(version))
            {
                var rejected = new SessionState(pending.SessionId, version);
                state = rejected;
                await CloseAsync(callbacks, cancellationToken).ConfigureAwait(false);
                throw new McpAuthException(
                    ErrorIds.UnsupportedProtocolVersion,
                    McpErrorKind.ProtocolError,
                    $"The server wants MCP protocol version '{version}', which this client does not speak (it speaks {string.Join(", ", McpProtocol.Supported)}).",
                    Endpoint);
            }

            var ready = new SessionState(pending.SessionId, version)
            {
                ServerInfo = obj["serverInfo"] as JsonObject,
                Capabilities = obj["capabilities"] as JsonObject,
                Instructions = obj["instructions"] is JsonValue iv && iv.TryGetValue(out string? text) ? text : null,
            };
            callbacks.Verbose($"Connected to MCP server '{ready.ServerInfo?["name"]}' (protocol {version}{(ready.SessionId is null ? string.Empty : ", session " + ready.SessionId)}).");

            var initialized = new JsonObject { ["jsonrpc"] = "2.0", ["method"] = "notifications/initialized" };
            await ExchangeAsync(initialized, null, ready, callbacks, null, cancellationToken).ConfigureAwait(false);
            state = ready;
            await StartServerStreamAsync(ready, callbacks, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>POSTs one message and, for a request, reads until its response arrives.</summary>
        private async Task<JsonNode?> ExchangeAsync(JsonObject message, long? id, SessionState session, IEngineCallbacks callbacks, ProgressContext? progress, CancellationToken cancellationToken)
        {
            string body = message.ToJsonString();
            string method = message["method"]?.GetValue<string>() ?? "response";
            for (int authAttempt = 0; ; authAttempt++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint)
                {
                    Content = new StringContent(body, Encoding.UTF8, JsonMediaType),
                };
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(JsonMediaType));
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(SseMediaType));
                AddSessionHeaders(request, session);
                if (Authorizer is not null)
                {
                    await Authorizer.AuthorizeAsync(request, callbacks, cancellationToken).ConfigureAwait(false);
                }

                HttpResponseMessage response = await SendAsync(request, callbacks, cancellationToken).ConfigureAwait(false);
                try
                {
                    callbacks.Debug($"POST {Endpoint} ({method}): {(int)response.StatusCode} {response.Content?.Headers.ContentType?.MediaType}");
                    if (response.StatusCode == HttpStatusCode.Unauthorized || response.StatusCode == HttpStatusCode.Forbidden)
                    {
                        if (Authorizer is not null && await Authorizer.HandleChallengeAsync(response, authAttempt, callbacks, cancellationToken).ConfigureAwait(false))
                        {
                            continue;
                        }

                        throw response.StatusCode == HttpStatusCode.Unauthorized
                            ? new McpAuthException(ErrorIds.AuthenticationRequired, McpErrorKind.AuthenticationError, $"{Endpoint} requires sign-in (401), and this connection has no way to sign in: connect with OAuth.", Endpoint)
                            : new McpAuthException(ErrorIds.InsufficientScope, McpErrorKind.PermissionDenied, $"{Endpoint} refused the request (403).", Endpoint);
                    }

                    if (response.StatusCode == HttpStatusCode.NotFound && session.SessionId is not null)
                    {
                        throw new SessionGoneException();
                    }

                    if (response.StatusCode == HttpStatusCode.Accepted || response.StatusCode == HttpStatusCode.NoContent)
                    {
                        if (id is null)
                        {
                            return null;
                        }

                        throw new McpAuthException(ErrorIds.NotAnMcpServer, McpErrorKind.ProtocolError, $"{Endpoint} accepted the {method} request but sent no response.", Endpoint);
                    }

                    if (!response.IsSuccessStatusCode)
                    {
                        throw await HttpFailureAsync(response, method, cancellationToken).ConfigureAwait(false);
                    }

                    if (message["method"]?.GetValue<string>() == "initialize" && response.Headers.TryGetValues("Mcp-Session-Id", out IEnumerable<string>? ids))
                    {
                        session.SessionId = ids.FirstOrDefault();
                    }

                    if (id is null)
                    {
                        return null;
                    }

                    string? mediaType = response.Content?.Headers.ContentType?.MediaType;
                    if (string.Equals(mediaType, SseMediaType, StringComparison.OrdinalIgnoreCase))
                    {
                        return await ReadStreamAsync(response, id.Value, session, callbacks, progress, cancellationToken).ConfigureAwait(false);
                    }

                    if (string.Equals(mediaType, JsonMediaType, StringComparison.OrdinalIgnoreCase) || (mediaType?.EndsWith("+json", StringComparison.OrdinalIgnoreCase) ?? false))
                    {
                        string json = await HttpBody.ReadStringAsync(response, options.MaxResponseBytes, Endpoint, cancellationToken).ConfigureAwait(false);
                        return await HandleJsonBodyAsync(json, id.Value, session, callbacks, progress, cancellationToken).ConfigureAwait(false);
                    }

                    throw new McpAuthException(
                        ErrorIds.NotAnMcpServer,
                        McpErrorKind.ProtocolError,
                        $"{Endpoint} answered with content type '{mediaType ?? "none"}', not JSON or an event stream: it does not look like an MCP streamable HTTP endpoint. Check the URL.",
                        Endpoint);
                }
                finally
                {
                    response.Dispose();
                }
            }
        }

        private async Task<JsonNode?> HandleJsonBodyAsync(string json, long id, SessionState session, IEngineCallbacks callbacks, ProgressContext? progress, CancellationToken cancellationToken)
        {
            string trimmed = json.TrimStart();
            if (trimmed.StartsWith("[", StringComparison.Ordinal))
            {
                // A batch (2025-03-26 servers may send one): handle each message in order.
                JsonNode? parsed;
                try
                {
                    parsed = JsonNode.Parse(json);
                }
                catch (System.Text.Json.JsonException ex)
                {
                    throw JsonRpcMessage.Malformed("The server sent malformed JSON.", Endpoint, ex);
                }

                JsonNode? answer = null;
                bool answered = false;
                foreach (JsonNode? item in (JsonArray)parsed!)
                {
                    JsonRpcMessage m = JsonRpcMessage.Parse(item?.ToJsonString() ?? "null", Endpoint);
                    if (m.Answers(id))
                    {
                        answer = ResultOf(m);
                        answered = true;
                    }
                    else
                    {
                        await HandleIncomingAsync(m, session, callbacks, progress, cancellationToken).ConfigureAwait(false);
                    }
                }

                return answered ? answer : throw JsonRpcMessage.Malformed("The server's batch did not answer the request.", Endpoint, null);
            }

            JsonRpcMessage message = JsonRpcMessage.Parse(json, Endpoint);
            if (!message.Answers(id))
            {
                throw JsonRpcMessage.Malformed("The server's JSON response does not answer the request that was sent.", Endpoint, null);
            }

            return ResultOf(message);
        }

        /// <summary>Reads an SSE response until the request's answer arrives, resuming with GET + Last-Event-ID when the stream breaks.</summary>
        private async Task<JsonNode?> ReadStreamAsync(HttpResponseMessage first, long id, SessionState session, IEngineCallbacks callbacks, ProgressContext? progress, CancellationToken cancellationToken)
        {
            HttpResponseMessage? owned = null;
            HttpResponseMessage current = first;
            var position = new StreamPosition();
            JsonNode? answer = null;
            try
            {
                for (int resumption = 0; ; resumption++)
                {
                    bool answered = await ReadEventsAsync(current, position, async message =>
                    {
                        if (message.Answers(id))
                        {
                            answer = ResultOf(message);
                            return true;
                        }

                        await HandleIncomingAsync(message, session, callbacks, progress, cancellationToken).ConfigureAwait(false);
                        return false;
                    }, callbacks, cancellationToken).ConfigureAwait(false);
                    if (answered)
                    {
                        return answer;
                    }

                    if (position.LastEventId is null)
                    {
                        throw new McpAuthException(
                            ErrorIds.StreamEndedEarly,
                            McpErrorKind.ProtocolError,
                            "The server's event stream ended before it answered the request, and gave no event id to resume from.",
                            Endpoint);
                    }

                    if (resumption >= options.MaxStreamResumptions)
                    {
                        throw new McpAuthException(
                            ErrorIds.StreamEndedEarly,
                            McpErrorKind.ProtocolError,
                            $"The server's event stream ended {resumption + 1} times before it answered the request; gave up.",
                            Endpoint);
                    }

                    TimeSpan delay = position.Delay(options.DefaultRetryDelay);
                    callbacks.Verbose($"The event stream ended before the answer; resuming after event '{position.LastEventId}' in {delay.TotalMilliseconds:0} ms.");
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                    owned?.Dispose();
                    owned = await ResumeAsync(position.LastEventId, session, callbacks, cancellationToken).ConfigureAwait(false);
                    current = owned;
                }
            }
            finally
            {
                owned?.Dispose();
            }
        }

        /// <summary>
        /// Reads one SSE response body and hands each JSON-RPC message to <paramref name="onMessage"/>, which
        /// returns true to stop. Returns true when it stopped that way, false when the stream ended or broke.
        /// The synchronous enumerator is used on purpose: on .NET 9+ the runtime's own
        /// System.Net.ServerSentEvents (whose EnumerateAsync returns the runtime's IAsyncEnumerable) can win
        /// over the netstandard2.0 copy this assembly was built against. Cancellation disposes the stream,
        /// which ends a blocked read at once.
        /// </summary>
        private async Task<bool> ReadEventsAsync(HttpResponseMessage response, StreamPosition position, Func<JsonRpcMessage, Task<bool>> onMessage, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            using Stream raw = await response.Content!.ReadAsStreamAsync().ConfigureAwait(false);
            using var capped = new CappedReadStream(raw, options.MaxResponseBytes, Endpoint);
            using CancellationTokenRegistration registration = cancellationToken.Register(static s => ((Stream)s!).Dispose(), raw);
            SseParser<string> parser = SseParser.Create(capped);
            try
            {
                foreach (SseItem<string> item in parser.Enumerate())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    position.Update(parser);
                    if (string.IsNullOrWhiteSpace(item.Data) || (item.EventType is not null && item.EventType != "message"))
                    {
                        continue;
                    }

                    if (await onMessage(JsonRpcMessage.Parse(item.Data, Endpoint)).ConfigureAwait(false))
                    {
                        return true;
                    }
                }
            }
            catch (Exception ex) when (cancellationToken.IsCancellationRequested && (ex is IOException || ex is ObjectDisposedException || ex is HttpRequestException))
            {
                throw new OperationCanceledException(cancellationToken);
            }
            catch (Exception ex) when (ex is IOException || ex is HttpRequestException)
            {
                callbacks.Debug("The event stream broke: " + ex.Message);
            }

            return false;
        }

        private async Task<HttpResponseMessage> ResumeAsync(string lastEventId, SessionState session, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            HttpResponseMessage response = await OpenEventStreamAsync(lastEventId, session, callbacks, cancellationToken).ConfigureAwait(false);
            if (IsEventStream(response))
            {
                return response;
            }

            int status = (int)response.StatusCode;
            response.Dispose();
            throw new McpAuthException(
                ErrorIds.StreamEndedEarly,
                McpErrorKind.ProtocolError,
                $"The server's event stream ended before the answer and it did not resume it (GET answered {status}).",
                Endpoint);
        }

        /// <summary>GET with Accept: text/event-stream (and Last-Event-ID to resume), renewing credentials once on 401/403.</summary>
        private async Task<HttpResponseMessage> OpenEventStreamAsync(string? lastEventId, SessionState session, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            for (int authAttempt = 0; ; authAttempt++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, Endpoint);
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(SseMediaType));
                if (lastEventId is not null)
                {
                    request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
                }

                AddSessionHeaders(request, session);
                if (Authorizer is not null)
                {
                    await Authorizer.AuthorizeAsync(request, callbacks, cancellationToken).ConfigureAwait(false);
                }

                HttpResponseMessage response = await SendAsync(request, callbacks, cancellationToken).ConfigureAwait(false);
                callbacks.Debug($"GET {Endpoint} ({(lastEventId is null ? "server-to-client stream" : "resume after " + lastEventId)}): {(int)response.StatusCode}");
                if ((response.StatusCode == HttpStatusCode.Unauthorized || response.StatusCode == HttpStatusCode.Forbidden) && Authorizer is not null && authAttempt == 0)
                {
                    bool retry = await Authorizer.HandleChallengeAsync(response, authAttempt, callbacks, cancellationToken).ConfigureAwait(false);
                    if (retry)
                    {
                        response.Dispose();
                        continue;
                    }
                }

                return response;
            }
        }

        private static bool IsEventStream(HttpResponseMessage response)
            => response.IsSuccessStatusCode && string.Equals(response.Content?.Headers.ContentType?.MediaType, SseMediaType, StringComparison.OrdinalIgnoreCase);

        /// <summary>
        /// Opens the server-to-client stream (GET) and waits for its headers, so a server request sent right
        /// after initialization is not lost; then reads it in the background for the life of the session.
        /// Servers that offer none (405 or any answer that is not an event stream) are fine.
        /// </summary>
        private async Task StartServerStreamAsync(SessionState session, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            StopServerStream();
            HttpResponseMessage response;
            try
            {
                response = await OpenEventStreamAsync(null, session, callbacks, cancellationToken).ConfigureAwait(false);
            }
            catch (McpAuthException ex)
            {
                callbacks.Debug("No server-to-client stream: " + ex.Message);
                return;
            }

            if (!IsEventStream(response))
            {
                response.Dispose();
                return;
            }

            var stop = new CancellationTokenSource();
            serverStream = stop;
            _ = Task.Run(() => ReadServerStreamAsync(response, session, stop.Token), CancellationToken.None);
        }

        private void StopServerStream()
        {
            CancellationTokenSource? stop = Interlocked.Exchange(ref serverStream, null);
            if (stop is not null)
            {
                stop.Cancel();
                stop.Dispose();
            }
        }

        /// <summary>The callbacks of the newest request in flight: server requests on the GET stream are answered through them.</summary>
        private IEngineCallbacks CurrentCallbacks()
        {
            lock (activeCallbacks)
            {
                return activeCallbacks.Count == 0 ? NullEngineCallbacks.Instance : activeCallbacks[activeCallbacks.Count - 1];
            }
        }

        /// <summary>Reads the server-to-client stream until the session ends, resuming it when it breaks.</summary>
        private async Task ReadServerStreamAsync(HttpResponseMessage first, SessionState session, CancellationToken cancellationToken)
        {
            HttpResponseMessage? current = first;
            var position = new StreamPosition();
            try
            {
                for (int failures = 0; current is not null && failures <= options.MaxStreamResumptions; failures++)
                {
                    try
                    {
                        await ReadEventsAsync(current, position, async message =>
                        {
                            if (message.IsRequest || message.IsNotification)
                            {
                                await HandleIncomingAsync(message, session, CurrentCallbacks(), null, cancellationToken).ConfigureAwait(false);
                            }

                            return false;
                        }, CurrentCallbacks(), cancellationToken).ConfigureAwait(false);
                    }
                    catch (McpAuthException ex)
                    {
                        CurrentCallbacks().Debug("The server-to-client stream failed: " + ex.Message);
                    }
                    finally
                    {
                        current.Dispose();
                        current = null;
                    }

                    if (!ReferenceEquals(state, session))
                    {
                        return;
                    }

                    await Task.Delay(position.Delay(options.DefaultRetryDelay), cancellationToken).ConfigureAwait(false);
                    HttpResponseMessage next = await OpenEventStreamAsync(position.LastEventId, session, CurrentCallbacks(), cancellationToken).ConfigureAwait(false);
                    if (IsEventStream(next))
                    {
                        current = next;
                    }
                    else
                    {
                        next.Dispose();
                    }
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException || ex is McpAuthException || ex is ObjectDisposedException)
            {
                // The session ended, or the server stopped offering the stream.
            }
            finally
            {
                current?.Dispose();
            }
        }

        private async Task HandleIncomingAsync(JsonRpcMessage message, SessionState session, IEngineCallbacks callbacks, ProgressContext? progress, CancellationToken cancellationToken)
        {
            if (message.IsNotification)
            {
                HandleNotification(message, callbacks, progress);
                return;
            }

            if (!message.IsRequest)
            {
                callbacks.Debug("Ignored a response to an unknown request.");
                return;
            }

            JsonObject reply = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = message.Id!.DeepClone() };
            switch (message.Method)
            {
                case "ping":
                    reply["result"] = new JsonObject();
                    break;
                case "elicitation/create":
                    reply["result"] = await ElicitAsync(message.Params as JsonObject, callbacks, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    callbacks.Debug($"The server asked for '{message.Method}', which this client does not offer.");
                    reply["error"] = new JsonObject { ["code"] = -32601, ["message"] = "Method not found" };
                    break;
            }

            await ExchangeAsync(reply, null, session, callbacks, null, cancellationToken).ConfigureAwait(false);
        }

        private async Task<JsonObject> ElicitAsync(JsonObject? parameters, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            string mode = parameters?["mode"] is JsonValue m && m.TryGetValue(out string? modeText) ? modeText : "form";
            ElicitationRequest request = ElicitationSchema.ToRequest(parameters);
            ElicitationResult answer;
            if (mode != "form")
            {
                callbacks.Warning($"The server asked for '{mode}' elicitation, which this client does not support; declined.");
                answer = ElicitationResult.Decline();
            }
            else if (!callbacks.IsInteractive)
            {
                callbacks.Warning("The server asked for input (" + request.Message + "), but this session is not interactive; declined.");
                answer = ElicitationResult.Decline();
            }
            else
            {
                answer = await callbacks.ElicitAsync(request, cancellationToken).ConfigureAwait(false);
            }

            var result = new JsonObject { ["action"] = answer.Action };
            if (answer.Content is not null)
            {
                result["content"] = ElicitationSchema.ApplyDefaults(request, answer.Content);
            }

            return result;
        }

        private static void HandleNotification(JsonRpcMessage message, IEngineCallbacks callbacks, ProgressContext? progress)
        {
            switch (message.Method)
            {
                case "notifications/progress":
                    if (progress is not null && message.Params is JsonObject p && p["progressToken"]?.ToString() == progress.Token)
                    {
                        double done = p["progress"] is JsonValue d && d.TryGetValue(out double dv) ? dv : 0;
                        double? total = p["total"] is JsonValue t && t.TryGetValue(out double tv) ? tv : null;
                        string status = p["message"] is JsonValue mv && mv.TryGetValue(out string? text) ? text : (total is null ? $"{done}" : $"{done} of {total}");
                        int percent = total is > 0 ? (int)Math.Max(0, Math.Min(100, done * 100 / total.Value)) : -1;
                        progress.Started = true;
                        callbacks.Progress(new ProgressUpdate(progress.ActivityId, progress.Activity, status) { PercentComplete = percent });
                    }

                    break;
                case "notifications/message":
                    if (message.Params is JsonObject log)
                    {
                        callbacks.Verbose($"Server log ({log["level"]}): {log["data"]?.ToJsonString()}");
                    }

                    break;
                default:
                    callbacks.Debug("Server notification: " + message.Method);
                    break;
            }
        }

        private JsonNode? ResultOf(JsonRpcMessage message)
        {
            if (message.Error is JsonObject error)
            {
                long code = error["code"] is JsonValue c && c.TryGetValue(out long l) ? l : 0;
                string text = error["message"] is JsonValue mv && mv.TryGetValue(out string? s) ? ServerText.Sanitize(s) : "(no message)";
                string errorId = code switch
                {
                    -32601 => ErrorIds.MethodNotFound,
                    -32602 => ErrorIds.InvalidParams,
                    _ => ErrorIds.JsonRpcError,
                };
                throw new McpJsonRpcException(errorId, code, $"The MCP server answered with error {code}: {text}", Endpoint, error["data"]?.DeepClone());
            }

            return message.Result;
        }

        private Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, IEngineCallbacks callbacks, CancellationToken cancellationToken)
            => PeerRequest.SendAsync(http, request, "MCP server", cancellationToken);

        private async Task NotifyCancelledAsync(long id, SessionState session, IEngineCallbacks callbacks)
        {
            var notice = new JsonObject
            {
                ["jsonrpc"] = "2.0",
                ["method"] = "notifications/cancelled",
                ["params"] = new JsonObject { ["requestId"] = id, ["reason"] = "The user cancelled the operation." },
            };
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await ExchangeAsync(notice, null, session, callbacks, null, grace.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is McpAuthException || ex is OperationCanceledException || ex is SessionGoneException)
            {
                callbacks.Debug("Could not tell the server the request was cancelled: " + ex.Message);
            }
        }

        private async Task<McpAuthException> HttpFailureAsync(HttpResponseMessage response, string method, CancellationToken cancellationToken)
        {
            string snippet = string.Empty;
            try
            {
                string text = await HttpBody.ReadStringAsync(response, 64 * 1024, Endpoint, cancellationToken).ConfigureAwait(false);
                snippet = ServerText.Sanitize(text);
            }
            catch (McpAuthException)
            {
                snippet = "(body too large)";
            }

            string? mediaType = response.Content?.Headers.ContentType?.MediaType;
            if (mediaType == JsonMediaType && snippet.Contains("\"jsonrpc\""))
            {
                try
                {
                    JsonRpcMessage rpc = JsonRpcMessage.Parse(snippet, Endpoint);
                    ResultOf(rpc);
                }
                catch (McpJsonRpcException ex)
                {
                    return ex;
                }
                catch (McpAuthException)
                {
                    // Not a usable JSON-RPC error; report the HTTP status below.
                }
            }

            int status = (int)response.StatusCode;
            return new McpAuthException(
                ErrorIds.HttpError,
                McpErrorKind.ProtocolError,
                $"The MCP server at {Endpoint} answered {method} with HTTP {status} {response.ReasonPhrase}{(snippet.Length == 0 ? string.Empty : ": " + snippet)}",
                Endpoint);
        }

        private static void AddSessionHeaders(HttpRequestMessage request, SessionState session)
        {
            if (session.SessionId is not null)
            {
                request.Headers.TryAddWithoutValidation("Mcp-Session-Id", session.SessionId);
            }

            if (session.ProtocolVersion is not null)
            {
                request.Headers.TryAddWithoutValidation("MCP-Protocol-Version", session.ProtocolVersion);
            }
        }



        /// <summary>Where a stream was: the last event id and the server's retry interval.</summary>
        private sealed class StreamPosition
        {
            public string? LastEventId { get; private set; }

            public TimeSpan? Retry { get; private set; }

            public void Update(SseParser<string> parser)
            {
                if (!string.IsNullOrEmpty(parser.LastEventId))
                {
                    LastEventId = parser.LastEventId;
                }

                if (parser.ReconnectionInterval > TimeSpan.Zero && parser.ReconnectionInterval != System.Threading.Timeout.InfiniteTimeSpan)
                {
                    Retry = parser.ReconnectionInterval;
                }
            }

            public TimeSpan Delay(TimeSpan fallback)
            {
                TimeSpan delay = Retry ?? fallback;
                return delay > TimeSpan.FromMinutes(1) ? TimeSpan.FromMinutes(1) : delay;
            }
        }

        private sealed class SessionState
        {
            public SessionState(string? sessionId, string? protocolVersion)
            {
                SessionId = sessionId;
                ProtocolVersion = protocolVersion;
            }

            public string? SessionId { get; set; }

            public string? ProtocolVersion { get; }

            public JsonObject? ServerInfo { get; set; }

            public JsonObject? Capabilities { get; set; }

            public string? Instructions { get; set; }
        }

        private sealed class ProgressContext
        {
            private static int nextActivity = 1000;

            public ProgressContext(string token, string activity)
            {
                Token = token;
                Activity = activity;
                ActivityId = Interlocked.Increment(ref nextActivity);
            }

            public string Token { get; }

            public string Activity { get; }

            public int ActivityId { get; }

            public bool Started { get; set; }
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
