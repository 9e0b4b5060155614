using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Mcp;

namespace McpAuth.Core.Tests
{
    /// <summary>Engine callbacks that keep every message, so tests can check that none carries a secret.</summary>
    public sealed class RecordingCallbacks : IEngineCallbacks
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        public ConcurrentQueue<ProgressUpdate> ProgressUpdates { get; } = new();

        public bool IsInteractive => false;

        public string AllText => string.Join("\n", Messages);

        /// <summary>Gets the Warning messages, without prefix, in order.</summary>
        public IReadOnlyList<string> Warnings => Strip("WARNING: ");

        /// <summary>Gets the Verbose messages, without prefix, in order.</summary>
        public IReadOnlyList<string> VerboseLines => Strip("VERBOSE: ");

        /// <summary>Gets the Verbose messages (without prefix) and the Warnings (prefixed), in order.</summary>
        public IReadOnlyList<string> VerboseMessages => Messages
            .Where(m => m.StartsWith("VERBOSE: ", System.StringComparison.Ordinal) || m.StartsWith("WARNING: ", System.StringComparison.Ordinal))
            .Select(m => m.StartsWith("VERBOSE: ", System.StringComparison.Ordinal) ? m.Substring(9) : m)
            .ToList();

        public void Verbose(string message) => Messages.Enqueue("VERBOSE: " + message);

        public void Debug(string message) => Messages.Enqueue("DEBUG: " + message);

        public void Warning(string message) => Messages.Enqueue("WARNING: " + message);

        public void Progress(ProgressUpdate update)
        {
            ProgressUpdates.Enqueue(update);
            Messages.Enqueue("PROGRESS: " + update.Status);
        }

        public Task<ElicitationResult> ElicitAsync(ElicitationRequest request, CancellationToken cancellationToken)
            => Task.FromResult(ElicitationResult.Decline());

        private IReadOnlyList<string> Strip(string prefix) => Messages
            .Where(m => m.StartsWith(prefix, System.StringComparison.Ordinal))
            .Select(m => m.Substring(prefix.Length))
            .ToList();

        public void Information(string message) => Messages.Enqueue("INFO: " + message);

        public Task<Uri?> InvokeAuthorizationHandlerAsync(object handler, Uri authorizationUrl, CancellationToken cancellationToken)
            => handler is Func<Uri, CancellationToken, Task<Uri?>> f ? f(authorizationUrl, cancellationToken) : Task.FromResult<Uri?>(null);

        public Task<string?> ReadLineAsync(string prompt, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
    }
}
