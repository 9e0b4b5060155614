using System;
using System.Diagnostics;
using McpAuth.Core.Http;
using Xunit;

namespace McpAuth.Core.Tests.Http
{
    /// <summary>When a lone read polls for the first bytes of an answer: unless the server's last four answers each took 10 ms or more.</summary>
    public sealed class SpinPolicyTests
    {
        private static readonly long Slow = Ticks(SpinPolicy.SlowAnswer);
        private static readonly long Quick = Ticks(TimeSpan.FromMilliseconds(3));

        [Fact]
        public void A_new_connection_polls_and_keeps_polling_while_the_server_answers_within_a_few_milliseconds()
        {
            var policy = new SpinPolicy();
            for (int i = 0; i < 100; i++)
            {
                Assert.True(policy.ShouldSpin());
                policy.Answered(i % 2 == 0 ? Quick : 0);
            }
        }

        [Fact]
        public void After_four_slow_answers_in_a_row_it_sleeps_at_once_until_one_answer_is_quicker()
        {
            var policy = new SpinPolicy();
            for (int i = 0; i < SpinPolicy.SlowAnswersBeforeSleeping; i++)
            {
                Assert.True(policy.ShouldSpin());
                policy.Answered(Slow);
            }

            for (int i = 0; i < 50; i++)
            {
                Assert.False(policy.ShouldSpin());
                policy.Answered(Slow * 2);
            }

            policy.Answered(Slow - 1);
            Assert.True(policy.ShouldSpin());
        }

        [Fact]
        public void Three_slow_answers_then_a_quick_one_never_stop_the_polling()
        {
            var policy = new SpinPolicy();
            for (int round = 0; round < 20; round++)
            {
                for (int i = 0; i < SpinPolicy.SlowAnswersBeforeSleeping - 1; i++)
                {
                    Assert.True(policy.ShouldSpin());
                    policy.Answered(Slow);
                }

                Assert.True(policy.ShouldSpin());
                policy.Answered(Quick);
            }
        }

        private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
    }
}
