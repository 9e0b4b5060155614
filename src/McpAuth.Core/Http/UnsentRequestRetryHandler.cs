using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Core.Http
{
    /// <summary>
    /// Sends a request once more when it failed before the server could have acted on it: the connection
    /// failed (refused, reset, closed by the server as it was taken from the pool) before the request's
    /// body was handed to it, or, for a GET, anywhere before a response. A server acts on a POST only
    /// once it has the whole body, so such a request reached nobody and a second try cannot run anything
    /// twice; a request whose body started to go out is never repeated (.NET itself retries the one safe
    /// case of that, a reused connection that failed before the first response byte). One retry, at once.
    /// </summary>
    public sealed class UnsentRequestRetryHandler : DelegatingHandler
    {
        /// <param name="inner">The handler that sends.</param>
        public UnsentRequestRetryHandler(HttpMessageHandler inner)
            : base(inner)
        {
        }

        /// <inheritdoc/>
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            WatchedContent? body = request.Content is null ? null : new WatchedContent(request.Content);
            request.Content = body;
            try
            {
                return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException) when (!cancellationToken.IsCancellationRequested && (body is null ? request.Method == HttpMethod.Get : !body.Started))
            {
                using var again = new HttpRequestMessage(request.Method, request.RequestUri) { Version = request.Version, Content = body };
                RequestCopy.HeadersAndProperties(request, again, withCredentials: true);
                HttpResponseMessage response = await base.SendAsync(again, cancellationToken).ConfigureAwait(false);
                again.Content = null; // the caller's request owns the body
                response.RequestMessage = request;
                return response;
            }
        }

        /// <summary>A request body that notes when the connection starts to read it; it can be read again until then.</summary>
        private sealed class WatchedContent : WrappedContent
        {
            private volatile bool started;

            public WatchedContent(HttpContent inner)
                : base(inner)
            {
            }

            public bool Started => started;

            protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context)
            {
                started = true;
                return Inner.CopyToAsync(stream);
            }
        }
    }
}
