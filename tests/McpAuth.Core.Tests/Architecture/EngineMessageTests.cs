using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using McpAuth.Testing;
using Xunit;

namespace McpAuth.Core.Tests.Architecture
{
    /// <summary>
    /// Engine messages say what happened and what to do in words any host can show; the PowerShell command to
    /// run is added by the cmdlet layer (RecommendedActions). So no string in the engine's source names a
    /// cmdlet or a parameter.
    /// </summary>
    public sealed class EngineMessageTests
    {
        private static readonly Regex Cmdlet = new(@"\b(Connect|Disconnect|Invoke|Get|Update|Remove|Reset|Test)-Mcp[A-Za-z]*", RegexOptions.None, TimeSpan.FromSeconds(1));

        private static readonly Regex Parameter = new(@"(^|[\s(])-[A-Z][a-z]+[A-Za-z]*\b", RegexOptions.None, TimeSpan.FromSeconds(1));

        private static readonly Regex StringLiteral = new("\"(?:[^\"\\\\]|\\\\.)*\"", RegexOptions.None, TimeSpan.FromSeconds(1));

        [Fact]
        public void No_engine_string_names_a_cmdlet_or_a_parameter()
        {
            string engine = Path.Combine(ModuleLocator.RepoRoot, "src", "McpAuth.Core");
            var found = new List<string>();
            foreach (string file in Directory.GetFiles(engine, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
            {
                string[] lines = File.ReadAllLines(file);
                for (int i = 0; i < lines.Length; i++)
                {
                    string code = lines[i].TrimStart();
                    if (code.StartsWith("//", StringComparison.Ordinal))
                    {
                        continue;
                    }

                    foreach (Match literal in StringLiteral.Matches(code))
                    {
                        if (Cmdlet.IsMatch(literal.Value) || Parameter.IsMatch(literal.Value.Trim('"')))
                        {
                            found.Add($"{Path.GetRelativePath(engine, file)}:{i + 1}: {literal.Value}");
                        }
                    }
                }
            }

            Assert.Empty(found);
        }

        [Theory]
        [InlineData("\"Sign in again (Connect-McpServer).\"")]
        [InlineData("\"Pass -ClientSecret.\"")]
        [InlineData("\"-SignInTimeoutSec gives more time\"")]
        public void The_check_recognises_a_cmdlet_or_a_parameter(string literal)
        {
            Assert.True(Cmdlet.IsMatch(literal) || Parameter.IsMatch(literal.Trim('"')));
        }

        [Theory]
        [InlineData("\"client_secret_basic\"")]
        [InlineData("\"The token expires in -5 s\"")]
        [InlineData("\"a read-modify-write\"")]
        public void The_check_leaves_ordinary_text_alone(string literal)
        {
            Assert.False(Cmdlet.IsMatch(literal) || Parameter.IsMatch(literal.Trim('"')));
        }
    }
}
