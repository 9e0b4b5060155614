using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using McpAuth.Core.Mcp;

namespace McpAuth
{
    /// <summary>Prompts through the PowerShell host (never System.Console).</summary>
    internal static class HostPrompts
    {
        /// <summary>Asks for an elicitation form's fields; an empty answer takes the schema default.</summary>
        public static ElicitationResult Elicit(PSHost host, ElicitationRequest request)
        {
            if (host?.UI is null)
            {
                return ElicitationResult.Decline();
            }

            var descriptions = new Collection<FieldDescription>();
            foreach (ElicitationField field in request.Fields)
            {
                var description = new FieldDescription(field.Name)
                {
                    Label = field.Title ?? field.Name,
                    HelpMessage = field.Description ?? string.Empty,
                    IsMandatory = false,
                };
                if (field.Default is not null)
                {
                    description.DefaultValue = new PSObject(System.Convert.ToString(field.Default, CultureInfo.InvariantCulture));
                }

                description.SetParameterType(typeof(string));
                descriptions.Add(description);
            }

            Dictionary<string, PSObject>? answers;
            try
            {
                answers = host.UI.Prompt("The MCP server asks for input", request.Message, descriptions);
            }
            catch (PromptingException)
            {
                return ElicitationResult.Cancel();
            }
            catch (NotImplementedException)
            {
                return ElicitationResult.Decline();
            }

            if (answers is null)
            {
                return ElicitationResult.Cancel();
            }

            var content = new Dictionary<string, object?>();
            foreach (ElicitationField field in request.Fields)
            {
                string? text = answers.TryGetValue(field.Name, out PSObject? value) ? value?.BaseObject?.ToString() : null;
                object? answer = string.IsNullOrEmpty(text) ? field.Default : Convert(field, text!);
                if (answer is not null)
                {
                    content[field.Name] = answer;
                }
            }

            return ElicitationResult.Accept(content);
        }

        private static object? Convert(ElicitationField field, string text)
        {
            switch (field.Type)
            {
                case "boolean":
                    if (bool.TryParse(text, out bool b))
                    {
                        return b;
                    }

                    string t = text.Trim().ToUpperInvariant();
                    return t == "Y" || t == "YES" || t == "1";
                case "integer":
                    return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long l) ? l : field.Default;
                case "number":
                    return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d : field.Default;
                default:
                    return text;
            }
        }
    }
}
