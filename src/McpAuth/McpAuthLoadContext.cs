using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
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
    /// In .NET 10 and later (PowerShell 7.6+) the engine loads from dependencies/&lt;platform&gt;/ when the module
    /// carries a precompiled (ReadyToRun) image of it for this platform: the same IL, with native code beside it.
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

        private const string Engine = "McpAuth.Core";

        private readonly string directory;

        public McpAuthLoadContext(string directory)
        {
            this.directory = directory;
        }

        /// <summary>
        /// Gets the folder name of this platform's precompiled images (a portable runtime identifier such as
        /// linux-x64 or win-arm64), or null where the module has none: before .NET 10, whose runtime would not use
        /// images compiled for .NET 10, or on an operating system or processor it does not name.
        /// </summary>
        internal static string? PrecompiledPlatform { get; } = FindPrecompiledPlatform();

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            if (assemblyName.Name is null || (!Isolated.Contains(assemblyName.Name) && RuntimeAssemblies.Value.Contains(assemblyName.Name)))
            {
                return null;
            }

            string file = assemblyName.Name + ".dll";
            if (PrecompiledPlatform is not null && string.Equals(assemblyName.Name, Engine, StringComparison.OrdinalIgnoreCase))
            {
                string precompiled = Path.Combine(directory, PrecompiledPlatform, file);
                if (File.Exists(precompiled))
                {
                    return LoadFromAssemblyPath(precompiled);
                }
            }

            string path = Path.Combine(directory, file);
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }

        private static string? FindPrecompiledPlatform()
        {
            if (Environment.Version.Major < 10)
            {
                return null;
            }

            string? os = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "win"
                : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "osx"
                : RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? "linux"
                : null;
            string? processor = RuntimeInformation.ProcessArchitecture switch
            {
                Architecture.X64 => "x64",
                Architecture.Arm64 => "arm64",
                Architecture.X86 => "x86",
                Architecture.Arm => "arm",
                _ => null,
            };
            return os is null || processor is null ? null : os + "-" + processor;
        }
    }
}
