using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpAuth.Core.Http;

namespace McpAuth.Core.Mcp
{
    /// <summary>
    /// A tool's <c>x-mcp-header</c> annotations (MCP 2026-07-28, SEP-2243): the arguments a client mirrors
    /// into <c>Mcp-Param-{Name}</c> headers. An annotation is valid only on a property that is reachable
    /// from the schema root through <c>properties</c> alone, whose type is string, integer or boolean, with
    /// a name that is an HTTP token and unique regardless of case. A tool with any invalid annotation is
    /// refused: left out of the tool list, and a call to it is a typed error.
    /// </summary>
    internal sealed class ToolHeaderParameters
    {
        private const string Keyword = "x-mcp-header";
        private const double MaxSafeInteger = 9007199254740991;

        /// <summary>Keywords whose values are data, not schemas: an "x-mcp-header" key inside them annotates nothing.</summary>
        private static readonly HashSet<string> DataKeywords = new HashSet<string>(StringComparer.Ordinal) { "default", "const", "enum", "examples" };

        private readonly List<Parameter> parameters;

        private ToolHeaderParameters(List<Parameter> parameters)
        {
            this.parameters = parameters;
        }

        /// <summary>Gets a binding with no annotations.</summary>
        public static ToolHeaderParameters None { get; } = new ToolHeaderParameters(new List<Parameter>());

        public int Count => parameters.Count;

        /// <summary>Reads a tool's annotations. Returns null and the reason when any annotation is invalid.</summary>
        public static ToolHeaderParameters? Read(JsonObject? inputSchema, out string? problem)
        {
            problem = null;
            var found = new List<Parameter>();
            if (inputSchema is null)
            {
                return None;
            }

            problem = VisitSchema(inputSchema, new List<string>(), reachable: true, found);
            if (problem is null)
            {
                var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                foreach (Parameter p in found)
                {
                    if (!names.Add(p.Header))
                    {
                        problem = $"the header name '{p.Header}' is used twice (x-mcp-header names must be unique regardless of case)";
                        break;
                    }
                }
            }

            return problem is null ? new ToolHeaderParameters(found) : null;
        }

        /// <summary>
        /// Rebuilds the annotations a listing found (<see cref="ToStored"/>), kept in the credential store; null when
        /// what was kept is not a set of annotations this class would have accepted (then the tools are listed again).
        /// </summary>
        public static ToolHeaderParameters? FromStored(IReadOnlyList<Storage.StoredToolHeader>? stored)
        {
            var found = new List<Parameter>();
            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (Storage.StoredToolHeader? p in stored ?? Array.Empty<Storage.StoredToolHeader>())
            {
                if (p?.Header is not string header || !McpHeaders.IsToken(header) || !names.Add(header)
                    || p.Path is not IReadOnlyList<string> path || path.Count == 0 || path.Any(step => step is null))
                {
                    return null;
                }

                found.Add(new Parameter(path.ToArray(), header));
            }

            return found.Count == 0 ? None : new ToolHeaderParameters(found);
        }

        /// <summary>The annotations as the credential store keeps them.</summary>
        public IReadOnlyList<Storage.StoredToolHeader> ToStored() =>
            parameters.Select(p => new Storage.StoredToolHeader { Path = p.Path, Header = p.Header }).ToList();

        /// <summary>The <c>Mcp-Param-*</c> headers for these arguments; a missing or null value sends no header.</summary>
        public IEnumerable<KeyValuePair<string, string>> HeadersFor(JsonObject? arguments)
        {
            foreach (Parameter p in parameters)
            {
                JsonNode? value = arguments;
                foreach (string step in p.Path)
                {
                    value = value is JsonObject o && o.TryGetPropertyValue(step, out JsonNode? next) ? next : null;
                }

                string? text = value is JsonValue v ? Format(v) : null;
                if (text is not null)
                {
                    yield return new KeyValuePair<string, string>(McpHeaders.ParamPrefix + p.Header, McpHeaders.EncodeValue(text));
                }
            }
        }

        private static string? Format(JsonValue value)
        {
            switch (value.GetValueKind())
            {
                case JsonValueKind.String:
                    return value.GetValue<string>();
                case JsonValueKind.True:
                    return "true";
                case JsonValueKind.False:
                    return "false";
                case JsonValueKind.Number:
                    if (value.TryGetValue(out long l))
                    {
                        return l.ToString(CultureInfo.InvariantCulture);
                    }

                    double d = value.GetValue<double>();
                    return d == Math.Floor(d) && Math.Abs(d) <= MaxSafeInteger ? ((long)d).ToString(CultureInfo.InvariantCulture) : d.ToString("R", CultureInfo.InvariantCulture);
                default:
                    return null;
            }
        }

        private static string? VisitSchema(JsonObject schema, List<string> path, bool reachable, List<Parameter> found)
        {
            if (schema.TryGetPropertyValue(Keyword, out JsonNode? annotation))
            {
                string? problem = Check(schema, annotation, path, reachable, found);
                if (problem is not null)
                {
                    return problem;
                }
            }

            foreach (KeyValuePair<string, JsonNode?> member in schema)
            {
                if (member.Key == Keyword || DataKeywords.Contains(member.Key))
                {
                    continue;
                }

                string? problem = null;
                if (member.Key == "properties" && member.Value is JsonObject properties)
                {
                    foreach (KeyValuePair<string, JsonNode?> property in properties)
                    {
                        if (property.Value is JsonObject sub)
                        {
                            path.Add(property.Key);
                            problem = VisitSchema(sub, path, reachable, found);
                            path.RemoveAt(path.Count - 1);
                        }

                        if (problem is not null)
                        {
                            return problem;
                        }
                    }
                }
                else
                {
                    problem = VisitAny(member.Value, path, found);
                }

                if (problem is not null)
                {
                    return problem;
                }
            }

            return null;
        }

        /// <summary>Everything outside a chain of <c>properties</c> (items, allOf, $defs, if/then, ...) is not statically reachable.</summary>
        private static string? VisitAny(JsonNode? node, List<string> path, List<Parameter> found)
        {
            switch (node)
            {
                case JsonObject o:
                    return VisitSchema(o, path, reachable: false, found);
                case JsonArray a:
                    foreach (JsonNode? item in a)
                    {
                        string? problem = VisitAny(item, path, found);
                        if (problem is not null)
                        {
                            return problem;
                        }
                    }

                    return null;
                default:
                    return null;
            }
        }

        private static string? Check(JsonObject schema, JsonNode? annotation, List<string> path, bool reachable, List<Parameter> found)
        {
            if (annotation is not JsonValue av || !av.TryGetValue(out string? header) || header.Length == 0)
            {
                return "an x-mcp-header value is empty or not a string";
            }

            if (!McpHeaders.IsToken(header))
            {
                return $"the x-mcp-header value '{ServerText.Sanitize(header, 80)}' is not a valid HTTP header name";
            }

            if (!reachable || path.Count == 0)
            {
                return $"x-mcp-header '{header}' is not on a property reachable from the schema root through 'properties' alone";
            }

            string? type = schema["type"] is JsonValue tv && tv.TryGetValue(out string? t) ? t : null;
            if (type != "string" && type != "integer" && type != "boolean")
            {
                return $"x-mcp-header '{header}' is on a property of type '{type ?? "(none)"}'; only string, integer and boolean may be mirrored";
            }

            found.Add(new Parameter(path.ToArray(), header));
            return null;
        }

        private sealed class Parameter
        {
            public Parameter(string[] path, string header)
            {
                Path = path;
                Header = header;
            }

            public string[] Path { get; }

            public string Header { get; }
        }
    }
}
