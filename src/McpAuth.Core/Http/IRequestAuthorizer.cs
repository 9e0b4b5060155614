using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Core.Http
{
    /// <summary>
    /// Puts credentials on requests to one protected resource and reacts to its 401/403 challenges. The
    /// OAuth token provider implements it; <see cref="OAuthHandler"/> calls it for every request, so the
    /// MCP transport above never sees a challenge. Servers without auth use none.
    /// </summary>
    public interface IRequestAuthorizer
    {
        /// <summary>
        /// Adds the Authorization header (and, for a DPoP-bound token, a DPoP proof made for this very request:
        /// its method and URL, a fresh <c>jti</c>) to a request about to be sent. Called once per attempt, so a
        /// request sent again carries a new proof.
        /// </summary>
        Task AuthorizeAsync(HttpRequestMessage request, IEngineCallbacks callbacks, CancellationToken cancellationToken);

        /// <summary>
        /// Sees every answer to a request to the resource, before any challenge in it is handled: a DPoP nonce the
        /// server hands out (RFC 9449 §9), and whether the server accepted the credential.
        /// </summary>
        void Observe(HttpResponseMessage response);

        /// <summary>
        /// Handles a 401 or 403 answer. Returns true when the request should be sent again (credentials
        /// were renewed), false when the response should become an error. May throw a typed error.
        /// </summary>
        /// <param name="response">The response, whose WWW-Authenticate header carries the challenge.</param>
        /// <param name="attempt">How many times this request has been retried already (0 at first).</param>
        Task<bool> HandleChallengeAsync(HttpResponseMessage response, int attempt, IEngineCallbacks callbacks, CancellationToken cancellationToken);
    }
}
