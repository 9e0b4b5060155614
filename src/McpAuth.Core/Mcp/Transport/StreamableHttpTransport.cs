using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Http;

namespace McpAuth.Core.Mcp
{
    /// <summary>
    /// The streamable HTTP transport: POSTs a message with the headers an era chose, and classifies the
    /// answer (accepted, JSON, event stream, failure); GET for a legacy server-to-client or resumed stream;
    /// DELETE to end a legacy session. OAuth lives below it in the HttpClient's handlers, so a 401 or 403
    /// that arrives here is final and becomes a typed error. It knows nothing of eras or JSON-RPC ids.
    /// </summary>
    internal sealed class StreamableHttpTransport
    {
        private readonly HttpClient http;

        public StreamableHttpTransport(Uri endpoint, HttpClient http, McpClientOptions options)
        {
            Endpoint = endpoint;
            this.http = http;
            Options = options;
        }

        public Uri Endpoint { get; }

        public McpClientOptions Options { get; }

        /// <summary>POSTs one JSON-RPC message. A status that is not a success comes back as <see cref="ResponseKind.Failure"/> for the era to judge.</summary>
        /// <param name="body">The serialized message.</param>
        /// <param name="headers">The era's headers (version, session, Mcp-Method, Mcp-Name, Mcp-Param-*).</param>
        /// <param name="method">The JSON-RPC method (or "response"), for diagnostics.</param>
        /// <param name="context">The operation: callbacks, and whether a challenge may renew credentials.</param>
        /// <param name="handleChallenges">False for best-effort messages that must never start a sign-in.</param>
        /// <param name="cancellationToken">Cancels the request.</param>
        public async Task<TransportResponse> PostAsync(byte[] body, IEnumerable<KeyValuePair<string, string>> headers, string method, McpCallContext context, bool handleChallenges, CancellationToken cancellationToken)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = new ByteArrayContent(body) };
            // No charset parameter: application/json defines none (RFC 8259, section 11), and a server that parses one costs more per request.
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(McpHeaders.JsonMediaType);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(McpHeaders.JsonMediaType));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(McpHeaders.SseMediaType));
            HttpResponseMessage response = await SendAsync(request, headers, context, handleChallenges, cancellationToken).ConfigureAwait(false);
            string? mediaType = response.Content?.Headers.ContentType?.MediaType;
            context.Callbacks.Debug($"POST {Endpoint} ({method}): {(int)response.StatusCode} {mediaType}");
            ResponseKind kind;
            if (!response.IsSuccessStatusCode)
            {
                kind = ResponseKind.Failure;
            }
            else if (response.StatusCode == HttpStatusCode.Accepted || response.StatusCode == HttpStatusCode.NoContent)
            {
                kind = ResponseKind.Accepted;
            }
            else if (string.Equals(mediaType, McpHeaders.SseMediaType, StringComparison.OrdinalIgnoreCase))
            {
                kind = ResponseKind.EventStream;
            }
            else if (string.Equals(mediaType, McpHeaders.JsonMediaType, StringComparison.OrdinalIgnoreCase) || (mediaType?.EndsWith("+json", StringComparison.OrdinalIgnoreCase) ?? false))
            {
                kind = ResponseKind.Json;
            }
            else
            {
                response.Dispose();
                throw new McpAuthException(
                    ErrorIds.NotAnMcpServer,
                    McpErrorKind.ProtocolError,
                    $"{Endpoint} answered with content type '{mediaType ?? "none"}', not JSON or an event stream: it does not look like an MCP streamable HTTP endpoint. Check the URL.",
                    Endpoint);
            }

            return new TransportResponse(response, kind, Endpoint, Options);
        }

        /// <summary>GET with Accept: text/event-stream (and Last-Event-ID to resume): a legacy server's own stream.</summary>
        public async Task<TransportResponse> GetStreamAsync(IEnumerable<KeyValuePair<string, string>> headers, string? lastEventId, McpCallContext context, CancellationToken cancellationToken)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, Endpoint);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(McpHeaders.SseMediaType));
            if (lastEventId is not null)
            {
                request.Headers.TryAddWithoutValidation(McpHeaders.LastEventId, lastEventId);
            }

            HttpResponseMessage response = await SendAsync(request, headers, context, handleChallenges: true, cancellationToken).ConfigureAwait(false);
            context.Callbacks.Debug($"GET {Endpoint} ({(lastEventId is null ? "server-to-client stream" : "resume after " + lastEventId)}): {(int)response.StatusCode}");
            bool stream = response.IsSuccessStatusCode && string.Equals(response.Content?.Headers.ContentType?.MediaType, McpHeaders.SseMediaType, StringComparison.OrdinalIgnoreCase);
            return new TransportResponse(response, stream ? ResponseKind.EventStream : ResponseKind.Failure, Endpoint, Options);
        }

        /// <summary>DELETE (end a legacy session), best effort: failures are reported as debug output only.</summary>
        public async Task DeleteAsync(IEnumerable<KeyValuePair<string, string>> headers, McpCallContext context, CancellationToken cancellationToken)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Delete, Endpoint);
                using HttpResponseMessage response = await SendAsync(request, headers, context, handleChallenges: false, cancellationToken).ConfigureAwait(false);
                context.Callbacks.Debug($"DELETE {Endpoint} (end session): {(int)response.StatusCode}");
            }
            catch (McpAuthException ex)
            {
                context.Callbacks.Debug("Ending the session failed: " + ex.Message);
            }
        }

        private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, IEnumerable<KeyValuePair<string, string>> headers, McpCallContext context, bool handleChallenges, CancellationToken cancellationToken)
        {
            foreach (KeyValuePair<string, string> header in headers)
            {
                request.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            EngineRequest.Set(request, context.Callbacks, handleChallenges && context.AllowSignIn);
            HttpResponseMessage response = await PeerRequest.SendAsync(http, request, "MCP server", cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Unauthorized || response.StatusCode == HttpStatusCode.Forbidden)
            {
                bool unauthorized = response.StatusCode == HttpStatusCode.Unauthorized;
                response.Dispose();
                throw unauthorized
                    ? new McpAuthException(ErrorIds.AuthenticationRequired, McpErrorKind.AuthenticationError, $"{Endpoint} requires sign-in (401), and no credential for it could be used. Connect to it again with sign-in allowed.", Endpoint)
                    : new McpAuthException(ErrorIds.InsufficientScope, McpErrorKind.PermissionDenied, $"{Endpoint} refused the request (403).", Endpoint);
            }

            return response;
        }
    }
}
