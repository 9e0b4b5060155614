using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Core.Tests
{
    /// <summary>
    /// A clock tests move by hand. A delay completes when the clock is advanced past it; with
    /// <see cref="AdvanceOnDelay"/>, a delay moves the clock itself and completes at once, so polling code runs
    /// through its waits instantly while its reading of the time stays consistent.
    /// </summary>
    public sealed class ManualClock : IClock
    {
        private readonly object gate = new();
        private readonly List<(DateTimeOffset Due, TaskCompletionSource<bool> Done)> waiting = new();
        private DateTimeOffset now;

        public ManualClock(DateTimeOffset start)
        {
            now = start;
        }

        /// <summary>Gets or sets a value indicating whether a delay advances the clock by its length and returns at once.</summary>
        public bool AdvanceOnDelay { get; set; }

        /// <summary>Gets every delay asked for, in order.</summary>
        public List<TimeSpan> Delays { get; } = new();

        public DateTimeOffset UtcNow
        {
            get
            {
                lock (gate)
                {
                    return now;
                }
            }
        }

        public Task Delay(TimeSpan delay, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            lock (gate)
            {
                Delays.Add(delay);
                if (AdvanceOnDelay)
                {
                    now += delay;
                    return Task.CompletedTask;
                }

                var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                waiting.Add((now + delay, done));
                cancellationToken.Register(() => done.TrySetCanceled(cancellationToken));
                return done.Task;
            }
        }

        /// <summary>Gets how many delays are waiting for the clock to move.</summary>
        public int Waiting
        {
            get
            {
                lock (gate)
                {
                    return waiting.Count;
                }
            }
        }

        /// <summary>Waits (in real time, briefly) until some code waits on this clock, then advances it.</summary>
        public async Task AdvanceWhenWaitingAsync(TimeSpan by)
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (Waiting == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(5);
            }

            Advance(by);
        }

        /// <summary>Moves the clock forward and completes the delays that are due.</summary>
        public void Advance(TimeSpan by)
        {
            List<TaskCompletionSource<bool>> due = new();
            lock (gate)
            {
                now += by;
                waiting.RemoveAll(w =>
                {
                    if (w.Due > now)
                    {
                        return false;
                    }

                    due.Add(w.Done);
                    return true;
                });
            }

            foreach (TaskCompletionSource<bool> done in due)
            {
                done.TrySetResult(true);
            }
        }
    }
}
