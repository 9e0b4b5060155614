using System.Management.Automation;
using McpAuth.Core;
using McpAuth.Core.Storage;
using McpAuth.Core.Tokens;

namespace McpAuth.Commands
{
    /// <summary>Deletes every stored McpAuth credential. It works even when the stored data is damaged.</summary>
    [Cmdlet(VerbsCommon.Reset, "McpCredentialStore", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(void))]
    public sealed class ResetMcpCredentialStoreCommand : McpCmdletBase
    {
        /// <summary>Gets or sets a value indicating whether to reset without asking for confirmation.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Gets or sets the credential store to reset: Keychain (default), Memory or Plaintext.</summary>
        [Parameter]
        public McpCredentialStore? CredentialStore { get; set; }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            CredentialStoreOptions options = CredentialStoreParameter.ToOptions(CredentialStore);
            const string Target = "McpAuth credential store";
            const string Action = "Delete every stored credential";
            if (MyInvocation.BoundParameters.ContainsKey("WhatIf"))
            {
                ShouldProcess(Target, Action);
                return;
            }

            if (!Force.IsPresent && !ShouldProcess(Target, Action))
            {
                return;
            }

            try
            {
                RunEngine((callbacks, token) => CredentialManager.ResetAsync(options, callbacks, token));
            }
            catch (McpAuthException ex)
            {
                WriteEngineError(ex);
            }
        }
    }
}
