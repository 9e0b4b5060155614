using System;
using System.Collections.Generic;
using System.Linq;

namespace McpAuth.Core.Tests.Fuzz
{
    /// <summary>
    /// THE FUZZER'S ALLOW-LIST. Findings that are known, numbered defects whose fix has not landed yet. The
    /// generators that find them keep running; their findings are reported as "known (#11 defect N)" and do
    /// not fail the run. With the list empty, any finding fails the run.
    /// </summary>
    public static class KnownDefects
    {
        // Empty: #11's defects 3 and 8, the last entries here, were fixed at their cause and merged. A new
        // entry names the defect and is removed with its fix.
        public static readonly IReadOnlyList<KnownDefect> All = Array.Empty<KnownDefect>();

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
