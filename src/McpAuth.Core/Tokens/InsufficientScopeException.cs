using System;
using System.Collections.Generic;

namespace McpAuth.Core.Tokens
{
    /// <summary>The server wants scopes the credential lacks and consent could not be (or was not) given.</summary>
    public sealed class InsufficientScopeException : McpAuthException, IHasRecommendedAction
    {
        public InsufficientScopeException(string message, Uri serverUri, IReadOnlyList<string> requiredScopes)
            : base(ErrorIds.InsufficientScope, McpErrorKind.PermissionDenied, message, serverUri)
        {
            RequiredScopes = requiredScopes;
            RecommendedAction = $"Update-McpCredential -Uri {serverUri} -Scopes {string.Join(",", requiredScopes)}   (in an interactive session, or with -AuthorizationHandler)";
        }

        /// <summary>Gets the scopes the server's challenge named.</summary>
        public IReadOnlyList<string> RequiredScopes { get; }

        public string? RecommendedAction { get; }
    }

    /// <summary>Sign-in is needed but nobody can complete it here (no interactive host, no handler).</summary>
    public sealed class InteractionRequiredException : McpAuthException, IHasRecommendedAction
    {
        public InteractionRequiredException(Uri serverUri)
            : base(
                ErrorIds.InteractionRequired,
                McpErrorKind.AuthenticationError,
                $"{serverUri} requires sign-in, and this session is not interactive, so no browser sign-in was started. Sign in once interactively (Connect-McpServer {serverUri}), or automate it with -AuthorizationHandler, -UseDeviceCode or -ClientCredentials.",
                serverUri)
        {
            RecommendedAction = $"Connect-McpServer -Uri {serverUri}";
        }

        public string? RecommendedAction { get; }
    }
}
