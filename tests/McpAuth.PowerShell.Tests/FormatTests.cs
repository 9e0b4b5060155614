using System.Collections.Generic;
using System.Linq;
using System.Management.Automation.Language;
using System.Xml.Linq;
using McpAuth.Testing;
using Xunit;

namespace McpAuth.HostedTests
{
    /// <summary>McpAuth.format.ps1xml: a table and a list view for every output type, tokens masked.</summary>
    public class FormatTests
    {
        private static readonly XDocument Formats = XDocument.Load(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(ModuleLocator.ModuleManifest)!, "McpAuth.format.ps1xml"));

        private static IEnumerable<XElement> ViewsFor(string typeName) => Formats.Descendants("View")
            .Where(v => v.Element("ViewSelectedBy")!.Elements("TypeName").Any(t => t.Value == typeName));

        public static IEnumerable<object[]> OutputTypes()
        {
            using var ps = new HostedPowerShell();
            PsResult r = ps.Run("(Get-Command -Module McpAuth).OutputType.Type.FullName | Where-Object { $_ -like 'McpAuth.*' } | ForEach-Object { $_ }");
            r.ThrowIfErrors();
            return r.Output.Select(o => (string)o.BaseObject).Distinct().Select(t => new object[] { t });
        }

        [Theory]
        [MemberData(nameof(OutputTypes))]
        public void Every_output_type_has_a_table_and_a_list_view(string typeName)
        {
            List<XElement> views = ViewsFor(typeName).ToList();
            Assert.Contains(views, v => v.Element("TableControl") is not null);
            Assert.Contains(views, v => v.Element("ListControl") is not null);
        }

        [Fact]
        public void Output_types_include_every_public_result_type()
        {
            var types = OutputTypes().Select(o => (string)o[0]).ToList();
            foreach (string expected in new[]
            {
                "McpAuth.McpServerConnection", "McpAuth.McpTool", "McpAuth.McpToolCallResult", "McpAuth.McpAccessToken", "McpAuth.McpCredentialInfo",
                "McpAuth.McpResource", "McpAuth.McpResourceTemplate", "McpAuth.McpResourceContents", "McpAuth.McpResourceUpdate", "McpAuth.McpResourceSubscription",
                "McpAuth.McpPrompt", "McpAuth.McpPromptMessage", "McpAuth.McpContent", "McpAuth.McpSkill", "McpAuth.McpLoadedSkill",
            })
            {
                Assert.Contains(expected, types);
            }
        }

        [Fact]
        public void Token_views_never_show_the_token()
        {
            foreach (XElement view in ViewsFor("McpAuth.McpAccessToken"))
            {
                Assert.DoesNotContain(view.Descendants("PropertyName"), p => p.Value == "Token");
                Assert.DoesNotContain(view.Descendants("ScriptBlock"), s => s.Value.Contains(".Token"));
            }
        }

        [Theory]
        [InlineData("McpAuth.McpMediaContent", true)]
        [InlineData("McpAuth.McpResourceContents", true)]
        [InlineData("McpAuth.McpContent", false)]
        [InlineData("McpAuth.McpPromptMessage", false)]
        [InlineData("McpAuth.McpLoadedSkill", false)]
        public void Content_views_show_the_size_never_the_bytes(string typeName, bool sizeColumn)
        {
            List<XElement> views = ViewsFor(typeName).ToList();
            Assert.NotEmpty(views);
            foreach (XElement view in views)
            {
                Assert.DoesNotContain(view.Descendants("PropertyName"), p => p.Value is "Bytes" or "Data" or "Blob");
                Assert.DoesNotContain(view.Descendants("ScriptBlock"), b => b.Value.Contains(".Bytes") || b.Value.Contains(".Data") || b.Value.Contains("Base64"));
            }

            // The others show ToString(), which names the type, MIME type and size ("image image/png, 467 bytes").
            Assert.True(!sizeColumn || views.All(v => v.Descendants("PropertyName").Any(p => p.Value == "Size")), typeName + " has a view without Size");
        }

        [Fact]
        public void Every_script_block_in_the_views_parses()
        {
            foreach (XElement block in Formats.Descendants("ScriptBlock"))
            {
                Parser.ParseInput(block.Value, out _, out ParseError[] errors);
                Assert.True(errors.Length == 0, block.Value);
            }
        }
    }
}
