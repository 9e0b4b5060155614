using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core;
using McpAuth.Core.Mcp;
using McpAuth.Core.Storage;
using McpAuth.Testing;

namespace McpAuth.Core.Tests.Storage
{
    /// <summary>A temporary directory deleted at the end of a test.</summary>
    internal sealed class TempDirectory : IDisposable
    {
        public TempDirectory()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mcpauth-store-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        /// <summary>Gets a store directory inside this one that does not exist yet (the store creates it).</summary>
        public string StoreDir => System.IO.Path.Combine(Path, "store");

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}

namespace McpAuth.Testing
{
    /// <summary>The store probe (tests/McpAuth.StoreProbe), run as a child process.</summary>
    public static partial class ChildProcess
    {
        public static string ProbeDll
        {
            get
            {
                string path = Path.Combine(AppContext.BaseDirectory, "McpAuth.StoreProbe.dll");
                if (!File.Exists(path))
                {
                    throw new InvalidOperationException("The store probe is not built next to the tests: " + path);
                }

                return path;
            }
        }

        public static ProcessStartInfo ProbeInfo(IReadOnlyDictionary<string, string?> environment, params string[] args)
        {
            var all = new string[args.Length + 1];
            all[0] = ProbeDll;
            Array.Copy(args, 0, all, 1, args.Length);
            return Info(DotnetHost, environment, all);
        }

        public static ProcessResult Probe(IReadOnlyDictionary<string, string?> environment, params string[] args) => Run(ProbeInfo(environment, args));

        public static Task<ProcessResult> ProbeAsync(IReadOnlyDictionary<string, string?> environment, params string[] args) =>
            Task.Run(() => Probe(environment, args));
    }
}
