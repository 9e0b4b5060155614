namespace McpAuth.Core
{
    /// <summary>
    /// What kind of failure an engine error is. The cmdlet layer maps each kind to one PowerShell
    /// ErrorCategory in one place, so the engine never references System.Management.Automation.
    /// </summary>
    public enum McpErrorKind
    {
        /// <summary>The server could not be reached, or the connection broke.</summary>
        ConnectionError,

        /// <summary>The peer spoke, but not the protocol we expected (JSON-RPC, SSE, OAuth).</summary>
        ProtocolError,

        /// <summary>The peer sent data that is malformed, too large or contradicts itself.</summary>
        InvalidData,

        /// <summary>Sign-in is needed or failed.</summary>
        AuthenticationError,

        /// <summary>The server refused: scopes, consent, or an error from a tool.</summary>
        PermissionDenied,

        /// <summary>A security check failed: issuer, resource, state, HTTPS, PKCE.</summary>
        SecurityError,

        /// <summary>The caller's input is wrong.</summary>
        InvalidArgument,

        /// <summary>Something the caller named does not exist.</summary>
        NotFound,

        /// <summary>An operation took longer than allowed.</summary>
        Timeout,

        /// <summary>A needed resource (the keychain, a browser, an interactive host) is unavailable.</summary>
        ResourceUnavailable,

        /// <summary>The operation is not valid in the current state.</summary>
        InvalidOperation,

        /// <summary>The MCP server reported an error (JSON-RPC error or a tool result with isError).</summary>
        ServerError,
    }
}
