using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Security;
using McpAuth.Core;
using McpAuth.Core.Mcp;

namespace McpAuth
{
    /// <summary>
    /// Converts between PowerShell objects and the plain .NET data the engine speaks (JsonMap, object[],
    /// string, bool, long, double). No System.Text.Json type crosses into this assembly.
    /// </summary>
    internal static class JsonConversion
    {
        private const int MaxDepth = 64;

        /// <summary>Engine data → PowerShell: JsonMap becomes a PSCustomObject, arrays object[].</summary>
        public static object? ToPowerShell(object? data, int depth = 0)
        {
            switch (data)
            {
                case null:
                    return null;
                case JsonMap map:
                    var pso = new PSObject();
                    foreach (KeyValuePair<string, object?> p in map)
                    {
                        if (depth < MaxDepth)
                        {
                            pso.Properties.Add(new PSNoteProperty(p.Key, ToPowerShell(p.Value, depth + 1)));
                        }
                    }

                    return pso;
                case object?[] array:
                    var items = new object?[array.Length];
                    for (int i = 0; i < array.Length; i++)
                    {
                        items[i] = ToPowerShell(array[i], depth + 1);
                    }

                    return items;
                default:
                    return data;
            }
        }

        /// <summary>
        /// PowerShell → engine data: hashtables and PSCustomObjects become ordered dictionaries, lists
        /// become arrays, PSObject wrappers are removed. SecureString and PSCredential are refused so a
        /// secret never leaves by accident.
        /// </summary>
        public static object? ToData(object? value, int depth = 0)
        {
            if (depth > MaxDepth)
            {
                throw new McpAuthException(ErrorIds.InvalidToolArguments, McpErrorKind.InvalidArgument, $"The tool arguments are nested deeper than {MaxDepth} levels.");
            }

            if (value is PSObject pso)
            {
                if (pso.BaseObject is PSCustomObject)
                {
                    var obj = new JsonMap();
                    foreach (PSPropertyInfo p in pso.Properties)
                    {
                        if (p.MemberType == PSMemberTypes.NoteProperty || p.MemberType == PSMemberTypes.Property)
                        {
                            obj.Add(new KeyValuePair<string, object?>(p.Name, ToData(p.Value, depth + 1)));
                        }
                    }

                    return obj;
                }

                value = pso.BaseObject;
            }

            switch (value)
            {
                case null:
                case string:
                case char:
                case bool:
                case int or long or short or byte or sbyte or uint or ushort or ulong:
                case float or double or decimal:
                case DateTime or DateTimeOffset or Guid or Uri or Enum:
                    return value;
                case SwitchParameter sw:
                    return sw.IsPresent;
                case SecureString or PSCredential:
                    throw new McpAuthException(ErrorIds.InvalidToolArguments, McpErrorKind.InvalidArgument, "Tool arguments cannot contain a SecureString or PSCredential; convert the value yourself if you really mean to send it.");
                case IDictionary dict:
                    var o = new JsonMap();
                    foreach (DictionaryEntry entry in dict)
                    {
                        o.Add(new KeyValuePair<string, object?>(Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty, ToData(entry.Value, depth + 1)));
                    }

                    return o;
                case IEnumerable list:
                    var a = new List<object?>();
                    foreach (object? item in list)
                    {
                        a.Add(ToData(item, depth + 1));
                    }

                    return a.ToArray();
                default:
                    var props = new JsonMap();
                    foreach (PSPropertyInfo p in PSObject.AsPSObject(value).Properties)
                    {
                        if (p.IsGettable && p.MemberType == PSMemberTypes.Property)
                        {
                            props.Add(new KeyValuePair<string, object?>(p.Name, ToData(p.Value, depth + 1)));
                        }
                    }

                    return props;
            }
        }

        /// <summary>Converts tool arguments (hashtable or object) to the data tools/call sends.</summary>
        public static object ToArguments(object? arguments)
        {
            object? data = ToData(arguments);
            return data switch
            {
                null => new JsonMap(),
                JsonMap map => map,
                _ => throw new McpAuthException(ErrorIds.InvalidToolArguments, McpErrorKind.InvalidArgument, "Tool arguments must be a hashtable or an object with properties, for example @{ message = 'hi' }."),
            };
        }
    }
}
