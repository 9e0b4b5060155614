using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;

namespace McpAuth.Testing
{
    /// <summary>Runs a script in a new process (mcpauth-host: the real engine with the module imported).</summary>
    public static class HostProcess
    {
        public static string HostDll
        {
            get
            {
                string root = ModuleLocator.RepoRoot;
                return Directory.GetFiles(Path.Combine(root, "tests", "McpAuth.Host", "bin"), "mcpauth-host.dll", SearchOption.AllDirectories)
                    .OrderByDescending(File.GetLastWriteTimeUtc)
                    .FirstOrDefault() ?? throw new InvalidOperationException("mcpauth-host is not built: dotnet build McpAuth.sln");
            }
        }

        /// <summary>Starts the script; the caller waits. Environment entries with a null value are removed.</summary>
        public static Process Start(string command, IDictionary<string, string?>? environment = null)
        {
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(HostDll);
            start.ArgumentList.Add("-Command");
            start.ArgumentList.Add(command);
            if (environment is not null)
            {
                foreach (KeyValuePair<string, string?> kv in environment)
                {
                    if (kv.Value is null)
                    {
                        start.Environment.Remove(kv.Key);
                    }
                    else
                    {
                        start.Environment[kv.Key] = kv.Value;
                    }
                }
            }

            return Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        }

        /// <summary>Runs the script to the end and returns (exit code, stdout, stderr).</summary>
        public static (int ExitCode, string Output, string Error) Run(string command, IDictionary<string, string?>? environment = null, int timeoutSeconds = 120)
        {
            using Process p = Start(command, environment);
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(timeoutSeconds * 1000))
            {
                p.Kill(entireProcessTree: true);
                throw new TimeoutException("mcpauth-host did not finish: " + command);
            }

            return (p.ExitCode, stdout.Result, stderr.Result);
        }
    }
}
