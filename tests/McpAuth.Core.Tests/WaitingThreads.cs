using System;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Http;

namespace McpAuth.Core.Tests
{
    /// <summary>
    /// Runs test code on a new thread marked as waiting (<see cref="WaitingThread"/>), as the pipeline thread of a
    /// PowerShell command running its engine operation is: HTTP started on it goes through DirectHttpHandler.
    /// </summary>
    public static class WaitingThreads
    {
        /// <summary>Runs <paramref name="work"/> on a new marked thread; the task fails after a minute.</summary>
        public static Task<T> Run<T>(Func<T> work)
        {
            var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
            var thread = new Thread(() =>
            {
                using (WaitingThread.Enter())
                {
                    try
                    {
                        done.SetResult(work());
                    }
                    catch (Exception ex)
                    {
                        done.SetException(ex);
                    }
                }
            }) { IsBackground = true };
            thread.Start();
            return done.Task.WaitAsync(TimeSpan.FromMinutes(1));
        }
    }
}
