using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json.Nodes;

namespace McpAuth.Core.Mcp
{
    /// <summary>
    /// An ordered JSON object as plain .NET data: the form JSON takes when it crosses from the engine to
    /// the cmdlet layer. The cmdlets never see System.Text.Json types, because in PowerShell 7 the engine's
    /// dependencies load in their own AssemblyLoadContext and another copy of System.Text.Json may be the
    /// one the cmdlet assembly binds to.
    /// </summary>
    public sealed class JsonMap : List<KeyValuePair<string, object?>>
    {
        public JsonMap()
        {
        }

        public JsonMap(int capacity)
            : base(capacity)
        {
        }

        /// <summary>Returns the value of the first member with this name, or null.</summary>
        public object? this[string name]
        {
            get
            {
                foreach (KeyValuePair<string, object?> kv in this)
                {
                    if (string.Equals(kv.Key, name, StringComparison.Ordinal))
                    {
                        return kv.Value;
                    }
                }

                return null;
            }
        }
    }

    /// <summary>Converts between JsonNode and plain .NET data (JsonMap, object?[], string, bool, long, double).</summary>
    public static class ClrJson
    {
        private const int MaxDepth = 64;

        /// <summary>JSON → .NET: objects become <see cref="JsonMap"/>, arrays object?[], integers long, other numbers double.</summary>
        public static object? ToClr(JsonNode? node) => ToClr(node, 0);

        /// <summary>Parses JSON text to .NET data.</summary>
        public static object? Parse(string json) => ToClr(JsonNode.Parse(json));

        /// <summary>Serializes .NET data (see <see cref="FromClr"/>) to JSON text.</summary>
        public static string Serialize(object? value) => FromClr(value)?.ToJsonString() ?? "null";

        /// <summary>
        /// .NET → JSON: IDictionary, JsonMap and KeyValuePair lists become objects, other IEnumerables arrays,
        /// primitives themselves, DateTime/DateTimeOffset ISO 8601 strings, Guid/Uri/enum strings.
        /// </summary>
        public static JsonNode? FromClr(object? value) => FromClr(value, 0);

        private static object? ToClr(JsonNode? node, int depth)
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
                    var map = new JsonMap(obj.Count);
                    foreach (KeyValuePair<string, JsonNode?> p in obj)
                    {
                        map.Add(new KeyValuePair<string, object?>(p.Key, ToClr(p.Value, depth + 1)));
                    }

                    return map;
                case JsonArray array:
                    var items = new object?[array.Count];
                    for (int i = 0; i < array.Count; i++)
                    {
                        items[i] = ToClr(array[i], depth + 1);
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

        private static JsonNode? FromClr(object? value, int depth)
        {
            if (depth > MaxDepth)
            {
                throw new McpAuthException(ErrorIds.InvalidToolArguments, McpErrorKind.InvalidArgument, $"The data is nested deeper than {MaxDepth} levels.");
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
                case int or long or short or byte or sbyte or uint or ushort:
                    return JsonValue.Create(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                case ulong ul:
                    return ul <= long.MaxValue ? JsonValue.Create((long)ul) : JsonValue.Create((double)ul);
                case float or double or decimal:
                    return JsonValue.Create(Convert.ToDouble(value, CultureInfo.InvariantCulture));
                case DateTime dt:
                    return JsonValue.Create(dt.ToString("o", CultureInfo.InvariantCulture));
                case DateTimeOffset dto:
                    return JsonValue.Create(dto.ToString("o", CultureInfo.InvariantCulture));
                case Guid g:
                    return JsonValue.Create(g.ToString());
                case Uri u:
                    return JsonValue.Create(u.OriginalString);
                case Enum e:
                    return JsonValue.Create(e.ToString());
                case IDictionary dict:
                    var o = new JsonObject();
                    foreach (DictionaryEntry entry in dict)
                    {
                        o[Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty] = FromClr(entry.Value, depth + 1);
                    }

                    return o;
                case IEnumerable<KeyValuePair<string, object?>> pairs:
                    var po = new JsonObject();
                    foreach (KeyValuePair<string, object?> kv in pairs)
                    {
                        po[kv.Key] = FromClr(kv.Value, depth + 1);
                    }

                    return po;
                case IEnumerable list:
                    var a = new JsonArray();
                    foreach (object? item in list)
                    {
                        a.Add(FromClr(item, depth + 1));
                    }

                    return a;
                default:
                    return JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture));
            }
        }
    }
}
