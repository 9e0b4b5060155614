using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Xunit;

namespace McpAuth.Core.Tests.Architecture
{
    /// <summary>
    /// The engine's namespaces depend on each other in one direction only, lowest first:
    /// Http ← Discovery ← Registration ← Storage ← Authorization ← Tokens ← Mcp. The root namespace
    /// (errors, <see cref="Secret"/>, the clock, the host callbacks) is below them all. Checked on the compiled
    /// engine, signatures and method bodies both, so a fully qualified name cannot slip past.
    /// </summary>
    public sealed class NamespaceDependencyTests
    {
        private const string Root = "McpAuth.Core";

        private static readonly string[] Layers =
        {
            Root,
            Root + ".Http",
            Root + ".Discovery",
            Root + ".Registration",
            Root + ".Storage",
            Root + ".Authorization",
            Root + ".Tokens",
            Root + ".Mcp",
        };

        // The host callback contract asks the host to fill in an MCP elicitation form, so these two root types
        // name the form's types, which live with the protocol. Nothing else in the root may look upward.
        private static readonly HashSet<string> RootTypesThatAskTheHost = new(StringComparer.Ordinal)
        {
            typeof(IEngineCallbacks).FullName!,
            typeof(NullEngineCallbacks).FullName!,
        };

        [Fact]
        public void Every_namespace_of_the_engine_has_a_place_in_the_layers()
        {
            string[] unknown = EngineTypes().Select(t => t.Namespace!).Distinct().Where(n => !Layers.Contains(n)).ToArray();

            Assert.Empty(unknown);
        }

        [Fact]
        public void No_namespace_depends_on_a_namespace_above_it()
        {
            var violations = new List<string>();
            foreach (Type type in EngineTypes())
            {
                int layer = Array.IndexOf(Layers, type.Namespace);
                foreach (Type used in TypeReferences.Of(type).Where(IsEngine).Distinct())
                {
                    int usedLayer = Array.IndexOf(Layers, used.Namespace);
                    bool allowed = usedLayer <= layer
                        || (type.Namespace == Root && RootTypesThatAskTheHost.Contains(type.FullName!) && used.Namespace == Root + ".Mcp" && used.Name.StartsWith("Elicitation", StringComparison.Ordinal));
                    if (!allowed)
                    {
                        violations.Add($"{type.FullName} uses {used.FullName}");
                    }
                }
            }

            Assert.Empty(violations.Distinct().OrderBy(v => v, StringComparer.Ordinal));
        }

        [Fact]
        public void The_check_sees_a_dependency_hidden_in_a_method_body()
        {
            // TokenCache (Tokens) creates stores (Storage) only inside method bodies and signatures of Storage types.
            Assert.Contains(typeof(McpAuth.Core.Storage.CredentialStoreFactory), TypeReferences.Of(typeof(McpAuth.Core.Tokens.TokenCache)));

            // TokenErrors builds its errors with no Storage or Mcp type anywhere.
            Assert.DoesNotContain(TypeReferences.Of(typeof(McpAuth.Core.Tokens.TokenErrors)), t => t.Namespace == Root + ".Mcp");
        }

        private static IEnumerable<Type> EngineTypes() =>
            typeof(Secret).Assembly.GetTypes().Where(t => !t.IsNested && IsEngine(t));

        private static bool IsEngine(Type type) =>
            type.Assembly == typeof(Secret).Assembly
            && type.Namespace is string ns
            && (ns == Root || ns.StartsWith(Root + ".", StringComparison.Ordinal));
    }
}
