using System;

namespace McpAuth.Core
{
    /// <summary>
    /// The one exception type the engine throws for conditions a user can act on. It carries a stable
    /// error id (see <see cref="ErrorIds"/>), a kind, and the object the error is about (a server URI or
    /// a tool name). Messages say what happened and what to do, and never contain a secret.
    /// </summary>
    public class McpAuthException : Exception
    {
        public McpAuthException(string errorId, McpErrorKind kind, string message, object? target = null, Exception? innerException = null)
            : base(message, innerException)
        {
            ErrorId = errorId ?? throw new ArgumentNullException(nameof(errorId));
            Kind = kind;
            Target = target;
        }

        /// <summary>Gets the stable, PascalCase error id (for example <c>IssuerMismatch</c>).</summary>
        public string ErrorId { get; }

        /// <summary>Gets what kind of failure this is.</summary>
        public McpErrorKind Kind { get; }

        /// <summary>Gets the server URI, tool name or other object the error is about.</summary>
        public object? Target { get; }
    }
}
