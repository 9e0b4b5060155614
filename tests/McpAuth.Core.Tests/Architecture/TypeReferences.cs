using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Reflection.Emit;

namespace McpAuth.Core.Tests.Architecture
{
    /// <summary>
    /// Every type a type refers to: in its signatures (base type, interfaces, fields, properties, events,
    /// parameters, return types, generic arguments, attributes) and in its method bodies (each IL instruction
    /// with a type, field or method token). Compiler-generated nested types (lambdas, async state machines)
    /// count for the type they are nested in.
    /// </summary>
    internal static class TypeReferences
    {
        private const BindingFlags Everything = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

        private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (OpCode)f.GetValue(null)!)
            .ToDictionary(o => o.Value);

        /// <summary>Returns the types <paramref name="type"/> (with its nested types) refers to.</summary>
        public static IEnumerable<Type> Of(Type type)
        {
            var found = new HashSet<Type>();
            foreach (Type t in Flatten(type))
            {
                Add(found, t.BaseType);
                foreach (Type i in t.GetInterfaces())
                {
                    Add(found, i);
                }

                foreach (CustomAttributeData a in t.GetCustomAttributesData())
                {
                    Add(found, a.AttributeType);
                }

                foreach (FieldInfo f in t.GetFields(Everything))
                {
                    Add(found, f.FieldType);
                }

                foreach (PropertyInfo p in t.GetProperties(Everything))
                {
                    Add(found, p.PropertyType);
                }

                foreach (EventInfo e in t.GetEvents(Everything))
                {
                    Add(found, e.EventHandlerType);
                }

                foreach (MethodBase m in t.GetMethods(Everything).Cast<MethodBase>().Concat(t.GetConstructors(Everything)))
                {
                    if (m is MethodInfo mi)
                    {
                        Add(found, mi.ReturnType);
                    }

                    foreach (ParameterInfo p in m.GetParameters())
                    {
                        Add(found, p.ParameterType);
                    }

                    foreach (Type body in InBody(m))
                    {
                        Add(found, body);
                    }
                }
            }

            return found;
        }

        private static IEnumerable<Type> Flatten(Type type) => new[] { type }.Concat(type.GetNestedTypes(Everything).SelectMany(Flatten));

        private static void Add(HashSet<Type> found, Type? type)
        {
            if (type is null || !found.Add(type))
            {
                return;
            }

            if (type.HasElementType)
            {
                Add(found, type.GetElementType());
            }

            if (type.IsGenericType)
            {
                foreach (Type argument in type.GetGenericArguments())
                {
                    Add(found, argument);
                }
            }
        }

        /// <summary>The declaring types of every member a method's IL refers to, and every type it names.</summary>
        private static IEnumerable<Type> InBody(MethodBase method)
        {
            byte[]? il = method.GetMethodBody()?.GetILAsByteArray();
            if (il is null)
            {
                yield break;
            }

            Type[]? typeArguments = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
            Type[]? methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
            int i = 0;
            while (i < il.Length)
            {
                short value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
                OpCode op = OpCodesByValue[value];
                i += op.Size;
                int token = op.OperandType is OperandType.InlineType or OperandType.InlineTok or OperandType.InlineMethod or OperandType.InlineField
                    ? BitConverter.ToInt32(il, i)
                    : 0;
                i += OperandSize(op, il, i);
                if (token == 0)
                {
                    continue;
                }

                MemberInfo? member;
                try
                {
                    member = method.Module.ResolveMember(token, typeArguments, methodArguments);
                }
                catch (ArgumentException)
                {
                    continue;
                }

                if (member is Type type)
                {
                    yield return type;
                }
                else if (member?.DeclaringType is Type declaring)
                {
                    yield return declaring;
                    if (member is MethodInfo called)
                    {
                        yield return called.ReturnType;
                        foreach (Type argument in called.IsGenericMethod ? called.GetGenericArguments() : Type.EmptyTypes)
                        {
                            yield return argument;
                        }
                    }
                    else if (member is FieldInfo field)
                    {
                        yield return field.FieldType;
                    }
                }
            }
        }

        private static int OperandSize(OpCode op, byte[] il, int at) => op.OperandType switch
        {
            OperandType.InlineNone => 0,
            OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
            OperandType.InlineVar => 2,
            OperandType.InlineI8 or OperandType.InlineR => 8,
            OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, at)),
            _ => 4,
        };
    }
}
