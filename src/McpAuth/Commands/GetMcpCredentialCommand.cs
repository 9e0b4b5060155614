using System;
using System.Collections.Generic;
using System.Management.Automation;
using McpAuth.Core;
using McpAuth.Core.Storage;
using McpAuth.Core.Tokens;

namespace McpAuth.Commands
{
    /// <summary>
    /// Lists stored credentials: server, issuer, account, client, scopes and expiry, never a secret. Without
    /// -CredentialStore it lists the default store and this session's memory store, and each credential says
    /// which store it came from; a default store that cannot be read is reported after the memory store's.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "McpCredential")]
    [OutputType(typeof(McpCredentialInfo))]
    public sealed class GetMcpCredentialCommand : McpCmdletBase
    {
        /// <summary>Gets or sets the MCP server whose credentials to list; all when omitted.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("ServerUri")]
        [ArgumentCompleter(typeof(Completion.ServerUriCompleter))]
        public Uri? Uri { get; set; }

        /// <summary>Gets or sets the only credential store to read: Keychain, Memory or Plaintext; by default the default store and the memory store.</summary>
        [Parameter]
        public McpCredentialStore? CredentialStore { get; set; }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            var stores = new List<CredentialStoreOptions> { CredentialStoreParameter.ToOptions(CredentialStore) };
            if (CredentialStore is null && StoreChoice.DefaultKind() != CredentialStoreKind.Memory)
            {
                stores.Add(CredentialStoreParameter.ToOptions(McpCredentialStore.Memory));
            }

            McpAuthException? failure = null;
            for (int i = stores.Count - 1; i >= 0; i--)
            {
                // The memory store first: it cannot fail, and its credentials show even when the keychain cannot be read.
                CredentialStoreOptions options = stores[i];
                try
                {
                    CredentialListing records = RunEngine((callbacks, token) => CredentialManager.ListAsync(options, Uri, callbacks, token));
                    foreach (CredentialRecord record in records)
                    {
                        WriteObject(new McpCredentialInfo(record, records.Location, CredentialStoreParameter.FromKind(records.StoreKind)));
                    }
                }
                catch (McpAuthException ex)
                {
                    failure = ex;
                }
            }

            if (failure is not null)
            {
                WriteEngineError(failure);
            }
        }
    }
}
