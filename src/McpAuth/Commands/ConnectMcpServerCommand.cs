using System;
using System.Management.Automation;
using System.Security;
using McpAuth.Core;
using McpAuth.Core.Mcp;
using McpAuth.Core.Tokens;

namespace McpAuth.Commands
{
    /// <summary>
    /// Connects to an MCP server over the streamable HTTP transport and returns the connection. When the
    /// server is protected by OAuth, signs in (or uses the stored credential) and the same session calls
    /// tools at once. The connection is kept for this PowerShell process.
    /// </summary>
    [Cmdlet(VerbsCommunications.Connect, "McpServer", DefaultParameterSetName = SignInParameters.BrowserSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(McpServerConnection))]
    public sealed class ConnectMcpServerCommand : McpCmdletBase
    {
        private readonly SignInParameters signIn = new SignInParameters();

        /// <summary>Gets or sets the MCP endpoint URL, for example https://server.example.com/mcp.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("ServerUri")]
        [ValidateNotNull]
        [ArgumentCompleter(typeof(Completion.ServerUriCompleter))]
        public Uri Uri { get; set; } = null!;

        /// <summary>Gets or sets the seconds one HTTP request may take.</summary>
        [Parameter]
        [ValidateRange(1, 86400)]
        public int TimeoutSec { get; set; } = 100;

        /// <summary>Gets or sets a value indicating whether to start a new MCP session even when one is live.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Gets or sets the scopes to request; by default the server's challenge or its metadata decide.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Scopes { get => signIn.Scopes; set => signIn.Scopes = value; }

        /// <summary>Gets or sets a pre-registered OAuth client id; without one, a client ID metadata document or dynamic registration is used.</summary>
        [Parameter(ParameterSetName = SignInParameters.BrowserSet)]
        [Parameter(ParameterSetName = SignInParameters.HandlerSet)]
        [Parameter(ParameterSetName = SignInParameters.DeviceCodeSet)]
        [Parameter(ParameterSetName = SignInParameters.ClientCredentialsSet, Mandatory = true)]
        [Parameter(ParameterSetName = SignInParameters.EnterpriseSet)]
        [Parameter(ParameterSetName = SignInParameters.WorkloadPathSet)]
        [Parameter(ParameterSetName = SignInParameters.WorkloadVariableSet)]
        [ValidateNotNullOrEmpty]
        public string? ClientId { get => signIn.ClientId; set => signIn.ClientId = value; }

        /// <summary>Gets or sets the pre-registered client's secret.</summary>
        [Parameter]
        public SecureString? ClientSecret { get => signIn.ClientSecret; set => signIn.ClientSecret = value; }

        /// <summary>Gets or sets the https URL of this client's ID metadata document, used as client_id where the server supports it.</summary>
        [Parameter]
        public Uri? ClientMetadataUrl { get => signIn.ClientMetadataUrl; set => signIn.ClientMetadataUrl = value; }

        /// <summary>Gets or sets how a pre-registered client authenticates at the token endpoint; by default chosen from the server's metadata.</summary>
        [Parameter]
        [ValidateSet("none", "client_secret_basic", "client_secret_post", "private_key_jwt")]
        public string? TokenEndpointAuthMethod { get => signIn.TokenEndpointAuthMethod; set => signIn.TokenEndpointAuthMethod = value; }

        /// <summary>Gets or sets a script block that receives the authorization URL (as $_ and $args[0]), completes the consent, and may return the callback URL.</summary>
        [Parameter(ParameterSetName = SignInParameters.HandlerSet, Mandatory = true)]
        [Parameter(ParameterSetName = SignInParameters.EnterpriseSet)]
        public ScriptBlock? AuthorizationHandler { get => signIn.AuthorizationHandler; set => signIn.AuthorizationHandler = value; }

        /// <summary>Gets or sets a value indicating whether to print the sign-in URL instead of opening a browser, and accept a pasted callback URL.</summary>
        [Parameter(ParameterSetName = SignInParameters.BrowserSet)]
        [Parameter(ParameterSetName = SignInParameters.EnterpriseSet)]
        public SwitchParameter NoBrowser { get => signIn.NoBrowser; set => signIn.NoBrowser = value; }

        /// <summary>Gets or sets a value indicating whether to sign in with the device authorization grant (a code to enter on another device).</summary>
        [Parameter(ParameterSetName = SignInParameters.DeviceCodeSet, Mandatory = true)]
        public SwitchParameter UseDeviceCode { get => signIn.UseDeviceCode; set => signIn.UseDeviceCode = value; }

        /// <summary>Gets or sets a value indicating whether to authenticate as a machine identity with the client credentials grant.</summary>
        [Parameter(ParameterSetName = SignInParameters.ClientCredentialsSet, Mandatory = true)]
        public SwitchParameter ClientCredentials { get => signIn.ClientCredentials; set => signIn.ClientCredentials = value; }

        /// <summary>Gets or sets the path of a PEM private key for private_key_jwt client authentication.</summary>
        [Parameter(ParameterSetName = SignInParameters.ClientCredentialsSet)]
        [ValidateNotNullOrEmpty]
        public string? PrivateKeyPath { get => signIn.PrivateKeyPath; set => signIn.PrivateKeyPath = value; }

        /// <summary>Gets or sets the fixed port of the loopback redirect listener (http://127.0.0.1:PORT/callback); by default any free port.</summary>
        [Parameter(ParameterSetName = SignInParameters.BrowserSet)]
        [Parameter(ParameterSetName = SignInParameters.HandlerSet)]
        [Parameter(ParameterSetName = SignInParameters.EnterpriseSet)]
        [ValidateRange(1, 65535)]
        public int CallbackPort { get => signIn.CallbackPort; set => signIn.CallbackPort = value; }

        /// <summary>Gets or sets the seconds an interactive sign-in may take.</summary>
        [Parameter]
        [ValidateRange(5, 3600)]
        public int SignInTimeoutSec { get => signIn.SignInTimeoutSec; set => signIn.SignInTimeoutSec = value; }

        /// <summary>Gets or sets where credentials are kept: the OS keychain (default), Memory (this process only), or Plaintext (an unencrypted file; explicit opt-in).</summary>
        [Parameter]
        public McpCredentialStore? CredentialStore { get => signIn.CredentialStore; set => signIn.CredentialStore = value; }

        /// <summary>Gets or sets the account this credential is for, when one server has several (a name you choose; part of the stored credential's key).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Account { get => signIn.Account; set => signIn.Account = value; }

        /// <summary>Gets or sets a value indicating whether to use DPoP-bound tokens (RFC 9449): -DPoP always, -DPoP:$false never; by default when both servers say they do.</summary>
        [Parameter]
        public SwitchParameter DPoP { get => signIn.DPoP ?? default; set => signIn.DPoP = value; }

        /// <summary>Gets or sets the RFC 8707 resource parameter to send instead of the one discovered.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Resource { get => signIn.Resource; set => signIn.Resource = value; }

        /// <summary>Gets or sets a value indicating whether to send no resource parameter (Microsoft Entra ID rejects it: AADSTS9010010).</summary>
        [Parameter]
        public SwitchParameter OmitResource { get => signIn.OmitResource; set => signIn.OmitResource = value; }

        /// <summary>Gets or sets an issuer to accept although the authorization server's metadata is served for another one (stated in -Verbose).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? TrustedIssuer { get => signIn.TrustedIssuer; set => signIn.TrustedIssuer = value; }

        /// <summary>Gets or sets which of the authorization servers the MCP server names to sign in at; by default the first.</summary>
        [Parameter]
        [ValidateNotNull]
        public Uri? AuthorizationServer { get => signIn.AuthorizationServer; set => signIn.AuthorizationServer = value; }

        /// <summary>Gets or sets extra authorization request parameters, such as @{ login_hint = 'me@example.com'; acr_values = 'mfa' }.</summary>
        [Parameter]
        [ValidateNotNull]
        public System.Collections.Hashtable? AuthorizationParameters { get => signIn.AuthorizationParameters; set => signIn.AuthorizationParameters = value; }

        /// <summary>Gets or sets the organisation's identity provider (its issuer URL), for enterprise-managed authorization.</summary>
        [Parameter(ParameterSetName = SignInParameters.EnterpriseSet, Mandatory = true)]
        [ValidateNotNull]
        public Uri? IdentityProvider { get => signIn.IdentityProvider; set => signIn.IdentityProvider = value; }

        /// <summary>Gets or sets McpAuth's client id at the identity provider.</summary>
        [Parameter(ParameterSetName = SignInParameters.EnterpriseSet, Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string? IdentityProviderClientId { get => signIn.IdentityProviderClientId; set => signIn.IdentityProviderClientId = value; }

        /// <summary>Gets or sets the secret of McpAuth's client at the identity provider, when it has one.</summary>
        [Parameter(ParameterSetName = SignInParameters.EnterpriseSet)]
        public SecureString? IdentityProviderClientSecret { get => signIn.IdentityProviderClientSecret; set => signIn.IdentityProviderClientSecret = value; }

        /// <summary>Gets or sets the identity assertion (an ID token or a SAML assertion) to exchange; without it, McpAuth signs in at the identity provider.</summary>
        [Parameter(ParameterSetName = SignInParameters.EnterpriseSet)]
        public SecureString? IdentityAssertion { get => signIn.IdentityAssertion; set => signIn.IdentityAssertion = value; }

        /// <summary>Gets or sets what -IdentityAssertion is: IdToken, Saml2, or Auto (a JWT is an ID token).</summary>
        [Parameter(ParameterSetName = SignInParameters.EnterpriseSet)]
        public McpIdentityAssertionType IdentityAssertionType { get => signIn.IdentityAssertionType; set => signIn.IdentityAssertionType = value; }

        /// <summary>Gets or sets the file that holds the workload's identity token, read on every exchange (workload identity).</summary>
        [Parameter(ParameterSetName = SignInParameters.WorkloadPathSet, Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string? WorkloadIdentityTokenPath { get => signIn.WorkloadIdentityTokenPath; set => signIn.WorkloadIdentityTokenPath = value; }

        /// <summary>Gets or sets the environment variable that holds the workload's identity token, read on every exchange (workload identity).</summary>
        [Parameter(ParameterSetName = SignInParameters.WorkloadVariableSet, Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string? WorkloadIdentityTokenVariable { get => signIn.WorkloadIdentityTokenVariable; set => signIn.WorkloadIdentityTokenVariable = value; }

        /// <summary>Gets or sets the HTTP proxy for this connection; by default the environment's (HTTPS_PROXY, HTTP_PROXY, NO_PROXY) or the system's.</summary>
        [Parameter]
        [ValidateNotNull]
        public Uri? Proxy { get => signIn.Proxy; set => signIn.Proxy = value; }

        /// <summary>Gets or sets a PEM file of certificate authorities to trust besides the system's (a TLS-inspecting proxy, a private PKI).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? CertificateAuthorityPath { get => signIn.CertificateAuthorityPath; set => signIn.CertificateAuthorityPath = value; }

        /// <inheritdoc/>
        protected override void BeginProcessing()
        {
            signIn.Validate(this);
        }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            string store = CredentialStore?.ToString() ?? "the default credential store";
            if (!ShouldProcess(Uri.ToString(), $"Connect, and sign in if the server requires it (the credential is kept in {store})"))
            {
                return;
            }

            try
            {
                var options = new McpConnectOptions
                {
                    Timeout = TimeSpan.FromSeconds(TimeoutSec),
                    ForceNew = Force.IsPresent || signIn.AnySpecified(MyInvocation.BoundParameters),
                    Verify = true,
                    SignIn = signIn.ToOptions(this),
                    Network = signIn.ToNetwork(this),
                };
                Uri server = Uri;
                string? level = Preferences.ServerLogLevel;
                McpConnection connection = RunEngineOfferingStore((callbacks, token) =>
                    McpConnectionRegistry.ConnectAsync(server, options, new McpCallContext(callbacks) { LogLevel = level }, token));
                WriteObject(new McpServerConnection(connection));
            }
            catch (McpAuthException ex)
            {
                WriteEngineError(ex);
            }
        }
    }
}
