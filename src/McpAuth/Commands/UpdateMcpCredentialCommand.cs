using System;
using System.Management.Automation;
using System.Security;
using McpAuth.Core;
using McpAuth.Core.Mcp;
using McpAuth.Core.Registration;
using McpAuth.Core.Storage;
using McpAuth.Core.Tokens;

namespace McpAuth.Commands
{
    /// <summary>
    /// Changes a server's credential: refresh it now, add scopes (step-up with consent), switch to a
    /// pre-registered client, revoke its tokens, or remove it. Re-authorization uses the way the connection
    /// signed in (browser, -AuthorizationHandler, device code, client credentials) unless told otherwise.
    /// </summary>
    [Cmdlet(VerbsData.Update, "McpCredential", SupportsShouldProcess = true, DefaultParameterSetName = RefreshSet)]
    [OutputType(typeof(McpServerConnection))]
    public sealed class UpdateMcpCredentialCommand : McpCmdletBase
    {
        private const string RefreshSet = "Refresh";
        private const string ScopesSet = "Scopes";
        private const string ClientSet = "Client";
        private const string RevokeSet = "Revoke";
        private const string RemoveSet = "Remove";

        /// <summary>Gets or sets the MCP server whose credential to change (a connection object binds by its ServerUri).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("ServerUri")]
        [ValidateNotNull]
        public Uri Uri { get; set; } = null!;

        /// <summary>Gets or sets a value indicating whether to refresh the access token now (the default action).</summary>
        [Parameter(ParameterSetName = RefreshSet)]
        public SwitchParameter Refresh { get; set; }

        /// <summary>Gets or sets scopes to add: missing ones are requested with a new consent (step-up).</summary>
        [Parameter(ParameterSetName = ScopesSet, Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string[]? Scopes { get; set; }

        /// <summary>Gets or sets a pre-registered client id to switch to; signs in again with it.</summary>
        [Parameter(ParameterSetName = ClientSet, Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string? ClientId { get; set; }

        /// <summary>Gets or sets the pre-registered client's secret.</summary>
        [Parameter(ParameterSetName = ClientSet)]
        public SecureString? ClientSecret { get; set; }

        /// <summary>Gets or sets how the pre-registered client authenticates at the token endpoint.</summary>
        [Parameter(ParameterSetName = ClientSet)]
        [ValidateSet("none", "client_secret_basic", "client_secret_post", "private_key_jwt")]
        public string? TokenEndpointAuthMethod { get; set; }

        /// <summary>Gets or sets a value indicating whether to revoke the tokens at the authorization server and forget them (the client identity is kept).</summary>
        [Parameter(ParameterSetName = RevokeSet, Mandatory = true)]
        public SwitchParameter Revoke { get; set; }

        /// <summary>Gets or sets a value indicating whether to remove the stored credential (revoking its tokens first).</summary>
        [Parameter(ParameterSetName = RemoveSet, Mandatory = true)]
        public SwitchParameter Remove { get; set; }

        /// <summary>Gets or sets a script block that completes a re-authorization (see Connect-McpServer -AuthorizationHandler).</summary>
        [Parameter(ParameterSetName = RefreshSet)]
        [Parameter(ParameterSetName = ScopesSet)]
        [Parameter(ParameterSetName = ClientSet)]
        public ScriptBlock? AuthorizationHandler { get; set; }

        /// <summary>Gets or sets a value indicating whether a re-authorization uses the device authorization grant.</summary>
        [Parameter(ParameterSetName = RefreshSet)]
        [Parameter(ParameterSetName = ScopesSet)]
        [Parameter(ParameterSetName = ClientSet)]
        public SwitchParameter UseDeviceCode { get; set; }

        /// <summary>Gets or sets where credentials are kept: Keychain (default), Memory or Plaintext.</summary>
        [Parameter]
        public McpCredentialStore? CredentialStore { get; set; }

        /// <summary>Gets or sets the seconds one HTTP request may take.</summary>
        [Parameter]
        [ValidateRange(1, 86400)]
        public int TimeoutSec { get; set; } = 100;

        /// <summary>Gets or sets a value indicating whether to return the updated connection.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <inheritdoc/>
        protected override void BeginProcessing()
        {
            if (AuthorizationHandler is not null && UseDeviceCode.IsPresent)
            {
                ThrowTerminatingError(ErrorMapper.ParameterError("AuthorizationHandlerWithDeviceCode", "-AuthorizationHandler and -UseDeviceCode are two ways to authorize; give one.", null));
            }

            if (ClientSecret is not null && string.IsNullOrEmpty(ClientId))
            {
                ThrowTerminatingError(ErrorMapper.ParameterError("ClientSecretWithoutClientId", "-ClientSecret needs -ClientId.", null));
            }
        }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            string action = ParameterSetName switch
            {
                ScopesSet => "Request the scopes '" + string.Join(" ", Scopes!) + "' (re-consent)",
                ClientSet => "Sign in again with the pre-registered client " + ClientId,
                RevokeSet => "Revoke the tokens at the authorization server and forget them",
                RemoveSet => "Remove the stored credential and revoke its tokens",
                _ => "Refresh the access token",
            };
            if (!ShouldProcess(Uri.ToString(), action))
            {
                return;
            }

            CredentialStoreOptions store = CredentialStoreParameter.ToOptions(CredentialStore);
            Uri server = Uri;
            try
            {
                McpConnection? connection;
                if (ParameterSetName == RemoveSet)
                {
                    connection = RunEngineOfferingStore((callbacks, token) => McpOperations.RemoveCredentialAsync(server, store, callbacks, token));
                }
                else
                {
                    var target = new McpTarget(null, server, new McpConnectOptions { Timeout = TimeSpan.FromSeconds(TimeoutSec), Verify = true, SignIn = new SignInOptions { Store = store } });
                    CredentialChange change = Change();
                    connection = RunEngineOfferingStore((callbacks, token) => McpOperations.ChangeCredentialAsync(target, change, new McpCallContext(callbacks), token));
                }

                if (PassThru.IsPresent && connection is not null)
                {
                    WriteObject(new McpServerConnection(connection));
                }
            }
            catch (McpAuthException ex)
            {
                WriteEngineError(ex);
            }
        }

        private CredentialChange Change()
        {
            CredentialChange change = ParameterSetName switch
            {
                ScopesSet => CredentialChange.AddScopes(Scopes!),
                ClientSet => CredentialChange.SwitchClient(new ClientOptions
                {
                    ClientId = ClientId,
                    ClientSecret = SecureStrings.ToSecret(ClientSecret),
                    TokenEndpointAuthMethod = TokenEndpointAuthMethod,
                }),
                RevokeSet => CredentialChange.Revoke(),
                _ => CredentialChange.Refresh(),
            };

            // An explicit way to authorize is used for any sign-in this change needs.
            return AuthorizationHandler is not null ? change.AuthorizingWith(AuthorizationMethod.Handler, AuthorizationHandler)
                : UseDeviceCode.IsPresent ? change.AuthorizingWith(AuthorizationMethod.DeviceCode)
                : change;
        }
    }
}
