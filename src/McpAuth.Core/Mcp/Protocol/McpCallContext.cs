using System;
using System.Threading;

namespace McpAuth.Core.Mcp
{
    /// <summary>
    /// One operation of the client API, as the caller started it: whose callbacks report and prompt for it,
    /// the log level the user asked for (-Verbose is info, -Debug is debug; modern servers send
    /// <c>notifications/message</c> only when asked), and whether a 401/403 may start a sign-in.
    /// </summary>
    public sealed class McpCallContext
    {
        public McpCallContext(IEngineCallbacks callbacks)
        {
            Callbacks = callbacks ?? throw new ArgumentNullException(nameof(callbacks));
        }

        /// <summary>Gets the callbacks that report and prompt for the operation.</summary>
        public IEngineCallbacks Callbacks { get; }

        /// <summary>Gets or sets the lowest server log level to receive (debug, info, ...), or null for none.</summary>
        public string? LogLevel { get; set; }

        /// <summary>
        /// Gets or sets a value indicating whether a challenge may renew credentials (refresh, sign-in,
        /// step-up). False for completion: it presents the token a connection holds and nothing more.
        /// </summary>
        public bool AllowSignIn { get; set; } = true;

        /// <summary>
        /// Gets or sets a value indicating whether a tool call asks the server for progress notifications (sends a
        /// progress token). True unless the caller would not show them: the server then neither tracks nor sends them.
        /// </summary>
        public bool WantsProgress { get; set; } = true;

        /// <summary>Gets or sets the progress of a tool call, when one is reported.</summary>
        internal ProgressReporter? Progress { get; set; }
    }

    /// <summary>A tool call's progress token, turned into progress updates of one activity.</summary>
    internal sealed class ProgressReporter
    {
        private static int nextActivity = 1000;

        /// <param name="activity">What Write-Progress shows.</param>
        /// <param name="token">
        /// The token, a number the connection draws (<see cref="McpClient"/>): unique among the requests of its
        /// session, the only place a server looks it up, as the official SDKs' request ids are. A number costs a
        /// server less to read than a string, and unlike the per-process random prefix it replaces it tells a server
        /// nothing about calls to other servers.
        /// </param>
        public ProgressReporter(string activity, long token)
        {
            Activity = activity;
            ActivityId = Interlocked.Increment(ref nextActivity);
            Token = token;
        }

        public long Token { get; }

        public string Activity { get; }

        public int ActivityId { get; }

        public bool Started { get; private set; }

        public void Report(IEngineCallbacks callbacks, double done, double? total, string? message)
        {
            string status = message ?? (total is null ? $"{done}" : $"{done} of {total}");
            int percent = total is > 0 ? (int)Math.Max(0, Math.Min(100, done * 100 / total.Value)) : -1;
            Started = true;
            callbacks.Progress(new ProgressUpdate(ActivityId, Activity, status) { PercentComplete = percent });
        }

        public void Complete(IEngineCallbacks callbacks)
        {
            if (Started)
            {
                callbacks.Progress(new ProgressUpdate(ActivityId, Activity, "done") { Completed = true });
            }
        }
    }
}
