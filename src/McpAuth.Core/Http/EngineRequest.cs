using System.Net.Http;

namespace McpAuth.Core.Http
{
    /// <summary>
    /// What the handlers of a connection's HttpClient need to know about one request, carried in the
    /// request's properties: whose callbacks report and prompt for it, and whether a 401/403 challenge may
    /// renew credentials (refresh, sign-in, step-up) or must come back to the caller as it is.
    /// </summary>
    public static class EngineRequest
    {
        private const string CallbacksKey = "McpAuth.Callbacks";
        private const string ChallengesKey = "McpAuth.HandleChallenges";
        private const string PeerKey = "McpAuth.Peer";

        /// <summary>Marks a request with the callbacks of the operation that sends it.</summary>
        /// <param name="request">The request.</param>
        /// <param name="callbacks">Reports and prompts for the operation.</param>
        /// <param name="handleChallenges">False for best-effort requests (DELETE, notifications/cancelled,
        /// completion) that must never start a sign-in: their 401/403 come back as they are.</param>
        public static void Set(HttpRequestMessage request, IEngineCallbacks callbacks, bool handleChallenges)
        {
            request.Properties[CallbacksKey] = callbacks;
            request.Properties[ChallengesKey] = handleChallenges;
        }

        /// <summary>Names the peer a request goes to ("token endpoint"), for the messages of its deadline.</summary>
        public static void SetPeer(HttpRequestMessage request, string peer) => request.Properties[PeerKey] = peer;

        /// <summary>Gets the peer a request goes to, when it was named.</summary>
        public static string? Peer(HttpRequestMessage request) => request.Properties.TryGetValue(PeerKey, out object? value) ? value as string : null;

        /// <summary>Gets the callbacks of a request, or ones that report nothing and answer no prompt.</summary>
        public static IEngineCallbacks Callbacks(HttpRequestMessage request)
            => request.Properties.TryGetValue(CallbacksKey, out object? value) && value is IEngineCallbacks callbacks ? callbacks : NullEngineCallbacks.Instance;

        /// <summary>Gets a value indicating whether the request's challenges may renew credentials (the default).</summary>
        public static bool HandlesChallenges(HttpRequestMessage request)
            => !request.Properties.TryGetValue(ChallengesKey, out object? value) || value is not false;
    }
}
