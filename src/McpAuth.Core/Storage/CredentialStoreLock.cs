using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO;
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
    /// <para>
    /// CrossPlatLock deletes its lock file on release, so on Unix a process that opened the old file just
    /// before the delete can lock the deleted file while a third process locks a new one: two holders.
    /// Rare, but a lost update of a rotated refresh token costs a sign-in. So inside CrossPlatLock we also
    /// take an exclusive lock on a second file that is never deleted (<c>.guard</c>), which has no such race.
    /// </para>
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
                    IDisposable? fileLock = TryTake(lockFilePath);
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

        private static IDisposable? TryTake(string lockFilePath)
        {
            CrossPlatLock crossPlatLock;
            try
            {
                // One attempt; CrossPlatLock throws InvalidOperationException when the file is locked.
                crossPlatLock = new CrossPlatLock(lockFilePath, lockFileRetryDelay: 0, lockFileRetryCount: 1);
            }
            catch (InvalidOperationException)
            {
                return null;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                // Not another holder: the lock file cannot be written at all (a full disk, a read-only file system).
                throw new CredentialStoreException(
                    ErrorIds.CredentialStoreUnavailable,
                    McpErrorKind.ResourceUnavailable,
                    $"The credential store cannot be used: its lock file {lockFilePath} could not be written ({ex.Message}). Nothing stored was changed.",
                    lockFilePath,
                    "Free space or fix the permissions of the credential store's folder, then retry.",
                    ex);
            }

            try
            {
                // FileShare.None is an exclusive flock on Unix and a share lock on Windows; the file stays.
                var guard = new FileStream(lockFilePath + ".guard", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                return new Held(crossPlatLock, guard);
            }
            catch (IOException)
            {
                crossPlatLock.Dispose();
                return null;
            }
            catch (UnauthorizedAccessException)
            {
                crossPlatLock.Dispose();
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

        private sealed class Held : IDisposable
        {
            private readonly CrossPlatLock crossPlatLock;
            private readonly FileStream guard;

            public Held(CrossPlatLock crossPlatLock, FileStream guard)
            {
                this.crossPlatLock = crossPlatLock;
                this.guard = guard;
            }

            public void Dispose()
            {
                guard.Dispose();
                crossPlatLock.Dispose();
            }
        }

        private sealed class Releaser : IDisposable
        {
            private IDisposable? fileLock;
            private SemaphoreSlim? gate;

            public Releaser(IDisposable fileLock, SemaphoreSlim gate)
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
