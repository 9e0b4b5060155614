using System;

namespace McpAuth.Core.Storage
{
    /// <summary>A credential store failure that knows what the user should do next.</summary>
    public sealed class CredentialStoreException : McpAuthException, IHasRecommendedAction
    {
        public CredentialStoreException(string errorId, McpErrorKind kind, string message, object? target, string? recommendedAction, Exception? innerException = null)
            : base(errorId, kind, message, target, innerException)
        {
            RecommendedAction = recommendedAction;
        }

        /// <inheritdoc/>
        public string? RecommendedAction { get; }

        /// <summary>Gets the key of the one record this is about; null when it is about the whole store.</summary>
        public CredentialKey? Key { get; init; }
    }
}
