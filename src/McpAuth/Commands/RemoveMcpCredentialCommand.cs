using System;
using System.Management.Automation;
using McpAuth.Core;
using McpAuth.Core.Storage;
using McpAuth.Core.Tokens;

namespace McpAuth.Commands
{
    /// <summary>
    /// Removes a server's stored credential, revoking its tokens at the authorization server first when it
    /// offers RFC 7009 revocation. A damaged record is removed too.
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "McpCredential", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(void))]
    public sealed class RemoveMcpCredentialCommand : McpCmdletBase
    {
        /// <summary>Gets or sets the MCP server whose credential to remove.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("ServerUri")]
        [ValidateNotNull]
        [ArgumentCompleter(typeof(Completion.ServerUriCompleter))]
        public Uri Uri { get; set; } = null!;

        /// <summary>Gets or sets the issuer whose credential to remove; all issuers for the server when omitted.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? Issuer { get; set; }

        /// <summary>Gets or sets a value indicating whether to skip revoking the tokens at the authorization server.</summary>
        [Parameter]
        public SwitchParameter NoRevoke { get; set; }

        /// <summary>Gets or sets a value indicating whether to remove without asking for confirmation.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Gets or sets the credential store: Keychain (default), Memory or Plaintext.</summary>
        [Parameter]
        public McpCredentialStore? CredentialStore { get; set; }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            string target = Issuer is null ? Uri.ToString() : $"{Uri} ({Issuer})";
            string action = "Remove the stored credential" + (NoRevoke.IsPresent ? string.Empty : " and revoke its tokens");
            if (!ShouldRemove(target, action))
            {
                return;
            }

            CredentialStoreOptions options = CredentialStoreParameter.ToOptions(CredentialStore);
            try
            {
                RunEngine((callbacks, token) => CredentialManager.RemoveAsync(options, Uri, Issuer, !NoRevoke.IsPresent, callbacks, token));
            }
            catch (McpAuthException ex)
            {
                WriteEngineError(ex);
            }
        }

        // -WhatIf only reports; -Force skips the confirmation prompt.
        private bool ShouldRemove(string target, string action)
        {
            if (MyInvocation.BoundParameters.ContainsKey("WhatIf"))
            {
                ShouldProcess(target, action);
                return false;
            }

            return Force.IsPresent || ShouldProcess(target, action);
        }
    }
}
