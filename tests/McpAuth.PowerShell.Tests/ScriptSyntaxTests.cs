using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation.Language;
using McpAuth.Testing;
using Xunit;

namespace McpAuth.HostedTests
{
    /// <summary>
    /// Every PowerShell script in the repository (build.ps1, the Pester suites, the demo, the conformance
    /// client) parses: these machines have no pwsh to run build.ps1 or Pester, so the parser is the check.
    /// </summary>
    public class ScriptSyntaxTests
    {
        public static IEnumerable<object[]> Scripts()
        {
            string root = ModuleLocator.RepoRoot;
            string[] skip = { "node_modules", "bin", "obj", "out", ".git" };
            return Directory.GetFiles(root, "*.ps1", SearchOption.AllDirectories)
                .Concat(Directory.GetFiles(root, "*.psd1", SearchOption.TopDirectoryOnly))
                .Where(f => !Path.GetRelativePath(root, f).Split(Path.DirectorySeparatorChar).Any(part => skip.Contains(part)))
                .Select(f => new object[] { Path.GetRelativePath(root, f) });
        }

        [Theory]
        [MemberData(nameof(Scripts))]
        public void Script_parses_without_errors(string relativePath)
        {
            Parser.ParseFile(Path.Combine(ModuleLocator.RepoRoot, relativePath), out _, out ParseError[] errors);
            Assert.True(errors.Length == 0, string.Join("\n", errors.Select(e => $"{e.Extent.StartLineNumber}: {e.Message}")));
        }

        [Fact]
        public void There_is_a_Pester_suite_for_every_exported_cmdlet()
        {
            using var ps = new HostedPowerShell();
            PsResult r = ps.Run("(Get-Command -Module McpAuth).Name");
            r.ThrowIfErrors();
            string pester = string.Join("\n", Directory.GetFiles(Path.Combine(ModuleLocator.RepoRoot, "tests"), "*.Tests.ps1").Select(File.ReadAllText));
            foreach (string cmdlet in r.Output.Select(o => (string)o.BaseObject))
            {
                Assert.True(pester.Contains(cmdlet, StringComparison.Ordinal), $"no Pester suite uses {cmdlet}");
            }
        }
    }
}
