using System;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Mcp;

namespace McpAuth.Core
{
    /// <summary>
    /// How the engine reports to, and asks things of, whoever drives it. The engine never writes to a
    /// console or a PowerShell host itself: the cmdlet layer implements this interface and marshals each
    /// call onto the pipeline thread. Every string passed here must already be free of secrets.
    /// </summary>
    public interface IEngineCallbacks
    {
        /// <summary>Gets a value indicating whether a person can answer prompts (elicitation, sign-in).</summary>
        bool IsInteractive { get; }

        /// <summary>A step worth showing with -Verbose (discovery, decisions). Never a secret.</summary>
        void Verbose(string message);

        /// <summary>Protocol detail worth showing with -Debug. Never a secret.</summary>
        void Debug(string message);

        /// <summary>Something the user should know about even without -Verbose.</summary>
        void Warning(string message);

        /// <summary>Progress of a long operation (a tool's notifications/progress, waiting for a browser).</summary>
        void Progress(ProgressUpdate update);

        /// <summary>Asks the user to fill in a form a server sent with elicitation/create.</summary>
        Task<ElicitationResult> ElicitAsync(ElicitationRequest request, CancellationToken cancellationToken);

        /// <summary>Shows a message to the person at the host (like Write-Host): a sign-in URL or a device code.</summary>
        void Information(string message);

        /// <summary>
        /// Runs the caller's authorization handler (for PowerShell, a script block) with the authorization
        /// URL. Returns the callback URL when the handler returned one, or null.
        /// </summary>
        Task<Uri?> InvokeAuthorizationHandlerAsync(object handler, Uri authorizationUrl, CancellationToken cancellationToken);

        /// <summary>Reads one line from the person at the host; null when there is nobody to ask.</summary>
        Task<string?> ReadLineAsync(string prompt, CancellationToken cancellationToken);
    }

    /// <summary>One progress update. <see cref="Completed"/> closes the activity.</summary>
    public sealed class ProgressUpdate
    {
        public ProgressUpdate(int activityId, string activity, string status)
        {
            ActivityId = activityId;
            Activity = activity;
            Status = status;
        }

        public int ActivityId { get; }

        public string Activity { get; }

        public string Status { get; }

        /// <summary>Gets or sets the percentage done, or -1 when unknown.</summary>
        public int PercentComplete { get; set; } = -1;

        public bool Completed { get; set; }
    }

    /// <summary>Callbacks that do nothing and answer no prompt; for engine tests and background work.</summary>
    public sealed class NullEngineCallbacks : IEngineCallbacks
    {
        public static readonly NullEngineCallbacks Instance = new NullEngineCallbacks();

        public bool IsInteractive => false;

        public void Verbose(string message)
        {
        }

        public void Debug(string message)
        {
        }

        public void Warning(string message)
        {
        }

        public void Progress(ProgressUpdate update)
        {
        }

        public Task<ElicitationResult> ElicitAsync(ElicitationRequest request, CancellationToken cancellationToken)
            => Task.FromResult(ElicitationResult.Decline());

        public void Information(string message)
        {
        }

        public Task<Uri?> InvokeAuthorizationHandlerAsync(object handler, Uri authorizationUrl, CancellationToken cancellationToken)
            => handler is Func<Uri, CancellationToken, Task<Uri?>> f ? f(authorizationUrl, cancellationToken) : Task.FromResult<Uri?>(null);

        public Task<string?> ReadLineAsync(string prompt, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
    }
}
