using System;

namespace McpAuth.Core.Http
{
    /// <summary>
    /// Marks the current thread as one that waits for the operation it starts anyway (a PowerShell pipeline
    /// thread running one engine operation). While it is marked, an HTTP exchange that starts synchronously on it
    /// does its socket I/O on it (<see cref="DirectHttpHandler"/>) instead of through the thread pool: no hop to a
    /// worker and back, and no idle workers spinning for the next item. Code that runs later on the thread pool
    /// (any continuation after a truly asynchronous wait, background stream readers) is not marked.
    /// </summary>
    public static class WaitingThread
    {
        [ThreadStatic]
        private static int depth;

        /// <summary>Gets whether the current thread is marked.</summary>
        public static bool IsCurrent => depth > 0;

        /// <summary>Marks the current thread until the scope is disposed, on the same thread.</summary>
        public static Scope Enter()
        {
            depth++;
            return default;
        }

        /// <summary>The marking; dispose it on the thread that entered it.</summary>
        public readonly struct Scope : IDisposable
        {
            /// <inheritdoc/>
            public void Dispose() => depth--;
        }
    }
}
