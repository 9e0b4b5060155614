using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
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
    /// The client API for resources, resource templates, prompts, rich tool content and subscriptions, against the
    /// fixture's real servers of both eras (SDK 1.x legacy, SDK 2.x modern): every page, text and blob reads, one
    /// typed not-found for both eras' codes, the 16 MiB cap on a 100 MiB blob, malformed content, ttlMs caching,
    /// and a subscription that hears exactly the change the fixture makes and releases the server's stream.
    /// </summary>
    public class ResourceClientTests : IClassFixture<ResourceClientTests.Fixture>, IDisposable
    {
        private const string Readme = "file:///project/README.md";
        private const string Logo = "file:///project/logo.png";
        private const string Status = "file:///project/status.txt";

        /// <summary>A bound on every call here: a hang fails the test instead of stalling the run.</summary>
        private static readonly TimeSpan NoHang = TimeSpan.FromSeconds(60);

        private readonly FixtureServer server;
        private readonly List<IDisposable> owned = new();
        private readonly CancellationTokenSource bound = new(NoHang);

        public ResourceClientTests(Fixture fixture)
        {
            server = fixture.Server;
        }

        public void Dispose()
        {
            foreach (IDisposable d in owned)
            {
                d.Dispose();
            }

            bound.Dispose();
        }

        private CancellationToken Token => bound.Token;

        private McpClient Client(string url, Func<DateTimeOffset>? clock = null)
        {
            HttpClient http = McpHttpClientFactory.Create(TimeSpan.FromSeconds(30));
            var client = new McpClient(new Uri(url), http, new McpClientOptions(), new EraMemory(null), clock);
            owned.Add(client);
            owned.Add(http);
            return client;
        }

        private static McpCallContext Context(IEngineCallbacks? callbacks = null) => new McpCallContext(callbacks ?? new RecordingCallbacks());

        private int Calls(string url, string method) => server.RequestsTo(url).Count(q => (string?)q["rpcMethod"] == method);

        private byte[] FixtureBytes(string name)
        {
            using var http = new HttpClient();
            return http.GetByteArrayAsync(server.Admin + "/files/" + name).GetAwaiter().GetResult();
        }

        [Theory]
        [InlineData("legacy")]
        [InlineData("modern")]
        public async Task Lists_follow_every_page_of_resources_templates_and_prompts(string era)
        {
            string url = server.PublicOf(era);
            McpClient client = Client(url);
            await client.ConnectAsync(Context(), verify: false, Token);
            server.AdminPost("/requests/clear");

            IReadOnlyList<McpResourceInfo> resources = await client.ListResourcesAsync(Context(), Token);
            Assert.Equal(new[] { "README.md", "logo.png", "status.txt", "data.bin", "welcome.txt" }, resources.Select(r => r.Name));
            Assert.Equal(3, Calls(url, "resources/list"));
            McpResourceInfo logo = resources.Single(r => r.Uri == Logo);
            Assert.Equal("image/png", logo.MimeType);
            Assert.Equal(FixtureBytes("logo.png").Length, logo.Size);

            IReadOnlyList<McpResourceTemplateInfo> templates = await client.ListResourceTemplatesAsync(Context(), Token);
            Assert.Equal(new[] { "file:///project/notes/{name}.txt", "file:///project/reports/{year}/{month}.csv" }, templates.Select(t => t.UriTemplate));
            Assert.Equal(new[] { "year", "month" }, templates[1].Variables);

            IReadOnlyList<McpPromptInfo> prompts = await client.ListPromptsAsync(Context(), Token);
            Assert.Equal(new[] { "greeting", "review_readme" }, prompts.Select(p => p.Name));
            Assert.Equal(new[] { ("name", true), ("style", false) }, prompts[0].Arguments.Select(a => (a.Name, a.Required)));
        }

        [Theory]
        [InlineData("legacy", false)]
        [InlineData("legacy", true)]
        [InlineData("modern", false)]
        [InlineData("modern", true)]
        public async Task Text_is_read_as_text_and_a_blob_as_its_decoded_bytes(string era, bool json)
        {
            McpClient client = Client(server.PublicOf(era, json));
            McpContentBlock readme = Assert.Single(await client.ReadResourceAsync(Readme, Context(), Token));
            Assert.Equal(McpContentKind.Resource, readme.Kind);
            Assert.Equal("text/markdown", readme.MimeType);
            Assert.StartsWith("# Fixture project", readme.Text);
            Assert.Null(readme.Bytes);

            McpContentBlock logo = Assert.Single(await client.ReadResourceAsync(Logo, Context(), Token));
            Assert.Equal("image/png", logo.MimeType);
            Assert.Equal(FixtureBytes("logo.png"), logo.Bytes);
            Assert.Null(logo.Text);
        }

        [Theory]
        [InlineData("legacy")]
        [InlineData("modern")]
        public async Task A_resource_template_expands_to_a_uri_the_server_reads(string era)
        {
            McpClient client = Client(server.PublicOf(era));
            McpResourceTemplateInfo template = (await client.ListResourceTemplatesAsync(Context(), Token)).Single(t => t.Name == "monthly-report");
            string uri = UriTemplate.Expand(template.UriTemplate, new JsonMap { new("year", 2026L), new("month", 7L) });
            Assert.Equal("file:///project/reports/2026/7.csv", uri);
            McpContentBlock csv = Assert.Single(await client.ReadResourceAsync(uri, Context(), Token));
            Assert.Equal("year,month,total\n2026,7,42\n", csv.Text);
        }

        [Theory]
        [InlineData("legacy", "-32002")]
        [InlineData("modern", "-32602")]
        public async Task A_resource_that_does_not_exist_is_ResourceNotFound_whichever_code_the_era_answers(string era, string code)
        {
            McpClient client = Client(server.PublicOf(era));
            McpAuthException e = await Assert.ThrowsAsync<McpAuthException>(() => client.ReadResourceAsync("file:///project/nothing-here.txt", Context(), Token));
            Assert.Equal(ErrorIds.ResourceNotFound, e.ErrorId);
            Assert.Equal(McpErrorKind.NotFound, e.Kind);
            Assert.Equal("file:///project/nothing-here.txt", e.Target);
            Assert.Equal(long.Parse(code, System.Globalization.CultureInfo.InvariantCulture), Assert.IsType<McpJsonRpcException>(e.InnerException).Code);
        }

        [Fact]
        public async Task A_resource_uri_that_is_not_absolute_is_refused_before_any_request()
        {
            McpClient client = Client(server.Public);
            McpAuthException e = await Assert.ThrowsAsync<McpAuthException>(() => client.ReadResourceAsync("README.md", Context(), Token));
            Assert.Equal(ErrorIds.InvalidResourceUri, e.ErrorId);
        }

        [Theory]
        [InlineData("legacy")]
        [InlineData("modern")]
        public async Task A_100_MiB_blob_is_refused_at_the_16_MiB_cap_with_ResponseTooLarge(string era)
        {
            McpClient client = Client(server.PublicOf(era));
            McpAuthException e = await Assert.ThrowsAsync<McpAuthException>(() => client.ReadResourceAsync("file:///project/huge.bin", Context(), Token));
            Assert.Equal(ErrorIds.ResponseTooLarge, e.ErrorId);

            // The connection goes on working.
            Assert.StartsWith("# Fixture", Assert.Single(await client.ReadResourceAsync(Readme, Context(), Token)).Text);
        }

        [Theory]
        [InlineData("legacy")]
        [InlineData("modern")]
        public async Task A_blob_that_is_not_base64_is_a_malformed_block_with_a_typed_error(string era)
        {
            McpClient client = Client(server.PublicOf(era));
            McpContentBlock broken = Assert.Single(await client.ReadResourceAsync("file:///project/broken.bin", Context(), Token));
            Assert.Equal(McpContentKind.Malformed, broken.Kind);
            Assert.Equal(ErrorIds.MalformedContent, broken.Error!.ErrorId);
            Assert.Equal(McpErrorKind.InvalidData, broken.Error.Kind);
        }

        [Theory]
        [InlineData("legacy")]
        [InlineData("modern")]
        public async Task Tool_content_blocks_carry_bytes_links_and_embedded_resources_and_a_malformed_block_only_fails_itself(string era)
        {
            McpClient client = Client(server.PublicOf(era));
            McpContentBlock image = Assert.Single((await client.CallToolAsync("image", null, Context(), Token)).Blocks);
            Assert.Equal(McpContentKind.Image, image.Kind);
            Assert.Equal("image/png", image.MimeType);
            Assert.Equal(FixtureBytes("logo.png"), image.Bytes);

            McpContentBlock audio = Assert.Single((await client.CallToolAsync("audio", null, Context(), Token)).Blocks);
            Assert.Equal(McpContentKind.Audio, audio.Kind);
            Assert.Equal(FixtureBytes("sound.wav"), audio.Bytes);

            IReadOnlyList<McpContentBlock> links = (await client.CallToolAsync("links", null, Context(), Token)).Blocks;
            Assert.Equal(new[] { McpContentKind.Text, McpContentKind.ResourceLink, McpContentKind.ResourceLink, McpContentKind.Resource, McpContentKind.Resource }, links.Select(b => b.Kind));
            Assert.Equal(Readme, links[1].Uri);
            Assert.Equal("README.md", links[1].Name);
            Assert.Equal("Welcome to the fixture notes.\n", links[3].Text);
            Assert.Equal(FixtureBytes("data.bin"), links[4].Bytes);

            McpToolResult malformed = await client.CallToolAsync("malformed", null, Context(), Token);
            Assert.Equal("before the broken block", malformed.Text);
            Assert.Equal(McpContentKind.Text, malformed.Blocks[0].Kind);
            Assert.Equal(ErrorIds.MalformedContent, malformed.Blocks[1].Error!.ErrorId);
        }

        [Theory]
        [InlineData("legacy")]
        [InlineData("modern")]
        public async Task A_prompt_comes_with_its_arguments_filled_in_and_its_content_as_blocks(string era)
        {
            McpClient client = Client(server.PublicOf(era));
            McpPromptResult greeting = await client.GetPromptAsync("greeting", new Dictionary<string, object?> { ["name"] = "Ada", ["style"] = "formal" }, Context(), Token);
            Assert.Equal("A greeting", greeting.Description);
            McpPromptMessageInfo message = Assert.Single(greeting.Messages);
            Assert.Equal("user", message.Role);
            Assert.Equal("Please greet Ada in a formal way.", message.Content.Text);

            McpPromptResult review = await client.GetPromptAsync("review_readme", null, Context(), Token);
            Assert.Equal(new[] { McpContentKind.Text, McpContentKind.Resource, McpContentKind.Image, McpContentKind.Text }, review.Messages.Select(m => m.Content.Kind));
            Assert.Equal(FixtureBytes("logo.png"), review.Messages[2].Content.Bytes);
            Assert.Equal("assistant", review.Messages[3].Role);
        }

        [Theory]
        [InlineData("legacy")]
        [InlineData("modern")]
        public async Task An_unknown_prompt_is_PromptNotFound_and_a_missing_argument_stays_InvalidParams(string era)
        {
            McpClient client = Client(server.PublicOf(era));
            McpAuthException missing = await Assert.ThrowsAsync<McpAuthException>(() => client.GetPromptAsync("no_such_prompt", null, Context(), Token));
            Assert.Equal(ErrorIds.PromptNotFound, missing.ErrorId);
            Assert.Equal(McpErrorKind.NotFound, missing.Kind);

            McpJsonRpcException bad = await Assert.ThrowsAsync<McpJsonRpcException>(() => client.GetPromptAsync("greeting", null, Context(), Token));
            Assert.Equal(ErrorIds.InvalidParams, bad.ErrorId);
            Assert.Contains("Missing required argument", bad.Message);

            McpAuthException nested = await Assert.ThrowsAsync<McpAuthException>(() => client.GetPromptAsync("greeting", new Dictionary<string, object?> { ["name"] = new[] { "a", "b" } }, Context(), Token));
            Assert.Equal(ErrorIds.InvalidPromptArguments, nested.ErrorId);
        }

        [Fact]
        public async Task A_modern_servers_reads_and_lists_are_reused_while_fresh_and_never_a_result_with_no_ttl()
        {
            DateTimeOffset now = DateTimeOffset.UtcNow;
            string url = server.ModernPublicJson;
            McpClient client = Client(url, () => now);
            await client.ConnectAsync(Context(), verify: false, Token);
            server.AdminPost("/requests/clear");

            IReadOnlyList<McpContentBlock> first = await client.ReadResourceAsync(Readme, Context(), Token);
            Assert.Same(first, await client.ReadResourceAsync(Readme, Context(), Token));
            Assert.Equal(1, Calls(url, "resources/read"));

            // status.txt comes with ttlMs 0: read every time.
            await client.ReadResourceAsync(Status, Context(), Token);
            await client.ReadResourceAsync(Status, Context(), Token);
            Assert.Equal(3, Calls(url, "resources/read"));

            IReadOnlyList<McpResourceInfo> list = await client.ListResourcesAsync(Context(), Token);
            Assert.Same(list, await client.ListResourcesAsync(Context(), Token));
            Assert.Equal(3, Calls(url, "resources/list"));
            Assert.Same(list, client.CachedResources);

            now = now.AddSeconds(61);
            Assert.NotSame(first, await client.ReadResourceAsync(Readme, Context(), Token));
            Assert.NotSame(list, await client.ListResourcesAsync(Context(), Token));
            Assert.Equal(4, Calls(url, "resources/read"));
            Assert.Equal(6, Calls(url, "resources/list"));
        }

        [Fact]
        public async Task A_legacy_servers_reads_carry_no_freshness_and_are_read_every_time()
        {
            string url = server.PublicJson;
            McpClient client = Client(url);
            await client.ConnectAsync(Context(), verify: false, Token);
            server.AdminPost("/requests/clear");
            await client.ReadResourceAsync(Readme, Context(), Token);
            await client.ReadResourceAsync(Readme, Context(), Token);
            Assert.Equal(2, Calls(url, "resources/read"));
        }

        [Theory]
        [InlineData("legacy", false)]
        [InlineData("legacy", true)]
        [InlineData("modern", false)]
        [InlineData("modern", true)]
        public async Task A_subscription_hears_the_one_change_of_its_resource_and_closing_it_releases_the_server(string era, bool json)
        {
            string url = server.PublicOf(era, json);
            McpClient client = Client(url);
            McpSubscription subscription = await client.SubscribeAsync(new[] { Status }, Context(), Token);
            try
            {
                Assert.Equal(new[] { Status }, subscription.ResourceUris);
                Assert.True(subscription.IsRunning);
                Assert.Equal(1, OpenSubscriptions(era, 1));

                JsonObject touched = server.AdminPost("/resources/touch", new { uri = Status });
                Assert.Equal(1, (int)touched[era == "modern" ? "modernListening" : "legacyNotified"]!);
                McpResourceChange? change = await subscription.NextAsync(Token);
                Assert.Equal(Status, change!.Uri);

                // A change of a resource nobody watches is not reported; the next change of ours is.
                server.AdminPost("/resources/touch", new { uri = Readme });
                server.AdminPost("/resources/touch", new { uri = Status });
                Assert.Equal(Status, (await subscription.NextAsync(Token))!.Uri);
            }
            finally
            {
                await subscription.CloseAsync();
            }

            Assert.False(subscription.IsRunning);
            Assert.Null(await subscription.NextAsync(Token));
            Assert.Equal(0, OpenSubscriptions(era, 0));
        }

        [Fact]
        public async Task A_change_makes_the_cached_read_of_that_resource_stale()
        {
            string url = server.ModernPublic;
            McpClient client = Client(url);
            await client.ReadResourceAsync(Readme, Context(), Token);
            McpSubscription subscription = await client.SubscribeAsync(new[] { Readme }, Context(), Token);
            try
            {
                server.AdminPost("/requests/clear");
                await client.ReadResourceAsync(Readme, Context(), Token);
                Assert.Equal(0, Calls(url, "resources/read"));
                server.AdminPost("/resources/touch", new { uri = Readme });
                Assert.Equal(Readme, (await subscription.NextAsync(Token))!.Uri);
                await client.ReadResourceAsync(Readme, Context(), Token);
                Assert.Equal(1, Calls(url, "resources/read"));
            }
            finally
            {
                await subscription.CloseAsync();
            }
        }

        [Fact]
        public async Task Cancelling_the_wait_for_a_change_ends_promptly_and_close_releases_the_modern_stream()
        {
            McpClient client = Client(server.ModernPublic);
            McpSubscription subscription = await client.SubscribeAsync(new[] { Status }, Context(), Token);
            using var ctrlC = new CancellationTokenSource();
            Task<McpResourceChange?> waiting = subscription.NextAsync(ctrlC.Token);
            ctrlC.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
            await subscription.CloseAsync();
            Assert.Equal(0, OpenSubscriptions("modern", 0));
        }

        [Fact]
        public async Task A_legacy_subscription_whose_session_the_server_forgot_ends_with_a_typed_error()
        {
            McpClient client = Client(server.Public);
            McpSubscription subscription = await client.SubscribeAsync(new[] { Status }, Context(), Token);
            server.AdminPost("/drop-sessions");
            McpAuthException e = await Assert.ThrowsAsync<McpAuthException>(() => subscription.NextAsync(Token));
            Assert.Equal(ErrorIds.SubscriptionEnded, e.ErrorId);
            await subscription.CloseAsync();
        }

        [Fact]
        public async Task A_server_without_resource_subscriptions_is_SubscriptionNotSupported()
        {
            McpClient client = Client(server.ModernBad + "/header-mismatch/mcp");
            McpAuthException e = await Assert.ThrowsAsync<McpAuthException>(() => client.SubscribeAsync(new[] { Status }, Context(), Token));
            Assert.Equal(ErrorIds.SubscriptionNotSupported, e.ErrorId);
        }

        /// <summary>The subscriptions the fixture has open for an era, once it has <paramref name="expected"/> (its count follows a closed stream a moment later), or after 5 s.</summary>
        private int OpenSubscriptions(string era, int expected)
        {
            for (int i = 0; ; i++)
            {
                JsonObject open = server.AdminGet("/subscriptions");
                int count = era == "modern" ? (int)open["modern"]! : open["legacy"]!.AsObject().Sum(kv => (int)kv.Value!);
                if (count == expected || i >= 50)
                {
                    return count;
                }

                Thread.Sleep(100);
            }
        }

        public sealed class Fixture : IDisposable
        {
            public FixtureServer Server { get; } = new FixtureServer();

            public void Dispose() => Server.Dispose();
        }
    }
}
