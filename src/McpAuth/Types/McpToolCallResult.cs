using System;
using System.Linq;
using McpAuth.Core.Mcp;

namespace McpAuth
{
    /// <summary>The whole result of a tool call, as Invoke-McpTool -Raw returns it.</summary>
    public sealed class McpToolCallResult
    {
        internal McpToolCallResult(string name, Uri serverUri, McpToolResult result)
        {
            Name = name;
            ServerUri = serverUri;
            IsError = result.IsError;
            Text = result.Text;
            Content = result.Blocks.Select((block, i) => McpContent.From(block, serverUri, $"{name}-{i + 1}")).Where(c => c is not null).ToArray();
            StructuredContent = JsonConversion.ToPowerShell(result.StructuredData);
        }

        /// <summary>Gets the tool's name.</summary>
        public string Name { get; }

        /// <summary>Gets the server the tool ran on.</summary>
        public Uri ServerUri { get; }

        /// <summary>Gets a value indicating whether the tool reported an error.</summary>
        public bool IsError { get; }

        /// <summary>Gets the text of all text content blocks.</summary>
        public string Text { get; }

        /// <summary>Gets every content block as an object: text, image, audio (bytes), resource link, embedded resource.</summary>
        public McpContent?[] Content { get; }

        /// <summary>Gets the structured content, if the tool returned any.</summary>
        public object? StructuredContent { get; }
    }
}
