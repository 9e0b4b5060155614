using System;
using System.Collections.Generic;
using McpAuth.Core.Registration;
using McpAuth.Core.Storage;

namespace McpAuth.Core.Tokens
{
    /// <summary>How a connection signs in, refreshes and keeps its credentials.</summary>
    public sealed class SignInOptions
    {
        /// <summary>Gets or sets how the user authorizes (the connection remembers it for later step-ups).</summary>
        public AuthorizationMethod Method { get; set; } = AuthorizationMethod.Browser;

        /// <summary>
        /// Gets or sets a value indicating whether the caller chose <see cref="Method"/>; when not, a stored
        /// credential's method (device code, client credentials) is used again for later sign-ins.
        /// </summary>
        public bool MethodChosen { get; set; }

        /// <summary>Gets or sets the caller's handler for <see cref="AuthorizationMethod.Handler"/> (run through IEngineCallbacks).</summary>
        public object? AuthorizationHandler { get; set; }

        /// <summary>Gets or sets a value indicating whether to print the URL instead of opening a browser, and accept a pasted callback URL.</summary>
        public bool NoBrowser { get; set; }

        /// <summary>Gets or sets explicit scopes; they win over the challenge and the metadata.</summary>
        public IReadOnlyList<string>? Scopes { get; set; }

        /// <summary>Gets or sets the client identity settings (pre-registered id/secret/key, metadata document URL).</summary>
        public ClientOptions Client { get; set; } = new ClientOptions();

        /// <summary>Gets or sets the loopback callback port; 0 picks a free one.</summary>
        public int CallbackPort { get; set; }

        /// <summary>Gets or sets how long an interactive sign-in may take before it fails.</summary>
        public TimeSpan SignInTimeout { get; set; } = TimeSpan.FromMinutes(5);

        /// <summary>Gets or sets how long before expiry a token counts as expired.</summary>
        public TimeSpan ExpirySkew { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>Gets or sets where credentials are kept.</summary>
        public CredentialStoreOptions Store { get; set; } = new CredentialStoreOptions();

        /// <summary>Gets or sets the most step-up re-authorizations for one request.</summary>
        public int MaxStepUpAttempts { get; set; } = 3;

        /// <summary>Gets or sets a value indicating whether a sign-in may start when none is stored (false: only stored credentials).</summary>
        public bool AllowSignIn { get; set; } = true;
    }
}
