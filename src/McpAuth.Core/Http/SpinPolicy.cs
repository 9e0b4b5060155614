using System;
using System.Diagnostics;

namespace McpAuth.Core.Http
{
    /// <summary>
    /// Whether a lone blocking read of the first bytes of an answer on one connection polls before it sleeps (see
    /// <see cref="Http1Connection.Fill"/>). It does unless the server's last <see cref="SlowAnswersBeforeSleeping"/>
    /// answers each took <see cref="SlowAnswer"/> or longer to start: then the 1 ms poll cannot catch the answer and
    /// only burns a core (about half the client's CPU per call against a local server that takes 20 ms), so the read
    /// sleeps at once. One quicker answer brings the poll back. A server answering within a few milliseconds keeps it:
    /// on this project's virtual machine, calls to a server answering in 3-4 ms were 4-9 % slower without the poll
    /// (four pairs of runs), though the poll never caught their answers.
    /// Used by one reading thread at a time, as the connection is.
    /// </summary>
    internal sealed class SpinPolicy
    {
        internal const int SlowAnswersBeforeSleeping = 4;

        internal static readonly TimeSpan SlowAnswer = TimeSpan.FromMilliseconds(10);

        private static readonly long SlowAnswerTicks = (long)(SlowAnswer.TotalSeconds * Stopwatch.Frequency);

        private int slowAnswers;

        /// <summary>Returns whether the read should poll first.</summary>
        public bool ShouldSpin() => slowAnswers < SlowAnswersBeforeSleeping;

        /// <summary>Notes how long the first bytes of an answer took to arrive, in <see cref="Stopwatch"/> ticks.</summary>
        public void Answered(long waitedTicks)
            => slowAnswers = waitedTicks >= SlowAnswerTicks ? Math.Min(slowAnswers + 1, SlowAnswersBeforeSleeping) : 0;
    }
}
