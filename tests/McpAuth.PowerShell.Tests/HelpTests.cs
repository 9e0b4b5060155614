using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using McpAuth.Testing;
using Xunit;

namespace McpAuth.HostedTests
{
    /// <summary>
    /// Get-Help, in the real engine with the built module imported, finds written help for every exported
    /// cmdlet (en-US/McpAuth.dll-Help.xml) and the about_McpAuth topic. The cmdlets are enumerated from the
    /// module, so a new cmdlet or parameter without help fails here.
    /// </summary>
    public class HelpTests : IClassFixture<HelpTests.Engine>
    {
        private const string DescribeScript = @"
param([string] $Name)
$text = { param($node) (@($node) | ForEach-Object { if ($_ -is [string]) { $_ } else { $_.Text } }) -join ""`n"" }
$help = Get-Help -Name $Name -Full
$common = [System.Management.Automation.Cmdlet]::CommonParameters
[pscustomobject]@{
    Category    = [string] $help.Category
    Synopsis    = [string] $help.Synopsis
    Description = & $text $help.description
    Examples    = @(@($help.examples.example) | Where-Object { $_ } | ForEach-Object { [pscustomobject]@{ Code = [string] $_.code; Remarks = & $text $_.remarks } })
    Parameters  = @((Get-Command -Name $Name -Module McpAuth).Parameters.Keys | Where-Object { $common -notcontains $_ })
    Documented  = @(@($help.parameters.parameter) | Where-Object { $_ } | ForEach-Object { [pscustomobject]@{ Name = [string] $_.name; Description = & $text $_.description } })
}
";

        private readonly Engine engine;

        public HelpTests(Engine engine)
        {
            this.engine = engine;
        }

        /// <summary>The exported cmdlets, as the engine sees them.</summary>
        public static IEnumerable<object[]> Cmdlets()
        {
            using var ps = new HostedPowerShell();
            PsResult r = ps.Run("(Get-Command -Module McpAuth -CommandType Cmdlet).Name");
            r.ThrowIfErrors();
            return r.Output.Select(o => new object[] { (string)o.BaseObject }).ToList();
        }

        [Fact]
        public void The_cmdlets_checked_are_the_ones_the_manifest_exports()
        {
            using var ps = new HostedPowerShell();
            PsResult r = ps.Run("(Test-ModuleManifest -Path $ManifestPath).ExportedCmdlets.Keys", new Dictionary<string, object?> { ["ManifestPath"] = ModuleLocator.ModuleManifest });
            r.ThrowIfErrors();
            List<string> declared = r.Output.Select(o => o.ToString()).OrderBy(n => n, StringComparer.Ordinal).ToList();
            List<string> checkedHere = Cmdlets().Select(c => (string)c[0]).OrderBy(n => n, StringComparer.Ordinal).ToList();
            Assert.NotEmpty(declared);
            Assert.Equal(declared, checkedHere);
        }

        [Theory]
        [MemberData(nameof(Cmdlets))]
        public void Synopsis_and_description_are_written_not_generated(string cmdlet)
        {
            PSObject help = engine.Describe(cmdlet);
            string synopsis = Text(help, "Synopsis");
            Assert.Equal("Cmdlet", Text(help, "Category"));

            // Without a help file, Get-Help makes the synopsis from the syntax ("Verb-Noun [-Param] <type> ...").
            Assert.False(string.IsNullOrWhiteSpace(synopsis), $"{cmdlet} has no synopsis.");
            bool generated = synopsis.Contains("<CommonParameters>") || synopsis.TrimStart().StartsWith(cmdlet, StringComparison.OrdinalIgnoreCase);
            Assert.False(generated, $"{cmdlet} has no written help: its synopsis is the generated syntax: {synopsis.Trim()}");
            Assert.True(synopsis.Trim().Length >= 20, $"{cmdlet}'s synopsis is too short to say anything: {synopsis}");
            Assert.True(Text(help, "Description").Trim().Length >= 80, $"{cmdlet} has no description (or only a stub).");
        }

        [Theory]
        [MemberData(nameof(Cmdlets))]
        public void At_least_two_examples_whose_code_parses_and_that_have_remarks(string cmdlet)
        {
            PSObject help = engine.Describe(cmdlet);
            List<PSObject> examples = Items(help, "Examples");
            Assert.True(examples.Count >= 2, $"{cmdlet} has {examples.Count} example(s); it needs at least two.");
            for (int i = 0; i < examples.Count; i++)
            {
                string code = Text(examples[i], "Code");
                Assert.False(string.IsNullOrWhiteSpace(code), $"{cmdlet} example {i + 1} has no code.");
                Parser.ParseInput(code, out _, out ParseError[] errors);
                Assert.True(errors.Length == 0, $"{cmdlet} example {i + 1} does not parse: {string.Join("; ", errors.Select(e => e.Message + " at " + e.Extent.StartLineNumber + ":" + e.Extent.StartColumnNumber))}\n{code}");
                Assert.Contains(cmdlet, code, StringComparison.OrdinalIgnoreCase);
                Assert.False(string.IsNullOrWhiteSpace(Text(examples[i], "Remarks")), $"{cmdlet} example {i + 1} has no remarks.");
            }
        }

        [Theory]
        [MemberData(nameof(Cmdlets))]
        public void Every_parameter_has_a_description(string cmdlet)
        {
            PSObject help = engine.Describe(cmdlet);
            List<string> parameters = Items(help, "Parameters").Select(p => (string)p.BaseObject).ToList();
            Assert.NotEmpty(parameters);
            Dictionary<string, string> documented = Items(help, "Documented")
                .GroupBy(p => Text(p, "Name"), StringComparer.OrdinalIgnoreCase)
                .ToDictionary(g => g.Key, g => string.Join("\n", g.Select(p => Text(p, "Description"))), StringComparer.OrdinalIgnoreCase);

            var missing = parameters.Where(p => !documented.TryGetValue(p, out string? d) || string.IsNullOrWhiteSpace(d)).ToList();
            Assert.True(missing.Count == 0, $"{cmdlet}: no help for -{string.Join(", -", missing)}");
        }

        [Theory]
        [MemberData(nameof(Cmdlets))]
        public void Help_documents_no_parameter_the_cmdlet_lacks(string cmdlet)
        {
            PSObject help = engine.Describe(cmdlet);
            var parameters = new HashSet<string>(Items(help, "Parameters").Select(p => (string)p.BaseObject), StringComparer.OrdinalIgnoreCase);
            var stale = Items(help, "Documented").Select(p => Text(p, "Name")).Where(n => !parameters.Contains(n)).ToList();
            Assert.True(stale.Count == 0, $"{cmdlet}'s help describes parameters it does not have: -{string.Join(", -", stale)}");
        }

        [Theory]
        [MemberData(nameof(Cmdlets))]
        public void Help_syntax_matches_the_parameter_sets(string cmdlet)
        {
            // One line per parameter set: "Name!" for mandatory, "@n" for a position, sorted, from both sides.
            const string Script = @"
param([string] $Name)
$common = [System.Management.Automation.Cmdlet]::CommonParameters
$sig = { param($n, [bool] $m, $p) $n + $(if ($m) { '!' }) + $(if ($null -ne $p -and $p -ne 'named' -and [int] $p -ge 0) { '@' + $p }) }
$code = foreach ($set in (Get-Command -Name $Name -Module McpAuth).ParameterSets) {
    @($set.Parameters | Where-Object { $common -notcontains $_.Name } | ForEach-Object { & $sig $_.Name $_.IsMandatory $_.Position }) -join ' '
}
$help = foreach ($item in @((Get-Help -Name $Name -Full).syntax.syntaxItem)) {
    @(@($item.parameter) | Where-Object { $_ } | ForEach-Object { & $sig $_.name ($_.required -eq 'true') $_.position }) -join ' '
}
[pscustomobject]@{ Code = @($code); Help = @($help) }
";
            PsResult r = engine.Run(Script, cmdlet);
            PSObject result = Assert.Single(r.Output);
            List<string> code = Signatures(Items(result, "Code"));
            List<string> help = Signatures(Items(result, "Help"));
            Assert.NotEmpty(code);
            Assert.Equal(code, help);
        }

        [Fact]
        public void Get_Help_about_McpAuth_returns_the_topic()
        {
            PsResult r = engine.Run("param($Name) $h = Get-Help -Name $Name; [pscustomobject]@{ Name = $h.Name; Category = [string] $h.Category; Synopsis = $h.Synopsis; Text = [string] $h }", "about_McpAuth");
            PSObject topic = Assert.Single(r.Output);
            Assert.Equal("about_McpAuth", Text(topic, "Name"));
            Assert.Equal("HelpFile", Text(topic, "Category"));
            Assert.Contains("McpAuth", Text(topic, "Synopsis"), StringComparison.Ordinal);
            string text = "\n" + Text(topic, "Text").Replace("\r\n", "\n");
            foreach (string section in new[] { "TOPIC", "SHORT DESCRIPTION", "LONG DESCRIPTION", "HOW SIGN-IN WORKS", "WHERE CREDENTIALS ARE KEPT", "REFRESH AND STEP-UP", "AUTOMATION", "ERRORS", "TROUBLESHOOTING", "SEE ALSO" })
            {
                Assert.Contains("\n" + section + "\n", text, StringComparison.Ordinal);
            }
        }

        [Fact]
        public void Help_is_found_when_the_UI_culture_is_not_English()
        {
            // The module ships en-US help only; PowerShell falls back to en-US from any culture (here de-DE).
            const string Script = @"
param($Name)
$before = [System.Threading.Thread]::CurrentThread.CurrentUICulture
try {
    [System.Threading.Thread]::CurrentThread.CurrentUICulture = [System.Globalization.CultureInfo]::GetCultureInfo('de-DE')
    [pscustomobject]@{
        Culture  = [System.Globalization.CultureInfo]::CurrentUICulture.Name
        Synopsis = (Get-Help -Name $Name).Synopsis
        About    = (Get-Help -Name about_McpAuth).Name
    }
}
finally {
    [System.Threading.Thread]::CurrentThread.CurrentUICulture = $before
}
";
            using var ps = new HostedPowerShell();
            PsResult r = ps.Run("& { " + Script + " } -Name Connect-McpServer");
            r.ThrowIfErrors();
            PSObject result = Assert.Single(r.Output);
            Assert.Equal("de-DE", Text(result, "Culture"));
            Assert.StartsWith("Connects to an MCP server", Text(result, "Synopsis"), StringComparison.Ordinal);
            Assert.Equal("about_McpAuth", Text(result, "About"));
        }

        // Each parameter set as its sorted parameter signatures; the sets sorted too (their order is not compared).
        private static List<string> Signatures(List<PSObject> sets) => sets
            .Select(o => string.Join(" ", o.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries).OrderBy(p => p, StringComparer.OrdinalIgnoreCase)))
            .OrderBy(s => s, StringComparer.OrdinalIgnoreCase)
            .ToList();

        private static string Text(PSObject o, string property) => o.Properties[property]?.Value?.ToString() ?? string.Empty;

        private static List<PSObject> Items(PSObject o, string property)
        {
            object? value = o.Properties[property]?.Value;
            value = value is PSObject wrapped ? wrapped.BaseObject : value;
            return value switch
            {
                null => new List<PSObject>(),
                object[] array => array.Select(PSObject.AsPSObject).ToList(),
                _ => new List<PSObject> { PSObject.AsPSObject(value) },
            };
        }

        /// <summary>One runspace with the module imported, shared by the tests of this class (they run one at a time).</summary>
        public sealed class Engine : IDisposable
        {
            private readonly HostedPowerShell ps = new HostedPowerShell();

            public PsResult Run(string script, string name)
            {
                PsResult r = ps.Run("& { " + script + " } -Name $HelpTestName", new Dictionary<string, object?> { ["HelpTestName"] = name });
                r.ThrowIfErrors();
                return r;
            }

            public PSObject Describe(string cmdlet) => Assert.Single(Run(DescribeScript, cmdlet).Output);

            public void Dispose() => ps.Dispose();
        }
    }
}
