using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Core.Http
{
    /// <summary>
    /// Puts credentials on MCP requests and reacts to 401/403 challenges. The OAuth token provider
    /// implements it; servers without auth use none.
    /// </summary>
    public interface IRequestAuthorizer
    {
        /// <summary>Adds the Authorization header to a request about to be sent.</summary>
        Task AuthorizeAsync(HttpRequestMessage request, IEngineCallbacks callbacks, CancellationToken cancellationToken);

        /// <summary>
        /// Handles a 401 or 403 answer. Returns true when the request should be sent again (credentials
        /// were renewed), false when the response should become an error. May throw a typed error.
        /// </summary>
        /// <param name="response">The response, whose WWW-Authenticate header carries the challenge.</param>
        /// <param name="attempt">How many times this request has been retried already (0 at first).</param>
        Task<bool> HandleChallengeAsync(HttpResponseMessage response, int attempt, IEngineCallbacks callbacks, CancellationToken cancellationToken);
    }
}
