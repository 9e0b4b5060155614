using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Http;
using McpAuth.Core.Mcp;
using McpAuth.Testing;
using Xunit;

namespace McpAuth.Core.Tests.Mcp
{
    /// <summary>
    /// Skills (SEP-2640) against a small real MCP server on loopback (both eras): skills/list follows every page and
    /// reads no file; loading reads SKILL.md first and verifies size, digest and frontmatter, and after any failure
    /// reads nothing more; a server without the extension is SkillsNotSupported.
    /// </summary>
    public class SkillTests : IDisposable
    {
        private const string SkillUri = "skill://pdf-processing/SKILL.md";
        private const string FormsUri = "skill://pdf-processing/references/FORMS.md";
        private const string SkillText = "---\nname: pdf-processing\ndescription: Extract, fill, and assemble PDF documents\nmetadata:\n  author: \"Ada \\\"L\\\"\"\n  version: '1.0'\n---\nSkill body, ünïcode.\n";
        private const string FormsText = "Supporting content.\n";

        private readonly List<IDisposable> owned = new();
        private readonly CancellationTokenSource bound = new(TimeSpan.FromSeconds(60));

        public void Dispose()
        {
            foreach (IDisposable d in owned)
            {
                d.Dispose();
            }

            bound.Dispose();
        }

        /// <summary>The server: its skill entries (two pages), the bodies it serves, and the reads it received.</summary>
        public sealed class SkillsServer
        {
            public bool Modern { get; init; }

            public bool DeclaresSkills { get; init; } = true;

            public string ServedSkill { get; set; } = SkillText;

            public string ServedForms { get; set; } = FormsText;

            public JsonObject Entry { get; set; } = NewEntry(SkillText, FormsText);

            public List<string> Reads { get; } = new();

            public List<string> Methods { get; } = new();

            public TestResponse? Handle(TestRequest request)
            {
                if (request.Method != "POST")
                {
                    return new TestResponse(405, string.Empty);
                }

                JsonNode message = JsonNode.Parse(request.Body)!;
                string method = (string)message["method"]!;
                JsonNode? id = message["id"]?.DeepClone();
                lock (Methods)
                {
                    Methods.Add(method);
                }

                if (id is null)
                {
                    return new TestResponse(202, string.Empty);
                }

                var capabilities = new JsonObject { ["resources"] = new JsonObject() };
                if (DeclaresSkills)
                {
                    capabilities["extensions"] = new JsonObject { ["io.modelcontextprotocol/skills"] = new JsonObject() };
                }

                JsonObject? result;
                switch (method)
                {
                    case "server/discover" when Modern:
                        result = new JsonObject { ["supportedVersions"] = new JsonArray("2026-07-28"), ["capabilities"] = capabilities, ["serverInfo"] = Info() };
                        break;
                    case "server/discover":
                        return TestResponse.Json("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32000,\"message\":\"Bad Request: Server not initialized\"}}", 400);
                    case "initialize":
                        result = new JsonObject { ["protocolVersion"] = "2025-11-25", ["capabilities"] = capabilities, ["serverInfo"] = Info() };
                        break;
                    case "skills/list" when (message["params"]?["cursor"] is null):
                        var other = new JsonObject { ["uri"] = "skill://other/SKILL.md", ["frontmatter"] = new JsonObject { ["name"] = "other", ["description"] = "Another." }, ["resources"] = new JsonArray() };
                        result = new JsonObject { ["skills"] = new JsonArray(other), ["nextCursor"] = "page2" };
                        break;
                    case "skills/list":
                        result = new JsonObject { ["skills"] = new JsonArray(Entry.DeepClone()) };
                        break;
                    case "resources/read":
                        string uri = (string)message["params"]!["uri"]!;
                        lock (Reads)
                        {
                            Reads.Add(uri);
                        }

                        string text = uri == FormsUri ? ServedForms : ServedSkill;
                        result = new JsonObject { ["contents"] = new JsonArray(new JsonObject { ["uri"] = uri, ["mimeType"] = "text/markdown", ["text"] = text }) };
                        break;
                    default:
                        result = new JsonObject();
                        break;
                }

                return TestResponse.Json(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["result"] = result }.ToJsonString())
                    .WithHeader("Mcp-Session-Id", "skills-session");
            }

            private static JsonObject Info() => new() { ["name"] = "skills", ["version"] = "1.0.0" };
        }

        private static string Digest(string text)
        {
            using var sha = SHA256.Create();
            return "sha256:" + string.Concat(sha.ComputeHash(Encoding.UTF8.GetBytes(text)).Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
        }

        private static JsonObject NewEntry(string skill, string forms) => new()
        {
            ["uri"] = SkillUri,
            ["frontmatter"] = new JsonObject
            {
                ["name"] = "pdf-processing",
                ["description"] = "Extract, fill, and assemble PDF documents",
                ["metadata"] = new JsonObject { ["author"] = "Ada \"L\"", ["version"] = "1.0" },
            },
            ["resources"] = new JsonArray(
                new JsonObject { ["uri"] = SkillUri, ["digest"] = Digest(skill), ["size"] = Encoding.UTF8.GetByteCount(skill) },
                new JsonObject { ["uri"] = FormsUri, ["digest"] = Digest(forms), ["size"] = Encoding.UTF8.GetByteCount(forms) }),
        };

        private async Task<McpClient> ConnectAsync(SkillsServer skills)
        {
            var http = new TestHttpServer(skills.Handle);
            HttpClient client = McpHttpClientFactory.Create(TimeSpan.FromSeconds(30));
            var mcp = new McpClient(new Uri(http.BaseUrl, "/mcp"), client, new McpClientOptions(), new EraMemory(null), null);
            owned.Add(mcp);
            owned.Add(client);
            owned.Add(http);
            await mcp.ConnectAsync(Context(), verify: false, bound.Token);
            return mcp;
        }

        private static McpCallContext Context() => new(new RecordingCallbacks());

        private async Task<McpSkillInfo> PdfSkillAsync(McpClient client)
            => (await client.ListSkillsAsync(Context(), bound.Token)).Single(s => s.Name == "pdf-processing");

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public async Task Listing_follows_every_page_and_reads_no_skill_file(bool modern)
        {
            var server = new SkillsServer { Modern = modern };
            McpClient client = await ConnectAsync(server);

            IReadOnlyList<McpSkillInfo> skills = await client.ListSkillsAsync(Context(), bound.Token);

            Assert.Equal(new[] { "other", "pdf-processing" }, skills.Select(s => s.Name));
            McpSkillInfo pdf = skills[1];
            Assert.Equal(SkillUri, pdf.Uri);
            Assert.Equal("Extract, fill, and assemble PDF documents", pdf.Description);
            Assert.Equal(new[] { SkillUri, FormsUri }, pdf.Resources.Select(r => r.Uri));
            Assert.Equal(Encoding.UTF8.GetByteCount(FormsText), pdf.Resources[1].Size);
            Assert.Equal(Digest(FormsText), pdf.Resources[1].Digest);
            Assert.Equal(2, server.Methods.Count(m => m == "skills/list"));
            Assert.Empty(server.Reads);
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public async Task A_good_skill_loads_SKILL_md_first_then_each_file_verified(bool modern)
        {
            var server = new SkillsServer { Modern = modern };
            McpClient client = await ConnectAsync(server);

            IReadOnlyList<McpSkillFile> files = await client.LoadSkillAsync(await PdfSkillAsync(client), Context(), bound.Token);

            Assert.Equal(new[] { SkillUri, FormsUri }, server.Reads);
            Assert.Equal(new[] { SkillUri, FormsUri }, files.Select(f => f.Uri));
            Assert.Equal(SkillText, files[0].Text);
            Assert.Equal(Encoding.UTF8.GetByteCount(SkillText), files[0].Size);
            Assert.Equal(Encoding.UTF8.GetBytes(FormsText), files[1].Bytes);
        }

        public static IEnumerable<object[]> Tampered() => new[]
        {
            new object[] { "digest", new Action<SkillsServer>(s => s.ServedSkill = SkillText.Replace("Skill body", "Evil! body")) },
            new object[] { "size", new Action<SkillsServer>(s => s.ServedSkill = SkillText + "extra\n") },
            new object[] { "frontmatter", new Action<SkillsServer>(s => { s.ServedSkill = SkillText.Replace("description: Extract, fill, and assemble PDF documents", "description: Exfiltrate credentials"); s.Entry = NewEntry(s.ServedSkill, FormsText); s.Entry["frontmatter"]!["description"] = "Extract, fill, and assemble PDF documents"; }) },
            new object[] { "frontmatter", new Action<SkillsServer>(s => { s.ServedSkill = SkillText.Replace("  version: '1.0'\n", "  version: '1.0'\n  extra: x\n"); s.Entry = NewEntry(s.ServedSkill, FormsText); }) },
            new object[] { "frontmatter", new Action<SkillsServer>(s => { s.ServedSkill = SkillText.Replace("  version: '1.0'\n", "  tags: [a, b]\n"); s.Entry = NewEntry(s.ServedSkill, FormsText); }) },
        };

        [Theory]
        [MemberData(nameof(Tampered))]
        public async Task A_tampered_SKILL_md_fails_its_check_and_nothing_more_is_read(string check, Action<SkillsServer> tamper)
        {
            var server = new SkillsServer();
            tamper(server);
            McpClient client = await ConnectAsync(server);
            McpSkillInfo skill = await PdfSkillAsync(client);

            McpAuthException e = await Assert.ThrowsAsync<McpAuthException>(() => client.LoadSkillAsync(skill, Context(), bound.Token));

            Assert.Equal(ErrorIds.SkillVerificationFailed, e.ErrorId);
            Assert.Contains($"'{SkillUri}' failed the {check} check", e.Message, StringComparison.Ordinal);
            Assert.Equal(new[] { SkillUri }, server.Reads);
        }

        [Fact]
        public async Task A_tampered_further_file_fails_after_SKILL_md_verified()
        {
            var server = new SkillsServer { ServedForms = "Supporting content!\n" };
            McpClient client = await ConnectAsync(server);

            McpAuthException e = await Assert.ThrowsAsync<McpAuthException>(async () => await client.LoadSkillAsync(await PdfSkillAsync(client), Context(), bound.Token));

            Assert.Equal(ErrorIds.SkillVerificationFailed, e.ErrorId);
            Assert.Contains($"'{FormsUri}' failed the digest check", e.Message, StringComparison.Ordinal);
        }

        [Fact]
        public async Task A_server_without_the_extension_is_SkillsNotSupported_and_is_not_asked()
        {
            var server = new SkillsServer { DeclaresSkills = false };
            McpClient client = await ConnectAsync(server);

            McpAuthException e = await Assert.ThrowsAsync<McpAuthException>(() => client.ListSkillsAsync(Context(), bound.Token));

            Assert.Equal(ErrorIds.SkillsNotSupported, e.ErrorId);
            Assert.DoesNotContain("skills/list", server.Methods);
        }

        [Fact]
        public void The_frontmatter_reader_reads_scalars_quotes_comments_and_nested_maps()
        {
            const string doc = "---\r\n# comment\r\nname: a-b\r\nplain: some text # trailing\r\nsingle: 'it''s: fine'\r\ndouble: \"x\\ty\\u00e9\"\r\nurl: http://x/y\r\nmeta:\r\n  deep:\r\n    k: v\r\n  other: 2\r\n---\r\nbody\r\n";

            Assert.True(SkillFrontmatter.TryParse(doc, out IReadOnlyDictionary<string, object> values, out string error), error);

            Assert.Equal("a-b", values["name"]);
            Assert.Equal("some text", values["plain"]);
            Assert.Equal("it's: fine", values["single"]);
            Assert.Equal("x\tyé", values["double"]);
            Assert.Equal("http://x/y", values["url"]);
            var meta = (IReadOnlyDictionary<string, object>)values["meta"];
            Assert.Equal("v", ((IReadOnlyDictionary<string, object>)meta["deep"])["k"]);
            Assert.Equal("2", meta["other"]);
            Assert.Null(SkillFrontmatter.Compare(values, values));
        }

        [Theory]
        [InlineData("name: x\n---\n", "does not start")]
        [InlineData("---\nname: x\n", "no closing")]
        [InlineData("---\nname: x\nname: y\n---\n", "repeats")]
        [InlineData("---\nname:\tx\n---\n", "tab")]
        [InlineData("---\ntags:\n  - a\n---\n", "not 'key: value'")]
        [InlineData("---\ntags: [a, b]\n---\n", "not a scalar")]
        [InlineData("---\ntext: |\n  block\n---\n", "not a scalar")]
        [InlineData("---\nref: *anchor\n---\n", "not a scalar")]
        [InlineData("---\nq: \"open\n---\n", "not a scalar")]
        [InlineData("---\nq: 'a' b\n---\n", "not a scalar")]
        [InlineData("---\nmeta:\nname: x\n---\n", "indented map")]
        [InlineData("---\nmeta:\n---\n", "no value")]
        [InlineData("---\nname: x\n  more: y\n---\n", "indented inconsistently")]
        [InlineData("---\njust text\n---\n", "not 'key: value'")]
        [InlineData("---\na: b: c\n---\n", "not a scalar")]
        public void The_frontmatter_reader_refuses_what_it_does_not_understand(string doc, string reason)
        {
            Assert.False(SkillFrontmatter.TryParse(doc, out _, out string error));
            Assert.Contains(reason, error, StringComparison.Ordinal);
        }

        [Fact]
        public void Comparison_reports_a_missing_an_extra_and_a_different_field()
        {
            var entry = new Dictionary<string, object> { ["name"] = "a", ["n"] = new Dictionary<string, object> { ["k"] = "v" } };
            Assert.Null(SkillFrontmatter.Compare(new Dictionary<string, object> { ["name"] = "a", ["n"] = new Dictionary<string, object> { ["k"] = "v" } }, entry));
            Assert.Contains("no 'n'", SkillFrontmatter.Compare(new Dictionary<string, object> { ["name"] = "a" }, entry));
            Assert.Contains("'x' field the entry does not have", SkillFrontmatter.Compare(new Dictionary<string, object> { ["name"] = "a", ["x"] = "1", ["n"] = new Dictionary<string, object> { ["k"] = "v" } }, entry));
            Assert.Contains("'n.k' differs", SkillFrontmatter.Compare(new Dictionary<string, object> { ["name"] = "a", ["n"] = new Dictionary<string, object> { ["k"] = "w" } }, entry));
            Assert.Contains("'n' differs", SkillFrontmatter.Compare(new Dictionary<string, object> { ["name"] = "a", ["n"] = "v" }, entry));
        }
    }
}
