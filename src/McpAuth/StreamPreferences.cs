using System.Management.Automation;

namespace McpAuth
{
    /// <summary>
    /// Which of a command's diagnostic streams are shown, from its preferences: -Verbose / -Debug / -ProgressAction
    /// when bound, else $VerbosePreference / $DebugPreference / $ProgressPreference. Read once per command on the
    /// pipeline thread: the engine's verbose and debug messages for a stream nobody shows are dropped where they
    /// arrive instead of waking the pipeline thread for a write that discards them; modern MCP servers are asked for
    /// log messages only when they would be shown (-Debug: debug and above, -Verbose: info and above, else none),
    /// which then come out as Write-Debug and Write-Verbose; and a tool call asks the server for progress
    /// notifications (a progress token) only when Write-Progress would show them.
    /// </summary>
    internal sealed class StreamPreferences
    {
        private StreamPreferences(bool verbose, bool debug, bool progress)
        {
            Verbose = verbose;
            Debug = debug;
            Progress = progress;
        }

        /// <summary>Gets a value indicating whether Write-Verbose output of the command is shown.</summary>
        public bool Verbose { get; }

        /// <summary>Gets a value indicating whether Write-Debug output of the command is shown.</summary>
        public bool Debug { get; }

        /// <summary>Gets a value indicating whether Write-Progress output of the command is shown (-ProgressAction, else $ProgressPreference).</summary>
        public bool Progress { get; }

        /// <summary>Gets the log level to ask modern servers for: "debug", "info", or null for none.</summary>
        public string? ServerLogLevel => Debug ? "debug" : Verbose ? "info" : null;

        public static StreamPreferences Read(PSCmdlet cmdlet)
            => new StreamPreferences(
                Wants(cmdlet, "Verbose", "VerbosePreference"),
                Wants(cmdlet, "Debug", "DebugPreference"),
                Wants(cmdlet, "ProgressAction", "ProgressPreference"));

        private static bool Wants(PSCmdlet cmdlet, string parameter, string variable)
        {
            if (cmdlet.MyInvocation.BoundParameters.TryGetValue(parameter, out object? bound))
            {
                // -Verbose and -Debug are switches; -ProgressAction (PowerShell 7.4+) takes an ActionPreference.
                return bound is SwitchParameter s ? s.IsPresent : Shows(bound);
            }

            // A script may hold the preference as a string ($DebugPreference = 'Continue' in its own scope).
            return Shows(cmdlet.GetVariableValue(variable));
        }

        private static bool Shows(object? preference)
            => preference is not null
                && LanguagePrimitives.TryConvertTo(preference, out ActionPreference p)
                && p != ActionPreference.SilentlyContinue
                && p != ActionPreference.Ignore;
    }
}
