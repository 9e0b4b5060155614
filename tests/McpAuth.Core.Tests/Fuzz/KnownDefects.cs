using System;
using System.Collections.Generic;
using System.Linq;

namespace McpAuth.Core.Tests.Fuzz
{
    /// <summary>
    /// THE FUZZER'S ALLOW-LIST. Findings that are numbered defects of issue #11, fixed on another branch. The
    /// generators that find them keep running; their findings are reported as "known (#11 defect N)" and do
    /// not fail the run. Empty this list when those fixes are merged: the run must then find nothing.
    /// </summary>
    public static class KnownDefects
    {
        public static readonly IReadOnlyList<KnownDefect> All = new KnownDefect[]
        {
            new(3, "a stalled or trickling peer runs past -TimeoutSec", f => f.Outcome == FuzzOutcome.Hang
                && (f.Mutation!.Generator == "http.stall" || (f.Mutation.Generator == "sse.framing" && f.Mutation.Detail is "keepalive-forever" or "silent-forever"))),
            new(8, "a body cut off or reset mid-body is an untyped HttpIOException/IOException", f => f.Outcome == FuzzOutcome.Untyped
                && f.What is "System.Net.Http.HttpIOException" or "System.IO.IOException"),
            new(8, "duplicate JSON members in an MCP result are an untyped ArgumentException", f => f.Outcome == FuzzOutcome.Untyped
                && f.What == "System.ArgumentException" && f.Detail.Contains("same key", StringComparison.Ordinal) && f.Mutation!.Stage.StartsWith(FuzzStages.McpPrefix, StringComparison.Ordinal)),
            new(8, "a lone surrogate (\\ud800) in metadata is an untyped InvalidOperationException", f => f.Outcome == FuzzOutcome.Untyped
                && f.What == "System.InvalidOperationException" && f.Detail.Contains("UTF-16", StringComparison.Ordinal)),
            new(8, "a sign-in retried after invalid_client at the code exchange reuses its listener", f => f.Outcome == FuzzOutcome.Untyped
                && f.What == "System.InvalidOperationException" && f.Detail.Contains("WaitForCallbackAsync can be called only once", StringComparison.Ordinal)),
        };

        /// <summary>Returns the defect a finding is known as, or null.</summary>
        public static int? Match(FuzzCaseResult finding) => All.FirstOrDefault(d => d.Matches(finding))?.Defect;
    }

    /// <summary>One allow-listed finding shape: which defect, and how to recognise it.</summary>
    public sealed class KnownDefect
    {
        public KnownDefect(int defect, string why, Func<FuzzCaseResult, bool> matches)
        {
            Defect = defect;
            Why = why;
            Matches = matches;
        }

        public int Defect { get; }

        public string Why { get; }

        public Func<FuzzCaseResult, bool> Matches { get; }
    }
}
