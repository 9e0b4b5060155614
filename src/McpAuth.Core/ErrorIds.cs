namespace McpAuth.Core
{
    /// <summary>
    /// Stable error ids. They appear in ErrorRecord.FullyQualifiedErrorId and scripts match on them:
    /// add new ones freely, never rename or reuse one.
    /// </summary>
    public static class ErrorIds
    {
        // Transport and MCP
        public const string ServerUnreachable = "ServerUnreachable";
        public const string RequestTimedOut = "RequestTimedOut";
        public const string NotAnMcpServer = "NotAnMcpServer";
        public const string MalformedResponse = "MalformedResponse";
        public const string ResponseTooLarge = "ResponseTooLarge";
        public const string StreamEndedEarly = "StreamEndedEarly";
        public const string HttpError = "HttpError";
        public const string JsonRpcError = "JsonRpcError";
        public const string MethodNotFound = "MethodNotFound";
        public const string InvalidParams = "InvalidParams";
        public const string ToolNotFound = "ToolNotFound";
        public const string ToolError = "ToolError";
        public const string UnsupportedProtocolVersion = "UnsupportedProtocolVersion";
        public const string SessionExpired = "SessionExpired";
        public const string InvalidToolArguments = "InvalidToolArguments";
        public const string InvalidServerUri = "InvalidServerUri";
        public const string HeaderMismatch = "HeaderMismatch";
        public const string MissingRequiredClientCapability = "MissingRequiredClientCapability";
        public const string InvalidToolDefinition = "InvalidToolDefinition";
        public const string InputRequiredLoop = "InputRequiredLoop";
        public const string UnsupportedInputRequest = "UnsupportedInputRequest";
        public const string UnknownResultType = "UnknownResultType";
        public const string MalformedContent = "MalformedContent";
        public const string ResourceNotFound = "ResourceNotFound";
        public const string PromptNotFound = "PromptNotFound";
        public const string InvalidResourceUri = "InvalidResourceUri";
        public const string InvalidPromptArguments = "InvalidPromptArguments";
        public const string SubscriptionNotSupported = "SubscriptionNotSupported";
        public const string SubscriptionEnded = "SubscriptionEnded";
        public const string SkillsNotSupported = "SkillsNotSupported";
        public const string SkillVerificationFailed = "SkillVerificationFailed";

        // Discovery and sign-in
        public const string MalformedChallenge = "MalformedChallenge";
        public const string MalformedMetadata = "MalformedMetadata";
        public const string ProtectedResourceMetadataNotFound = "ProtectedResourceMetadataNotFound";
        public const string ResourceMismatch = "ResourceMismatch";
        public const string AuthorizationServerMetadataNotFound = "AuthorizationServerMetadataNotFound";
        public const string IssuerMismatch = "IssuerMismatch";
        public const string PkceNotSupported = "PkceNotSupported";
        public const string InsecureEndpoint = "InsecureEndpoint";
        public const string StateMismatch = "StateMismatch";
        public const string AuthorizationResponseIssuerMismatch = "AuthorizationResponseIssuerMismatch";
        public const string AuthorizationDenied = "AuthorizationDenied";
        public const string AuthorizationTimedOut = "AuthorizationTimedOut";
        public const string AuthorizationFailed = "AuthorizationFailed";
        public const string AuthenticationRequired = "AuthenticationRequired";
        public const string InteractionRequired = "InteractionRequired";
        public const string SignInWaitTimedOut = "SignInWaitTimedOut";
        public const string ClientRegistrationFailed = "ClientRegistrationFailed";
        public const string ClientIdentityRequired = "ClientIdentityRequired";
        public const string TokenRequestFailed = "TokenRequestFailed";
        public const string InvalidGrant = "InvalidGrant";
        public const string InsufficientScope = "InsufficientScope";
        public const string DeviceCodeNotSupported = "DeviceCodeNotSupported";
        public const string BrowserUnavailable = "BrowserUnavailable";
        public const string TokenNotAvailable = "TokenNotAvailable";
        public const string InvalidClient = "InvalidClient";
        public const string InvalidClientKey = "InvalidClientKey";
        public const string InvalidCallbackUrl = "InvalidCallbackUrl";
        public const string RedirectListenerFailed = "RedirectListenerFailed";
        public const string AuthorizationServerNotListed = "AuthorizationServerNotListed";
        public const string AuthorizationServerChanged = "AuthorizationServerChanged";
        public const string TokenRenewalThrottled = "TokenRenewalThrottled";
        public const string ResourceParameterRejected = "ResourceParameterRejected";
        public const string IdentityAssertionRequired = "IdentityAssertionRequired";
        public const string WorkloadIdentityUnavailable = "WorkloadIdentityUnavailable";
        public const string DpopKeyUnavailable = "DpopKeyUnavailable";

        // Network
        public const string InvalidProxy = "InvalidProxy";
        public const string InvalidCertificateAuthority = "InvalidCertificateAuthority";

        // Storage
        public const string KeychainUnavailable = "KeychainUnavailable";
        public const string KeychainLocked = "KeychainLocked";
        public const string CredentialCorrupted = "CredentialCorrupted";
        public const string CredentialNotFound = "CredentialNotFound";
        public const string PlaintextStorageNotAllowed = "PlaintextStorageNotAllowed";
        public const string CredentialStoreBusy = "CredentialStoreBusy";
        public const string InvalidCredentialStoreSetting = "InvalidCredentialStoreSetting";
        public const string CredentialNotSaved = "CredentialNotSaved";
        public const string CredentialStoreUnavailable = "CredentialStoreUnavailable";
        public const string InsecureCredentialStore = "InsecureCredentialStore";
    }
}
