using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using McpAuth.Testing;
using McpAuth.Testing.Hostile;
using Xunit;

namespace McpAuth.HostedTests
{
    /// <summary>
    /// Get-McpSkill and Read-McpSkill in the real engine against a small public modern MCP server on loopback that
    /// offers one skill: the pipeline, -Name, -OutDirectory, a tampered SKILL.md (terminating SkillVerificationFailed,
    /// nothing more read) and a server without the extension (SkillsNotSupported).
    /// </summary>
    public sealed class SkillCmdletTests : IDisposable
    {
        private const string SkillUri = "skill://pdf-processing/SKILL.md";
        private const string FormsUri = "skill://pdf-processing/references/FORMS.md";
        private const string SkillText = "---\nname: pdf-processing\ndescription: Extract PDF text\n---\nBody.\n";
        private const string FormsText = "Forms.\n";

        private readonly string folder = Path.Combine(Path.GetTempPath(), "mcpauth-skills-" + Guid.NewGuid().ToString("N"));
        private readonly TestHttpServer http;
        private readonly List<string> reads = new();
        private string served = SkillText;
        private bool declares = true;

        public SkillCmdletTests()
        {
            http = new TestHttpServer(Answer);
        }

        public void Dispose()
        {
            http.Dispose();
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }

        private static string Digest(string text)
        {
            using var sha = SHA256.Create();
            return "sha256:" + string.Concat(sha.ComputeHash(Encoding.UTF8.GetBytes(text)).Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
        }

        private TestResponse? Answer(TestRequest request)
        {
            if (request.Method != "POST")
            {
                return TestResponse.Text(string.Empty, 405);
            }

            JsonNode message = JsonNode.Parse(request.Body)!;
            string method = (string)message["method"]!;
            JsonNode? id = message["id"]?.DeepClone();
            if (id is null)
            {
                return TestResponse.Text(string.Empty, 202);
            }

            var capabilities = new JsonObject { ["resources"] = new JsonObject() };
            if (declares)
            {
                capabilities["extensions"] = new JsonObject { ["io.modelcontextprotocol/skills"] = new JsonObject() };
            }

            JsonObject result = method switch
            {
                "server/discover" => new JsonObject { ["supportedVersions"] = new JsonArray("2026-07-28"), ["capabilities"] = capabilities, ["serverInfo"] = new JsonObject { ["name"] = "skills", ["version"] = "1.0.0" } },
                "skills/list" => new JsonObject
                {
                    ["skills"] = new JsonArray(new JsonObject
                    {
                        ["uri"] = SkillUri,
                        ["frontmatter"] = new JsonObject { ["name"] = "pdf-processing", ["description"] = "Extract PDF text" },
                        ["resources"] = new JsonArray(
                            new JsonObject { ["uri"] = SkillUri, ["digest"] = Digest(SkillText), ["size"] = Encoding.UTF8.GetByteCount(SkillText) },
                            new JsonObject { ["uri"] = FormsUri, ["digest"] = Digest(FormsText), ["size"] = Encoding.UTF8.GetByteCount(FormsText) }),
                    }),
                },
                "resources/read" => Read((string)message["params"]!["uri"]!),
                _ => new JsonObject(),
            };
            return TestResponse.Json(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["result"] = result }.ToJsonString());
        }

        private JsonObject Read(string uri)
        {
            lock (reads)
            {
                reads.Add(uri);
            }

            return new JsonObject { ["contents"] = new JsonArray(new JsonObject { ["uri"] = uri, ["mimeType"] = "text/markdown", ["text"] = uri == FormsUri ? FormsText : served }) };
        }

        private PsResult Run(string script)
        {
            using var ps = new HostedPowerShell();
            return ps.Run(script, new Dictionary<string, object?> { ["u"] = http.Origin + "/mcp", ["dir"] = folder });
        }

        [Fact]
        public void Get_McpSkill_lists_without_reading_and_Read_McpSkill_loads_the_piped_skill()
        {
            PsResult listed = Run("Get-McpSkill -Uri $u");
            listed.ThrowIfErrors();
            PSObject skill = Assert.Single(listed.Output);
            Assert.Equal("pdf-processing", skill.Properties["Name"].Value);
            Assert.Equal(SkillUri, skill.Properties["SkillUri"].Value);
            Assert.Empty(reads);

            PsResult loaded = Run("Get-McpSkill -Uri $u pdf-* | Read-McpSkill | ForEach-Object { $_.Files | ForEach-Object { '{0}|{1}|{2}' -f $_.Uri, $_.Size, $_.Text } }");
            loaded.ThrowIfErrors();
            Assert.Equal(new[] { $"{SkillUri}|{SkillText.Length}|{SkillText}", $"{FormsUri}|{FormsText.Length}|{FormsText}" }, loaded.Output.Select(o => o.ToString()));
            Assert.Equal(new[] { SkillUri, FormsUri }, reads);
        }

        [Fact]
        public void Read_McpSkill_by_name_writes_the_verified_files()
        {
            PsResult r = Run("Read-McpSkill -Uri $u -Name pdf-processing -OutDirectory $dir | ForEach-Object Name");
            r.ThrowIfErrors();
            Assert.Equal(new[] { "SKILL.md", "FORMS.md" }, r.Output.Select(o => o.ToString()));
            Assert.Equal(SkillText, File.ReadAllText(Path.Combine(folder, "SKILL.md")));
            Assert.Equal(FormsText, File.ReadAllText(Path.Combine(folder, "FORMS.md")));
        }

        [Fact]
        public void Read_McpSkill_by_a_name_the_server_lacks_is_SkillNotFound_and_reads_no_file()
        {
            PsResult r = Run("Read-McpSkill -Uri $u -Name no-such-skill; 'went on'");
            Assert.Equal("went on", Assert.Single(r.Output).ToString());
            ErrorRecord error = Assert.Single(r.Errors);
            Assert.Equal("SkillNotFound,McpAuth.Commands.ReadMcpSkillCommand", error.FullyQualifiedErrorId);
            Assert.Contains("no skill named 'no-such-skill'", error.Exception.Message, StringComparison.Ordinal);
            Assert.Empty(reads);
        }

        [Fact]
        public void A_tampered_SKILL_md_is_a_terminating_SkillVerificationFailed_and_nothing_is_written()
        {
            served = SkillText.Replace("Body.", "Evil.");
            PsResult r = Run("try { Get-McpSkill -Uri $u | Read-McpSkill -OutDirectory $dir -ErrorAction Continue; 'went on' } catch { $_.FullyQualifiedErrorId; $_.Exception.Message }");
            Assert.Equal("SkillVerificationFailed,McpAuth.Commands.ReadMcpSkillCommand", r.Output[0].ToString());
            Assert.Contains("failed the digest check", r.Output[1].ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(r.Output, o => o.ToString() == "went on");
            Assert.Equal(new[] { SkillUri }, reads);
            Assert.False(Directory.Exists(folder));
        }

        [Fact]
        public void A_server_without_the_extension_is_SkillsNotSupported()
        {
            declares = false;
            PsResult r = Run("Get-McpSkill -Uri $u");
            Assert.Empty(r.Output);
            Assert.Equal("SkillsNotSupported,McpAuth.Commands.GetMcpSkillCommand", Assert.Single(r.Errors).FullyQualifiedErrorId);
        }
    }
}
