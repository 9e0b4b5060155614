using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.ServerSentEvents;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Http;

namespace McpAuth.Core.Mcp
{
    /// <summary>What kind of answer a POST got.</summary>
    internal enum ResponseKind
    {
        /// <summary>202 or 204: accepted, no body (the answer to a notification or a reply).</summary>
        Accepted,

        /// <summary>One JSON body: a message or a batch.</summary>
        Json,

        /// <summary>A server-sent event stream of messages.</summary>
        EventStream,

        /// <summary>Any status that is not a success.</summary>
        Failure,
    }

    /// <summary>
    /// One HTTP answer of the streamable HTTP transport, with the readers for its body: a capped JSON read
    /// under a deadline, or the event stream read asynchronously (SseParser's async enumeration; no thread
    /// is blocked per stream). The owner disposes it.
    /// </summary>
    internal sealed class TransportResponse : IDisposable
    {
        private readonly McpClientOptions options;

        public TransportResponse(HttpResponseMessage http, ResponseKind kind, Uri endpoint, McpClientOptions options)
        {
            Http = http;
            Kind = kind;
            Endpoint = endpoint;
            this.options = options;
        }

        public HttpResponseMessage Http { get; }

        public ResponseKind Kind { get; }

        public Uri Endpoint { get; }

        public int Status => (int)Http.StatusCode;

        /// <summary>Gets the Mcp-Session-Id the server assigned (legacy initialize), if any.</summary>
        public string? SessionId => Http.Headers.TryGetValues(McpHeaders.SessionId, out IEnumerable<string>? ids) ? ids.FirstOrDefault() : null;


        /// <summary>Reads a JSON body (one message or a batch) with the size cap, within the request timeout.</summary>
        public async Task<IReadOnlyList<JsonRpcMessage>> ReadJsonAsync(CancellationToken cancellationToken)
        {
            using Deadline deadline = Deadline.Start(options.RequestTimeout, cancellationToken);
            byte[] body;
            try
            {
                body = await HttpBody.ReadBytesAsync(Http, options.MaxResponseBytes, Endpoint, deadline.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (deadline.Expired(ex))
            {
                throw deadline.TimedOut("MCP server", Endpoint, ex);
            }

            return JsonRpcCodec.ParseBody(body, Endpoint);
        }

        /// <summary>
        /// Reads the event stream and hands each JSON-RPC message to <paramref name="onMessage"/>, which
        /// returns true to stop. Returns true when it stopped that way, false when the stream ended or broke.
        /// Cancellation also disposes the stream, which ends a pending read at once on every runtime. The size
        /// cap applies to the whole stream, or with <paramref name="capEachMessage"/> (a subscription stream
        /// that stays open for hours) to each message.
        /// </summary>
        public async Task<bool> ReadEventsAsync(StreamPosition position, Func<JsonRpcMessage, Task<bool>> onMessage, IEngineCallbacks callbacks, CancellationToken cancellationToken, bool capEachMessage = false)
        {
            using Stream raw = await Http.Content!.ReadAsStreamAsync().ConfigureAwait(false);
            using var capped = new CappedReadStream(raw, options.MaxResponseBytes, Endpoint);
            using CancellationTokenRegistration registration = cancellationToken.Register(static s => ((Stream)s!).Dispose(), raw);
            SseParser<string> parser = SseParser.Create(capped);
            try
            {
                await foreach (SseItem<string> item in parser.EnumerateAsync(cancellationToken).ConfigureAwait(false))
                {
                    position.Update(parser);
                    if (capEachMessage)
                    {
                        capped.Restart();
                    }

                    if (string.IsNullOrWhiteSpace(item.Data) || (item.EventType is not null && item.EventType != "message"))
                    {
                        continue;
                    }

                    if (await onMessage(JsonRpcCodec.ParseMessage(item.Data, Endpoint)).ConfigureAwait(false))
                    {
                        return true;
                    }
                }
            }
            catch (Exception ex) when (cancellationToken.IsCancellationRequested && (ex is IOException || ex is ObjectDisposedException || ex is HttpRequestException || ex is OperationCanceledException))
            {
                throw new OperationCanceledException(cancellationToken);
            }
            catch (Exception ex) when (ex is IOException || ex is HttpRequestException)
            {
                callbacks.Debug("The event stream broke: " + ex.Message);
            }

            return false;
        }

        /// <summary>The typed error for a status that is not a success: the server's JSON-RPC error when it sent one, else HttpError.</summary>
        public async Task<McpAuthException> FailureAsync(string method, CancellationToken cancellationToken)
        {
            string snippet;
            try
            {
                using Deadline deadline = Deadline.Start(options.RequestTimeout, cancellationToken);
                byte[] bytes = await HttpBody.ReadBytesAsync(Http, 64 * 1024, Endpoint, deadline.Token).ConfigureAwait(false);
                snippet = System.Text.Encoding.UTF8.GetString(bytes);
            }
            catch (Exception ex) when (ex is McpAuthException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested) || ex is IOException || ex is HttpRequestException)
            {
                snippet = string.Empty;
            }

            if (snippet.Contains("\"jsonrpc\""))
            {
                try
                {
                    IReadOnlyList<JsonRpcMessage> messages = JsonRpcCodec.ParseBody(System.Text.Encoding.UTF8.GetBytes(snippet), Endpoint);
                    if (messages.Count == 1 && messages[0].Error is JsonRpcError error)
                    {
                        return JsonRpcCodec.ToException(error, Status, Endpoint);
                    }
                }
                catch (McpAuthException)
                {
                    // Not a usable JSON-RPC error; report the HTTP status below.
                }
            }

            string text = ServerText.Sanitize(snippet, 300);
            return new McpAuthException(
                ErrorIds.HttpError,
                McpErrorKind.ProtocolError,
                $"The MCP server at {Endpoint} answered {method} with HTTP {Status} {Http.ReasonPhrase}{(text.Length == 0 ? string.Empty : ": " + text)}",
                Endpoint);
        }

        public void Dispose() => Http.Dispose();
    }
}
