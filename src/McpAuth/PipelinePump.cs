using System;
using System.Collections.Generic;
using System.Threading;

namespace McpAuth
{
    /// <summary>
    /// The queue between engine work on the thread pool and the pipeline thread that must run every Write* and
    /// prompt. The pipeline thread blocks in <see cref="Monitor.Wait(object)"/> until an action or the end
    /// arrives: it never spins. (BlockingCollection's SemaphoreSlim spins before it blocks; on a 2-core machine,
    /// with calls about a millisecond apart and 20 runspaces waiting, that spinning took a third of the CPU the
    /// work needed.) After <see cref="Complete"/>, posted actions are refused, so late callbacks are dropped.
    /// </summary>
    internal sealed class PipelinePump
    {
        private readonly object gate = new object();
        private readonly Queue<Action> actions = new Queue<Action>();
        private bool completed;

        /// <summary>Queues <paramref name="action"/> for the pipeline thread; false once the pump has completed.</summary>
        public bool TryPost(Action action)
        {
            lock (gate)
            {
                if (completed)
                {
                    return false;
                }

                actions.Enqueue(action);
                Monitor.Pulse(gate);
                return true;
            }
        }

        /// <summary>Ends the pump: what is queued still runs, nothing more is accepted.</summary>
        public void Complete()
        {
            lock (gate)
            {
                completed = true;
                Monitor.Pulse(gate);
            }
        }

        /// <summary>
        /// Runs the queued actions on the calling thread, in order, until the pump has completed and its queue
        /// is empty. An action that throws completes the pump, and its exception propagates.
        /// </summary>
        public void Run()
        {
            try
            {
                while (true)
                {
                    Action next;
                    lock (gate)
                    {
                        while (actions.Count == 0)
                        {
                            if (completed)
                            {
                                return;
                            }

                            Monitor.Wait(gate);
                        }

                        next = actions.Dequeue();
                    }

                    next();
                }
            }
            finally
            {
                // Normally already completed; after an action threw, this refuses what the engine posts later.
                Complete();
            }
        }
    }
}
