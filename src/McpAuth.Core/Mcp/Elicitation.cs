using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;

namespace McpAuth.Core.Mcp
{
    /// <summary>
    /// A server's elicitation/create request. Form mode: a message and a flat JSON schema, whose fields the
    /// host asks for. URL mode: a message naming a page the server wants the user to open, and no fields;
    /// accepting is consent to open it.
    /// </summary>
    public sealed class ElicitationRequest
    {
        internal ElicitationRequest(string message, IReadOnlyList<ElicitationField> fields, JsonObject? requestedSchema)
        {
            Message = message;
            Fields = fields;
            RequestedSchema = requestedSchema;
        }

        public string Message { get; }

        /// <summary>Gets the mode: form (fields to fill in) or url (consent to open <see cref="Url"/>).</summary>
        public string Mode { get; internal set; } = "form";

        /// <summary>Gets the page a URL-mode request asks the user to open.</summary>
        public Uri? Url { get; internal set; }

        /// <summary>Gets the fields to ask for, in schema order.</summary>
        public IReadOnlyList<ElicitationField> Fields { get; }

        internal JsonObject? RequestedSchema { get; }
    }

    /// <summary>One primitive field of an elicitation form.</summary>
    public sealed class ElicitationField
    {
        public ElicitationField(string name, string type, bool required)
        {
            Name = name;
            Type = type;
            Required = required;
        }

        public string Name { get; }

        /// <summary>Gets the JSON schema type: string, number, integer or boolean.</summary>
        public string Type { get; }

        public bool Required { get; }

        public string? Title { get; set; }

        public string? Description { get; set; }

        /// <summary>Gets or sets the schema default as plain .NET data (string, bool, long, double), applied when the user gives no answer.</summary>
        public object? Default { get; set; }

        /// <summary>Gets or sets the allowed values when the schema has an enum.</summary>
        public IReadOnlyList<string>? Enum { get; set; }
    }

    /// <summary>The answer to an elicitation: accept (with content), decline or cancel.</summary>
    public sealed class ElicitationResult
    {
        private ElicitationResult(string action, IReadOnlyDictionary<string, object?>? content)
        {
            Action = action;
            Content = content;
        }

        /// <summary>Gets accept, decline or cancel.</summary>
        public string Action { get; }

        /// <summary>Gets the answers by field name (string, bool, long or double values).</summary>
        public IReadOnlyDictionary<string, object?>? Content { get; }

        public static ElicitationResult Accept(IReadOnlyDictionary<string, object?> content) => new ElicitationResult("accept", content ?? throw new ArgumentNullException(nameof(content)));

        public static ElicitationResult Decline() => new ElicitationResult("decline", null);

        public static ElicitationResult Cancel() => new ElicitationResult("cancel", null);
    }
}
