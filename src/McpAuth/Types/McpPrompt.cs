using System;
using System.Linq;
using McpAuth.Core.Mcp;

namespace McpAuth
{
    /// <summary>A prompt an MCP server offers, as Get-McpPrompt returns it. Pipe it to Get-McpPromptMessage.</summary>
    public sealed class McpPrompt
    {
        internal McpPrompt(Uri serverUri, McpPromptInfo info)
        {
            ServerUri = serverUri;
            Name = info.Name;
            Title = info.Title;
            Description = info.Description;
            Arguments = info.Arguments.Select(a => new McpPromptArgument(a)).ToArray();
        }

        /// <summary>Gets the MCP endpoint that offers the prompt.</summary>
        public Uri ServerUri { get; }

        public string Name { get; }

        public string? Title { get; }

        public string? Description { get; }

        /// <summary>Gets the prompt's arguments (the keys Get-McpPromptMessage -Arguments takes).</summary>
        public McpPromptArgument[] Arguments { get; }

        public override string ToString() => Name;
    }

    /// <summary>One argument of a prompt.</summary>
    public sealed class McpPromptArgument
    {
        internal McpPromptArgument(McpPromptArgumentInfo info)
        {
            Name = info.Name;
            Title = info.Title;
            Description = info.Description;
            Required = info.Required;
        }

        public string Name { get; }

        public string? Title { get; }

        public string? Description { get; }

        public bool Required { get; }

        public override string ToString() => Required ? Name : "[" + Name + "]";
    }

    /// <summary>One message of a prompt (prompts/get), as Get-McpPromptMessage returns it.</summary>
    public sealed class McpPromptMessage
    {
        internal McpPromptMessage(Uri serverUri, string promptName, string? description, string role, McpContent content)
        {
            ServerUri = serverUri;
            PromptName = promptName;
            Description = description;
            Role = role;
            Content = content;
        }

        /// <summary>Gets the server the prompt came from.</summary>
        public Uri ServerUri { get; }

        /// <summary>Gets the prompt's name.</summary>
        public string PromptName { get; }

        /// <summary>Gets the description the server gave the prompt's result, if any.</summary>
        public string? Description { get; }

        /// <summary>Gets who speaks: user or assistant.</summary>
        public string Role { get; }

        /// <summary>Gets the message's content: text, an image, audio, a resource link or an embedded resource.</summary>
        public McpContent Content { get; }

        /// <summary>Gets the content's type (text, image, audio, resource_link, resource).</summary>
        public string Type => Content.Type;

        /// <summary>Gets the text of a text message (or an embedded text resource), else null.</summary>
        public string? Text => Content switch
        {
            McpTextContent text => text.Text,
            McpResourceContents resource => resource.Text,
            _ => null,
        };

        public override string ToString() => $"{Role}: {Content}";
    }
}
