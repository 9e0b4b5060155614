using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Http;
using McpAuth.Core.Mcp;
using McpAuth.Core.Storage;
using McpAuth.Testing;
using Xunit;

namespace McpAuth.Core.Tests.Mcp
{
    /// <summary>The client API against the fixture's real servers: era detection and memory, MRTR, tools/list freshness.</summary>
    public class McpClientTests : IClassFixture<McpClientTests.Fixture>, IDisposable
    {
        private readonly FixtureServer server;
        private readonly List<IDisposable> owned = new();

        public McpClientTests(Fixture fixture)
        {
            server = fixture.Server;
        }

        public void Dispose()
        {
            foreach (IDisposable d in owned)
            {
                d.Dispose();
            }
        }

        private McpClient Client(string url, EraMemory? memory = null, Func<DateTimeOffset>? clock = null, McpClientOptions? options = null)
        {
            HttpClient http = McpHttpClientFactory.Create(TimeSpan.FromSeconds(30));
            var client = new McpClient(new Uri(url), http, options ?? new McpClientOptions(), memory ?? new EraMemory(null), clock);
            owned.Add(client);
            owned.Add(http);
            return client;
        }

        private static McpCallContext Context(IEngineCallbacks? callbacks = null) => new McpCallContext(callbacks ?? new RecordingCallbacks());

        private List<string?> Methods(string url) => server.RequestsTo(url).Where(q => (string?)q["method"] == "POST").Select(q => (string?)q["rpcMethod"]).ToList();

        [Fact]
        public async Task A_modern_server_is_found_with_server_discover_and_never_gets_initialize()
        {
            EraMemory.Forget(new Uri(server.ModernPublic));
            server.AdminPost("/requests/clear");
            McpClient client = Client(server.ModernPublic);
            await client.ConnectAsync(Context(), verify: false, CancellationToken.None);
            Assert.Equal(McpEra.Modern, client.Era);
            Assert.Equal("2026-07-28", client.ProtocolVersion);
            Assert.Equal("mcpauth-fixture-modern-public", client.ServerName);
            Assert.Null(client.SessionId);
            Assert.Equal(new[] { "server/discover" }, Methods(server.ModernPublic));
        }

        [Fact]
        public async Task A_legacy_server_gets_the_handshake_after_the_modern_probe_and_the_era_is_remembered()
        {
            EraMemory.Forget(new Uri(server.Public));
            server.AdminPost("/requests/clear");
            McpClient client = Client(server.Public);
            await client.ConnectAsync(Context(), verify: false, CancellationToken.None);
            Assert.Equal(McpEra.Legacy, client.Era);
            Assert.Equal("2025-11-25", client.ProtocolVersion);
            Assert.NotNull(client.SessionId);
            Assert.Equal(new[] { "server/discover", "initialize", "notifications/initialized" }, Methods(server.Public));

            server.AdminPost("/requests/clear");
            McpClient second = Client(server.Public);
            await second.ConnectAsync(Context(), verify: false, CancellationToken.None);
            Assert.Equal(new[] { "initialize", "notifications/initialized" }, Methods(server.Public));
        }

        [Fact]
        public async Task A_remembered_modern_era_sends_the_first_real_request_at_once()
        {
            var memory = new EraMemory(null);
            await memory.RememberAsync(new Uri(server.ModernPublicJson), "2026-07-28", NullEngineCallbacks.Instance, CancellationToken.None);
            server.AdminPost("/requests/clear");
            McpClient client = Client(server.ModernPublicJson, memory);
            McpToolResult result = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "hi" }, Context(), CancellationToken.None);
            Assert.Equal("hi", result.Text);
            List<string?> methods = Methods(server.ModernPublicJson);
            Assert.DoesNotContain("server/discover", methods);
            Assert.DoesNotContain("initialize", methods);
            Assert.Equal("tools/call", methods.Last());
        }

        [Fact]
        public async Task Every_post_says_application_json_without_a_charset_parameter()
        {
            server.AdminPost("/requests/clear");
            McpClient client = Client(server.PublicJson);
            McpToolResult result = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "typed" }, Context(), CancellationToken.None);
            Assert.Equal("typed", result.Text);
            List<JsonObject> posts = server.RequestsTo(server.PublicJson).Where(q => (string?)q["method"] == "POST").ToList();
            Assert.Contains(posts, q => (string?)q["rpcMethod"] == "tools/call");
            Assert.All(posts, q => Assert.Equal("application/json", (string?)q["contentType"]));
        }

        [Fact]
        public async Task A_remembered_modern_era_that_meets_a_legacy_server_is_found_out_again_once()
        {
            var memory = new EraMemory(null);
            await memory.RememberAsync(new Uri(server.PublicJson), "2026-07-28", NullEngineCallbacks.Instance, CancellationToken.None);
            McpClient client = Client(server.PublicJson, memory);
            McpToolResult result = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "still works" }, Context(), CancellationToken.None);
            Assert.Equal("still works", result.Text);
            Assert.Equal(McpEra.Legacy, client.Era);
            Assert.Equal("2025-11-25", await memory.RecallAsync(new Uri(server.PublicJson), NullEngineCallbacks.Instance, CancellationToken.None));
        }

        [Fact]
        public async Task The_era_lives_in_the_stored_credential_of_the_server_and_an_old_record_still_reads()
        {
            var storeOptions = new CredentialStoreOptions { Kind = CredentialStoreKind.Memory };
            ICredentialStore store = CredentialStoreFactory.Create(storeOptions);
            string resource = server.ModernMcp;
            var key = new CredentialKey(resource, server.Issuer);
            await store.UpdateAsync(key, _ => new CredentialRecord(key) { Discovery = new StoredDiscovery(server.Issuer) }, NullEngineCallbacks.Instance, CancellationToken.None);
            try
            {
                Uri endpoint = new Uri(resource);
                EraMemory.Forget(endpoint);
                var memory = new EraMemory(storeOptions);
                Assert.Null(await memory.RecallAsync(endpoint, NullEngineCallbacks.Instance, CancellationToken.None));
                await memory.RememberAsync(endpoint, "2026-07-28", NullEngineCallbacks.Instance, CancellationToken.None);
                Assert.Equal("2026-07-28", (await store.GetAsync(key, NullEngineCallbacks.Instance, CancellationToken.None))!.Discovery!.McpProtocolVersion);

                // A new process knows only the store.
                EraMemory.Forget(endpoint);
                Assert.Equal("2026-07-28", await new EraMemory(storeOptions).RecallAsync(endpoint, NullEngineCallbacks.Instance, CancellationToken.None));
            }
            finally
            {
                await store.RemoveAsync(key, NullEngineCallbacks.Instance, CancellationToken.None);
            }

            StoredDiscovery old = JsonSerializer.Deserialize<StoredDiscovery>("""{"issuer":"https://as.example.com","token_endpoint":"https://as.example.com/token","fetched_at":"2026-01-01T00:00:00Z"}""", CredentialBlob.JsonOptions)!;
            Assert.Null(old.McpProtocolVersion);
            string written = JsonSerializer.Serialize(old with { McpProtocolVersion = "2025-11-25" }, CredentialBlob.JsonOptions);
            Assert.Contains("\"mcp_protocol_version\":\"2025-11-25\"", written);
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public async Task A_pooled_connection_idle_for_over_four_seconds_is_kept_as_the_server_announces_on_a_pipeline_thread_and_retired_by_dotnet(bool onWaitingThread)
        {
            // The server (Node) says it keeps idle connections 60 s (Keep-Alive: timeout=60). DirectHttpHandler, which
            // sends on a waiting thread as a pipeline thread is, keeps the connection 59 s: the call after 4.6 s idle
            // goes on the same one, and a script calling every few seconds pays no new connection (or TLS handshake)
            // a call. .NET's handler, which sends from the thread pool, keeps its own limit of 3 s (it retires idle
            // connections on a timer, at most a quarter of the limit late) and opens a new one.
            Assert.True(McpHttpClientFactory.PooledConnectionIdleTimeout.TotalSeconds * 1.25 < 4.6);
            var handler = Assert.IsType<DirectHttpHandler>(McpHttpClientFactory.CreateHandler());
            using var patient = new FixtureServer("--keep-alive-ms", "60000");
            HttpClient http = McpHttpClientFactory.Create(handler, disposeHandler: true, TimeSpan.FromSeconds(30));
            owned.Add(http);
            var client = new McpClient(new Uri(patient.ModernPublicJson), http, new McpClientOptions(), new EraMemory(null));
            owned.Add(client);
            McpToolResult Call(string message) => client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = message }, Context(), CancellationToken.None).GetAwaiter().GetResult();

            Func<McpToolResult> sequence = () =>
            {
                Call("warm");
                Call("a");
                Call("b");
                Thread.Sleep(TimeSpan.FromSeconds(4.6));
                return Call("c");
            };
            McpToolResult last = await (onWaitingThread ? WaitingThreads.Run(sequence) : Task.Run(sequence));

            Assert.Equal("c", last.Text);
            Assert.Equal(onWaitingThread, handler.DirectRequests > 0);
            List<long> ports = patient.RequestsTo(patient.ModernPublicJson).Where(q => (string?)q["rpcMethod"] == "tools/call").Select(q => (long)q["clientPort"]!).ToList();
            Assert.Equal(4, ports.Count);
            Assert.Equal(ports[1], ports[2]);
            Assert.Equal(onWaitingThread, ports[2] == ports[3]);
        }

        [Fact]
        public async Task A_tools_list_is_reused_until_its_ttl_has_passed()
        {
            DateTimeOffset now = DateTimeOffset.UtcNow;
            McpClient client = Client(server.ModernPublicJson, clock: () => now);
            await client.ConnectAsync(Context(), verify: false, CancellationToken.None);
            server.AdminPost("/requests/clear");
            int Lists() => Methods(server.ModernPublicJson).Count(m => m == "tools/list");

            IReadOnlyList<McpToolInfo> first = await client.ListToolsAsync(Context(), CancellationToken.None);
            int pages = Lists();
            Assert.True(pages >= 4);
            now = now.AddSeconds(59);
            Assert.Same(first, await client.ListToolsAsync(Context(), CancellationToken.None));
            Assert.Equal(pages, Lists());
            now = now.AddSeconds(2);
            Assert.NotSame(first, await client.ListToolsAsync(Context(), CancellationToken.None));
            Assert.Equal(2 * pages, Lists());
        }

        [Fact]
        public async Task A_new_client_calls_a_tool_with_one_request_while_the_kept_tool_list_is_fresh_and_lists_again_after()
        {
            string url = server.ModernPublicJson;
            var storeOptions = new CredentialStoreOptions { Kind = CredentialStoreKind.Memory };
            ICredentialStore store = CredentialStoreFactory.Create(storeOptions);
            var key = new CredentialKey(url, server.Issuer);
            var other = new CredentialKey(url, server.Issuer, "someone-else");
            foreach (CredentialKey k in new[] { key, other })
            {
                await store.UpdateAsync(k, _ => new CredentialRecord(k) { Discovery = new StoredDiscovery(server.Issuer) }, NullEngineCallbacks.Instance, CancellationToken.None);
            }

            try
            {
                DateTimeOffset listedAt = DateTimeOffset.UtcNow;
                var arguments = new Dictionary<string, object?> { ["region"] = "eu-kept", ["priority"] = 3 };
                async Task<List<string?>> CallInNewClient(CredentialKey inUse, DateTimeOffset now)
                {
                    EraMemory.Forget(new Uri(url));
                    var memory = new EraMemory(storeOptions, _ => Task.FromResult<CredentialKey?>(inUse));
                    await memory.RememberAsync(new Uri(url), "2026-07-28", NullEngineCallbacks.Instance, CancellationToken.None);
                    server.AdminPost("/requests/clear");
                    McpToolResult result = await Client(url, memory, () => now).CallToolAsync("headers", arguments, Context(), CancellationToken.None);
                    JsonObject seen = JsonNode.Parse(result.Text!)!.AsObject();
                    Assert.Equal("eu-kept", (string?)seen["region"]);
                    Assert.Equal("3", (string?)seen["priority"]);
                    return Methods(url);
                }

                string[] listThenCall = { "tools/list", "tools/list", "tools/list", "tools/list", "tools/call" };
                Assert.Equal(listThenCall, await CallInNewClient(key, listedAt));
                StoredToolHeaders kept = (await store.GetAsync(key, NullEngineCallbacks.Instance, CancellationToken.None))!.Discovery!.McpToolHeaders![url];
                Assert.Equal(listedAt, kept.ListedAt);
                Assert.Equal(listedAt.AddSeconds(60), kept.FreshUntil);
                Assert.Equal(new[] { "Region", "Priority" }, kept.Tools!["headers"].Select(h => h.Header));
                Assert.Empty(kept.Tools["echo"]);

                // Fresh: one request. Another credential (another authorization context) has no list kept: it lists.
                Assert.Equal(new[] { "tools/call" }, await CallInNewClient(key, listedAt.AddSeconds(59)));
                Assert.Equal(listThenCall, await CallInNewClient(other, listedAt.AddSeconds(1)));

                // Never fresher than the server said: after the ttl, or with a clock before the listing, it lists again.
                Assert.Equal(listThenCall, await CallInNewClient(key, listedAt.AddSeconds(61)));
                Assert.Equal(listThenCall, await CallInNewClient(key, listedAt.AddSeconds(61).AddSeconds(-90)));

                // A list the server says is immediately stale (ttlMs 0) replaces the kept one and is never used.
                server.AdminPost("/modern", new { toolsTtlMs = 0 });
                Assert.Equal(listThenCall, await CallInNewClient(key, listedAt.AddSeconds(100)));
                kept = (await store.GetAsync(key, NullEngineCallbacks.Instance, CancellationToken.None))!.Discovery!.McpToolHeaders![url];
                Assert.Equal(listedAt.AddSeconds(100), kept.FreshUntil);
                Assert.Equal(listThenCall, await CallInNewClient(key, listedAt.AddSeconds(100)));
            }
            finally
            {
                server.AdminPost("/modern", new { toolsTtlMs = 60000 });
                EraMemory.Forget(new Uri(url));
                await store.RemoveAsync(key, NullEngineCallbacks.Instance, CancellationToken.None);
                await store.RemoveAsync(other, NullEngineCallbacks.Instance, CancellationToken.None);
            }
        }

        [Fact]
        public async Task Input_required_answers_go_back_with_the_request_state_and_the_rounds_are_bounded()
        {
            var callbacks = new AnsweringCallbacks(new Dictionary<string, object?> { ["name"] = "Bo" });
            McpClient client = Client(server.ModernPublicJson);
            McpToolResult result = await client.CallToolAsync("elicit", null, Context(callbacks), CancellationToken.None);
            JsonObject answer = JsonNode.Parse(result.Text)!.AsObject();
            Assert.Equal("accept", (string?)answer["action"]);
            Assert.Equal("Bo", (string?)answer["content"]!["name"]);
            Assert.Equal(3L, (long)answer["content"]!["count"]!);
            Assert.Equal("fixture-elicit-1", (string?)answer["requestState"]);
            Assert.Equal("Please fill in the fixture form.", Assert.Single(callbacks.Asked).Message);

            string endless = server.ModernBad + "/endless-input/mcp";
            McpClient bounded = Client(endless, options: new McpClientOptions { MaxInputRounds = 3 });
            McpAuthException e = await Assert.ThrowsAsync<McpAuthException>(() => bounded.CallToolAsync("echo", null, Context(), CancellationToken.None));
            Assert.Equal(ErrorIds.InputRequiredLoop, e.ErrorId);
            Assert.Equal(4, Methods(endless).Count(m => m == "tools/call"));
        }

        public sealed class Fixture : IDisposable
        {
            public FixtureServer Server { get; } = new FixtureServer();

            public void Dispose() => Server.Dispose();
        }

        /// <summary>A person who accepts every form with the given answers.</summary>
        private sealed class AnsweringCallbacks : IEngineCallbacks
        {
            private readonly IReadOnlyDictionary<string, object?> answers;

            public AnsweringCallbacks(IReadOnlyDictionary<string, object?> answers)
            {
                this.answers = answers;
            }

            public List<ElicitationRequest> Asked { get; } = new();

            public bool IsInteractive => true;

            public Task<ElicitationResult> ElicitAsync(ElicitationRequest request, CancellationToken cancellationToken)
            {
                Asked.Add(request);
                return Task.FromResult(ElicitationResult.Accept(answers));
            }

            public void Verbose(string message)
            {
            }

            public void Debug(string message)
            {
            }

            public void Warning(string message)
            {
            }

            public void Progress(ProgressUpdate update)
            {
            }

            public void Information(string message)
            {
            }

            public Task<Uri?> InvokeAuthorizationHandlerAsync(object handler, Uri authorizationUrl, CancellationToken cancellationToken) => Task.FromResult<Uri?>(null);

            public Task<string?> ReadLineAsync(string prompt, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
        }
    }
}
