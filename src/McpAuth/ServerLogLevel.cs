using System.Management.Automation;

namespace McpAuth
{
    /// <summary>
    /// The server log level a command asks for, from its preferences: -Debug (or $DebugPreference) asks
    /// modern MCP servers for debug messages, -Verbose (or $VerbosePreference) for info and above; without
    /// either they send none. Their notifications/message then come out as Write-Debug and Write-Verbose.
    /// Read it on the pipeline thread.
    /// </summary>
    internal static class ServerLogLevel
    {
        public static string? For(PSCmdlet cmdlet)
        {
            if (Wants(cmdlet, "Debug", "DebugPreference"))
            {
                return "debug";
            }

            return Wants(cmdlet, "Verbose", "VerbosePreference") ? "info" : null;
        }

        private static bool Wants(PSCmdlet cmdlet, string parameter, string variable)
        {
            if (cmdlet.MyInvocation.BoundParameters.TryGetValue(parameter, out object? bound))
            {
                return bound is SwitchParameter s ? s.IsPresent : LanguagePrimitives.IsTrue(bound);
            }

            // A script may hold the preference as a string ($DebugPreference = 'Continue' in its own scope).
            object? preference = cmdlet.GetVariableValue(variable);
            return preference is not null
                && LanguagePrimitives.TryConvertTo(preference, out ActionPreference p)
                && p != ActionPreference.SilentlyContinue
                && p != ActionPreference.Ignore;
        }
    }
}
