using System;
using McpAuth.Core;
using McpAuth.Core.Storage;
using McpAuth.Core.Tokens;

namespace McpAuth
{
    /// <summary>
    /// The PowerShell command that gets past an engine error. The engine says what happened and what to do in
    /// words that fit any host; this is where that becomes a command line with this module's cmdlets and
    /// parameters, for ErrorDetails.RecommendedAction and the end of the message a user sees.
    /// </summary>
    internal static class RecommendedActions
    {
        private const string ServerPlaceholder = "<MCP server URL>";

        /// <summary>Returns the command to run after <paramref name="exception"/>, or null when no command helps.</summary>
        public static string? For(McpAuthException exception) => exception switch
        {
            InsufficientScopeException scope =>
                $"Update-McpCredential -Uri {Server(scope)} -Scopes {string.Join(",", scope.RequiredScopes)}   (in an interactive session, or with -AuthorizationHandler)",
            InteractionRequiredException =>
                $"Connect-McpServer -Uri {Server(exception)}   (in an interactive session, or with -AuthorizationHandler, -UseDeviceCode or -ClientCredentials)",
            CredentialStoreException { ErrorId: ErrorIds.CredentialCorrupted, Key: CredentialKey key } =>
                $"Remove-McpCredential -Uri {key.Resource} -Issuer {key.Issuer} -Force",
            { ErrorId: ErrorIds.CredentialCorrupted } => "Reset-McpCredentialStore -Force",
            { ErrorId: ErrorIds.AuthenticationRequired or ErrorIds.InvalidGrant } => $"Connect-McpServer -Uri {Server(exception)}",
            { ErrorId: ErrorIds.ClientIdentityRequired or ErrorIds.ClientRegistrationFailed or ErrorIds.InvalidClient } =>
                $"Connect-McpServer -Uri {ServerPlaceholder} -ClientId <client id> [-ClientSecret <SecureString> | -PrivateKeyPath <key.pem>]",
            { ErrorId: ErrorIds.AuthorizationServerChanged } =>
                $"Connect-McpServer -Uri {Server(exception)} -ClientId <client id registered at the new authorization server> [-ClientSecret <SecureString>]",
            { ErrorId: ErrorIds.ResourceParameterRejected } =>
                $"Connect-McpServer -Uri {Server(exception)} -OmitResource   (or -Resource <the resource the authorization server expects>)",
            { ErrorId: ErrorIds.IdentityAssertionRequired } =>
                $"Connect-McpServer -Uri {ServerPlaceholder} -IdentityProvider {exception.Target} -IdentityProviderClientId <client id> [-IdentityAssertion <SecureString>]",
            { ErrorId: ErrorIds.AuthorizationServerNotListed } =>
                $"Connect-McpServer -Uri {ServerPlaceholder} -AuthorizationServer <one of the authorization servers the error names>",
            { ErrorId: ErrorIds.DpopKeyUnavailable } => $"Connect-McpServer -Uri {Server(exception)}",
            { ErrorId: ErrorIds.SignInWaitTimedOut } =>
                $"Connect-McpServer -Uri {Server(exception)}   (once the sign-in in the other PowerShell session has ended)",
            { ErrorId: ErrorIds.AuthorizationTimedOut } => "Run the command again; -SignInTimeoutSec <seconds> gives an interactive sign-in more time.",
            { ErrorId: ErrorIds.PlaintextStorageNotAllowed } => "Use -CredentialStore Plaintext to opt in for one command, or set MCPAUTH_ALLOW_PLAINTEXT_STORAGE=1.",
            { ErrorId: ErrorIds.KeychainUnavailable or ErrorIds.KeychainLocked } =>
                (exception as IHasRecommendedAction)?.RecommendedAction + "   (or use -CredentialStore Memory for this session)",
            _ => null,
        };

        // Only these errors name the MCP server as their target; others name an endpoint of the authorization server.
        private static string Server(McpAuthException exception) =>
            exception.ErrorId is ErrorIds.InsufficientScope or ErrorIds.InteractionRequired or ErrorIds.AuthenticationRequired or ErrorIds.SignInWaitTimedOut
                or ErrorIds.AuthorizationServerChanged or ErrorIds.ResourceParameterRejected or ErrorIds.DpopKeyUnavailable && exception.Target is Uri server
                ? server.ToString()
                : ServerPlaceholder;
    }
}
