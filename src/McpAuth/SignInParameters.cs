using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Security;
using McpAuth.Core;
using McpAuth.Core.Registration;
using McpAuth.Core.Storage;
using McpAuth.Core.Tokens;

namespace McpAuth
{
    /// <summary>Where credentials are kept.</summary>
    public enum McpCredentialStore
    {
        /// <summary>The OS keychain: DPAPI on Windows, the Keychain on macOS, libsecret on Linux.</summary>
        Keychain,

        /// <summary>Only in this PowerShell process; gone when it exits.</summary>
        Memory,

        /// <summary>An unencrypted file (mode 0600); an explicit opt-in, with a warning each time it is used.</summary>
        Plaintext,
    }

    /// <summary>The sign-in parameters Connect-McpServer and Update-McpCredential share, and their checks.</summary>
    internal sealed class SignInParameters
    {
        public const string BrowserSet = "Browser";
        public const string HandlerSet = "AuthorizationHandler";
        public const string DeviceCodeSet = "DeviceCode";
        public const string ClientCredentialsSet = "ClientCredentials";

        private static readonly string[] SignInNames =
        {
            "Scopes", "ClientId", "ClientSecret", "ClientMetadataUrl", "TokenEndpointAuthMethod", "AuthorizationHandler", "NoBrowser",
            "UseDeviceCode", "ClientCredentials", "PrivateKeyPath", "CallbackPort", "SignInTimeoutSec", "CredentialStore",
        };

        public string[]? Scopes { get; set; }

        public string? ClientId { get; set; }

        public SecureString? ClientSecret { get; set; }

        public Uri? ClientMetadataUrl { get; set; }

        public string? TokenEndpointAuthMethod { get; set; }

        public ScriptBlock? AuthorizationHandler { get; set; }

        public SwitchParameter NoBrowser { get; set; }

        public SwitchParameter UseDeviceCode { get; set; }

        public SwitchParameter ClientCredentials { get; set; }

        public string? PrivateKeyPath { get; set; }

        public int CallbackPort { get; set; }

        public int SignInTimeoutSec { get; set; } = 300;

        public McpCredentialStore? CredentialStore { get; set; }

        /// <summary>Returns true when any sign-in parameter was given (then a new session is made).</summary>
        public bool AnySpecified(IDictionary<string, object> bound)
        {
            foreach (string name in SignInNames)
            {
                if (bound.ContainsKey(name))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Parameter conflicts: terminating errors before any work.</summary>
        public void Validate(PSCmdlet cmdlet)
        {
            if (ClientSecret is not null && string.IsNullOrEmpty(ClientId))
            {
                Fail(cmdlet, "ClientSecretWithoutClientId", "-ClientSecret needs -ClientId: a secret belongs to a pre-registered client.");
            }

            if (ClientCredentials.IsPresent && ClientSecret is null && PrivateKeyPath is null)
            {
                Fail(cmdlet, "ClientCredentialsWithoutSecret", "-ClientCredentials needs -ClientSecret or -PrivateKeyPath to authenticate the client.");
            }

            if (ClientMetadataUrl is not null && (!ClientMetadataUrl.IsAbsoluteUri || ClientMetadataUrl.Scheme != Uri.UriSchemeHttps))
            {
                Fail(cmdlet, "InvalidClientMetadataUrl", "-ClientMetadataUrl must be an absolute https URL (it becomes the client_id).");
            }
        }

        public SignInOptions ToOptions()
        {
            AuthorizationMethod method = ClientCredentials.IsPresent ? AuthorizationMethod.ClientCredentials
                : UseDeviceCode.IsPresent ? AuthorizationMethod.DeviceCode
                : AuthorizationHandler is not null ? AuthorizationMethod.Handler
                : AuthorizationMethod.Browser;
            var options = new SignInOptions
            {
                Method = method,
                MethodChosen = ClientCredentials.IsPresent || UseDeviceCode.IsPresent || AuthorizationHandler is not null || NoBrowser.IsPresent,
                AuthorizationHandler = AuthorizationHandler,
                NoBrowser = NoBrowser.IsPresent,
                Scopes = Scopes,
                CallbackPort = CallbackPort,
                SignInTimeout = TimeSpan.FromSeconds(SignInTimeoutSec),
                Client = new ClientOptions
                {
                    ClientId = ClientId,
                    ClientSecret = SecureStrings.ToSecret(ClientSecret),
                    ClientMetadataUrl = ClientMetadataUrl,
                    TokenEndpointAuthMethod = TokenEndpointAuthMethod,
                    PrivateKeyPem = PrivateKeyPath is null ? null : SecureStrings.ReadKeyFile(PrivateKeyPath),
                },
                Store = CredentialStoreParameter.ToOptions(CredentialStore),
            };
            return options;
        }

        private static void Fail(PSCmdlet cmdlet, string id, string message)
            => cmdlet.ThrowTerminatingError(new ErrorRecord(new ArgumentException(message), id, ErrorCategory.InvalidArgument, null));
    }
}
