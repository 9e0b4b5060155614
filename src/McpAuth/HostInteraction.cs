using System;
using System.Management.Automation.Host;

namespace McpAuth
{
    /// <summary>
    /// Decides whether a person can answer a prompt in this host. Prompting where nobody can answer would hang
    /// a scheduled script or fail with the host's untyped "NonInteractive mode" error, so the module asks
    /// first and, when the answer is no, raises its own typed errors (InteractionRequired, InsufficientScope).
    /// </summary>
    internal static class HostInteraction
    {
        /// <summary>The console host of pwsh and of Windows PowerShell.</summary>
        private const string ConsoleHostName = "ConsoleHost";

        /// <summary>Whether this process was started with -NonInteractive: its command line never changes.</summary>
        private static readonly Lazy<bool> ProcessNonInteractive = new Lazy<bool>(() => StartedNonInteractive(Environment.GetCommandLineArgs()));

        /// <summary>Gets a value indicating whether a person can answer prompts through <paramref name="host"/>.</summary>
        public static bool CanAskAPerson(PSHost? host)
        {
            if (string.Equals(Environment.GetEnvironmentVariable("MCPAUTH_NONINTERACTIVE"), "1", StringComparison.Ordinal))
            {
                return false;
            }

            if (host?.UI?.RawUI is null
                || string.Equals(host.Name, "Default Host", StringComparison.Ordinal)
                || string.Equals(host.Name, "ServerRemoteHost", StringComparison.Ordinal)
                || !Environment.UserInteractive)
            {
                return false;
            }

            if (string.Equals(host.Name, ConsoleHostName, StringComparison.Ordinal))
            {
                // pwsh -NonInteractive (schedulers, CI) makes every read and prompt of the host throw.
                // Redirected input is still input: a script may pipe its answers in, as with Read-Host.
                return !ProcessNonInteractive.Value;
            }

            return true;
        }

        /// <summary>
        /// Gets a value indicating whether pwsh (or powershell.exe) was started with -NonInteractive. The
        /// console host keeps that flag to itself, so this reads the command line the way pwsh parses it: a
        /// switch is any unambiguous prefix of its name (at least "-noni"), and scanning stops at -Command
        /// or -File, whose following arguments belong to the script.
        /// </summary>
        internal static bool StartedNonInteractive(string[] commandLine)
        {
            for (int i = 1; i < commandLine.Length; i++)
            {
                string arg = commandLine[i];
                if (arg.Length < 2 || (arg[0] != '-' && arg[0] != '/'))
                {
                    continue;
                }

                string key = arg.TrimStart('-', '/').ToLowerInvariant();
                if (key.Length == 0)
                {
                    return false;
                }

                if (IsSwitch(key, "noninteractive", "noni"))
                {
                    return true;
                }

                if (IsSwitch(key, "command", "c") || IsSwitch(key, "file", "f") || IsSwitch(key, "encodedcommand", "e") || IsSwitch(key, "commandwithargs", "cwa"))
                {
                    return false;
                }
            }

            return false;
        }

        private static bool IsSwitch(string key, string name, string shortest)
            => key.StartsWith(shortest, StringComparison.Ordinal) && name.StartsWith(key, StringComparison.Ordinal);
    }
}
