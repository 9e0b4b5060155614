using System.Management.Automation;
using McpAuth.Core;
using McpAuth.Core.Mcp;
using McpAuth.Core.Tokens;

namespace McpAuth.Commands
{
    /// <summary>
    /// Gets the access token for an MCP server: silently from memory or the credential store, refreshed
    /// before it expires. With -Scopes, requires those scopes (step-up with consent when missing).
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "McpToken", DefaultParameterSetName = UriSet)]
    [OutputType(typeof(McpAccessToken), typeof(string))]
    public sealed class GetMcpTokenCommand : McpServerFirstCmdletBase
    {
        /// <summary>Gets or sets scopes the token must have; missing ones are requested with consent.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Scopes { get; set; }

        /// <summary>Gets or sets a value indicating whether to refresh the token now, even when it is still valid.</summary>
        [Parameter]
        public SwitchParameter ForceRefresh { get; set; }

        /// <summary>Gets or sets a value indicating whether to return the token as a plain string instead of an object with a SecureString.</summary>
        [Parameter]
        public SwitchParameter AsPlainText { get; set; }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            TokenSet tokens;
            McpTarget target = Target(verify: true);
            string[]? scopes = Scopes;
            bool forceRefresh = ForceRefresh.IsPresent;
            try
            {
                tokens = RunEngineOfferingStore((callbacks, token) => McpOperations.GetTokenAsync(target, scopes, forceRefresh, new McpCallContext(callbacks), token));
            }
            catch (McpAuthException ex)
            {
                WriteEngineError(ex);
                return;
            }

            if (tokens.IsDpop)
            {
                WriteVerbose($"The token for {TargetUri} is DPoP-bound (RFC 9449): a server accepts it only with a DPoP proof signed by the key stored with the credential, which McpAuth's cmdlets make for each request.");
            }

            if (AsPlainText.IsPresent)
            {
                WriteObject(tokens.AccessToken.Reveal());
            }
            else
            {
                WriteObject(new McpAccessToken(TargetUri, tokens));
            }
        }
    }
}
