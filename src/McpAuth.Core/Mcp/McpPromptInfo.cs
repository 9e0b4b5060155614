using System.Collections.Generic;
using System.Text.Json.Nodes;

namespace McpAuth.Core.Mcp
{
    /// <summary>A prompt as prompts/list describes it.</summary>
    public sealed class McpPromptInfo
    {
        private McpPromptInfo(string name, IReadOnlyList<McpPromptArgumentInfo> arguments)
        {
            Name = name;
            Arguments = arguments;
        }

        public string Name { get; }

        public string? Title { get; private set; }

        public string? Description { get; private set; }

        /// <summary>Gets the arguments the prompt takes, in order.</summary>
        public IReadOnlyList<McpPromptArgumentInfo> Arguments { get; }

        internal static McpPromptInfo? FromJson(JsonNode? node)
        {
            if (node is not JsonObject o || Json.Text(o["name"]) is not string name || name.Length == 0)
            {
                return null;
            }

            var arguments = new List<McpPromptArgumentInfo>();
            foreach (JsonNode? item in o["arguments"] as JsonArray ?? new JsonArray())
            {
                if (item is JsonObject a && Json.Text(a["name"]) is string argument && argument.Length > 0)
                {
                    arguments.Add(new McpPromptArgumentInfo(argument, Json.Text(a["title"]), Json.Text(a["description"]), Json.Flag(a["required"]) == true));
                }
            }

            return new McpPromptInfo(name, arguments) { Title = Json.Text(o["title"]), Description = Json.Text(o["description"]) };
        }
    }

    /// <summary>One argument of a prompt.</summary>
    public sealed class McpPromptArgumentInfo
    {
        internal McpPromptArgumentInfo(string name, string? title, string? description, bool required)
        {
            Name = name;
            Title = title;
            Description = description;
            Required = required;
        }

        public string Name { get; }

        public string? Title { get; }

        public string? Description { get; }

        public bool Required { get; }
    }

    /// <summary>The result of prompts/get: the description and the messages.</summary>
    public sealed class McpPromptResult
    {
        internal McpPromptResult(string? description, IReadOnlyList<McpPromptMessageInfo> messages)
        {
            Description = description;
            Messages = messages;
        }

        public string? Description { get; }

        public IReadOnlyList<McpPromptMessageInfo> Messages { get; }

        internal static McpPromptResult From(GetPromptResult result, string name)
        {
            var messages = new List<McpPromptMessageInfo>();
            List<JsonNode?> items = result.Messages ?? throw JsonRpcCodec.Malformed($"The server's prompts/get result for '{Http.ServerText.Sanitize(name, 128)}' has no messages array.", name, null);
            for (int i = 0; i < items.Count; i++)
            {
                JsonObject? message = items[i] as JsonObject;
                string where = $"prompts/get '{Http.ServerText.Sanitize(name, 128)}' message {i + 1}";
                string role = Json.Text(message?["role"]) ?? string.Empty;
                McpContentBlock content = message is null
                    ? McpContentBlock.Parse(null, where, name)
                    : McpContentBlock.Parse(message["content"], where, name);
                messages.Add(new McpPromptMessageInfo(Http.ServerText.Sanitize(role, 40), content));
            }

            return new McpPromptResult(result.Description, messages);
        }
    }

    /// <summary>One message of a prompt: the role (user or assistant) and one content block.</summary>
    public sealed class McpPromptMessageInfo
    {
        internal McpPromptMessageInfo(string role, McpContentBlock content)
        {
            Role = role;
            Content = content;
        }

        public string Role { get; }

        public McpContentBlock Content { get; }
    }
}
