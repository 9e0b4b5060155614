using McpAuth.Core.Registration;
using McpAuth.Core.Storage;

namespace McpAuth.Core.Tokens
{
    /// <summary>
    /// What one sign-in obtained, to be stored as one record: the client identity, the tokens and how they were
    /// obtained, the DPoP key they are bound to, what renews them without a person (an enterprise-managed grant
    /// or a workload identity), and the server's settings.
    /// </summary>
    internal sealed record SignInResult
    {
        public SignInResult(ClientIdentity client, TokenSet tokens, AuthorizationMethod method, ServerSettings settings)
        {
            Client = client;
            Tokens = tokens;
            Method = method;
            Settings = settings;
        }

        public ClientIdentity Client { get; }

        public TokenSet Tokens { get; }

        public AuthorizationMethod Method { get; }

        public ServerSettings Settings { get; }

        /// <summary>Gets the DPoP key the token requests proved possession of; null for bearer tokens.</summary>
        public DpopKey? Dpop { get; init; }

        public StoredEnterpriseGrant? Enterprise { get; init; }

        public StoredWorkloadGrant? Workload { get; init; }
    }
}
