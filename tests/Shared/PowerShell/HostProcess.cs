using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text.RegularExpressions;

namespace McpAuth.Testing
{
    /// <summary>
    /// Runs a script in a new process of real pwsh (the project's pinned PowerShell, .config/dotnet-tools.json,
    /// restored by `dotnet tool restore`), with the built module imported first. Output objects go to stdout,
    /// every other stream to stderr; a script that writes an error exits with 1 and prints
    /// "ERROR [FullyQualifiedErrorId]: message" on stderr (the message PowerShell shows: ErrorDetails first).
    /// </summary>
    public static class HostProcess
    {
        /// <summary>Gets the path of pwsh.dll of the pinned PowerShell tool (run with dotnet).</summary>
        public static string PwshDll
        {
            get
            {
                string manifest = File.ReadAllText(Path.Combine(ModuleLocator.RepoRoot, ".config", "dotnet-tools.json"));
                string version = Regex.Match(manifest, "\"powershell\"\\s*:\\s*\\{[^}]*\"version\"\\s*:\\s*\"([^\"]+)\"").Groups[1].Value;
                string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
                    ? configured
                    : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
                string dll = Path.Combine(packages, "powershell", version, "tools", "net10.0", "any", OperatingSystem.IsWindows() ? "win" : "unix", "pwsh.dll");
                return File.Exists(dll) ? dll : throw new InvalidOperationException($"PowerShell {version} is not restored ({dll}): run `dotnet tool restore` in {ModuleLocator.RepoRoot}.");
            }
        }

        /// <summary>
        /// The start info of a pwsh process that imports <paramref name="module"/> (the built McpAuth by default),
        /// runs <paramref name="command"/> and exits 1 when it wrote any error.
        /// </summary>
        public static ProcessStartInfo Info(string command, IDictionary<string, string?>? environment = null, string? module = null)
        {
            var start = new ProcessStartInfo(ChildProcess.DotnetHost)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(PwshDll);
            start.ArgumentList.Add("-NoLogo");
            start.ArgumentList.Add("-NoProfile");
            start.ArgumentList.Add("-NonInteractive");
            start.ArgumentList.Add("-Command");
            start.ArgumentList.Add(Wrap(command, module ?? ModuleLocator.ModuleManifest));

            // The test process's engine points PSModulePath at its own folders; pwsh finds its own.
            start.Environment.Remove("PSModulePath");
            start.Environment["NO_COLOR"] = "1";
            start.Environment["POWERSHELL_TELEMETRY_OPTOUT"] = "1";
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

            return start;
        }

        /// <summary>Starts the script; the caller waits. Environment entries with a null value are removed.</summary>
        public static Process Start(string command, IDictionary<string, string?>? environment = null)
        {
            Process p = Process.Start(Info(command, environment)) ?? throw new InvalidOperationException("could not start pwsh");
            p.StandardInput.Close();
            return p;
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
                throw new TimeoutException("pwsh did not finish: " + command);
            }

            p.WaitForExit();
            TestOutputLog.Append("pwsh: " + command, stdout.Result, stderr.Result);
            return (p.ExitCode, stdout.Result, stderr.Result);
        }

        private static string Wrap(string command, string module) =>
            "$ErrorActionPreference = 'Continue'\n"
            + "Import-Module '" + module.Replace("'", "''", StringComparison.Ordinal) + "'\n"
            + "$global:McpAuthTestFailed = $false\n"
            + "& {\n" + command + "\n} *>&1 | ForEach-Object {\n"
            + "  if ($_ -is [System.Management.Automation.ErrorRecord]) { $global:McpAuthTestFailed = $true; [Console]::Error.WriteLine('ERROR [' + $_.FullyQualifiedErrorId + ']: ' + $(if ($_.ErrorDetails -and $_.ErrorDetails.Message) { $_.ErrorDetails.Message } else { $_.Exception.Message })) }\n"
            + "  elseif ($_ -is [System.Management.Automation.WarningRecord]) { [Console]::Error.WriteLine('WARNING: ' + $_.Message) }\n"
            + "  elseif ($_ -is [System.Management.Automation.VerboseRecord]) { [Console]::Error.WriteLine('VERBOSE: ' + $_.Message) }\n"
            + "  elseif ($_ -is [System.Management.Automation.DebugRecord]) { [Console]::Error.WriteLine('DEBUG: ' + $_.Message) }\n"
            + "  elseif ($_ -is [System.Management.Automation.InformationRecord]) { [Console]::Error.WriteLine([string] $_.MessageData) }\n"
            + "  else { $_ }\n"
            + "}\n"
            + "if ($global:McpAuthTestFailed) { exit 1 }\n";
    }
}
