using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace McpAuth
{
    /// <summary>
    /// McpAuth's own load context. The engine and the libraries other modules also ship in other versions
    /// (System.Text.Json, MSAL, System.Net.ServerSentEvents and what they bring) always load from the
    /// module's dependencies/ folder, even when the runtime or another module already has a different
    /// version. The netstandard polyfills in that folder that the runtime also has (System.Memory,
    /// System.Buffers, ...) do not: the runtime's own copies are used, so there is one Span&lt;T&gt;. Other
    /// assemblies of the folder the runtime lacks (System.Security.Cryptography.ProtectedData on Windows,
    /// for DPAPI) load from the folder too. Everything else comes from the default context.
    /// </summary>
    internal sealed class McpAuthLoadContext : AssemblyLoadContext
    {
        private static readonly HashSet<string> Isolated = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "McpAuth.Core",
            "System.Text.Json",
            "System.Text.Encodings.Web",
            "System.Net.ServerSentEvents",
            "System.IO.Pipelines",
            "Microsoft.Bcl.AsyncInterfaces",
            "Microsoft.Identity.Client",
            "Microsoft.Identity.Client.Extensions.Msal",
            "Microsoft.IdentityModel.Abstractions",
        };

        private static readonly Lazy<HashSet<string>> RuntimeAssemblies = new Lazy<HashSet<string>>(() =>
        {
            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            string paths = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? string.Empty;
            foreach (string path in paths.Split(new[] { Path.PathSeparator }, StringSplitOptions.RemoveEmptyEntries))
            {
                names.Add(Path.GetFileNameWithoutExtension(path));
            }

            return names;
        });

        private readonly string directory;

        public McpAuthLoadContext(string directory)
        {
            this.directory = directory;
        }

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            if (assemblyName.Name is null || (!Isolated.Contains(assemblyName.Name) && RuntimeAssemblies.Value.Contains(assemblyName.Name)))
            {
                return null;
            }

            string path = Path.Combine(directory, assemblyName.Name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }
    }
}
