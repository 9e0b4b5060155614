using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Security;
using McpAuth.Core;
using McpAuth.Core.Http;
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

    /// <summary>The kind of identity assertion given to -IdentityAssertion.</summary>
    public enum McpIdentityAssertionType
    {
        /// <summary>Decide from its form: a JWT is an ID token, anything else a SAML 2 assertion.</summary>
        Auto,

        /// <summary>An OpenID Connect ID token (urn:ietf:params:oauth:token-type:id_token).</summary>
        IdToken,

        /// <summary>A SAML 2 assertion, base64url (urn:ietf:params:oauth:token-type:saml2).</summary>
        Saml2,
    }

    /// <summary>The sign-in parameters Connect-McpServer and Update-McpCredential share, and their checks.</summary>
    internal sealed class SignInParameters
    {
        public const string BrowserSet = "Browser";
        public const string HandlerSet = "AuthorizationHandler";
        public const string DeviceCodeSet = "DeviceCode";
        public const string ClientCredentialsSet = "ClientCredentials";
        public const string EnterpriseSet = "EnterpriseManaged";
        public const string WorkloadPathSet = "WorkloadIdentityPath";
        public const string WorkloadVariableSet = "WorkloadIdentityVariable";

        private static readonly string[] SignInNames =
        {
            "Scopes", "ClientId", "ClientSecret", "ClientMetadataUrl", "TokenEndpointAuthMethod", "AuthorizationHandler", "NoBrowser",
            "UseDeviceCode", "ClientCredentials", "PrivateKeyPath", "CallbackPort", "SignInTimeoutSec", "CredentialStore",
            "Account", "DPoP", "Resource", "OmitResource", "TrustedIssuer", "AuthorizationServer", "AuthorizationParameters",
            "IdentityProvider", "IdentityProviderClientId", "IdentityProviderClientSecret", "IdentityAssertion", "IdentityAssertionType",
            "WorkloadIdentityTokenPath", "WorkloadIdentityTokenVariable", "Proxy", "CertificateAuthorityPath",
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

        public string? Account { get; set; }

        public SwitchParameter? DPoP { get; set; }

        public string? Resource { get; set; }

        public SwitchParameter OmitResource { get; set; }

        public string? TrustedIssuer { get; set; }

        public Uri? AuthorizationServer { get; set; }

        public Hashtable? AuthorizationParameters { get; set; }

        public Uri? IdentityProvider { get; set; }

        public string? IdentityProviderClientId { get; set; }

        public SecureString? IdentityProviderClientSecret { get; set; }

        public SecureString? IdentityAssertion { get; set; }

        public McpIdentityAssertionType IdentityAssertionType { get; set; }

        public string? WorkloadIdentityTokenPath { get; set; }

        public string? WorkloadIdentityTokenVariable { get; set; }

        public Uri? Proxy { get; set; }

        public string? CertificateAuthorityPath { get; set; }

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

            if (Resource is not null && OmitResource.IsPresent)
            {
                Fail(cmdlet, "ResourceWithOmitResource", "-Resource sends another resource parameter and -OmitResource sends none; give one.");
            }

            if (Resource is not null && !Uri.TryCreate(Resource, UriKind.Absolute, out _))
            {
                Fail(cmdlet, "InvalidResource", "-Resource must be an absolute URI (RFC 8707), for example api://my-mcp-server or https://mcp.example.com.");
            }

            if (AuthorizationServer is not null && !AuthorizationServer.IsAbsoluteUri)
            {
                Fail(cmdlet, "InvalidAuthorizationServer", "-AuthorizationServer must be the absolute issuer URL of one of the authorization servers the MCP server names.");
            }

            try
            {
                ServerSettings.CheckAuthorizationParameters(ExtraParameters());
            }
            catch (ArgumentException ex)
            {
                Fail(cmdlet, "ReservedAuthorizationParameter", ex.Message + " Give -Scopes for scope, -Resource or -OmitResource for resource.");
            }

            if (IdentityAssertionType != McpIdentityAssertionType.Auto && IdentityAssertion is null)
            {
                Fail(cmdlet, "IdentityAssertionTypeWithoutAssertion", "-IdentityAssertionType describes -IdentityAssertion; give the assertion too.");
            }

            if (IdentityProvider is not null && (!IdentityProvider.IsAbsoluteUri || string.IsNullOrEmpty(IdentityProviderClientId)))
            {
                Fail(cmdlet, "IdentityProviderIncomplete", "-IdentityProvider needs the identity provider's absolute issuer URL and -IdentityProviderClientId, McpAuth's client id there.");
            }

            if (Proxy is not null && (!Proxy.IsAbsoluteUri || (Proxy.Scheme != Uri.UriSchemeHttp && Proxy.Scheme != Uri.UriSchemeHttps)))
            {
                Fail(cmdlet, "InvalidProxy", "-Proxy must be an absolute http or https URL, for example http://proxy.example.com:3128.");
            }
        }

        /// <summary>The proxy and certificate authorities to connect with; null for the environment's and the system's.</summary>
        public NetworkOptions? ToNetwork(PSCmdlet cmdlet) => Proxy is null && CertificateAuthorityPath is null
            ? null
            : new NetworkOptions { Proxy = Proxy, CertificateAuthorityPath = ResolvePath(cmdlet, CertificateAuthorityPath) };

        public SignInOptions ToOptions(PSCmdlet cmdlet)
        {
            bool workload = WorkloadIdentityTokenPath is not null || WorkloadIdentityTokenVariable is not null;
            AuthorizationMethod method = ClientCredentials.IsPresent ? AuthorizationMethod.ClientCredentials
                : UseDeviceCode.IsPresent ? AuthorizationMethod.DeviceCode
                : IdentityProvider is not null ? AuthorizationMethod.EnterpriseManaged
                : workload ? AuthorizationMethod.WorkloadIdentity
                : AuthorizationHandler is not null ? AuthorizationMethod.Handler
                : AuthorizationMethod.Browser;
            var options = new SignInOptions
            {
                Method = method,
                MethodChosen = ClientCredentials.IsPresent || UseDeviceCode.IsPresent || AuthorizationHandler is not null || NoBrowser.IsPresent || IdentityProvider is not null || workload,
                Account = Account,
                Settings = ToSettings(),
                Enterprise = IdentityProvider is null ? null : new EnterpriseOptions
                {
                    IdentityProvider = IdentityProvider,
                    ClientId = IdentityProviderClientId!,
                    ClientSecret = SecureStrings.ToSecret(IdentityProviderClientSecret),
                    Assertion = SecureStrings.ToSecret(IdentityAssertion),
                    AssertionType = IdentityAssertionType switch
                    {
                        McpIdentityAssertionType.IdToken => EnterpriseOptions.IdTokenType,
                        McpIdentityAssertionType.Saml2 => EnterpriseOptions.Saml2Type,
                        _ => null,
                    },
                },
                Workload = workload ? new WorkloadIdentityOptions { TokenPath = ResolvePath(cmdlet, WorkloadIdentityTokenPath), TokenVariable = WorkloadIdentityTokenVariable } : null,
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

        /// <summary>The server settings the parameters give; null when they give none (the stored ones are used).</summary>
        private ServerSettings? ToSettings()
        {
            var settings = new ServerSettings
            {
                Resource = Resource,
                OmitResource = OmitResource.IsPresent,
                TrustedIssuer = TrustedIssuer,
                AuthorizationServer = AuthorizationServer,
                AuthorizationParameters = ExtraParameters(),
                Dpop = DPoP is SwitchParameter dpop ? dpop.IsPresent : null,
            };
            return settings.IsDefault ? null : settings;
        }

        /// <summary>The -AuthorizationParameters hashtable as strings (values joined by spaces when a list).</summary>
        private IReadOnlyDictionary<string, string>? ExtraParameters()
        {
            if (AuthorizationParameters is null || AuthorizationParameters.Count == 0)
            {
                return null;
            }

            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (DictionaryEntry entry in AuthorizationParameters)
            {
                object? value = entry.Value is PSObject ps ? ps.BaseObject : entry.Value;
                result[Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty] = value is IEnumerable list && value is not string
                    ? string.Join(" ", list.Cast<object>().Select(v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)))
                    : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
            }

            return result;
        }

        /// <summary>A path as PowerShell resolves it (relative to the current location), so it is the same file in a later session.</summary>
        private static string? ResolvePath(PSCmdlet cmdlet, string? path) => path is null ? null : cmdlet.GetUnresolvedProviderPathFromPSPath(path);

        private static void Fail(PSCmdlet cmdlet, string id, string message)
            => cmdlet.ThrowTerminatingError(new ErrorRecord(new ArgumentException(message), id, ErrorCategory.InvalidArgument, null));
    }
}
