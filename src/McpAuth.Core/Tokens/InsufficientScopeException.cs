using System;
using System.Collections.Generic;

namespace McpAuth.Core.Tokens
{
    /// <summary>
    /// The server wants scopes the credential lacks and consent could not be (or was not) given. The way out is
    /// a sign-in that asks for <see cref="RequiredScopes"/> where someone can consent.
    /// </summary>
    public sealed class InsufficientScopeException : McpAuthException
    {
        public InsufficientScopeException(string message, Uri serverUri, IReadOnlyList<string> requiredScopes)
            : base(ErrorIds.InsufficientScope, McpErrorKind.PermissionDenied, message, serverUri)
        {
            RequiredScopes = requiredScopes;
        }

        /// <summary>Gets the scopes the server's challenge named.</summary>
        public IReadOnlyList<string> RequiredScopes { get; }
    }
}
