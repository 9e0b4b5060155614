using System;

namespace McpAuth.Core.Tokens
{
    /// <summary>Sign-in is needed but nobody can complete it here (no interactive host, no handler).</summary>
    public sealed class InteractionRequiredException : McpAuthException
    {
        public InteractionRequiredException(Uri serverUri)
            : base(
                ErrorIds.InteractionRequired,
                McpErrorKind.AuthenticationError,
                $"{serverUri} requires sign-in, and this session is not interactive, so no browser sign-in was started. Sign in once in an interactive session, or automate the sign-in with an authorization handler, the device authorization grant or client credentials.",
                serverUri)
        {
        }
    }
}
