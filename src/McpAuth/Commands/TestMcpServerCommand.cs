using System;
using System.Management.Automation;
using McpAuth.Core;
using McpAuth.Core.Mcp;
using McpAuth.Core.Storage;

namespace McpAuth.Commands
{
    /// <summary>
    /// Checks an MCP server for an ops check or a Pester test: is it reachable, which protocol version does it
    /// speak, does it require a token, who issues it, can a stored credential be used without a person, how
    /// many tools does it list, how long does a round trip take, and what did discovery do. It never starts
    /// a sign-in and never prompts. -Quiet returns only $true or $false.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "McpServer")]
    [OutputType(typeof(McpServerTestResult), typeof(bool))]
    public sealed class TestMcpServerCommand : McpCmdletBase
    {
        /// <summary>Gets or sets the MCP endpoint URLs to test (a connection object binds by its ServerUri).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("ServerUri")]
        [ValidateNotNull]
        [ArgumentCompleter(typeof(Completion.ServerUriCompleter))]
        public Uri[] Uri { get; set; } = null!;

        /// <summary>Gets or sets a tool to call once; its result is part of the check.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.ToolNameCompleter))]
        public string? Tool { get; set; }

        /// <summary>Gets or sets the tool's arguments: a hashtable or an object with properties.</summary>
        [Parameter]
        [Alias("Args")]
        public object? Arguments { get; set; }

        /// <summary>Gets or sets a value indicating whether to return only $true (healthy) or $false.</summary>
        [Parameter]
        public SwitchParameter Quiet { get; set; }

        /// <summary>Gets or sets the seconds one HTTP request may take.</summary>
        [Parameter]
        [ValidateRange(1, 86400)]
        public int TimeoutSec { get; set; } = 30;

        /// <summary>Gets or sets the credential store to look for a stored credential in: Keychain (default), Memory or Plaintext.</summary>
        [Parameter]
        public McpCredentialStore? CredentialStore { get; set; }

        /// <inheritdoc/>
        protected override bool MayPrompt => false;

        /// <inheritdoc/>
        protected override void BeginProcessing()
        {
            if (Arguments is not null && Tool is null)
            {
                ThrowTerminatingError(ErrorMapper.ParameterError("ArgumentsWithoutTool", "-Arguments needs -Tool, the tool to call with them.", null));
            }
        }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            foreach (Uri uri in Uri)
            {
                Test(uri);
            }
        }

        private void Test(Uri uri)
        {
            Uri server;
            object? arguments;
            try
            {
                server = McpConnectionRegistry.Normalize(uri);
                arguments = Tool is null ? null : JsonConversion.ToArguments(Arguments);
            }
            catch (McpAuthException ex)
            {
                WriteEngineError(ex);
                return;
            }

            CredentialStoreOptions store = CredentialStoreParameter.ToOptions(CredentialStore);
            var result = new McpServerTestResult(RunEngine((callbacks, token) =>
                ServerProbe.RunAsync(server, TimeSpan.FromSeconds(TimeoutSec), store, Tool, arguments, callbacks, token)));
            if (result.ErrorId is not null)
            {
                WriteVerbose($"{server}: {result.ErrorId}: {result.Error}");
            }

            WriteObject(Quiet.IsPresent ? result.Healthy : result);
        }
    }
}
