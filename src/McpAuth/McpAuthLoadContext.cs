using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace McpAuth
{
    /// <summary>
    /// McpAuth's own load context: an assembly present in the module's dependencies/ folder is always
    /// loaded from there, even when the runtime or another module already has a different version.
    /// Anything else (the framework, System.Management.Automation) comes from the default context.
    /// </summary>
    internal sealed class McpAuthLoadContext : AssemblyLoadContext
    {
        private readonly string directory;

        public McpAuthLoadContext(string directory)
        {
            this.directory = directory;
        }

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            string path = Path.Combine(directory, assemblyName.Name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }
    }
}
