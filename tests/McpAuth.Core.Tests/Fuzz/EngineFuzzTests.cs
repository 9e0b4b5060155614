using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Xunit;
using Xunit.Abstractions;

namespace McpAuth.Core.Tests.Fuzz
{
    /// <summary>
    /// Hostile servers, generated: WWW-Authenticate headers, protected resource and authorization server metadata,
    /// registration and token responses, the authorization response, MCP JSON and SSE framing, broken HTTP and
    /// stalled peers, served by a real local server to the real engine. A fixed seed and a bounded count in CI;
    /// MCPAUTH_FUZZ_CASES=2000 for the long run, MCPAUTH_FUZZ_SEED for another seed, MCPAUTH_FUZZ_CASE=N to
    /// replay one case. A case fails on an exception without a stable error id, an operation that runs past its
    /// deadline, or a planted secret in any exception or message.
    /// </summary>
    [Collection(FuzzCollection.Name)]
    public sealed class EngineFuzzTests
    {
        /// <summary>The CI count: a couple of minutes at most on a loaded 2-core machine.</summary>
        public const int CiCases = 300;

        private readonly ITestOutputHelper output;

        public EngineFuzzTests(ITestOutputHelper output)
        {
            this.output = output;
        }

        [Fact]
        public async Task Generated_hostile_peers_get_typed_errors_within_the_deadline_and_never_a_secret()
        {
            FuzzSettings settings = FuzzSettings.FromEnvironment(CiCases);
            var runner = new FuzzRunner(settings);
            // Unobserved exceptions of tests that ran before are finalized now, before the count starts.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            using var unobserved = new UnobservedExceptions();

            // The honest world first, in both eras and both framings: sign-in, refresh, calls and close all work,
            // so every case below really reaches the stage it breaks.
            foreach ((FuzzEra era, bool sse) in new[] { (FuzzEra.Modern, false), (FuzzEra.Modern, true), (FuzzEra.Legacy, false), (FuzzEra.Legacy, true) })
            {
                FuzzCaseResult honest = await runner.RunHonestAsync(1_000_000 + ((int)era * 2) + (sse ? 1 : 0), era, sse);
                Assert.True(honest.Outcome == FuzzOutcome.Ok, "The honest world must work: " + honest);
            }

            IEnumerable<int> indexes = settings.OnlyCase is int only ? new[] { only } : Enumerable.Range(0, settings.Cases);
            var results = new List<FuzzCaseResult>();
            DateTime started = DateTime.UtcNow;
            foreach (int index in indexes)
            {
                FuzzCaseResult result = await runner.RunCaseAsync(index);
                if (result.IsFinding)
                {
                    result.KnownDefect = KnownDefects.Match(result);
                }

                results.Add(result);
            }

            IReadOnlyList<Exception> background = unobserved.FromEngine;
            List<FuzzCaseResult> findings = results.Where(r => r.IsFinding).ToList();
            List<FuzzCaseResult> fresh = findings.Where(r => r.KnownDefect is null).ToList();
            int Count(FuzzOutcome o) => results.Count(r => r.Outcome == o);
            output.WriteLine(
                $"fuzz: seed {settings.Seed}, {results.Count} cases in {(DateTime.UtcNow - started).TotalSeconds:0} s: " +
                $"{Count(FuzzOutcome.Ok)} ok, {Count(FuzzOutcome.Typed)} typed errors; " +
                $"crashes {Count(FuzzOutcome.Untyped) + background.Count}, hangs {Count(FuzzOutcome.Hang)}, untyped {Count(FuzzOutcome.Untyped)}, " +
                $"leaks {Count(FuzzOutcome.Leak)}, background {background.Count}; known (#11 allow-list) {findings.Count - fresh.Count}, new {fresh.Count + background.Count}");
            foreach (IGrouping<string, FuzzCaseResult> generator in results.GroupBy(r => r.Mutation!.Generator).OrderBy(g => g.Key))
            {
                output.WriteLine($"  {generator.Key}: {generator.Count()} cases, {generator.Count(r => r.Outcome == FuzzOutcome.Typed)} typed, {generator.Count(r => r.IsFinding)} findings, {generator.Sum(r => r.Elapsed.TotalSeconds):0.#} s");
            }

            foreach (IGrouping<string, FuzzCaseResult> ids in results.Where(r => r.Outcome == FuzzOutcome.Typed).GroupBy(r => r.What).OrderByDescending(g => g.Count()))
            {
                output.WriteLine($"  typed {ids.Key}: {ids.Count()}");
            }

            foreach (FuzzCaseResult finding in findings.Take(200))
            {
                output.WriteLine((finding.KnownDefect is int d ? $"  known (#11 defect {d}) " : "  FINDING ") + finding);
            }

            foreach (Exception e in background.Take(20))
            {
                output.WriteLine("  FINDING unobserved background exception: " + e.GetType().FullName + ": " + e.Message.Split('\n')[0] + " at " + string.Join(" < ", (e.StackTrace ?? string.Empty).Split('\n').Select(l => l.Trim()).Where(l => l.Contains("McpAuth.Core.", StringComparison.Ordinal)).Take(4)));
            }

            if (settings.OnlyCase is null && settings.Cases >= 100)
            {
                // Every generator was drawn: the run covers what it claims.
                Assert.Empty(FuzzGenerators.All.Select(g => g.Name).Except(results.Select(r => r.Mutation!.Generator)));
            }

            Assert.True(fresh.Count == 0 && background.Count == 0, $"{fresh.Count + background.Count} new findings; see the test output. First: {fresh.FirstOrDefault()?.ToString() ?? background.FirstOrDefault()?.GetType().FullName}");
        }
    }

    /// <summary>The fuzz run runs alone: its deadlines and its count of unobserved background exceptions are its own.</summary>
    [CollectionDefinition(Name, DisableParallelization = true)]
    public sealed class FuzzCollection
    {
        public const string Name = "Fuzz";
    }
}
