using System;
using System.Collections.Generic;
using McpAuth.Core.Registration;
using McpAuth.Core.Storage;

namespace McpAuth.Core.Tokens
{
    /// <summary>
    /// How a connection signs in, refreshes and keeps its credentials. Immutable: a change for one
    /// operation is a copy (<c>options with { ... }</c>), and how a stored credential was obtained is data in
    /// its record (<see cref="CredentialRecord.AuthorizedBy"/>), never written back here.
    /// </summary>
    public sealed record SignInOptions
    {
        /// <summary>Gets how the user authorizes.</summary>
        public AuthorizationMethod Method { get; init; } = AuthorizationMethod.Browser;

        /// <summary>
        /// Gets a value indicating whether the caller chose <see cref="Method"/>; when not, a stored
        /// credential's method (device code, client credentials) is used again for later sign-ins.
        /// </summary>
        public bool MethodChosen { get; init; }

        /// <summary>Gets the caller's handler for <see cref="AuthorizationMethod.Handler"/> (run through IEngineCallbacks).</summary>
        public object? AuthorizationHandler { get; init; }

        /// <summary>Gets a value indicating whether to print the URL instead of opening a browser, and accept a pasted callback URL.</summary>
        public bool NoBrowser { get; init; }

        /// <summary>Gets explicit scopes; they win over the challenge and the metadata.</summary>
        public IReadOnlyList<string>? Scopes { get; init; }

        /// <summary>Gets the client identity settings (pre-registered id/secret/key, metadata document URL).</summary>
        public ClientOptions Client { get; init; } = new ClientOptions();

        /// <summary>Gets the loopback callback port; 0 picks a free one.</summary>
        public int CallbackPort { get; init; }

        /// <summary>Gets how long an interactive sign-in may take before it fails (also how long to wait for one started elsewhere).</summary>
        public TimeSpan SignInTimeout { get; init; } = TimeSpan.FromMinutes(5);

        /// <summary>Gets how long before expiry a token counts as expired (at most; see <see cref="TokenSet.RenewalSkew"/>).</summary>
        public TimeSpan ExpirySkew { get; init; } = TimeSpan.FromSeconds(60);

        /// <summary>Gets where credentials are kept.</summary>
        public CredentialStoreOptions Store { get; init; } = new CredentialStoreOptions();

        /// <summary>Gets the most step-up re-authorizations for one request.</summary>
        public int MaxStepUpAttempts { get; init; } = 3;

        /// <summary>Gets a value indicating whether a sign-in may start when none is stored (false: only stored credentials).</summary>
        public bool AllowSignIn { get; init; } = true;

        /// <summary>Gets the clock for token expiry and renewal (the system clock by default).</summary>
        public IClock Clock { get; init; } = SystemClock.Instance;

        /// <summary>
        /// Gets the account this credential is for, when one server has several (a name the user chooses, part of
        /// the credential's key); null uses the newest stored credential and signs in without one.
        /// </summary>
        public string? Account { get; init; }

        /// <summary>Gets the server's settings for its authorization server; null uses the ones stored with the credential.</summary>
        public ServerSettings? Settings { get; init; }

        /// <summary>Gets the enterprise-managed sign-in, for <see cref="AuthorizationMethod.EnterpriseManaged"/>.</summary>
        public EnterpriseOptions? Enterprise { get; init; }

        /// <summary>Gets the workload identity, for <see cref="AuthorizationMethod.WorkloadIdentity"/>.</summary>
        public WorkloadIdentityOptions? Workload { get; init; }
    }
}
