using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Security;
using System.Text.Json.Nodes;
using McpAuth.Core;

namespace McpAuth
{
    /// <summary>Converts between System.Text.Json nodes and PowerShell objects.</summary>
    internal static class JsonConversion
    {
        private const int MaxDepth = 64;

        /// <summary>JSON object → PSCustomObject, array → object[], numbers → long or double.</summary>
        public static object? ToPowerShell(JsonNode? node, int depth = 0)
        {
            if (node is null)
            {
                return null;
            }

            if (depth > MaxDepth)
            {
                return node.ToJsonString();
            }

            switch (node)
            {
                case JsonObject obj:
                    var pso = new PSObject();
                    foreach (KeyValuePair<string, JsonNode?> p in obj)
                    {
                        pso.Properties.Add(new PSNoteProperty(p.Key, ToPowerShell(p.Value, depth + 1)));
                    }

                    return pso;
                case JsonArray array:
                    var items = new object?[array.Count];
                    for (int i = 0; i < array.Count; i++)
                    {
                        items[i] = ToPowerShell(array[i], depth + 1);
                    }

                    return items;
                case JsonValue value:
                    if (value.TryGetValue(out string? s))
                    {
                        return s;
                    }

                    if (value.TryGetValue(out bool b))
                    {
                        return b;
                    }

                    if (value.TryGetValue(out long l))
                    {
                        return l;
                    }

                    if (value.TryGetValue(out decimal m) && m == Math.Truncate(m) && m >= long.MinValue && m <= long.MaxValue)
                    {
                        return (long)m;
                    }

                    if (value.TryGetValue(out double d))
                    {
                        return d;
                    }

                    return value.ToJsonString();
                default:
                    return node.ToJsonString();
            }
        }

        /// <summary>
        /// Hashtable / IDictionary / PSCustomObject → JSON object; arrays and lists → JSON array; primitives
        /// as themselves; DateTime as ISO 8601. SecureString and PSCredential are refused so a secret never
        /// leaves by accident.
        /// </summary>
        public static JsonNode? ToJson(object? value, int depth = 0)
        {
            if (depth > MaxDepth)
            {
                throw new McpAuthException(ErrorIds.InvalidToolArguments, McpErrorKind.InvalidArgument, $"The tool arguments are nested deeper than {MaxDepth} levels.");
            }

            if (value is PSObject pso)
            {
                if (pso.BaseObject is PSCustomObject)
                {
                    var obj = new JsonObject();
                    foreach (PSPropertyInfo p in pso.Properties)
                    {
                        if (p.MemberType == PSMemberTypes.NoteProperty || p.MemberType == PSMemberTypes.Property)
                        {
                            obj[p.Name] = ToJson(p.Value, depth + 1);
                        }
                    }

                    return obj;
                }

                value = pso.BaseObject;
            }

            switch (value)
            {
                case null:
                    return null;
                case JsonNode node:
                    return node.DeepClone();
                case string s:
                    return JsonValue.Create(s);
                case char c:
                    return JsonValue.Create(c.ToString());
                case bool b:
                    return JsonValue.Create(b);
                case SwitchParameter sw:
                    return JsonValue.Create(sw.IsPresent);
                case int or long or short or byte or sbyte or uint or ushort or ulong:
                    return JsonValue.Create(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                case float or double or decimal:
                    return JsonValue.Create(Convert.ToDouble(value, CultureInfo.InvariantCulture));
                case DateTime dt:
                    return JsonValue.Create(dt.ToString("o", CultureInfo.InvariantCulture));
                case DateTimeOffset dto:
                    return JsonValue.Create(dto.ToString("o", CultureInfo.InvariantCulture));
                case Guid g:
                    return JsonValue.Create(g.ToString());
                case Uri u:
                    return JsonValue.Create(u.ToString());
                case Enum e:
                    return JsonValue.Create(e.ToString());
                case SecureString or PSCredential:
                    throw new McpAuthException(ErrorIds.InvalidToolArguments, McpErrorKind.InvalidArgument, "Tool arguments cannot contain a SecureString or PSCredential; convert the value yourself if you really mean to send it.");
                case IDictionary dict:
                    var o = new JsonObject();
                    foreach (DictionaryEntry entry in dict)
                    {
                        o[Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty] = ToJson(entry.Value, depth + 1);
                    }

                    return o;
                case IEnumerable list:
                    var a = new JsonArray();
                    foreach (object? item in list)
                    {
                        a.Add(ToJson(item, depth + 1));
                    }

                    return a;
                default:
                    var props = new JsonObject();
                    foreach (PSPropertyInfo p in PSObject.AsPSObject(value).Properties)
                    {
                        if (p.IsGettable && p.MemberType == PSMemberTypes.Property)
                        {
                            props[p.Name] = ToJson(p.Value, depth + 1);
                        }
                    }

                    return props;
            }
        }

        /// <summary>Converts tool arguments (hashtable or object) to the JSON object tools/call sends.</summary>
        public static JsonObject ToArguments(object? arguments)
        {
            JsonNode? node = ToJson(arguments);
            return node switch
            {
                null => new JsonObject(),
                JsonObject obj => obj,
                _ => throw new McpAuthException(ErrorIds.InvalidToolArguments, McpErrorKind.InvalidArgument, "Tool arguments must be a hashtable or an object with properties, for example @{ message = 'hi' }."),
            };
        }
    }
}
