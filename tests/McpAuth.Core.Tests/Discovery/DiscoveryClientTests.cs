using McpAuth.Core.Tests;
using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core;
using McpAuth.Core.Discovery;
using McpAuth.Core.Http;

using McpAuth.Testing;
using Xunit;

namespace McpAuth.Core.Tests.Discovery
{
    public sealed class DiscoveryClientTests : IDisposable
    {
        private readonly HttpClient http = McpHttpClientFactory.Create(TimeSpan.FromSeconds(10));
        private readonly RecordingCallbacks callbacks = new();
        private readonly DiscoveryClient client = new();

        public void Dispose() => http.Dispose();

        private static string Prm(string resource, params string[] authorizationServers) =>
            "{\"resource\":\"" + resource + "\",\"authorization_servers\":[" + string.Join(",", authorizationServers.Select(a => "\"" + a + "\"")) + "],\"scopes_supported\":[\"mcp:tools\"]}";

        private static string Asm(string issuer, string? extra = null)
        {
            string origin = new Uri(issuer).GetLeftPart(UriPartial.Authority);
            return "{\"issuer\":\"" + issuer + "\",\"authorization_endpoint\":\"" + origin + "/auth\",\"token_endpoint\":\"" + origin + "/tok\"," +
                   "\"registration_endpoint\":\"" + origin + "/reg\",\"code_challenge_methods_supported\":[\"S256\"]" + (extra ?? string.Empty) + "}";
        }

        private Task<DiscoveryResult> Discover(Uri serverUrl, BearerChallenge? challenge = null, CancellationToken ct = default) =>
            client.DiscoverAsync(serverUrl, challenge, http, callbacks, ct);

        private async Task<McpAuthException> DiscoverFails(Uri serverUrl, BearerChallenge? challenge = null)
            => await Assert.ThrowsAsync<McpAuthException>(() => Discover(serverUrl, challenge));

        [Fact]
        public async Task Sub_path_server_finds_path_suffixed_metadata_when_root_is_missing()
        {
            using var auth = new TestHttpServer(new Dictionary<string, TestResponse>());
            var asRoutes = new Dictionary<string, TestResponse>();
            using var asServer = new TestHttpServer(r => asRoutes.TryGetValue(r.PathAndQuery, out TestResponse? x) ? x : null);
            asRoutes["/.well-known/oauth-authorization-server"] = TestResponse.Json(Asm(asServer.Origin));
            var mcpRoutes = new Dictionary<string, TestResponse>();
            using var mcp = new TestHttpServer(mcpRoutes);
            mcpRoutes["/.well-known/oauth-protected-resource/mcp"] = TestResponse.Json(Prm(mcp.Origin + "/mcp", asServer.Origin));

            DiscoveryResult result = await Discover(mcp.Url("/mcp"));

            Assert.Equal(new[] { "/.well-known/oauth-protected-resource/mcp" }, mcp.Paths);
            Assert.Equal(new[] { "/.well-known/oauth-authorization-server" }, asServer.Paths);
            Assert.Equal(mcp.Origin + "/mcp", result.ResourceIndicator);
            Assert.Equal(new Uri(mcp.Origin + "/mcp"), result.Resource);
            Assert.False(result.IsLegacy);
            Assert.Equal(asServer.Origin, result.AuthorizationServer.IssuerString);
            Assert.Equal(new Uri(asServer.Origin + "/tok"), result.AuthorizationServer.TokenEndpoint);
            Assert.Equal(asServer.Url("/.well-known/oauth-authorization-server"), result.AuthorizationServer.SourceUrl);
            Assert.Equal(new[] { "mcp:tools" }, result.ProtectedResource!.ScopesSupported);
            Assert.Empty(result.ChallengeScopes);
            Assert.Equal(200, result.Trace.First(s => s.Url == mcp.Url("/.well-known/oauth-protected-resource/mcp")).StatusCode);
            Assert.Contains(callbacks.VerboseMessages, m => m.Contains("/.well-known/oauth-protected-resource/mcp", StringComparison.Ordinal));
            Assert.Contains(callbacks.VerboseMessages, m => m.Contains("used: issuer " + asServer.Origin, StringComparison.Ordinal));
            Assert.Empty(auth.Requests);
        }

        [Fact]
        public async Task Falls_back_to_root_metadata_after_the_path_suffixed_url()
        {
            var mcpRoutes = new Dictionary<string, TestResponse>();
            using var mcp = new TestHttpServer(mcpRoutes);
            mcpRoutes["/.well-known/oauth-protected-resource"] = TestResponse.Json(Prm(mcp.Origin, mcp.Origin));
            mcpRoutes["/.well-known/oauth-authorization-server"] = TestResponse.Json(Asm(mcp.Origin));

            DiscoveryResult result = await Discover(mcp.Url("/api/mcp"));

            Assert.Equal(
                new[] { "/.well-known/oauth-protected-resource/api/mcp", "/.well-known/oauth-protected-resource", "/.well-known/oauth-authorization-server" },
                mcp.Paths);
            Assert.Equal(mcp.Origin, result.ResourceIndicator);
            Assert.Equal(404, result.Trace[0].StatusCode);
            Assert.Equal(new int?[] { 404, 200, null, 200, null }, result.Trace.Select(t => t.StatusCode));
            Assert.StartsWith("used: resource", result.Trace[2].Decision, StringComparison.Ordinal);
        }

        [Fact]
        public async Task Uses_relative_resource_metadata_from_a_real_401_challenge_first()
        {
            var routes = new Dictionary<string, TestResponse>();
            using var mcp = new TestHttpServer(routes);
            routes["/mcp"] = TestResponse.Text("unauthorized", 401)
                .WithHeader("WWW-Authenticate", "Bearer error=\"invalid_token\", scope=\"tools:call\", resource_metadata=\"/meta/prm.json\"");
            routes["/meta/prm.json"] = TestResponse.Json(Prm(mcp.Origin + "/mcp", mcp.Origin + "/issuer"));
            routes["/.well-known/oauth-authorization-server/issuer"] = TestResponse.Json(Asm(mcp.Origin + "/issuer"));

            using HttpResponseMessage unauthorized = await http.GetAsync(mcp.Url("/mcp"));
            BearerChallenge challenge = BearerChallenge.FromResponse(unauthorized)!;
            DiscoveryResult result = await Discover(mcp.Url("/mcp"), challenge);

            Assert.Equal(new[] { "/mcp", "/meta/prm.json", "/.well-known/oauth-authorization-server/issuer" }, mcp.Paths);
            Assert.Equal(new[] { "tools:call" }, result.ChallengeScopes);
            Assert.Equal(mcp.Url("/meta/prm.json"), result.ProtectedResource!.SourceUrl);
        }

        [Fact]
        public async Task Challenge_metadata_url_that_is_missing_falls_back_to_well_known()
        {
            var routes = new Dictionary<string, TestResponse>();
            using var mcp = new TestHttpServer(routes);
            routes["/.well-known/oauth-protected-resource/mcp"] = TestResponse.Json(Prm(mcp.Origin + "/mcp", mcp.Origin));
            routes["/.well-known/oauth-authorization-server"] = TestResponse.Json(Asm(mcp.Origin));
            BearerChallenge challenge = BearerChallenge.GetBearer(WwwAuthenticateHeader.Parse("Bearer resource_metadata=\"/gone\""), mcp.Url("/mcp"))!;

            DiscoveryResult result = await Discover(mcp.Url("/mcp"), challenge);

            Assert.Equal(new[] { "/gone", "/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-authorization-server" }, mcp.Paths);
            Assert.Equal(mcp.Origin + "/mcp", result.ResourceIndicator);
        }

        [Fact]
        public async Task Refuses_metadata_whose_resource_is_another_server_before_contacting_its_as()
        {
            using var asServer = new TestHttpServer(_ => TestResponse.Json("{}"));
            var routes = new Dictionary<string, TestResponse>();
            using var mcp = new TestHttpServer(routes);
            routes["/.well-known/oauth-protected-resource/mcp"] = TestResponse.Json(Prm("https://other.example/mcp", asServer.Origin));

            McpAuthException ex = await DiscoverFails(mcp.Url("/mcp"));

            Assert.Equal(ErrorIds.ResourceMismatch, ex.ErrorId);
            Assert.Equal(McpErrorKind.SecurityError, ex.Kind);
            Assert.Empty(asServer.Requests);
        }

        [Fact]
        public async Task Refuses_metadata_for_a_sibling_path()
        {
            var routes = new Dictionary<string, TestResponse>();
            using var mcp = new TestHttpServer(routes);
            routes["/.well-known/oauth-protected-resource/mcp"] = TestResponse.Json(Prm(mcp.Origin + "/mcp-other", mcp.Origin));

            McpAuthException ex = await DiscoverFails(mcp.Url("/mcp"));
            Assert.Equal(ErrorIds.ResourceMismatch, ex.ErrorId);
        }

        [Fact]
        public async Task Accepts_a_resource_that_is_a_same_origin_prefix_and_sends_it_as_written()
        {
            var routes = new Dictionary<string, TestResponse>();
            using var mcp = new TestHttpServer(routes);
            routes["/.well-known/oauth-protected-resource/mcp"] = TestResponse.Json(Prm(mcp.Origin + "/", mcp.Origin));
            routes["/.well-known/oauth-authorization-server"] = TestResponse.Json(Asm(mcp.Origin));

            DiscoveryResult result = await Discover(mcp.Url("/mcp"));
            Assert.Equal(mcp.Origin + "/", result.ResourceIndicator);
        }

        [Fact]
        public async Task Refuses_as_metadata_whose_issuer_differs()
        {
            var routes = new Dictionary<string, TestResponse>();
            using var mcp = new TestHttpServer(routes);
            routes["/.well-known/oauth-protected-resource"] = TestResponse.Json(Prm(mcp.Origin, mcp.Origin + "/tenant"));
            routes["/.well-known/oauth-authorization-server/tenant"] = TestResponse.Json(Asm(mcp.Origin + "/tenant/"));

            McpAuthException ex = await DiscoverFails(mcp.BaseUrl);

            Assert.Equal(ErrorIds.IssuerMismatch, ex.ErrorId);
            Assert.Equal(McpErrorKind.SecurityError, ex.Kind);
            Assert.Contains(callbacks.VerboseMessages, m => m.Contains("refused: its issuer", StringComparison.Ordinal));
        }

        [Fact]
        public async Task Issuer_comparison_is_ordinal_even_for_host_case()
        {
            var routes = new Dictionary<string, TestResponse>();
            using var mcp = new TestHttpServer(routes);
            string issuerAsGiven = "http://LOCALHOST:" + mcp.Port;
            routes["/.well-known/oauth-protected-resource"] = TestResponse.Json(Prm(mcp.Origin, issuerAsGiven));
            routes["/.well-known/oauth-authorization-server"] = TestResponse.Json(Asm("http://localhost:" + mcp.Port));

            McpAuthException ex = await DiscoverFails(mcp.BaseUrl);
            Assert.Equal(ErrorIds.IssuerMismatch, ex.ErrorId);
        }

        [Fact]
        public async Task Issuer_with_path_tries_the_three_locations_in_spec_order()
        {
            var asRoutes = new Dictionary<string, TestResponse>();
            using var asServer = new TestHttpServer(asRoutes);
            string issuer = asServer.Origin + "/tenant1";
            asRoutes["/tenant1/.well-known/openid-configuration"] = TestResponse.Json(Asm(issuer));
            var routes = new Dictionary<string, TestResponse>();
            using var mcp = new TestHttpServer(routes);
            routes["/.well-known/oauth-protected-resource"] = TestResponse.Json(Prm(mcp.Origin, issuer));

            DiscoveryResult result = await Discover(mcp.BaseUrl);

            Assert.Equal(
                new[]
                {
                    "/.well-known/oauth-authorization-server/tenant1",
                    "/.well-known/openid-configuration/tenant1",
                    "/tenant1/.well-known/openid-configuration",
                },
                asServer.Paths);
            Assert.Equal(issuer, result.AuthorizationServer.IssuerString);
        }

        [Fact]
        public async Task Issuer_with_path_stops_at_the_first_document_found()
        {
            var asRoutes = new Dictionary<string, TestResponse>();
            using var asServer = new TestHttpServer(asRoutes);
            string issuer = asServer.Origin + "/t/1";
            asRoutes["/.well-known/openid-configuration/t/1"] = TestResponse.Json(Asm(issuer));
            asRoutes["/t/1/.well-known/openid-configuration"] = TestResponse.Json(Asm(issuer));
            var routes = new Dictionary<string, TestResponse>();
            using var mcp = new TestHttpServer(routes);
            routes["/.well-known/oauth-protected-resource"] = TestResponse.Json(Prm(mcp.Origin, issuer));

            await Discover(mcp.BaseUrl);

            Assert.Equal(new[] { "/.well-known/oauth-authorization-server/t/1", "/.well-known/openid-configuration/t/1" }, asServer.Paths);
        }

        [Fact]
        public async Task Issuer_without_path_tries_the_two_root_locations_then_reports_not_found()
        {
            using var asServer = new TestHttpServer(_ => TestResponse.Text("nope", 405));
            var routes = new Dictionary<string, TestResponse>();
            using var mcp = new TestHttpServer(routes);
            routes["/.well-known/oauth-protected-resource"] = TestResponse.Json(Prm(mcp.Origin, asServer.Origin + "/"));

            McpAuthException ex = await DiscoverFails(mcp.BaseUrl);

            Assert.Equal(ErrorIds.AuthorizationServerMetadataNotFound, ex.ErrorId);
            Assert.Equal(McpErrorKind.NotFound, ex.Kind);
            Assert.Equal(new[] { "/.well-known/oauth-authorization-server", "/.well-known/openid-configuration" }, asServer.Paths);
        }

        [Fact]
        public async Task Openid_configuration_at_root_is_used_when_rfc8414_document_is_missing()
        {
            var asRoutes = new Dictionary<string, TestResponse>();
            using var asServer = new TestHttpServer(asRoutes);
            asRoutes["/.well-known/openid-configuration"] = TestResponse.Json(Asm(asServer.Origin));
            var routes = new Dictionary<string, TestResponse>();
            using var mcp = new TestHttpServer(routes);
            routes["/.well-known/oauth-protected-resource"] = TestResponse.Json(Prm(mcp.Origin, asServer.Origin));

            DiscoveryResult result = await Discover(mcp.BaseUrl);

            Assert.Equal(asServer.Url("/.well-known/openid-configuration"), result.AuthorizationServer.SourceUrl);
            Assert.Equal(new[] { "/.well-known/oauth-authorization-server", "/.well-known/openid-configuration" }, asServer.Paths);
        }

        [Fact]
        public async Task Discovery_succeeds_without_s256_but_RequireS256_refuses()
        {
            var routes = new Dictionary<string, TestResponse>();
            using var mcp = new TestHttpServer(routes);
            routes["/.well-known/oauth-protected-resource"] = TestResponse.Json(Prm(mcp.Origin, mcp.Origin));
            routes["/.well-known/oauth-authorization-server"] = TestResponse.Json("{\"issuer\":\"" + mcp.Origin + "\",\"code_challenge_methods_supported\":[\"plain\"]}");

            DiscoveryResult result = await Discover(mcp.BaseUrl);

            Assert.False(result.AuthorizationServer.SupportsS256);
            var ex = Assert.Throws<McpAuthException>(result.AuthorizationServer.RequireS256);
            Assert.Equal(ErrorIds.PkceNotSupported, ex.ErrorId);
            Assert.Contains(callbacks.VerboseMessages, m => m.Contains("does not advertise PKCE S256", StringComparison.Ordinal));
        }

        [Fact]
        public async Task Plain_http_remote_authorization_server_is_refused_before_any_request_to_it()
        {
            // One real server is both the MCP server (reached directly on loopback) and an HTTP proxy for every
            // other host, so a request to the remote AS would show up here with an absolute-form target.
            var routes = new Dictionary<string, TestResponse>();
            using var server = new TestHttpServer(r => routes.TryGetValue(r.Target, out TestResponse? x) ? x : null);
            routes["/.well-known/oauth-protected-resource"] = TestResponse.Json(Prm(server.Origin, "http://as.example.test"));
            routes["http://as.example.test/.well-known/oauth-authorization-server"] = TestResponse.Json(Asm("http://as.example.test"));
            using var handler = new HttpClientHandler
            {
                Proxy = new WebProxy(server.BaseUrl) { BypassProxyOnLocal = true },
                UseProxy = true,
                AllowAutoRedirect = false,
            };
            using var proxied = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };

            // The proxy works: a direct request to the remote AS does reach it.
            using (HttpResponseMessage probe = await proxied.GetAsync("http://as.example.test/probe"))
            {
                Assert.Contains(server.Requests, r => r.Target == "http://as.example.test/probe");
            }

            int before = server.Requests.Count;
            var ex = await Assert.ThrowsAsync<McpAuthException>(() => client.DiscoverAsync(server.BaseUrl, null, proxied, callbacks, CancellationToken.None));

            Assert.Equal(ErrorIds.InsecureEndpoint, ex.ErrorId);
            Assert.Equal(McpErrorKind.SecurityError, ex.Kind);
            IReadOnlyList<TestRequest> during = server.Requests.Skip(before).ToList();
            Assert.Equal(new[] { "/.well-known/oauth-protected-resource" }, during.Select(r => r.Target));
            Assert.DoesNotContain(during, r => r.Target.Contains("as.example.test", StringComparison.Ordinal));
        }

        [Fact]
        public async Task Insecure_endpoint_in_as_metadata_is_refused()
        {
            var routes = new Dictionary<string, TestResponse>();
            using var mcp = new TestHttpServer(routes);
            routes["/.well-known/oauth-protected-resource"] = TestResponse.Json(Prm(mcp.Origin, mcp.Origin));
            routes["/.well-known/oauth-authorization-server"] = TestResponse.Json(
                "{\"issuer\":\"" + mcp.Origin + "\",\"authorization_endpoint\":\"" + mcp.Origin + "/a\",\"token_endpoint\":\"http://tokens.example.test/token\"}");

            McpAuthException ex = await DiscoverFails(mcp.BaseUrl);

            Assert.Equal(ErrorIds.InsecureEndpoint, ex.ErrorId);
            Assert.Contains("token endpoint", ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public async Task Insecure_resource_metadata_url_in_challenge_is_refused()
        {
            using var mcp = new TestHttpServer(new Dictionary<string, TestResponse>());
            BearerChallenge challenge = BearerChallenge.GetBearer(WwwAuthenticateHeader.Parse("Bearer resource_metadata=\"http://meta.example.test/prm\""))!;

            McpAuthException ex = await DiscoverFails(mcp.Url("/mcp"), challenge);

            Assert.Equal(ErrorIds.InsecureEndpoint, ex.ErrorId);
            Assert.Empty(mcp.Requests);
        }

        [Fact]
        public async Task Server_without_any_metadata_gets_the_2025_03_26_fallback_endpoints()
        {
            using var mcp = new TestHttpServer(new Dictionary<string, TestResponse>());

            DiscoveryResult result = await Discover(mcp.Url("/mcp#frag"));

            Assert.Equal(
                new[]
                {
                    "/.well-known/oauth-protected-resource/mcp",
                    "/.well-known/oauth-protected-resource",
                    "/.well-known/oauth-authorization-server",
                    "/.well-known/openid-configuration",
                },
                mcp.Paths);
            AuthorizationServerMetadata asm = result.AuthorizationServer;
            Assert.True(result.IsLegacy);
            Assert.Null(result.ProtectedResource);
            Assert.True(asm.IsFallback);
            Assert.Null(asm.SourceUrl);
            Assert.Equal(mcp.Url("/authorize"), asm.AuthorizationEndpoint);
            Assert.Equal(mcp.Url("/token"), asm.TokenEndpoint);
            Assert.Equal(mcp.Url("/register"), asm.RegistrationEndpoint);
            Assert.Equal(mcp.Origin, asm.IssuerString);
            asm.RequireS256();
            Assert.Equal(mcp.Origin + "/mcp", result.ResourceIndicator);
        }

        [Fact]
        public async Task Server_without_prm_uses_rfc8414_metadata_on_its_origin()
        {
            var routes = new Dictionary<string, TestResponse>();
            using var mcp = new TestHttpServer(routes);
            routes["/.well-known/oauth-authorization-server"] = TestResponse.Json(Asm(mcp.Origin + "/"));

            DiscoveryResult result = await Discover(mcp.Url("/mcp"));

            Assert.True(result.IsLegacy);
            Assert.False(result.AuthorizationServer.IsFallback);
            Assert.Equal(mcp.Url("/tok"), result.AuthorizationServer.TokenEndpoint);
        }

        [Fact]
        public async Task Server_without_prm_accepts_origin_metadata_whose_issuer_has_a_path_on_the_same_origin()
        {
            var routes = new Dictionary<string, TestResponse>();
            using var mcp = new TestHttpServer(routes);
            routes["/.well-known/oauth-authorization-server"] = TestResponse.Json(Asm(mcp.Origin + "/oauth"));

            DiscoveryResult result = await Discover(mcp.Url("/mcp"));

            Assert.True(result.IsLegacy);
            Assert.Equal(mcp.Origin + "/oauth", result.AuthorizationServer.IssuerString);
        }

        [Fact]
        public async Task Server_without_prm_refuses_origin_metadata_for_another_issuer()
        {
            var routes = new Dictionary<string, TestResponse>();
            using var mcp = new TestHttpServer(routes);
            routes["/.well-known/oauth-authorization-server"] = TestResponse.Json(Asm("https://login.example.com"));

            McpAuthException ex = await DiscoverFails(mcp.Url("/mcp"));
            Assert.Equal(ErrorIds.IssuerMismatch, ex.ErrorId);
        }

        [Fact]
        public async Task Html_answer_with_200_is_malformed_not_skipped()
        {
            var routes = new Dictionary<string, TestResponse>();
            using var mcp = new TestHttpServer(routes);
            routes["/.well-known/oauth-protected-resource/mcp"] = TestResponse.Text("<html><body>Welcome</body></html>", 200, "text/html");
            routes["/.well-known/oauth-protected-resource"] = TestResponse.Json(Prm(mcp.Origin, mcp.Origin));

            McpAuthException ex = await DiscoverFails(mcp.Url("/mcp"));

            Assert.Equal(ErrorIds.MalformedMetadata, ex.ErrorId);
            Assert.Equal(McpErrorKind.InvalidData, ex.Kind);
            Assert.Equal(new[] { "/.well-known/oauth-protected-resource/mcp" }, mcp.Paths);
        }

        [Fact]
        public async Task Malformed_as_metadata_is_reported()
        {
            var routes = new Dictionary<string, TestResponse>();
            using var mcp = new TestHttpServer(routes);
            routes["/.well-known/oauth-protected-resource"] = TestResponse.Json(Prm(mcp.Origin, mcp.Origin));
            routes["/.well-known/oauth-authorization-server"] = TestResponse.Json("{\"issuer\": \"" + mcp.Origin + "\", \"token_endpoint\": 5}");

            McpAuthException ex = await DiscoverFails(mcp.BaseUrl);
            Assert.Equal(ErrorIds.MalformedMetadata, ex.ErrorId);
        }

        [Fact]
        public async Task Prm_naming_no_authorization_server_is_malformed()
        {
            var routes = new Dictionary<string, TestResponse>();
            using var mcp = new TestHttpServer(routes);
            routes["/.well-known/oauth-protected-resource"] = TestResponse.Json("{\"resource\":\"" + mcp.Origin + "\"}");

            McpAuthException ex = await DiscoverFails(mcp.BaseUrl);
            Assert.Equal(ErrorIds.MalformedMetadata, ex.ErrorId);
        }

        [Fact]
        public async Task Huge_document_is_capped()
        {
            string huge = "{\"resource\":\"x\",\"pad\":\"" + new string('a', 2 * 1024 * 1024) + "\"}";
            var routes = new Dictionary<string, TestResponse>();
            using var mcp = new TestHttpServer(routes);
            routes["/.well-known/oauth-protected-resource"] = TestResponse.Json(huge);

            McpAuthException ex = await DiscoverFails(mcp.BaseUrl);

            Assert.Equal(ErrorIds.ResponseTooLarge, ex.ErrorId);
            Assert.Equal(McpErrorKind.InvalidData, ex.Kind);
        }

        [Fact]
        public async Task Cap_is_configurable()
        {
            var routes = new Dictionary<string, TestResponse>();
            using var mcp = new TestHttpServer(routes);
            routes["/.well-known/oauth-protected-resource"] = TestResponse.Json(Prm(mcp.Origin, mcp.Origin));
            client.MaxDocumentBytes = 20;

            McpAuthException ex = await DiscoverFails(mcp.BaseUrl);
            Assert.Equal(ErrorIds.ResponseTooLarge, ex.ErrorId);
        }

        [Fact]
        public async Task Cancellation_stops_a_slow_fetch()
        {
            using var slow = new TestHttpServer(_ =>
            {
                Thread.Sleep(3000);
                return null;
            });
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            var watch = System.Diagnostics.Stopwatch.StartNew();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Discover(slow.BaseUrl, null, cts.Token));
            Assert.True(watch.ElapsedMilliseconds < 2500);
        }

        [Fact]
        public async Task Client_timeout_is_reported_as_request_timed_out()
        {
            using var slow = new TestHttpServer(_ =>
            {
                Thread.Sleep(3000);
                return null;
            });
            using HttpClient impatient = McpHttpClientFactory.Create(TimeSpan.FromMilliseconds(200));

            var ex = await Assert.ThrowsAsync<McpAuthException>(() => client.DiscoverAsync(slow.BaseUrl, null, impatient, callbacks, CancellationToken.None));
            Assert.Equal(ErrorIds.RequestTimedOut, ex.ErrorId);
            Assert.Equal(McpErrorKind.Timeout, ex.Kind);
        }

        [Fact]
        public async Task Unreachable_server_is_reported()
        {
            int port;
            using (var probe = new TestHttpServer(_ => null))
            {
                port = probe.Port;
            }

            McpAuthException ex = await DiscoverFails(new Uri($"http://127.0.0.1:{port}/mcp"));
            Assert.Equal(ErrorIds.ServerUnreachable, ex.ErrorId);
            Assert.Equal(McpErrorKind.ConnectionError, ex.Kind);
        }

        [Fact]
        public async Task Non_http_server_url_is_an_invalid_argument()
        {
            var ex = await Assert.ThrowsAsync<McpAuthException>(() => Discover(new Uri("ftp://mcp.example/x")));
            Assert.Equal(ErrorIds.InvalidServerUri, ex.ErrorId);
        }

        [Fact]
        public void Well_known_urls_for_protected_resource_follow_rfc9728()
        {
            Assert.Equal(
                new[] { "https://h.example/.well-known/oauth-protected-resource/a/mcp", "https://h.example/.well-known/oauth-protected-resource" },
                DiscoveryClient.GetProtectedResourceMetadataUrls(new Uri("https://h.example/a/mcp/"), null).Select(u => u.AbsoluteUri));
            Assert.Equal(
                new[] { "https://h.example/.well-known/oauth-protected-resource" },
                DiscoveryClient.GetProtectedResourceMetadataUrls(new Uri("https://h.example/"), null).Select(u => u.AbsoluteUri));
            Assert.Equal(
                new[] { "https://m.example/prm", "https://h.example:8443/.well-known/oauth-protected-resource/mcp", "https://h.example:8443/.well-known/oauth-protected-resource" },
                DiscoveryClient.GetProtectedResourceMetadataUrls(new Uri("https://h.example:8443/mcp"), new Uri("https://m.example/prm")).Select(u => u.AbsoluteUri));
        }

        [Fact]
        public void Well_known_urls_for_issuers_follow_rfc8414_and_oidc()
        {
            Assert.Equal(
                new[]
                {
                    "https://auth.example/.well-known/oauth-authorization-server/tenant1",
                    "https://auth.example/.well-known/openid-configuration/tenant1",
                    "https://auth.example/tenant1/.well-known/openid-configuration",
                },
                DiscoveryClient.GetAuthorizationServerMetadataUrls(new Uri("https://auth.example/tenant1/")).Select(u => u.AbsoluteUri));
            Assert.Equal(
                new[] { "https://auth.example/.well-known/oauth-authorization-server", "https://auth.example/.well-known/openid-configuration" },
                DiscoveryClient.GetAuthorizationServerMetadataUrls(new Uri("https://auth.example")).Select(u => u.AbsoluteUri));
        }

        [Theory]
        [InlineData("https://MCP.Example.com/mcp#frag", "https://mcp.example.com/mcp")]
        [InlineData("https://mcp.example.com:443/", "https://mcp.example.com")]
        [InlineData("https://mcp.example.com", "https://mcp.example.com")]
        [InlineData("http://127.0.0.1:8080/mcp/?a=b", "http://127.0.0.1:8080/mcp/?a=b")]
        public void Canonical_resource_of_a_server_url(string url, string expected)
        {
            Assert.Equal(expected, DiscoveryResult.CanonicalResource(new Uri(url)));
        }
    }
}
