using System.IO;
using System.Management.Automation;

namespace McpAuth.Commands
{
    /// <summary>
    /// Writes content that came from an MCP server to files: the images and audio Invoke-McpTool returns, the
    /// embedded resources of tool results and prompt messages, Read-McpResource -Raw contents, and the content of
    /// McpPromptMessage objects. Each file gets a sensible name (the resource's name, or the tool or prompt and
    /// the block's number, with an extension for its MIME type); the files come out as FileInfo objects.
    /// </summary>
    [Cmdlet(VerbsData.Save, "McpContent", DefaultParameterSetName = DirectorySet, SupportsShouldProcess = true)]
    [OutputType(typeof(FileInfo))]
    public sealed class SaveMcpContentCommand : McpCmdletBase
    {
        private const string DirectorySet = "Directory";
        private const string PathSet = "Path";

        private readonly ContentFiles files = new ContentFiles();
        private int written;

        /// <summary>Gets or sets the content to save (from the pipeline): McpContent objects, or McpPromptMessage objects.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        [AllowNull]
        public object? InputObject { get; set; }

        /// <summary>Gets or sets the folder to write the files to (created when missing).</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = DirectorySet)]
        [ValidateNotNullOrEmpty]
        public string OutDirectory { get; set; } = null!;

        /// <summary>Gets or sets the one file to write (for a single content).</summary>
        [Parameter(Mandatory = true, ParameterSetName = PathSet)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = null!;

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            object? item = InputObject is PSObject wrapped ? wrapped.BaseObject : InputObject;
            if (item is McpPromptMessage message)
            {
                item = message.Content;
            }

            switch (item)
            {
                case null:
                    return;
                case string:
                    WriteVerbose("Skipped a string: text a tool returned is output as it is; redirect it to a file with Set-Content or Out-File.");
                    return;
                case McpResourceLink link:
                    WriteWarning($"Skipped the resource link '{link.ResourceUri}': a link has no contents to save. Pipe it to Read-McpResource -OutDirectory, which reads the resource and saves it.");
                    return;
                case McpContent content when ContentFiles.Savable(content) is (string name, byte[] bytes):
                    Save(name, bytes);
                    return;
                default:
                    WriteError(new ErrorRecord(
                        new PSArgumentException($"Save-McpContent saves MCP content (images, audio, embedded resources, resource contents, prompt messages), not {item.GetType().Name}."),
                        "NotMcpContent",
                        ErrorCategory.InvalidArgument,
                        item));
                    return;
            }
        }

        private void Save(string name, byte[] bytes)
        {
            if (ParameterSetName == PathSet)
            {
                string path = GetUnresolvedProviderPathFromPSPath(Path);
                if (written++ > 0)
                {
                    WriteError(new ErrorRecord(new PSArgumentException($"-Path writes one content, and more than one came; use -OutDirectory. '{name}' was not saved."), "PathTakesOneContent", ErrorCategory.InvalidArgument, name));
                    return;
                }

                if (ShouldProcess(path, "Save MCP content"))
                {
                    WriteContentFile(path, () => ContentFiles.WriteTo(path, bytes));
                }

                return;
            }

            string folder = GetUnresolvedProviderPathFromPSPath(OutDirectory);
            if (ShouldProcess(System.IO.Path.Combine(folder, name), "Save MCP content"))
            {
                WriteContentFile(System.IO.Path.Combine(folder, name), () => files.Write(folder, name, bytes));
            }
        }
    }
}
