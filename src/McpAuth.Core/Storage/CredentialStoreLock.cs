using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Identity.Client.Extensions.Msal;

namespace McpAuth.Core.Storage
{
    /// <summary>
    /// The lock around every store operation: a process-wide <see cref="SemaphoreSlim"/> per lock file
    /// (MSAL's <see cref="CrossPlatLock"/> is not re-entrant within a process, and threads of one process
    /// would pass through it), then the <see cref="CrossPlatLock"/> file lock for other processes. The file
    /// lock is taken with single attempts and an awaited, cancellable delay between them, instead of
    /// CrossPlatLock's own blocking retry loop. A process killed while holding it releases it: the OS
    /// drops the file lock with the process.
    /// </summary>
    internal static class CredentialStoreLock
    {
        private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates =
            new ConcurrentDictionary<string, SemaphoreSlim>(StringComparer.Ordinal);

        private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(15);

        public static async Task<IDisposable> AcquireAsync(string lockFilePath, TimeSpan timeout, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            SemaphoreSlim gate = Gates.GetOrAdd(lockFilePath, _ => new SemaphoreSlim(1, 1));
            var stopwatch = Stopwatch.StartNew();
            if (!await gate.WaitAsync(timeout, cancellationToken).ConfigureAwait(false))
            {
                throw Busy(lockFilePath, timeout);
            }

            try
            {
                bool reported = false;
                while (true)
                {
                    CrossPlatLock? fileLock = TryTake(lockFilePath);
                    if (fileLock is not null)
                    {
                        return new Releaser(fileLock, gate);
                    }

                    if (!reported)
                    {
                        callbacks.Verbose($"Credential store lock {lockFilePath} is held by another process; waiting.");
                        reported = true;
                    }

                    if (stopwatch.Elapsed >= timeout)
                    {
                        throw Busy(lockFilePath, timeout);
                    }

                    await Task.Delay(RetryDelay, cancellationToken).ConfigureAwait(false);
                }
            }
            catch
            {
                gate.Release();
                throw;
            }
        }

        private static CrossPlatLock? TryTake(string lockFilePath)
        {
            try
            {
                // One attempt; CrossPlatLock throws InvalidOperationException when the file is locked.
                return new CrossPlatLock(lockFilePath, lockFileRetryDelay: 0, lockFileRetryCount: 1);
            }
            catch (InvalidOperationException)
            {
                return null;
            }
        }

        private static CredentialStoreException Busy(string lockFilePath, TimeSpan timeout) =>
            new CredentialStoreException(
                ErrorIds.CredentialStoreBusy,
                McpErrorKind.Timeout,
                $"The credential store stayed locked for {timeout.TotalSeconds:0} s (lock file {lockFilePath}). "
                + "Another McpAuth process is using it; wait for it to finish and retry.",
                lockFilePath,
                "Wait for other PowerShell sessions using McpAuth to finish, then retry.");

        private sealed class Releaser : IDisposable
        {
            private CrossPlatLock? fileLock;
            private SemaphoreSlim? gate;

            public Releaser(CrossPlatLock fileLock, SemaphoreSlim gate)
            {
                this.fileLock = fileLock;
                this.gate = gate;
            }

            public void Dispose()
            {
                Interlocked.Exchange(ref fileLock, null)?.Dispose();
                Interlocked.Exchange(ref gate, null)?.Release();
            }
        }
    }
}
