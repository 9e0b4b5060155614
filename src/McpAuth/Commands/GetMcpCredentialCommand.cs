using System;
using System.Management.Automation;
using McpAuth.Core;
using McpAuth.Core.Storage;
using McpAuth.Core.Tokens;

namespace McpAuth.Commands
{
    /// <summary>Lists stored credentials: server, issuer, account, client, scopes and expiry, never a secret.</summary>
    [Cmdlet(VerbsCommon.Get, "McpCredential")]
    [OutputType(typeof(McpCredentialInfo))]
    public sealed class GetMcpCredentialCommand : McpCmdletBase
    {
        /// <summary>Gets or sets the MCP server whose credentials to list; all when omitted.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("ServerUri")]
        [ArgumentCompleter(typeof(Completion.ServerUriCompleter))]
        public Uri? Uri { get; set; }

        /// <summary>Gets or sets the credential store to read: Keychain (default), Memory or Plaintext.</summary>
        [Parameter]
        public McpCredentialStore? CredentialStore { get; set; }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            CredentialStoreOptions options = CredentialStoreParameter.ToOptions(CredentialStore);
            try
            {
                CredentialListing records = RunEngine((callbacks, token) => CredentialManager.ListAsync(options, Uri, callbacks, token));
                foreach (CredentialRecord record in records)
                {
                    WriteObject(new McpCredentialInfo(record, records.Location));
                }
            }
            catch (McpAuthException ex)
            {
                WriteEngineError(ex);
            }
        }
    }
}
