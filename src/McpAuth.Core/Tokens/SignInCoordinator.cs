using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Storage;

namespace McpAuth.Core.Tokens
{
    /// <summary>
    /// Makes one piece of work (a sign-in for a credential, a client registration at an authorization server)
    /// happen once on the machine while several runspaces and processes want it at the same moment: one does
    /// it under a named lock beside the store; the others wait, saying so on the information stream, and use
    /// its result once it is stored. When the one doing it fails or its process dies, the lock is free again
    /// and exactly one waiter takes over. The wait is bounded and cancellable. A store no other process sees
    /// (memory) coordinates runspaces of this process only.
    /// </summary>
    internal static class SignInCoordinator
    {
        /// <summary>How often a waiter looks for the result and tries the lock.</summary>
        private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

        /// <summary>Does <paramref name="work"/>, or waits for another process or runspace doing it and returns what it stored.</summary>
        /// <param name="cache">The cache whose store the work stores into, and whose lock directory holds the lock.</param>
        /// <param name="lockName">The lock's name (<see cref="NamedLockFile.Name"/>): one per credential or per registration.</param>
        /// <param name="what">What is being done, for the waiting message and the timeout error ("the sign-in to ...").</param>
        /// <param name="target">What a timeout error is about (the MCP server).</param>
        /// <param name="timeout">How long to wait for another at most (real time).</param>
        /// <param name="stored">Returns the result someone stored, when there is a usable one; null otherwise.</param>
        /// <param name="work">Does the work and stores its result; runs with the lock held.</param>
        /// <param name="callbacks">Where the waiting message goes.</param>
        /// <param name="cancellationToken">Ends the wait (Ctrl+C).</param>
        public static async Task<T> OnceAsync<T>(
            TokenCache cache,
            string lockName,
            string what,
            object target,
            TimeSpan timeout,
            Func<CancellationToken, Task<T?>> stored,
            Func<CancellationToken, Task<T>> work,
            IEngineCallbacks callbacks,
            CancellationToken cancellationToken)
            where T : class
        {
            var waited = Stopwatch.StartNew();
            bool announced = false;
            void Announce()
            {
                if (!announced)
                {
                    announced = true;
                    callbacks.Information($"Waiting for {what}, which another PowerShell session or process on this machine started (at most {timeout.TotalSeconds:0} s; Ctrl+C stops waiting).");
                }
            }

            SemaphoreSlim gate = cache.Gate(lockName);
            if (!await gate.WaitAsync(0, cancellationToken).ConfigureAwait(false))
            {
                Announce();
                if (!await gate.WaitAsync(timeout, cancellationToken).ConfigureAwait(false))
                {
                    throw TimedOut(what, target, timeout);
                }
            }

            try
            {
                while (true)
                {
                    if (await stored(cancellationToken).ConfigureAwait(false) is T result)
                    {
                        ReportAdopted(announced, what, callbacks);
                        return result;
                    }

                    using (IDisposable? held = cache.Store.LockDirectory is string directory ? NamedLockFile.TryAcquire(directory, lockName) : Unshared.Instance)
                    {
                        if (held is not null)
                        {
                            // The previous holder may have stored its result just before letting go.
                            if (await stored(cancellationToken).ConfigureAwait(false) is T justStored)
                            {
                                ReportAdopted(announced, what, callbacks);
                                return justStored;
                            }

                            if (announced)
                            {
                                callbacks.Information($"The other session did not finish {what}; this one does it now.");
                            }

                            return await work(cancellationToken).ConfigureAwait(false);
                        }
                    }

                    Announce();
                    if (waited.Elapsed >= timeout)
                    {
                        throw TimedOut(what, target, timeout);
                    }

                    await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                gate.Release();
            }
        }

        private static void ReportAdopted(bool announced, string what, IEngineCallbacks callbacks)
        {
            if (announced)
            {
                callbacks.Information($"The other session finished {what}; using its result.");
            }
        }

        private static McpAuthException TimedOut(string what, object target, TimeSpan timeout) => new McpAuthException(
            ErrorIds.SignInWaitTimedOut,
            McpErrorKind.Timeout,
            $"Waited {timeout.TotalSeconds:0} s for {what}, which another PowerShell session or process on this machine started, and it has not finished. Finish or cancel that sign-in, then run the command again.",
            target);

        /// <summary>The lock of a store no other process sees: always free.</summary>
        private sealed class Unshared : IDisposable
        {
            public static readonly Unshared Instance = new Unshared();

            public void Dispose()
            {
            }
        }
    }
}
