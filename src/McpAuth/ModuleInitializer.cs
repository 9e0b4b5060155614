using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;

namespace McpAuth
{
    /// <summary>
    /// Runs when the module is imported. It makes the engine (McpAuth.Core) and every third-party assembly
    /// in the module's dependencies/ folder load in isolation: in PowerShell 7 into McpAuth's own
    /// AssemblyLoadContext, in Windows PowerShell through an AssemblyResolve handler limited to that folder.
    /// The cmdlet assembly exchanges only its own and framework types with the engine, never a type from
    /// an isolated dependency.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        private static readonly string DependencyDirectory = Path.Combine(
            Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location) ?? ".",
            "dependencies");

        private static readonly bool IsNetFramework = RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.OrdinalIgnoreCase);

        /// <inheritdoc/>
        public void OnImport()
        {
            if (IsNetFramework)
            {
                AppDomain.CurrentDomain.AssemblyResolve += ResolveOnNetFramework;
            }
            else
            {
                CoreLoader.Register(DependencyDirectory);
            }
        }

        /// <inheritdoc/>
        public void OnRemove(PSModuleInfo psModuleInfo)
        {
            if (IsNetFramework)
            {
                AppDomain.CurrentDomain.AssemblyResolve -= ResolveOnNetFramework;
            }
            else
            {
                CoreLoader.Unregister();
            }
        }

        private static Assembly? ResolveOnNetFramework(object? sender, ResolveEventArgs args)
        {
            string name = new AssemblyName(args.Name).Name ?? string.Empty;
            string path = Path.Combine(DependencyDirectory, name + ".dll");
            return File.Exists(path) ? Assembly.LoadFrom(path) : null;
        }

        /// <summary>The .NET part, in its own class so Windows PowerShell never loads AssemblyLoadContext.</summary>
        private static class CoreLoader
        {
            private static McpAuthLoadContext? context;

            public static void Register(string directory)
            {
                context ??= new McpAuthLoadContext(directory);
                System.Runtime.Loader.AssemblyLoadContext.Default.Resolving += ResolveEngine;
            }

            public static void Unregister() => System.Runtime.Loader.AssemblyLoadContext.Default.Resolving -= ResolveEngine;

            // The default context asks only for what it cannot find: the engine, which lives in dependencies/.
            // Everything the engine references then resolves inside McpAuthLoadContext.
            private static Assembly? ResolveEngine(System.Runtime.Loader.AssemblyLoadContext defaultContext, AssemblyName name)
                => string.Equals(name.Name, "McpAuth.Core", StringComparison.Ordinal) ? context!.LoadFromAssemblyName(name) : null;
        }
    }
}
