using System;
using System.IO;
using System.Linq;
using McpAuth.Testing;
using Xunit;

namespace McpAuth.Core.Tests.Architecture
{
    /// <summary>Every source file of the module stays small enough to read in one sitting: at most 400 lines.</summary>
    public sealed class FileSizeTests
    {
        private const int MaxLines = 400;

        [Fact]
        public void No_source_file_has_more_than_400_lines()
        {
            string src = Path.Combine(ModuleLocator.RepoRoot, "src");
            string[] tooLong = Directory.GetFiles(src, "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                    && !f.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                .Select(f => (File: f, Lines: File.ReadAllLines(f).Length))
                .Where(f => f.Lines > MaxLines)
                .Select(f => Path.GetRelativePath(ModuleLocator.RepoRoot, f.File) + " (" + f.Lines + ")")
                .ToArray();

            Assert.True(tooLong.Length == 0, "Over " + MaxLines + " lines: " + string.Join(", ", tooLong));
        }
    }
}
