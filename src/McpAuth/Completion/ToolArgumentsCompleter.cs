using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Text;
using McpAuth.Core.Mcp;

namespace McpAuth.Completion
{
    /// <summary>
    /// Completes Invoke-McpTool -Arguments from the input schema of the tool named by -Name (on the server
    /// the line targets, as for <see cref="ToolNameCompleter"/>), so a Tab writes a call that is ready to
    /// fill in; the same for Get-McpPromptMessage -Arguments from the prompt's arguments (strings), and for
    /// Read-McpResource -Arguments from the variables of the URI template given as -ResourceUri.
    /// </summary>
    /// <remarks>
    /// <para>PowerShell asks a completer only for the whole argument, never inside a hashtable literal that
    /// is being typed, so every completion is a complete hashtable. Pressing Tab after <c>-Arguments</c>
    /// offers, in this order:</para>
    /// <list type="number">
    /// <item>every argument, required ones first: <c>@{ a = 0; b = 0 }</c>, with a placeholder per JSON
    /// schema type (string <c>''</c>, number and integer <c>0</c>, boolean <c>$false</c>, array <c>@()</c>,
    /// object <c>@{}</c>; a <c>const</c>, the first <c>enum</c> value or a <c>default</c> when the schema
    /// gives one) — the tooltip lists each argument with its type, whether it is required, and its
    /// description;</item>
    /// <item>only the required arguments, when the tool also has optional ones;</item>
    /// <item>one entry per argument (result type ParameterName, listed by its name, its description as
    /// tooltip) that completes to a hashtable with just that argument.</item>
    /// </list>
    /// <para>An entry whose text repeats an earlier one (the single argument of a one-argument tool) is
    /// offered once. A bare word (<c>-Arguments mes</c>) completes the argument names that start with it;
    /// a word starting with <c>@</c> keeps the entries whose text starts with it. A tool without
    /// arguments completes to <c>@{}</c>. Nothing is offered when -Name is missing or the tool is not
    /// known.</para>
    /// </remarks>
    public sealed class ToolArgumentsCompleter : IArgumentCompleter
    {
        /// <inheritdoc/>
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
            => CompletionText.Guarded(() => Complete(commandName, wordToComplete ?? string.Empty, fakeBoundParameters));

        private static List<CompletionResult> Complete(string commandName, string wordToComplete, IDictionary fakeBoundParameters)
        {
            (string name, string? description, List<Argument> arguments)? target = commandName switch
            {
                "Get-McpPromptMessage" => Prompt(fakeBoundParameters),
                "Read-McpResource" => Template(fakeBoundParameters),
                _ => Tool(fakeBoundParameters),
            };
            if (target is null)
            {
                return new List<CompletionResult>();
            }

            (string name, string? description, List<Argument> arguments) = target.Value;

            var results = new List<CompletionResult>();
            string summary = Summary(name, description, arguments);
            results.Add(CompletionText.Result(Hashtable(arguments), Hashtable(arguments), CompletionResultType.ParameterValue, summary));
            List<Argument> required = arguments.Where(a => a.Required).ToList();
            if (required.Count > 0 && required.Count < arguments.Count)
            {
                results.Add(CompletionText.Result(Hashtable(required), Hashtable(required), CompletionResultType.ParameterValue, "Only the required arguments of " + name + ":\n" + Lines(required)));
            }

            foreach (Argument argument in arguments)
            {
                results.Add(CompletionText.Result(Hashtable(new[] { argument }), argument.Name, CompletionResultType.ParameterName, argument.Describe()));
            }

            if (wordToComplete.Length == 0 || wordToComplete[0] == '@')
            {
                // A one-argument tool's single entry is the same hashtable as the first one: offer it once.
                var texts = new HashSet<string>(StringComparer.Ordinal);
                return results.Where(r => CompletionText.StartsWith(r.CompletionText, wordToComplete) && texts.Add(r.CompletionText)).ToList();
            }

            string typed = CompletionText.Unquote(wordToComplete, out _);
            return results.Where(r => r.ResultType == CompletionResultType.ParameterName && CompletionText.StartsWith(r.ListItemText, typed)).ToList();
        }

        /// <summary>The tool -Name names, with its arguments: required ones first, each in schema order.</summary>
        private static (string, string?, List<Argument>)? Tool(IDictionary fakeBoundParameters)
        {
            string? toolName = CompletionText.AsText(CompletionText.Bound(fakeBoundParameters, "Name"));
            McpToolInfo? tool = Named(ToolNameCompleter.Tools(fakeBoundParameters), toolName, t => t.Name);
            if (tool is null)
            {
                return null;
            }

            var required = new HashSet<string>(tool.RequiredParameterNames, StringComparer.Ordinal);
            IReadOnlyList<string> names = tool.ParameterNames;
            List<Argument> arguments = names.Where(required.Contains).Concat(names.Where(n => !required.Contains(n)))
                .Select(n => new Argument(n, required.Contains(n), tool.ParameterSchema(n) as JsonMap))
                .ToList();
            return (tool.Name, tool.Description, arguments);
        }

        /// <summary>The prompt -Name names, with its arguments (strings): required ones first.</summary>
        private static (string, string?, List<Argument>)? Prompt(IDictionary fakeBoundParameters)
        {
            string? promptName = CompletionText.AsText(CompletionText.Bound(fakeBoundParameters, "Name"));
            McpPromptInfo? prompt = Named(PromptNameCompleter.Prompts(fakeBoundParameters), promptName, p => p.Name);
            if (prompt is null)
            {
                return null;
            }

            List<Argument> arguments = prompt.Arguments.OrderBy(a => a.Required ? 0 : 1)
                .Select(a => new Argument(a.Name, a.Required, StringSchema(a.Description)))
                .ToList();
            return (prompt.Name, prompt.Description, arguments);
        }

        /// <summary>The URI template -ResourceUri gives, with its variables (strings, all of them needed).</summary>
        private static (string, string?, List<Argument>)? Template(IDictionary fakeBoundParameters)
        {
            string? template = CompletionText.AsText(CompletionText.Bound(fakeBoundParameters, "ResourceUri"));
            IReadOnlyList<string> variables = template is null ? Array.Empty<string>() : UriTemplate.VariableNames(template);
            if (variables.Count == 0)
            {
                return null;
            }

            return (template!, null, variables.Select(v => new Argument(v, true, StringSchema(null))).ToList());
        }

        private static T? Named<T>(IEnumerable<T> items, string? name, Func<T, string> nameOf)
            where T : class
        {
            if (string.IsNullOrEmpty(name))
            {
                return null;
            }

            List<T> all = items.ToList();
            return all.FirstOrDefault(i => string.Equals(nameOf(i), name, StringComparison.Ordinal))
                ?? all.FirstOrDefault(i => string.Equals(nameOf(i), name, StringComparison.OrdinalIgnoreCase));
        }

        private static JsonMap StringSchema(string? description)
        {
            var schema = new JsonMap { new KeyValuePair<string, object?>("type", "string") };
            if (description is not null)
            {
                schema.Add(new KeyValuePair<string, object?>("description", description));
            }

            return schema;
        }

        private static string Hashtable(IEnumerable<Argument> arguments)
        {
            string members = string.Join("; ", arguments.Select(a => Key(a.Name) + " = " + a.Placeholder()));
            return members.Length == 0 ? "@{}" : "@{ " + members + " }";
        }

        private static string Summary(string name, string? description, List<Argument> arguments)
        {
            string head = name + (description is string d ? ": " + d : string.Empty);
            return arguments.Count == 0 ? head + "\n(no arguments)" : head + "\n" + Lines(arguments);
        }

        private static string Lines(IEnumerable<Argument> arguments) => string.Join("\n", arguments.Select(a => a.Describe()));

        /// <summary>A hashtable key: bare when it is a plain identifier, else single-quoted.</summary>
        private static string Key(string name)
        {
            bool plain = name.Length > 0 && (char.IsLetter(name[0]) || name[0] == '_') && name.All(c => char.IsLetterOrDigit(c) || c == '_');
            return plain ? name : CompletionText.SingleQuoted(name);
        }

        /// <summary>A PowerShell literal for a JSON value from a schema (const, enum, default).</summary>
        private static string? Literal(object? value) => value switch
        {
            null => "$null",
            string s => CompletionText.SingleQuoted(s),
            bool b => b ? "$true" : "$false",
            long l => l.ToString(CultureInfo.InvariantCulture),
            double x => x.ToString("R", CultureInfo.InvariantCulture),
            _ => null,
        };

        private sealed class Argument
        {
            public Argument(string name, bool required, JsonMap? schema)
            {
                Name = name;
                Required = required;
                Schema = schema;
            }

            public string Name { get; }

            public bool Required { get; }

            public JsonMap? Schema { get; }

            public string Type => TypeOf(Schema) ?? "any";

            public string Placeholder() => PlaceholderOf(Schema, 0);

            public string Describe()
            {
                var text = new StringBuilder(Name).Append(" (").Append(Type).Append(Required ? ", required" : ", optional").Append(')');
                if (Schema?["description"] is string description && description.Length > 0)
                {
                    text.Append(": ").Append(description);
                }

                if (Schema?["enum"] is object?[] values && values.Length > 0)
                {
                    text.Append(" [").Append(string.Join(", ", values.Select(v => Literal(v) ?? "?"))).Append(']');
                }

                return text.ToString();
            }

            private static string? TypeOf(JsonMap? schema)
            {
                switch (schema?["type"])
                {
                    case string type:
                        return type;
                    case object?[] types:
                        return types.OfType<string>().FirstOrDefault(t => t != "null") ?? types.OfType<string>().FirstOrDefault();
                }

                object?[]? alternatives = (schema?["anyOf"] ?? schema?["oneOf"]) as object?[];
                return alternatives?.OfType<JsonMap>().Select(TypeOf).FirstOrDefault(t => t is not null && t != "null");
            }

            private static string PlaceholderOf(JsonMap? schema, int depth)
            {
                if (schema is null)
                {
                    return "$null";
                }

                if (schema.Exists(p => p.Key == "const") && Literal(schema["const"]) is string constant)
                {
                    return constant;
                }

                if (schema["enum"] is object?[] values && values.Length > 0 && Literal(values[0]) is string first)
                {
                    return first;
                }

                if (schema["default"] is object value && Literal(value) is string fallback)
                {
                    return fallback;
                }

                switch (TypeOf(schema))
                {
                    case "string":
                        return "''";
                    case "number":
                    case "integer":
                        return "0";
                    case "boolean":
                        return "$false";
                    case "array":
                        return "@()";
                    case "object":
                        return "@{}";
                    default:
                        object?[]? alternatives = (schema["anyOf"] ?? schema["oneOf"]) as object?[];
                        JsonMap? alternative = alternatives?.OfType<JsonMap>().FirstOrDefault(a => TypeOf(a) is string t && t != "null");
                        return alternative is not null && depth < 4 ? PlaceholderOf(alternative, depth + 1) : "$null";
                }
            }
        }
    }
}
