using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;

namespace McpAuth.Testing
{
    /// <summary>The result of one child process.</summary>
    public sealed record ProcessResult(int ExitCode, string StdOut, string StdErr)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout:\n{StdOut}\nstderr:\n{StdErr}";
    }

    /// <summary>Runs processes with a chosen environment (and, in the engine tests, the store probe).</summary>
    public static partial class ChildProcess
    {
        public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

        public static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

        public static ProcessStartInfo Info(string fileName, IReadOnlyDictionary<string, string?> environment, params string[] args)
        {
            var info = new ProcessStartInfo(fileName)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            foreach (string arg in args)
            {
                info.ArgumentList.Add(arg);
            }

            // Children never inherit this test process's store settings or session bus by accident.
            foreach (string name in new[] { "MCPAUTH_CREDENTIAL_STORE", "MCPAUTH_STORE_DIR", "MCPAUTH_ALLOW_PLAINTEXT_STORAGE", "DBUS_SESSION_BUS_ADDRESS", "DISPLAY" })
            {
                info.Environment.Remove(name);
            }

            foreach (KeyValuePair<string, string?> pair in environment)
            {
                info.Environment[pair.Key] = pair.Value;
            }

            return info;
        }

        public static ProcessResult Run(ProcessStartInfo info, TimeSpan? timeout = null)
        {
            using Process process = Process.Start(info)!;
            process.StandardInput.Close();
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit((int)(timeout ?? DefaultTimeout).TotalMilliseconds))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{info.FileName} {string.Join(" ", info.ArgumentList)} did not finish in time.");
            }

            process.WaitForExit();
            return new ProcessResult(process.ExitCode, stdout.Result, stderr.Result);
        }
    }

    /// <summary>
    /// A private D-Bus session bus with gnome-keyring-daemon, started by sourcing .ci/keyring.sh (the same
    /// script CI uses). Each instance is independent; Dispose stops both daemons by pid. Fails loudly when
    /// the packages are missing: these tests are never skipped.
    /// </summary>
    public sealed class PrivateKeyring : IDisposable
    {
        private PrivateKeyring(string address, string dbusPid, string daemonPid, string dir)
        {
            Address = address;
            DbusPid = dbusPid;
            DaemonPid = daemonPid;
            Dir = dir;
        }

        public string Address { get; }

        public string DbusPid { get; }

        public string DaemonPid { get; }

        public string Dir { get; }

        public static string Script => Path.Combine(ModuleLocator.RepoRoot, ".ci", "keyring.sh");

        public static PrivateKeyring Start()
        {
            ProcessResult result = ChildProcess.Run(ChildProcess.Info(
                "bash",
                new Dictionary<string, string?>(),
                "-c",
                "source \"$1\" && keyring_start && printf '%s\\n%s\\n%s\\n%s\\n' \"$DBUS_SESSION_BUS_ADDRESS\" \"$KEYRING_DBUS_PID\" \"$KEYRING_DAEMON_PID\" \"$KEYRING_DIR\"",
                "bash",
                Script));
            string[] lines = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (result.ExitCode != 0 || lines.Length != 4)
            {
                throw new InvalidOperationException(
                    "Could not start a private keyring with .ci/keyring.sh. Install: apt-get install -y --no-install-recommends "
                    + "gnome-keyring libsecret-1-0 libsecret-tools dbus\n" + result);
            }

            return new PrivateKeyring(lines[0], lines[1], lines[2], lines[3]);
        }

        /// <summary>Gets the environment a child needs to use this keyring.</summary>
        public Dictionary<string, string?> Environment(string storeDir) => new Dictionary<string, string?>
        {
            ["DBUS_SESSION_BUS_ADDRESS"] = Address,
            ["MCPAUTH_CREDENTIAL_STORE"] = "keychain",
            ["MCPAUTH_STORE_DIR"] = storeDir,
        };

        /// <summary>Runs a bash command with this keyring's bus and the script's functions available.</summary>
        public ProcessResult Bash(string command) => ChildProcess.Run(ChildProcess.Info(
            "bash",
            new Dictionary<string, string?>
            {
                ["DBUS_SESSION_BUS_ADDRESS"] = Address,
                ["KEYRING_DBUS_PID"] = DbusPid,
                ["KEYRING_DAEMON_PID"] = DaemonPid,
                ["KEYRING_DIR"] = Dir,
            },
            "-c",
            "source \"$1\" && " + command,
            "bash",
            Script));

        public void Lock()
        {
            ProcessResult result = Bash("keyring_lock");
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException("keyring_lock failed\n" + result);
            }
        }

        public void Dispose() => Bash("keyring_stop");
    }
}
