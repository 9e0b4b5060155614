using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Net.Http;
using System.Text.Json.Nodes;
using System.Threading;
using McpAuth.Testing;
using Xunit;

namespace McpAuth.HostedTests
{
    /// <summary>
    /// Get-McpResource, Read-McpResource, Watch-McpResource, Get-McpPrompt, Get-McpPromptMessage, Save-McpContent
    /// and Invoke-McpTool's rich content in the real engine, against the fixture's legacy (SDK 1.x) and modern
    /// (SDK 2.x) servers: what comes out, what reaches files, the pipelines between them, the typed errors, and a
    /// subscription that reports one change and ends at once with Stop (Ctrl+C) or Unregister-Event.
    /// </summary>
    public class ResourceCmdletTests : IClassFixture<PublicServerFixture>, IDisposable
    {
        private const string Status = "file:///project/status.txt";

        private readonly FixtureServer server;
        private readonly string folder = Path.Combine(Path.GetTempPath(), "mcpauth-content-" + Guid.NewGuid().ToString("N"));

        public ResourceCmdletTests(PublicServerFixture fixture)
        {
            server = fixture.Server;
        }

        public void Dispose()
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }

        private Dictionary<string, object?> Vars(string era, bool json = false) => new Dictionary<string, object?> { ["u"] = server.PublicOf(era, json), ["dir"] = folder };

        private PsResult Run(string script, string era, bool json = false)
        {
            using var ps = new HostedPowerShell();
            return ps.Run(script, Vars(era, json));
        }

        private byte[] FixtureBytes(string name)
        {
            using var http = new HttpClient();
            return http.GetByteArrayAsync(server.Admin + "/files/" + name).GetAwaiter().GetResult();
        }

        private static T Base<T>(PSObject o) => (T)o.BaseObject;

        [Theory]
        [InlineData("legacy")]
        [InlineData("modern")]
        public void Get_McpResource_lists_every_page_and_filters_names_and_uris_with_wildcards(string era)
        {
            PsResult r = Run("Get-McpResource $u; '--'; Get-McpResource $u '*.txt'; '--'; Get-McpResource $u -ResourceUri 'file:///project/*.png', 'file:///nope'", era);
            string[] parts = string.Join("|", r.Output.Select(o => o.BaseObject is string s ? s : (string)o.Properties["Name"].Value)).Split("|--|");
            Assert.Equal("README.md|logo.png|status.txt|data.bin|welcome.txt", parts[0]);
            Assert.Equal("status.txt|welcome.txt", parts[1]);
            Assert.Equal("logo.png", parts[2]);
            Assert.Equal("ResourceNotFound,McpAuth.Commands.GetMcpResourceCommand", Assert.Single(r.Errors).FullyQualifiedErrorId);
            PSObject logo = r.Output.First(o => o.BaseObject is not string && (string)o.Properties["Name"].Value == "logo.png");
            Assert.Equal("McpAuth.McpResource", logo.BaseObject.GetType().FullName);
            Assert.Equal(server.PublicOf(era), logo.Properties["ServerUri"].Value.ToString());
        }

        [Theory]
        [InlineData("legacy")]
        [InlineData("modern")]
        public void A_template_from_Get_McpResource_pipes_to_Read_McpResource_with_its_arguments(string era)
        {
            PsResult r = Run("$t = Get-McpResource $u -Template -Name monthly-report; $t.Variables -join ','; $t | Read-McpResource -Arguments @{ year = 2026; month = 7 }", era);
            r.ThrowIfErrors();
            Assert.Equal("year,month", r.Output[0].BaseObject);
            Assert.Equal("year,month,total\n2026,7,42\n", r.Output[1].BaseObject);
        }

        [Theory]
        [InlineData("legacy", false)]
        [InlineData("modern", false)]
        [InlineData("modern", true)]
        public void Read_McpResource_writes_text_as_a_string_and_a_blob_as_its_bytes(string era, bool json)
        {
            PsResult r = Run("Read-McpResource $u -ResourceUri file:///project/README.md; Read-McpResource $u -ResourceUri file:///project/logo.png", era, json);
            r.ThrowIfErrors();
            Assert.Equal(2, r.Output.Count);
            Assert.StartsWith("# Fixture project", Base<string>(r.Output[0]));
            Assert.Equal(FixtureBytes("logo.png"), Base<byte[]>(r.Output[1]));
        }

        [Theory]
        [InlineData("legacy")]
        [InlineData("modern")]
        public void Read_McpResource_writes_files_whose_bytes_match_into_a_folder_that_exists_and_Raw_returns_content_objects(string era)
        {
            PsResult r = Run(@"
Read-McpResource $u -ResourceUri file:///project/logo.png -OutFile ([IO.Path]::Combine($dir, 'no-such-folder', 'copy.png'))
$null = [IO.Directory]::CreateDirectory($dir)
(Read-McpResource $u -ResourceUri file:///project/logo.png -OutFile ([IO.Path]::Combine($dir, 'copy.png'))).Name
Get-McpResource $u -Name README.md, data.bin | Read-McpResource -OutDirectory $dir | ForEach-Object Name
$raw = Read-McpResource $u -ResourceUri file:///project/data.bin -Raw
$raw.GetType().FullName; $raw.IsBinary; $raw.Size; $raw.FileName", era);
            ErrorRecord missingFolder = Assert.Single(r.Errors);
            Assert.Equal("CannotWriteFile,McpAuth.Commands.ReadMcpResourceCommand", missingFolder.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.WriteError, missingFolder.CategoryInfo.Category);
            Assert.Equal(new object[] { "copy.png", "README.md", "data.bin", "McpAuth.McpResourceContents", true, 256L, "data.bin" }, r.Output.Select(o => o.BaseObject));
            Assert.Equal(FixtureBytes("logo.png"), File.ReadAllBytes(Path.Combine(folder, "copy.png")));
            Assert.Equal(FixtureBytes("data.bin"), File.ReadAllBytes(Path.Combine(folder, "data.bin")));
            Assert.StartsWith("# Fixture project", File.ReadAllText(Path.Combine(folder, "README.md")));
        }

        [Theory]
        [InlineData("legacy")]
        [InlineData("modern")]
        public void A_missing_resource_a_100_MiB_blob_and_a_broken_blob_are_typed_errors(string era)
        {
            PsResult r = Run(@"
Read-McpResource $u -ResourceUri file:///project/no-such-file.txt
Read-McpResource $u -ResourceUri file:///project/huge.bin
Read-McpResource $u -ResourceUri file:///project/broken.bin
Read-McpResource $u -ResourceUri 'file:///project/notes/{name}.txt'
'after'", era);
            Assert.Equal("after", Assert.Single(r.Output).BaseObject);
            Assert.Equal(
                new[] { "ResourceNotFound", "ResponseTooLarge", "MalformedContent", "InvalidResourceUri" }.Select(id => id + ",McpAuth.Commands.ReadMcpResourceCommand"),
                r.Errors.Select(e => e.FullyQualifiedErrorId));
            Assert.Equal(ErrorCategory.ObjectNotFound, r.Errors[0].CategoryInfo.Category);
            Assert.Equal("file:///project/no-such-file.txt", r.Errors[0].TargetObject);
        }

        [Theory]
        [InlineData("legacy")]
        [InlineData("modern")]
        public void Prompts_list_with_their_arguments_and_their_messages_come_out_as_objects(string era)
        {
            PsResult r = Run(@"
$p = Get-McpPrompt -Uri $u greeting
($p.Arguments | ForEach-Object { $_.ToString() }) -join ','
$p | Get-McpPromptMessage -Arguments @{ name = 'Ada' } | ForEach-Object { $_.Role; $_.Type; $_.Text }
$m = Get-McpPromptMessage -Uri $u review_readme
$m.Type -join ','
$m[2].Content.GetType().Name; $m[2].Content.MimeType; $m[1].Content.ResourceUri", era);
            r.ThrowIfErrors();
            Assert.Equal(
                new object[] { "name,[style]", "user", "text", "Please greet Ada in a friendly way.", "text,resource,image,text", "McpImageContent", "image/png", "file:///project/README.md" },
                r.Output.Select(o => o.BaseObject));
        }

        [Theory]
        [InlineData("legacy")]
        [InlineData("modern")]
        public void An_unknown_prompt_is_PromptNotFound_and_a_missing_argument_InvalidParams(string era)
        {
            PsResult r = Run("Get-McpPromptMessage -Uri $u no_such_prompt; Get-McpPromptMessage -Uri $u greeting; Get-McpPrompt -Uri $u nothing", era);
            Assert.Equal(
                new[] { "PromptNotFound,McpAuth.Commands.GetMcpPromptMessageCommand", "InvalidParams,McpAuth.Commands.GetMcpPromptMessageCommand", "PromptNotFound,McpAuth.Commands.GetMcpPromptCommand" },
                r.Errors.Select(e => e.FullyQualifiedErrorId));
        }

        [Theory]
        [InlineData("legacy")]
        [InlineData("modern")]
        public void An_image_tool_returns_bytes_and_mime_type_and_its_saved_file_has_the_same_bytes(string era)
        {
            PsResult r = Run(@"
$image = Invoke-McpTool -Uri $u image
$image.GetType().FullName; $image.MimeType; $image.Size; $image.FileName
(Invoke-McpTool -Uri $u image -OutDirectory $dir).Name
($image | Save-McpContent -Path ([IO.Path]::Combine($dir, 'saved.png'))).Name
(Invoke-McpTool -Uri $u audio | Save-McpContent -OutDirectory $dir).Name", era);
            r.ThrowIfErrors();
            byte[] png = FixtureBytes("logo.png");
            Assert.Equal(new object[] { "McpAuth.McpImageContent", "image/png", (long)png.Length, "image-1.png", "image-1.png", "saved.png", "audio-1.wav" }, r.Output.Select(o => o.BaseObject));
            Assert.Equal(png, File.ReadAllBytes(Path.Combine(folder, "image-1.png")));
            Assert.Equal(png, File.ReadAllBytes(Path.Combine(folder, "saved.png")));
            Assert.Equal(FixtureBytes("sound.wav"), File.ReadAllBytes(Path.Combine(folder, "audio-1.wav")));
        }

        [Theory]
        [InlineData("legacy")]
        [InlineData("modern")]
        public void Resource_links_and_embedded_resources_pipe_to_Read_McpResource_and_Save_McpContent(string era)
        {
            PsResult r = Run(@"
$out = Invoke-McpTool -Uri $u links
$out[0]
($out[1..($out.Count - 1)] | ForEach-Object { $_.GetType().Name }) -join ','
$out | Where-Object { $_ -is [McpAuth.McpResourceLink] } | Read-McpResource -Raw | ForEach-Object ResourceUri
$out | Save-McpContent -OutDirectory $dir -WarningVariable skipped -WarningAction SilentlyContinue | ForEach-Object Name
$skipped.Count", era);
            r.ThrowIfErrors();
            Assert.Equal(
                new object[] { "two links and two embedded resources", "McpResourceLink,McpResourceLink,McpResourceContents,McpResourceContents", "file:///project/README.md", "file:///project/logo.png", "welcome.txt", "data.bin", 2 },
                r.Output.Select(o => o.BaseObject));
            Assert.Equal(FixtureBytes("data.bin"), File.ReadAllBytes(Path.Combine(folder, "data.bin")));
        }

        [Theory]
        [InlineData("legacy")]
        [InlineData("modern")]
        public void A_malformed_content_block_is_a_MalformedContent_error_and_the_other_blocks_still_come(string era)
        {
            PsResult r = Run("Invoke-McpTool -Uri $u malformed; (Invoke-McpTool -Uri $u malformed -Raw).Text", era);
            Assert.Equal(new object[] { "before the broken block", "before the broken block" }, r.Output.Select(o => o.BaseObject));
            Assert.Equal(2, r.Errors.Count);
            Assert.All(r.Errors, e => Assert.Equal("MalformedContent,McpAuth.Commands.InvokeMcpToolCommand", e.FullyQualifiedErrorId));
            Assert.Equal(ErrorCategory.InvalidData, r.Errors[0].CategoryInfo.Category);
        }

        [Fact]
        public void Text_and_structured_content_come_out_as_before()
        {
            PsResult r = Run("Invoke-McpTool -Uri $u echo @{ message = 'plain' }; (Invoke-McpTool -Uri $u add @{ a = 1; b = 2 }).sum", "modern");
            r.ThrowIfErrors();
            Assert.Equal(new object[] { "plain", 3L }, r.Output.Select(o => o.BaseObject));
            Assert.IsType<string>(r.Output[0].BaseObject);
        }

        [Theory]
        [InlineData("legacy")]
        [InlineData("modern")]
        public void Watch_McpResource_writes_the_one_change_and_Stop_ends_it_at_once_and_releases_the_server(string era)
        {
            using var ps = new HostedPowerShell();
            var output = new PSDataCollection<PSObject>();
            using PowerShell pipeline = ps.Create("Watch-McpResource $u -ResourceUri $r", new Dictionary<string, object?> { ["u"] = server.PublicOf(era), ["r"] = Status });
            IAsyncResult pending = pipeline.BeginInvoke<PSObject, PSObject>(null, output);
            if (!SpinWait.SpinUntil(() => OpenSubscriptions(era) == 1, TimeSpan.FromSeconds(30)))
            {
                // Not string.Join over the stream: enumerating an open PSDataCollection waits for the pipeline to end.
                Assert.Fail("the subscription never reached the server: " + string.Join("; ", Enumerable.Range(0, pipeline.Streams.Error.Count).Select(i => pipeline.Streams.Error[i])));
            }

            server.AdminPost("/resources/touch", new { uri = Status });
            Assert.True(SpinWait.SpinUntil(() => output.Count >= 1, TimeSpan.FromSeconds(30)), "no change came out");
            PSObject update = output[0];
            Assert.Equal("McpAuth.McpResourceUpdate", update.BaseObject.GetType().FullName);
            Assert.Equal(Status, update.Properties["ResourceUri"].Value);

            var watch = System.Diagnostics.Stopwatch.StartNew();
            pipeline.Stop();
            Assert.True(pending.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(10)));
            Assert.Equal(PSInvocationState.Stopped, pipeline.InvocationStateInfo.State);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), "stopping took " + watch.Elapsed);
            Assert.True(SpinWait.SpinUntil(() => OpenSubscriptions(era) == 0, TimeSpan.FromSeconds(10)), "the server still holds the subscription");
            Assert.True(output.Count == 1, "changes written after Stop: " + output.Count);
        }

        [Theory]
        [InlineData("legacy")]
        [InlineData("modern")]
        public void Watch_McpResource_with_a_source_identifier_raises_an_event_per_change_until_Unregister_Event(string era)
        {
            using var ps = new HostedPowerShell();
            var vars = new Dictionary<string, object?> { ["u"] = server.PublicOf(era), ["r"] = Status };
            PsResult started = ps.Run("$global:w = Watch-McpResource $u -ResourceUri $r -SourceIdentifier StatusChanged; $w.State; $w.ResourceUri -join ','", vars);
            started.ThrowIfErrors();
            Assert.Equal(new object[] { "Running", Status }, started.Output.Select(o => o.BaseObject));
            Assert.Equal(1, OpenSubscriptions(era));

            // The engine's event queue (Wait-Event and Unregister-Event live in a module the hosted engine does not load).
            server.AdminPost("/resources/touch", new { uri = Status });
            Assert.True(SpinWait.SpinUntil(() => ps.Runspace.Events.ReceivedEvents.Count > 0, TimeSpan.FromSeconds(30)), "no event was raised");
            PSEventArgs raised = ps.Runspace.Events.ReceivedEvents[0];
            Assert.Equal("StatusChanged", raised.SourceIdentifier);
            Assert.Equal(Status, PSObject.AsPSObject(raised.SourceEventArgs).Properties["ResourceUri"].Value);
            Assert.Equal("McpResourceSubscription", raised.Sender.GetType().Name);
            Assert.Single(ps.Runspace.Events.ReceivedEvents);

            PsResult ended = ps.Run("$ExecutionContext.Events.UnsubscribeEvent(@($ExecutionContext.Events.Subscribers | Where-Object SourceIdentifier -eq 'StatusChanged')[0]); @($ExecutionContext.Events.Subscribers).Count", vars);
            ended.ThrowIfErrors();
            Assert.Equal(0, ended.Output.Single().BaseObject);
            Assert.True(SpinWait.SpinUntil(() => (string)ps.Run("$w.State").Output.Single().BaseObject == "Stopped", TimeSpan.FromSeconds(10)), "the subscription did not stop");
            Assert.True(SpinWait.SpinUntil(() => OpenSubscriptions(era) == 0, TimeSpan.FromSeconds(10)), "the server still holds the subscription");
        }

        [Fact]
        public void Watch_McpResource_on_a_server_without_subscriptions_is_SubscriptionNotSupported()
        {
            using var ps = new HostedPowerShell();
            PsResult r = ps.Run("Watch-McpResource $u -ResourceUri $r", new Dictionary<string, object?> { ["u"] = server.ModernBad + "/unknown-result-type/mcp", ["r"] = Status });
            Assert.Equal("SubscriptionNotSupported,McpAuth.Commands.WatchMcpResourceCommand", Assert.Single(r.Errors).FullyQualifiedErrorId);
        }

        [Fact]
        public void Resource_uris_prompt_names_and_template_arguments_complete_from_the_server()
        {
            using var ps = new HostedPowerShell();
            var vars = new Dictionary<string, object?> { ["u"] = server.Public };
            ps.Run("$null = Connect-McpServer $u", vars).ThrowIfErrors();
            string u = server.Public;

            Assert.Equal(new[] { "file:///project/README.md" }, Texts(ps, $"Read-McpResource {u} -ResourceUri file:///project/READ"));
            Assert.Contains("'file:///project/notes/{name}.txt'", Texts(ps, $"Read-McpResource {u} -ResourceUri file:///project/n"));
            Assert.DoesNotContain("'file:///project/notes/{name}.txt'", Texts(ps, $"Watch-McpResource {u} -ResourceUri file:///project/n"));
            Assert.Equal(new[] { "status.txt" }, Texts(ps, $"Get-McpResource {u} -Name st"));
            Assert.Equal(new[] { "greeting" }, Texts(ps, $"Get-McpPromptMessage -Uri {u} -Name gr"));
            Assert.Equal(new[] { "greeting", "review_readme" }, Texts(ps, $"Get-McpPrompt -Uri {u} -Name "));
            Assert.Equal("@{ name = ''; style = '' }", Texts(ps, $"Get-McpPromptMessage -Uri {u} -Name greeting -Arguments ")[0]);
            Assert.Equal("@{ name = '' }", Texts(ps, $"Read-McpResource {u} -ResourceUri 'file:///project/notes/{{name}}.txt' -Arguments ")[0]);
        }

        private static string[] Texts(HostedPowerShell ps, string line)
        {
            PsResult r = ps.Run("TabExpansion2 -inputScript $line -cursorColumn $line.Length", new Dictionary<string, object?> { ["line"] = line });
            r.ThrowIfErrors();
            return ((CommandCompletion)Assert.Single(r.Output).BaseObject).CompletionMatches.Select(m => m.CompletionText).ToArray();
        }

        private int OpenSubscriptions(string era)
        {
            JsonObject open = server.AdminGet("/subscriptions");
            return era == "modern" ? (int)open["modern"]! : open["legacy"]!.AsObject().Sum(kv => (int)kv.Value!);
        }
    }
}
