using System;
using System.Diagnostics;
using System.IO;

namespace McpAuth.Testing
{
    /// <summary>
    /// Keeps what child processes printed for the run's secret scan: appends it to
    /// $MCPAUTH_TEST_OUTPUT_DIR/child-&lt;test process id&gt;.log (.ci/test sets the variable; without it, nothing
    /// is written). Tests assert on a child's output and often do not print it, so without this the scan would
    /// never see what a real pwsh showed. The output of a command that asks for a token in plain text
    /// (<c>-AsPlainText</c>) is not kept: there the token is the output the caller asked for.
    /// </summary>
    public static class TestOutputLog
    {
        private static readonly object Gate = new();

        public static void Append(string what, string? output, string? error)
        {
            string? dir = Environment.GetEnvironmentVariable("MCPAUTH_TEST_OUTPUT_DIR");
            if (string.IsNullOrEmpty(dir))
            {
                return;
            }

            if (what.Contains("-AsPlainText", StringComparison.OrdinalIgnoreCase))
            {
                output = "(not kept: the command asks for a token in plain text)";
            }

            lock (Gate)
            {
                Directory.CreateDirectory(dir);
                File.AppendAllText(
                    Path.Combine(dir, $"child-{Environment.ProcessId}.log"),
                    $"==== {DateTime.UtcNow:O} {what}\n---- stdout\n{output}\n---- stderr\n{error}\n");
            }
        }

        /// <summary>Appends one line a running child process printed.</summary>
        public static void Line(int processId, string stream, string line) => Append($"process {processId} {stream}", stream == "stdout" ? line : null, stream == "stdout" ? null : line);

        /// <summary>Appends the output of a finished process whose streams the caller read.</summary>
        public static void Append(Process process, string? output, string? error) =>
            Append(process.StartInfo.FileName + " " + string.Join(" ", process.StartInfo.ArgumentList), output, error);
    }
}
