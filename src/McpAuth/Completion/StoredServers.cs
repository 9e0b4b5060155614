using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core;
using McpAuth.Core.Storage;
using McpAuth.Core.Tokens;

namespace McpAuth.Completion
{
    /// <summary>
    /// The credentials in a store, for completion: read on the thread pool and waited for only briefly. A
    /// missing, locked or slow keychain yields nothing instead of an error or a hang, and a read still
    /// running is shared by the next Tab instead of piling up another one.
    /// </summary>
    internal static class StoredServers
    {
        private static readonly IReadOnlyList<CredentialRecord> None = Array.Empty<CredentialRecord>();
        private static readonly object Gate = new object();
        private static readonly Dictionary<string, Task<IReadOnlyList<CredentialRecord>>> Running = new Dictionary<string, Task<IReadOnlyList<CredentialRecord>>>(StringComparer.Ordinal);

        /// <summary>The records of the store <paramref name="store"/> names (the default store when null), or none.</summary>
        public static IReadOnlyList<CredentialRecord> List(McpCredentialStore? store, TimeSpan wait)
        {
            Task<IReadOnlyList<CredentialRecord>> task;
            try
            {
                task = Start(store, wait);
                if (!task.IsCompleted)
                {
                    Task.WhenAny(task, Task.Delay(wait)).GetAwaiter().GetResult();
                }
            }
            catch (Exception ex) when (ex is McpAuthException || ex is InvalidOperationException)
            {
                return None;
            }

            return task.Status == TaskStatus.RanToCompletion ? task.Result : None;
        }

        private static Task<IReadOnlyList<CredentialRecord>> Start(McpCredentialStore? store, TimeSpan wait)
        {
            CredentialStoreOptions options = CredentialStoreParameter.ToOptions(store);
            options.LockTimeout = wait;
            string key = (options.Kind?.ToString() ?? "default") + "|" + CredentialStoreFactory.ResolveDirectory(options);
            lock (Gate)
            {
                if (Running.TryGetValue(key, out Task<IReadOnlyList<CredentialRecord>>? running) && !running.IsCompleted)
                {
                    return running;
                }

                Task<IReadOnlyList<CredentialRecord>> task = Task.Run<IReadOnlyList<CredentialRecord>>(async () =>
                {
                    using var limit = new CancellationTokenSource(TimeSpan.FromTicks(wait.Ticks * 4));
                    return await CredentialManager.ListAsync(options, null, NullEngineCallbacks.Instance, limit.Token).ConfigureAwait(false);
                });
                _ = task.ContinueWith(
                    t =>
                    {
                        lock (Gate)
                        {
                            if (Running.TryGetValue(key, out Task<IReadOnlyList<CredentialRecord>>? current) && ReferenceEquals(current, t))
                            {
                                Running.Remove(key);
                            }
                        }

                        return t.Exception;
                    },
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
                Running[key] = task;
                return task;
            }
        }
    }
}
