using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Core.Http
{
    /// <summary>Sends a request to a peer and turns transport failures into the typed errors every caller uses.</summary>
    public static class PeerRequest
    {
        /// <summary>
        /// Sends the request (response headers only; the caller reads the body with a cap). A connection
        /// failure becomes <c>ServerUnreachable</c>, a timeout <c>RequestTimedOut</c>; cancellation stays
        /// an OperationCanceledException.
        /// </summary>
        /// <param name="http">The connection's HttpClient.</param>
        /// <param name="request">The request.</param>
        /// <param name="peer">What the peer is, for the message: "MCP server", "token endpoint", ...</param>
        /// <param name="cancellationToken">Cancels the request.</param>
        public static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpRequestMessage request, string peer, CancellationToken cancellationToken)
        {
            Uri target = request.RequestUri!;
            if (EngineRequest.Peer(request) is null)
            {
                EngineRequest.SetPeer(request, peer);
            }

            try
            {
                return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex)
            {
                string where = target.GetLeftPart(UriPartial.Path);
                throw new McpAuthException(
                    ErrorIds.ServerUnreachable,
                    McpErrorKind.ConnectionError,
                    $"Could not reach the {peer} at {where}: {Innermost(ex).Message} Check the URL and the network, then try again.",
                    target,
                    ex);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                string where = target.GetLeftPart(UriPartial.Path);
                throw new McpAuthException(
                    ErrorIds.RequestTimedOut,
                    McpErrorKind.Timeout,
                    http.Timeout == System.Threading.Timeout.InfiniteTimeSpan ? $"The {peer} at {where} did not answer in time." : $"The {peer} at {where} did not answer within {http.Timeout.TotalSeconds:0} seconds.",
                    target,
                    ex);
            }
        }

        private static Exception Innermost(Exception ex)
        {
            while (ex.InnerException is not null)
            {
                ex = ex.InnerException;
            }

            return ex;
        }
    }
}
