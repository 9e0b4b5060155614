using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.Json.Nodes;
using McpAuth.Testing;
using Xunit;

namespace McpAuth.HostedTests
{
    /// <summary>Connect-McpServer signs in against the real OAuth fixture, and the same session calls tools.</summary>
    public class SignInTests : IClassFixture<PublicServerFixture>
    {
        private readonly FixtureServer server;

        public SignInTests(PublicServerFixture fixture)
        {
            server = fixture.Server;
        }

        // Each test starts with no stored credential for the fixture's servers (the memory store is per process).
        private static HostedPowerShell NewShell(ScriptedHost? host = null)
        {
            var ps = new HostedPowerShell(host);
            ps.Run(AutoConsent.Define + "\nReset-McpCredentialStore -CredentialStore Memory -Force").ThrowIfErrors();
            return ps;
        }

        private Dictionary<string, object?> Vars(string? url = null) => new Dictionary<string, object?> { ["u"] = url ?? server.Mcp, ["issuer"] = server.Issuer };

        private int AuthorizationRequests() => (int)server.AdminGet("/log")["authorizationRequests"]!;

        private static JsonObject Whoami(PsResult r) => JsonNode.Parse((string)r.Output.Last().BaseObject)!.AsObject();

        [Theory]
        [InlineData("$AutoConsent")]
        [InlineData("$AutoConsentVisit")]
        public void Sign_in_with_dynamic_registration_then_call_a_tool_in_the_same_session(string handler)
        {
            using HostedPowerShell ps = NewShell();
            PsResult r = ps.Run($"Connect-McpServer $u -AuthorizationHandler {handler} -CredentialStore Memory -Force | Invoke-McpTool whoami", Vars());
            r.ThrowIfErrors();
            JsonObject me = Whoami(r);
            Assert.Equal("alice", (string?)me["sub"]);
            Assert.Equal(server.Mcp, (string?)me["aud"]);
            Assert.Contains(server.Events(), e => (string?)e["type"] == "registration");
        }

        [Fact]
        public void The_connection_shows_issuer_resource_scopes_and_expiry()
        {
            using HostedPowerShell ps = NewShell();
            PsResult r = ps.Run("Connect-McpServer $u -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force", Vars());
            r.ThrowIfErrors();
            PSObject c = Assert.Single(r.Output);
            Assert.Equal(server.Issuer, c.Properties["Issuer"].Value.ToString());
            Assert.Equal(server.Mcp, c.Properties["Resource"].Value);
            Assert.Contains("mcp:read", (string[])c.Properties["Scopes"].Value);
            Assert.NotNull(c.Properties["ExpiresOn"].Value);
            Assert.Equal("Handler", c.Properties["AuthorizationMethod"].Value);
            Assert.True((bool)c.Properties["HasRefreshToken"].Value);
        }

        [Theory]
        [InlineData("mcpauth-public", null, null)]
        [InlineData("mcpauth-confidential", "fixture-secret-1234567890", null)]
        [InlineData("mcpauth-post", "fixture-secret-1234567890", "client_secret_post")]
        public void Sign_in_with_a_pre_registered_client(string clientId, string? secret, string? method)
        {
            using HostedPowerShell ps = NewShell();
            string script = "$p = @{ Uri = $u; AuthorizationHandler = $AutoConsent; CredentialStore = 'Memory'; ClientId = $id }\n"
                + "if ($secret) { $p.ClientSecret = [System.Net.NetworkCredential]::new('', $secret).SecurePassword }\n"
                + "if ($method) { $p.TokenEndpointAuthMethod = $method }\n"
                + "Connect-McpServer @p | Invoke-McpTool whoami";
            var vars = Vars();
            vars["id"] = clientId;
            vars["secret"] = secret;
            vars["method"] = method;
            int registrations = server.Events().Count(e => (string?)e["type"] == "registration");
            PsResult r = ps.Run(script, vars);
            r.ThrowIfErrors();
            Assert.Equal(clientId, (string?)Whoami(r)["client_id"]);
            Assert.Equal(registrations, server.Events().Count(e => (string?)e["type"] == "registration"));
        }

        [Fact]
        public void Resource_metadata_from_the_challenge_is_followed_for_a_server_on_a_sub_path()
        {
            using HostedPowerShell ps = NewShell();
            server.AdminPost("/requests/clear");
            PsResult r = ps.Run("Connect-McpServer $u -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force -Verbose | Out-Null", Vars());
            r.ThrowIfErrors();
            List<JsonObject> requests = server.Requests();
            Assert.Contains(requests, q => (string?)q["path"] == "/.well-known/oauth-protected-resource/mcp");
            Assert.DoesNotContain(requests, q => (string?)q["path"] == "/.well-known/oauth-protected-resource");
            Assert.Contains(r.Verbose, v => v.Contains("/.well-known/oauth-protected-resource/mcp", StringComparison.Ordinal));
        }

        [Fact]
        public void Offline_access_is_requested_with_consent_so_a_refresh_token_is_issued()
        {
            using HostedPowerShell ps = NewShell();
            server.AdminPost("/log/clear");
            PsResult r = ps.Run("(Connect-McpServer $u -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force).HasRefreshToken", Vars());
            r.ThrowIfErrors();
            Assert.True((bool)r.Output.Single().BaseObject);
            JsonObject request = server.Events().Last(e => (string?)e["type"] == "authorization.request");
            string scope = (string)request["scope"]!;
            Assert.Contains("offline_access", scope.Split(' '));
            Assert.Contains("mcp:read", scope.Split(' '));
            Assert.Equal("consent", (string?)request["prompt"]);
            Assert.Equal(server.Mcp, (string?)request["resource"]);
            Assert.Equal("S256", (string?)request["code_challenge_method"]);
        }

        [Theory]
        [InlineData("/foreign-resource/mcp", "ResourceMismatch")]
        [InlineData("/issuer-mismatch/mcp", "IssuerMismatch")]
        [InlineData("/no-s256/mcp", "PkceNotSupported")]
        [InlineData("/no-pkce/mcp", "PkceNotSupported")]
        [InlineData("/http-as/mcp", "InsecureEndpoint")]
        [InlineData("/bad-challenge/mcp", "MalformedChallenge")]
        [InlineData("/bad-prm/mcp", "MalformedMetadata")]
        public void A_security_check_fails_with_a_typed_error_and_no_authorization_request(string path, string errorId)
        {
            using HostedPowerShell ps = NewShell();
            int before = AuthorizationRequests();
            PsResult r = ps.Run("Connect-McpServer $u -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force", Vars(server.Neg + path));
            ErrorRecord e = Assert.Single(r.Errors);
            Assert.Equal(errorId + ",McpAuth.Commands.ConnectMcpServerCommand", e.FullyQualifiedErrorId);
            Assert.NotEqual(ErrorCategory.NotSpecified, e.CategoryInfo.Category);
            Assert.Equal(before, AuthorizationRequests());
            Assert.Null(ps.Run("$LastCallback").Output.SingleOrDefault()?.BaseObject);
        }

        [Theory]
        [InlineData("state", "StateMismatch")]
        [InlineData("iss", "AuthorizationResponseIssuerMismatch")]
        public void A_tampered_authorization_response_is_refused_before_any_token_request(string parameter, string errorId)
        {
            using HostedPowerShell ps = NewShell();
            string tamper = "$tamper = { param([uri] $url) $cb = & $AutoConsentFollow $url; [uri]($cb.AbsoluteUri -replace ('([?&]' + $name + '=)[^&]*'), ('$1' + 'tampered')) }\n";
            var vars = Vars();
            vars["name"] = parameter;
            server.AdminPost("/log/clear");
            PsResult r = ps.Run(tamper + "Connect-McpServer $u -AuthorizationHandler $tamper -CredentialStore Memory -Force", vars);
            ErrorRecord e = Assert.Single(r.Errors);
            Assert.Equal(errorId + ",McpAuth.Commands.ConnectMcpServerCommand", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.SecurityError, e.CategoryInfo.Category);
            Assert.DoesNotContain(server.Events(), ev => (string?)ev["type"] == "grant.success");
        }

        [Fact]
        public void Without_an_interactive_host_or_handler_nothing_waits_for_a_human()
        {
            using HostedPowerShell ps = NewShell();
            int before = AuthorizationRequests();
            var watch = System.Diagnostics.Stopwatch.StartNew();
            PsResult r = ps.Run("Connect-McpServer $u -CredentialStore Memory -Force", Vars());
            ErrorRecord e = Assert.Single(r.Errors);
            Assert.Equal("InteractionRequired,McpAuth.Commands.ConnectMcpServerCommand", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.AuthenticationError, e.CategoryInfo.Category);
            Assert.Contains("Connect-McpServer", e.ErrorDetails?.RecommendedAction ?? string.Empty);
            Assert.Equal(before, AuthorizationRequests());
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20));
        }

        [Fact]
        public void A_sign_in_nobody_completes_times_out()
        {
            var host = new ScriptedHost();
            using HostedPowerShell ps = NewShell(host);
            Environment.SetEnvironmentVariable("MCPAUTH_NO_BROWSER", "1");
            PsResult r = ps.Run("Connect-McpServer $u -CredentialStore Memory -Force -SignInTimeoutSec 5", Vars());
            ErrorRecord e = Assert.Single(r.Errors);
            Assert.Equal("AuthorizationTimedOut,McpAuth.Commands.ConnectMcpServerCommand", e.FullyQualifiedErrorId);
            Assert.Contains(r.Information, i => i.Contains("open this URL", StringComparison.Ordinal));
        }

        [Fact]
        public void Stop_during_sign_in_ends_the_wait_promptly()
        {
            var host = new ScriptedHost();
            using HostedPowerShell ps = NewShell(host);
            Environment.SetEnvironmentVariable("MCPAUTH_NO_BROWSER", "1");
            using PowerShell pipeline = ps.Create("Connect-McpServer $u -CredentialStore Memory -Force -SignInTimeoutSec 600", Vars());
            IAsyncResult pending = pipeline.BeginInvoke();
            System.Threading.Thread.Sleep(2000);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            pipeline.Stop();
            Assert.True(pending.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(10)));
            Assert.Equal(PSInvocationState.Stopped, pipeline.InvocationStateInfo.State);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), "stopping took " + watch.Elapsed);
        }

        // The "person" of the -NoBrowser tests: waits until the host shows the sign-in URL, then signs in with
        // the fixture's auto-consent. visitLoopback: the browser lands on the loopback listener (the code
        // arrives there); else returns the URL the browser ends on, for the person to paste.
        private static System.Threading.Tasks.Task<string> Browser(ScriptedHost host, bool visitLoopback) => System.Threading.Tasks.Task.Run(() =>
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            string? printed = null;
            while (printed is null && watch.Elapsed < TimeSpan.FromSeconds(60))
            {
                printed = host.Shown.LastOrDefault(s => s.Contains("/oidc/auth?", StringComparison.Ordinal));
                System.Threading.Thread.Sleep(50);
            }

            string url = printed!.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("http", StringComparison.Ordinal));
            using var browser = new HostedPowerShell();
            browser.Run(AutoConsent.Define).ThrowIfErrors();
            string script = visitLoopback ? "$null = & $AutoConsentVisit $url; 'visited'" : "(& $AutoConsentFollow $url).AbsoluteUri";
            return browser.Run(script, new Dictionary<string, object?> { ["url"] = url }).Output.Single().ToString();
        });

        [Fact]
        public void NoBrowser_prints_the_url_and_accepts_the_pasted_callback_url()
        {
            var host = new ScriptedHost();
            System.Threading.Tasks.Task<string> pasted = Browser(host, visitLoopback: false);
            _ = pasted.ContinueWith(t => host.Type(t.Result), System.Threading.Tasks.TaskScheduler.Default);
            using HostedPowerShell ps = NewShell(host);
            PsResult r = ps.Run("Connect-McpServer $u -NoBrowser -CredentialStore Memory -Force | Invoke-McpTool whoami", Vars());
            r.ThrowIfErrors();
            Assert.Equal("alice", (string?)Whoami(r)["sub"]);
            Assert.Contains(host.Shown, s => s.Contains("paste the full URL", StringComparison.Ordinal));
        }

        [Fact]
        public void NoBrowser_sign_in_finishes_when_the_loopback_callback_arrives_without_a_key_press()
        {
            // Defect: the browser completed the flow and the listener had the code, but the paste prompt kept
            // waiting for Enter. Nobody types here; the prompt must end by itself.
            var host = new ScriptedHost();
            System.Threading.Tasks.Task<string> browser = Browser(host, visitLoopback: true);
            using HostedPowerShell ps = NewShell(host);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            PsResult r = ps.Run("Connect-McpServer $u -NoBrowser -CredentialStore Memory -Force -SignInTimeoutSec 120 | Invoke-McpTool whoami", Vars());
            r.ThrowIfErrors();
            Assert.Equal("visited", browser.Result);
            Assert.Equal("alice", (string?)Whoami(r)["sub"]);
            Assert.Contains(host.Shown, s => s.Contains("paste the full URL", StringComparison.Ordinal));
            Assert.True(host.Keys.IsEmpty);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), "sign-in took " + watch.Elapsed);
        }

        [Fact]
        public void A_host_that_cannot_poll_its_keyboard_says_that_Enter_is_needed_and_accepts_a_pasted_url()
        {
            var host = new ScriptedHost { KeyboardPolling = false };
            System.Threading.Tasks.Task<string> pasted = Browser(host, visitLoopback: false);
            host.ReadLineHandler = () => pasted.Result;
            using HostedPowerShell ps = NewShell(host);
            PsResult r = ps.Run("Connect-McpServer $u -NoBrowser -CredentialStore Memory -Force | Invoke-McpTool whoami", Vars());
            r.ThrowIfErrors();
            Assert.Equal("alice", (string?)Whoami(r)["sub"]);
            Assert.Contains(host.Shown, s => s.Contains("cannot stop this prompt by itself", StringComparison.Ordinal));
        }

        [Theory]
        [InlineData("-ClientSecret $s", "ClientSecretWithoutClientId")]
        [InlineData("-ClientCredentials -ClientId mcpauth-machine", "ClientCredentialsWithoutSecret")]
        [InlineData("-ClientMetadataUrl http://example.com/client.json", "InvalidClientMetadataUrl")]
        public void Parameter_conflicts_stop_before_any_request(string parameters, string errorId)
        {
            using HostedPowerShell ps = NewShell();
            server.AdminPost("/requests/clear");
            PsResult r = ps.Run("$s = [System.Net.NetworkCredential]::new('', 'x').SecurePassword\nConnect-McpServer $u " + parameters, Vars());
            ErrorRecord e = r.Terminating?.ErrorRecord ?? Assert.Single(r.Errors);
            Assert.Equal(errorId + ",McpAuth.Commands.ConnectMcpServerCommand", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidArgument, e.CategoryInfo.Category);
            Assert.Empty(server.Requests());
        }

        [Fact]
        public void Connect_WhatIf_contacts_no_server_and_stores_nothing()
        {
            using HostedPowerShell ps = NewShell();
            server.AdminPost("/requests/clear");
            PsResult r = ps.Run("Connect-McpServer $u -AuthorizationHandler $AutoConsent -CredentialStore Memory -WhatIf; @(Get-McpCredential -CredentialStore Memory).Count", Vars());
            r.ThrowIfErrors();
            Assert.Equal(0, r.Output.Single().BaseObject);
            Assert.Empty(server.Requests());
        }

        [Fact]
        public void Client_credentials_sign_in_a_machine_identity()
        {
            using HostedPowerShell ps = NewShell();
            PsResult r = ps.Run(
                "$s = [System.Net.NetworkCredential]::new('', 'fixture-secret-1234567890').SecurePassword\n"
                + "Connect-McpServer $u -ClientCredentials -ClientId mcpauth-machine -ClientSecret $s -CredentialStore Memory | Invoke-McpTool whoami",
                Vars());
            r.ThrowIfErrors();
            JsonObject me = Whoami(r);
            Assert.Equal("mcpauth-machine", (string?)me["client_id"]);
            Assert.Contains(server.Events(), e => (string?)e["type"] == "grant.success" && (string?)e["grant_type"] == "client_credentials");
        }

        [Fact]
        public void Device_code_sign_in_shows_the_code_and_completes_when_the_user_confirms_it()
        {
            using HostedPowerShell ps = NewShell();
            using PowerShell pipeline = ps.Create("Connect-McpServer $u -UseDeviceCode -ClientId mcpauth-device -CredentialStore Memory | Invoke-McpTool whoami", Vars());
            var output = new PSDataCollection<PSObject>();
            IAsyncResult pending = pipeline.BeginInvoke<PSObject, PSObject>(null, output);
            string? userCode = null;
            for (int i = 0; i < 200 && userCode is null; i++)
            {
                System.Threading.Thread.Sleep(100);
                foreach (InformationRecord info in pipeline.Streams.Information.ToArray())
                {
                    var m = System.Text.RegularExpressions.Regex.Match(info.MessageData?.ToString() ?? string.Empty, "enter the code ([A-Z0-9-]+)");
                    if (m.Success)
                    {
                        userCode = m.Groups[1].Value;
                    }
                }
            }

            Assert.NotNull(userCode);
            using (var http = new System.Net.Http.HttpClient())
            {
                var answer = http.GetAsync(server.Issuer + "/device/auto?user_code=" + Uri.EscapeDataString(userCode!)).GetAwaiter().GetResult();
                Assert.True(answer.IsSuccessStatusCode, answer.Content.ReadAsStringAsync().GetAwaiter().GetResult());
            }

            Assert.True(pending.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(60)));
            pipeline.EndInvoke(pending);
            Assert.Empty(pipeline.Streams.Error);
            Assert.Equal("alice", (string?)JsonNode.Parse((string)output.Last().BaseObject)!["sub"]);
        }

        [Fact]
        public void No_secret_reaches_any_stream_verbose_and_debug_included()
        {
            string dir = Path.Combine(Path.GetTempPath(), "mcpauth-leak-" + Guid.NewGuid().ToString("N"));
            using HostedPowerShell ps = NewShell();
            var vars = Vars();
            vars["dir"] = dir;
            string secret = "fixture-secret-1234567890";
            vars["secret"] = secret;
            Environment.SetEnvironmentVariable("MCPAUTH_STORE_DIR", dir);
            try
            {
                PsResult r = ps.Run(
                    "$VerbosePreference = 'Continue'; $DebugPreference = 'Continue'; $InformationPreference = 'Continue'\n"
                    + "$s = [System.Net.NetworkCredential]::new('', $secret).SecurePassword\n"
                    + "$c = Connect-McpServer $u -AuthorizationHandler $AutoConsent -ClientId mcpauth-confidential -ClientSecret $s -CredentialStore Plaintext -Force\n"
                    + "$c | Invoke-McpTool whoami; $c | Invoke-McpTool fail -ErrorAction SilentlyContinue; $c.PSObject.Properties | ForEach-Object { $_.Name + '=' + $_.Value }; $c.ToString()",
                    vars);
                Assert.DoesNotContain(r.Errors, e => !e.FullyQualifiedErrorId.StartsWith("ToolError", StringComparison.Ordinal));
                string all = r.AllText();
                Assert.Contains("Signed in", all);

                string stored = File.ReadAllText(Directory.GetFiles(dir, "*.json", SearchOption.AllDirectories).Single());
                JsonObject record = JsonNode.Parse(stored)!["records"]!.AsArray().Single()!.AsObject();
                var secrets = new List<string>
                {
                    secret,
                    (string)record["tokens"]!["access_token"]!,
                    (string)record["tokens"]!["refresh_token"]!,
                };
                string code = System.Web.HttpUtility.ParseQueryString(((Uri)ps.Run("$LastCallback").Output.Single().BaseObject).Query)["code"]!;
                secrets.Add(code);
                foreach (string s in secrets)
                {
                    Assert.True(s.Length > 8);
                    Assert.DoesNotContain(s, all);
                }
            }
            finally
            {
                Environment.SetEnvironmentVariable("MCPAUTH_STORE_DIR", null);
                try
                {
                    Directory.Delete(dir, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
    }
}
