using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using McpAuth.Core;
using McpAuth.Core.Mcp;

namespace McpAuth.Commands
{
    /// <summary>
    /// Reads a resource (resources/read): text contents come out as strings, blobs as bytes (byte[]), or with
    /// -Raw as McpResourceContents objects; -OutFile and -OutDirectory write them to files instead. A URI
    /// template (from Get-McpResource -Template) is expanded with -Arguments first. Takes ServerUri and
    /// ResourceUri from the pipeline: from Get-McpResource, Watch-McpResource, and the resource links and
    /// embedded resources a tool returns.
    /// </summary>
    [Cmdlet(VerbsCommunications.Read, "McpResource", DefaultParameterSetName = UriSet)]
    [OutputType(typeof(string), typeof(byte[]), typeof(McpResourceContents), typeof(FileInfo))]
    public sealed class ReadMcpResourceCommand : McpServerFirstCmdletBase
    {
        /// <summary>Gets or sets the URI of the resource to read (or a URI template, with -Arguments).</summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [Alias("UriTemplate")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.ResourceCompleter))]
        public string ResourceUri { get; set; } = null!;

        /// <summary>Gets or sets the values of the URI template's variables (a hashtable); -ResourceUri is then a template.</summary>
        [Parameter]
        [ArgumentCompleter(typeof(Completion.ToolArgumentsCompleter))]
        public object? Arguments { get; set; }

        /// <summary>Gets or sets the file to write the contents to (one content only).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? OutFile { get; set; }

        /// <summary>Gets or sets the folder to write each content to, named after the resource.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? OutDirectory { get; set; }

        /// <summary>Gets or sets a value indicating whether to return McpResourceContents objects (URI, MIME type, text or bytes).</summary>
        [Parameter]
        public SwitchParameter Raw { get; set; }

        private readonly ContentFiles files = new ContentFiles();

        /// <inheritdoc/>
        protected override void BeginProcessing()
        {
            if (OutFile is not null && OutDirectory is not null)
            {
                ThrowTerminatingError(ErrorMapper.ParameterError("OutFileAndOutDirectory", "Use -OutFile or -OutDirectory, not both.", OutFile));
            }
        }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            Uri server = TargetUri;
            string uri;
            try
            {
                uri = ResourceUris.Resolve(ResourceUri, Arguments);
            }
            catch (McpAuthException ex)
            {
                WriteEngineError(ex);
                return;
            }

            if (!TryRunOnTarget((target, context, token) => McpOperations.ReadResourceAsync(target, uri, context, token), out IReadOnlyList<McpContentBlock> contents))
            {
                return;
            }

            if (OutFile is not null && contents.Count != 1)
            {
                WriteError(ErrorMapper.ParameterError("OutFileNeedsOneContent", $"The resource '{uri}' has {contents.Count} contents; -OutFile writes one. Use -OutDirectory.", uri));
                return;
            }

            foreach (McpContentBlock block in contents)
            {
                if (block.Error is McpAuthException malformed)
                {
                    WriteEngineError(malformed);
                    continue;
                }

                var item = new McpResourceContents(block, server);
                if (OutFile is not null)
                {
                    string path = GetUnresolvedProviderPathFromPSPath(OutFile);
                    WriteContentFile(path, () => ContentFiles.WriteTo(path, Bytes(item)));
                }
                else if (OutDirectory is not null)
                {
                    string folder = GetUnresolvedProviderPathFromPSPath(OutDirectory);
                    WriteContentFile(System.IO.Path.Combine(folder, item.FileName), () => files.Write(folder, item.FileName, Bytes(item)));
                }
                else if (Raw.IsPresent)
                {
                    WriteObject(item);
                }
                else
                {
                    WriteObject(item.IsBinary ? item.Bytes : item.Text, enumerateCollection: false);
                }
            }
        }

        private static byte[] Bytes(McpResourceContents item) => item.Bytes ?? ContentFiles.TextBytes(item.Text ?? string.Empty);
    }
}
