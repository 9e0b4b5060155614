using System.Collections.Generic;
using System.Text.Json.Nodes;

namespace McpAuth.Core.Mcp
{
    /// <summary>Reads an elicitation/create request's flat schema and applies its defaults to answers.</summary>
    public static class ElicitationSchema
    {
        /// <summary>Builds the request a host prompts for from elicitation/create params.</summary>
        internal static ElicitationRequest ToRequest(JsonObject? parameters)
        {
            string message = parameters?["message"] is JsonValue m && m.TryGetValue(out string? text) ? text : "The server asks for input.";
            JsonObject? schema = parameters?["requestedSchema"] as JsonObject;
            var required = new HashSet<string>();
            if (schema?["required"] is JsonArray req)
            {
                foreach (JsonNode? r in req)
                {
                    if (r is JsonValue rv && rv.TryGetValue(out string? name))
                    {
                        required.Add(name);
                    }
                }
            }

            var fields = new List<ElicitationField>();
            if (schema?["properties"] is JsonObject properties)
            {
                foreach (KeyValuePair<string, JsonNode?> property in properties)
                {
                    if (property.Value is not JsonObject p)
                    {
                        continue;
                    }

                    string type = p["type"] is JsonValue t && t.TryGetValue(out string? ts) ? ts : "string";
                    var field = new ElicitationField(property.Key, type, required.Contains(property.Key))
                    {
                        Title = p["title"] is JsonValue tv && tv.TryGetValue(out string? title) ? title : null,
                        Description = p["description"] is JsonValue dv && dv.TryGetValue(out string? description) ? description : null,
                        Default = ClrJson.ToClr(p["default"]),
                    };
                    if (p["enum"] is JsonArray values)
                    {
                        var list = new List<string>();
                        foreach (JsonNode? v in values)
                        {
                            if (v is JsonValue ev && ev.TryGetValue(out string? s))
                            {
                                list.Add(s);
                            }
                        }

                        field.Enum = list;
                    }

                    fields.Add(field);
                }
            }

            return new ElicitationRequest(message, fields, schema);
        }

        /// <summary>Returns the answers as JSON, with every field that has a default and no answer filled in.</summary>
        internal static JsonObject ApplyDefaults(ElicitationRequest request, IReadOnlyDictionary<string, object?> content)
        {
            var result = new JsonObject();
            foreach (KeyValuePair<string, object?> answer in content)
            {
                if (answer.Value is not null)
                {
                    result[answer.Key] = ClrJson.FromClr(answer.Value);
                }
            }

            foreach (ElicitationField field in request.Fields)
            {
                if (!result.ContainsKey(field.Name) && field.Default is not null)
                {
                    result[field.Name] = ClrJson.FromClr(field.Default);
                }
            }

            return result;
        }
    }
}
