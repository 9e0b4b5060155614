using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core;
using McpAuth.Core.Mcp;

namespace McpAuth.Core.Tests.Discovery
{
    /// <summary>Engine callbacks that record every Verbose and Warning message.</summary>
    public sealed class RecordingCallbacks : IEngineCallbacks
    {
        private readonly ConcurrentQueue<string> verbose = new();

        public bool IsInteractive => false;

        public IReadOnlyList<string> VerboseMessages => verbose.ToArray();

        public void Verbose(string message) => verbose.Enqueue(message);

        public void Debug(string message)
        {
        }

        public void Warning(string message) => verbose.Enqueue("WARNING: " + message);

        public void Progress(ProgressUpdate update)
        {
        }

        public Task<ElicitationResult> ElicitAsync(ElicitationRequest request, CancellationToken cancellationToken)
            => Task.FromResult(ElicitationResult.Decline());
    }
}
