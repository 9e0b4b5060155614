using System;
using System.IO;

namespace McpAuth.Testing
{
    /// <summary>Finds the repository and the built module (out/McpAuth/McpAuth.psd1).</summary>
    public static class ModuleLocator
    {
        public static string RepoRoot
        {
            get
            {
                string? dir = AppContext.BaseDirectory;
                while (dir is not null)
                {
                    if (File.Exists(Path.Combine(dir, "McpAuth.sln")))
                    {
                        return dir;
                    }

                    dir = Path.GetDirectoryName(dir);
                }

                throw new InvalidOperationException("Could not find the repository root (McpAuth.sln) above " + AppContext.BaseDirectory);
            }
        }

        /// <summary>Gets the module manifest path; MCPAUTH_MODULE overrides it.</summary>
        public static string ModuleManifest
        {
            get
            {
                string? fromEnv = Environment.GetEnvironmentVariable("MCPAUTH_MODULE");
                if (!string.IsNullOrEmpty(fromEnv))
                {
                    return fromEnv!;
                }

                string path = Path.Combine(RepoRoot, "out", "McpAuth", "McpAuth.psd1");
                if (!File.Exists(path))
                {
                    throw new InvalidOperationException("The module is not built: " + path + " is missing. Run: dotnet build McpAuth.sln");
                }

                return path;
            }
        }
    }
}
