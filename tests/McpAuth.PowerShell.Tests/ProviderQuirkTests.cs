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
    /// <summary>
    /// Identity providers as they are, each reproduced by a fixture endpoint (tests/fixture/identity.mjs): Entra's
    /// refusal of <c>resource</c>, metadata naming another issuer than where it is served, extra authorization
    /// parameters, several accounts on one server, several authorization servers, a client ID metadata document
    /// refused at the authorization endpoint, a server that rejects every
    /// token, and an authorization server change with a pre-registered client.
    /// </summary>
    public sealed class ProviderQuirkTests : IClassFixture<PublicServerFixture>, IDisposable
    {
        private readonly FixtureServer server;
        private readonly string dir = Path.Combine(Path.GetTempPath(), "mcpauth-quirks-" + Guid.NewGuid().ToString("N"));

        public ProviderQuirkTests(PublicServerFixture fixture)
        {
            server = fixture.Server;
            server.AdminPost("/identity", new { migrated = false, cimdRejected = true });
        }

        public void Dispose()
        {
            server.AdminPost("/identity", new { migrated = false, cimdRejected = true });
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        private static HostedPowerShell NewShell()
        {
            var ps = new HostedPowerShell();
            ps.Run(AutoConsent.Define + "\nReset-McpCredentialStore -CredentialStore Memory -Force").ThrowIfErrors();
            return ps;
        }

        private Dictionary<string, object?> Vars(string url) => new() { ["u"] = url, ["issuer"] = server.Issuer };

        private List<JsonObject> Events(string type) => server.Events().Where(e => (string?)e["type"] == type).ToList();

        private int AuthorizationRequests() => (int)server.AdminGet("/log")["authorizationRequests"]!;

        private int TokenRequests() => (int?)server.AdminGet("/requests")["asCounts"]!["/oidc/token"] ?? 0;

        private static JsonObject Whoami(PSObject output) => JsonNode.Parse((string)output.BaseObject)!.AsObject();

        private Dictionary<string, string?> PlaintextStore() => new()
        {
            ["MCPAUTH_CREDENTIAL_STORE"] = "plaintext",
            ["MCPAUTH_ALLOW_PLAINTEXT_STORAGE"] = "1",
            ["MCPAUTH_STORE_DIR"] = dir,
            ["MCPAUTH_NONINTERACTIVE"] = "1",
        };

        [Fact]
        public void An_authorization_server_that_refuses_the_resource_parameter_is_a_typed_error_naming_OmitResource()
        {
            using HostedPowerShell ps = NewShell();
            server.AdminPost("/log/clear");
            PsResult r = ps.Run("Connect-McpServer $u -ClientId mcpauth-entra -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force", Vars(server.Quirk("entra")));
            ErrorRecord e = Assert.Single(r.Errors);
            Assert.Equal("ResourceParameterRejected,McpAuth.Commands.ConnectMcpServerCommand", e.FullyQualifiedErrorId);
            Assert.Contains("AADSTS9010010", e.Exception.Message, StringComparison.Ordinal);
            Assert.Contains("-OmitResource", e.ErrorDetails?.RecommendedAction ?? string.Empty, StringComparison.Ordinal);
            Assert.Empty(Events("grant.success"));
        }

        [Fact]
        public void OmitResource_signs_in_without_a_resource_parameter_and_a_later_process_keeps_to_it()
        {
            string entra = server.Quirk("entra");
            server.AdminPost("/log/clear");
            (int code, string output, string error) = HostProcess.Run(
                AutoConsent.Define + $"\nConnect-McpServer '{entra}' -ClientId mcpauth-entra -OmitResource -Scopes mcp:read -AuthorizationHandler $AutoConsent | Invoke-McpTool whoami",
                PlaintextStore());
            Assert.True(code == 0, error);
            Assert.Contains(entra, output);
            Assert.All(Events("authorization.request"), q => Assert.Null(q["resource"]?.GetValue<string>()));

            // Another process adds a scope (a new consent): the stored setting sends no resource again.
            (code, output, error) = HostProcess.Run(
                AutoConsent.Define + $"\nUpdate-McpCredential -Uri '{entra}' -Scopes mcp:write -AuthorizationHandler $AutoConsent; Invoke-McpTool -Uri '{entra}' whoami",
                PlaintextStore());
            Assert.True(code == 0, error);
            Assert.Contains("mcp:write", output);
            Assert.Equal(2, Events("authorization.request").Count);
            Assert.All(Events("authorization.request"), q => Assert.Null(q["resource"]?.GetValue<string>()));
        }

        [Fact]
        public void Metadata_that_names_another_issuer_is_refused_unless_that_issuer_is_trusted_which_verbose_says_loudly()
        {
            using HostedPowerShell ps = NewShell();
            string alias = server.Quirk("alias-issuer");
            int before = AuthorizationRequests();
            PsResult r = ps.Run("Connect-McpServer $u -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force", Vars(alias));
            Assert.Equal("IssuerMismatch,McpAuth.Commands.ConnectMcpServerCommand", Assert.Single(r.Errors).FullyQualifiedErrorId);
            Assert.Equal(before, AuthorizationRequests());

            r = ps.Run("$c = Connect-McpServer $u -TrustedIssuer $issuer -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force -Verbose; $c.Issuer; $c | Invoke-McpTool whoami", Vars(alias));
            r.ThrowIfErrors();
            Assert.Equal(server.Issuer, r.Output[0].BaseObject.ToString());
            Assert.Equal(alias, (string?)Whoami(r.Output[1])["aud"]);
            Assert.Contains(r.Verbose, v => v.Contains("ACCEPTED A DIFFERENT ISSUER", StringComparison.Ordinal) && v.Contains(server.Issuer, StringComparison.Ordinal));
        }

        [Fact]
        public void Extra_authorization_parameters_reach_the_authorization_server()
        {
            using HostedPowerShell ps = NewShell();
            server.AdminPost("/log/clear");
            PsResult r = ps.Run(
                "Connect-McpServer $u -Scopes openid, mcp:read -AuthorizationParameters @{ login_hint = 'bob'; acr_values = 'urn:mfa'; audience = 'https://api.example' } -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force | Invoke-McpTool whoami",
                Vars(server.Mcp));
            r.ThrowIfErrors();
            Assert.Equal("bob", (string?)Whoami(r.Output.Single())["sub"]);
            JsonObject request = Assert.Single(Events("authorization.request"));
            Assert.Equal("bob", (string?)request["login_hint"]);
            Assert.Equal("urn:mfa", (string?)request["acr_values"]);
            Assert.Equal("https://api.example", (string?)request["audience"]);
            Assert.Equal(server.Mcp, (string?)request["resource"]);
        }

        [Theory]
        [InlineData("state")]
        [InlineData("code_challenge")]
        [InlineData("redirect_uri")]
        [InlineData("Scope")]
        public void An_extra_parameter_may_not_override_one_McpAuth_sets(string name)
        {
            using HostedPowerShell ps = NewShell();
            server.AdminPost("/requests/clear");
            var vars = Vars(server.Mcp);
            vars["name"] = name;
            PsResult r = ps.Run("Connect-McpServer $u -AuthorizationParameters @{ $name = 'x' } -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force", vars);
            ErrorRecord e = r.Terminating?.ErrorRecord ?? Assert.Single(r.Errors);
            Assert.Equal("ReservedAuthorizationParameter,McpAuth.Commands.ConnectMcpServerCommand", e.FullyQualifiedErrorId);
            Assert.Empty(server.Requests());
        }

        [Fact]
        public void Several_accounts_on_one_server_are_kept_apart_and_shown()
        {
            using HostedPowerShell ps = NewShell();
            PsResult r = ps.Run(
                "Connect-McpServer $u -Account work -AuthorizationParameters @{ login_hint = 'bob' } -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force | Invoke-McpTool whoami\n"
                + "Connect-McpServer $u -Account home -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force | Invoke-McpTool whoami\n"
                + "@(Get-McpCredential $u -CredentialStore Memory).Account",
                Vars(server.Mcp));
            r.ThrowIfErrors();
            Assert.Equal("bob", (string?)Whoami(r.Output[0])["sub"]);
            Assert.Equal("alice", (string?)Whoami(r.Output[1])["sub"]);
            Assert.Equal(new[] { "home", "work" }, r.Output.Skip(2).Select(o => o.BaseObject.ToString()).OrderBy(a => a, StringComparer.Ordinal));

            // Choosing an account again uses its stored credential: no sign-in.
            int before = AuthorizationRequests();
            r = ps.Run("$c = Connect-McpServer $u -Account work -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force; $c.Account; $c | Invoke-McpTool whoami", Vars(server.Mcp));
            r.ThrowIfErrors();
            Assert.Equal("work", r.Output[0].BaseObject);
            Assert.Equal("bob", (string?)Whoami(r.Output[1])["sub"]);
            Assert.Equal(before, AuthorizationRequests());
        }

        [Fact]
        public void Among_several_authorization_servers_the_chosen_one_is_used_and_an_unlisted_one_is_refused()
        {
            using HostedPowerShell ps = NewShell();
            string twoAs = server.Quirk("two-as");
            int before = AuthorizationRequests();
            PsResult r = ps.Run("Connect-McpServer $u -AuthorizationServer https://elsewhere.example -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force", Vars(twoAs));
            ErrorRecord e = Assert.Single(r.Errors);
            Assert.Equal("AuthorizationServerNotListed,McpAuth.Commands.ConnectMcpServerCommand", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidArgument, e.CategoryInfo.Category);
            Assert.Contains(server.Issuer, e.Exception.Message, StringComparison.Ordinal);
            Assert.Equal(before, AuthorizationRequests());

            r = ps.Run("$c = Connect-McpServer $u -AuthorizationServer $issuer -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force -Verbose; $c.Issuer; $c | Invoke-McpTool whoami", Vars(twoAs));
            r.ThrowIfErrors();
            Assert.Equal(server.Issuer, r.Output[0].BaseObject.ToString());
            Assert.Equal(twoAs, (string?)Whoami(r.Output[1])["aud"]);
            Assert.Contains(r.Verbose, v => v.Contains("chosen among", StringComparison.Ordinal));
        }

        [Fact]
        public void A_client_id_metadata_document_refused_at_the_authorization_endpoint_falls_back_to_registration_once_and_says_so()
        {
            using HostedPowerShell ps = NewShell();
            server.AdminPost("/log/clear");
            PsResult r = ps.Run("Connect-McpServer $u -ClientMetadataUrl https://client.example/mcpauth.json -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force | Invoke-McpTool whoami", Vars(server.Mcp));
            r.ThrowIfErrors();
            Assert.Equal("alice", (string?)Whoami(r.Output.Single())["sub"]);
            Assert.Contains(r.Warnings, w => w.Contains("refused the client ID metadata document", StringComparison.Ordinal));
            Assert.Single(Events("authorization.cimd_refused"));
            Assert.Single(Events("registration"));
        }

        [Fact]
        public void A_server_that_rejects_every_token_gets_one_sign_in_and_a_bounded_number_of_token_requests_then_a_typed_error()
        {
            string always401 = server.Quirk("always-401");
            server.AdminPost("/log/clear");
            server.AdminPost("/requests/clear");
            (int code, _, string error) = HostProcess.Run(
                AutoConsent.Define + $"\nConnect-McpServer '{always401}' -AuthorizationHandler $AutoConsent -ErrorAction Continue\n"
                + $"1..5 | ForEach-Object {{ Invoke-McpTool -Uri '{always401}' whoami -ErrorAction Continue }}",
                PlaintextStore());
            Assert.NotEqual(0, code);
            List<string> errors = error.Split('\n').Where(l => l.StartsWith("ERROR [", StringComparison.Ordinal)).ToList();
            Assert.Equal(6, errors.Count);
            Assert.All(errors, e => Assert.Matches(@"^ERROR \[(TokenRenewalThrottled|AuthenticationRequired),", e));
            Assert.Contains(errors, e => e.StartsWith("ERROR [TokenRenewalThrottled,", StringComparison.Ordinal));
            Assert.Equal(1, AuthorizationRequests());
            Assert.InRange(TokenRequests(), 1, 1 + 4);
        }

        [Fact]
        public void A_pre_registered_client_is_never_taken_to_a_new_authorization_server_a_typed_error_says_what_to_run()
        {
            string migrating = server.Quirk("migrating");
            (int code, string output, string error) = HostProcess.Run(
                AutoConsent.Define + $"\nConnect-McpServer '{migrating}' -ClientId mcpauth-public -AuthorizationHandler $AutoConsent | Invoke-McpTool whoami",
                PlaintextStore());
            Assert.True(code == 0, error);
            Assert.Contains("mcpauth-public", output);

            server.AdminPost("/identity", new { migrated = true });
            int tokenRequests = TokenRequests();
            // A person signs in again in a new process (with no client given): the old client is not taken along.
            (code, _, error) = HostProcess.Run(
                AutoConsent.Define + $"\nConnect-McpServer '{migrating}' -AuthorizationHandler $AutoConsent | Invoke-McpTool whoami",
                PlaintextStore());
            Assert.NotEqual(0, code);
            Assert.Contains("[AuthorizationServerChanged", error, StringComparison.Ordinal);
            Assert.Contains("-ClientId", error, StringComparison.Ordinal);
            Assert.Contains(server.Idp, error, StringComparison.Ordinal);

            // The old authorization server was not asked for a token for a server that left it.
            Assert.Equal(tokenRequests, TokenRequests());
        }
    
        // Waits (bounded) for the device sign-in's user code on the Information stream; null when it never came.
        private static string? UserCode(PowerShell pipeline, IAsyncResult pending, TimeSpan within)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            while (watch.Elapsed < within && !pending.IsCompleted)
            {
                foreach (InformationRecord info in pipeline.Streams.Information.ToArray())
                {
                    var m = System.Text.RegularExpressions.Regex.Match(info.MessageData?.ToString() ?? string.Empty, "enter the code ([A-Z0-9-]+)");
                    if (m.Success)
                    {
                        return m.Groups[1].Value;
                    }
                }

                System.Threading.Thread.Sleep(100);
            }

            return null;
        }

        // Stops a pipeline as Ctrl+C does, without waiting for ever: true when it stopped within the bound.
        private static bool StopWithin(PowerShell pipeline, IAsyncResult pending, TimeSpan within)
        {
            if (pending.IsCompleted)
            {
                return true;
            }

            pipeline.BeginStop(null, null);
            return pending.AsyncWaitHandle.WaitOne(within);
        }

        // A snapshot of a running pipeline's errors. (Enumerating one of its streams directly blocks until the
        // pipeline ends; ToArray copies what is there now.)
        private static string Errors(PowerShell pipeline) => string.Join("; ", pipeline.Streams.Error.ToArray().Select(e => e.FullyQualifiedErrorId + ": " + e));

        [Fact]
        public void Dynamic_registration_for_the_device_grant_asks_for_the_device_grant_type()
        {
            using HostedPowerShell ps = NewShell();
            server.AdminPost("/log/clear");
            PowerShell pipeline = ps.Create("Connect-McpServer $u -UseDeviceCode -CredentialStore Memory -Force | Invoke-McpTool whoami", Vars(server.Mcp));
            var output = new PSDataCollection<PSObject>();
            IAsyncResult pending = pipeline.BeginInvoke<PSObject, PSObject>(null, output);
            bool stopped = false;
            try
            {
                string? userCode = UserCode(pipeline, pending, TimeSpan.FromSeconds(60));
                Assert.True(userCode is not null, "no user code: " + Errors(pipeline));
                using (var http = new System.Net.Http.HttpClient { Timeout = TimeSpan.FromSeconds(30) })
                {
                    var answer = http.GetAsync(server.Issuer + "/device/auto?user_code=" + Uri.EscapeDataString(userCode!)).GetAwaiter().GetResult();
                    Assert.True(answer.IsSuccessStatusCode, answer.Content.ReadAsStringAsync().GetAwaiter().GetResult());
                }

                Assert.True(pending.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(60)), "the sign-in did not finish after the user confirmed the code");
                pipeline.EndInvoke(pending);
                Assert.True(pipeline.Streams.Error.Count == 0, Errors(pipeline));
                Assert.Equal("alice", (string?)Whoami(output.Last())["sub"]);
            }
            finally
            {
                // Bounded: a pipeline that will not stop is left behind (Dispose would wait for it for ever).
                stopped = StopWithin(pipeline, pending, TimeSpan.FromSeconds(15));
                if (stopped)
                {
                    pipeline.Dispose();
                }
            }

            Assert.True(stopped, "the pipeline did not stop");
            JsonObject registration = Assert.Single(Events("registration"));
            string?[] grantTypes = registration["grant_types"]!.AsArray().Select(g => (string?)g).ToArray();
            Assert.Contains("urn:ietf:params:oauth:grant-type:device_code", grantTypes);
            Assert.DoesNotContain("authorization_code", grantTypes);
            Assert.Empty(registration["redirect_uris"]?.AsArray() ?? new JsonArray());
        }

        [Fact]
        public void Stop_while_the_device_sign_in_polls_ends_it_promptly_and_polling_stops()
        {
            using HostedPowerShell ps = NewShell();
            PowerShell pipeline = ps.Create("Connect-McpServer $u -UseDeviceCode -ClientId mcpauth-device -CredentialStore Memory -Force", Vars(server.Mcp));
            IAsyncResult pending = pipeline.BeginInvoke();
            string? userCode = UserCode(pipeline, pending, TimeSpan.FromSeconds(60));
            var watch = System.Diagnostics.Stopwatch.StartNew();
            bool stopped = StopWithin(pipeline, pending, TimeSpan.FromSeconds(15));
            TimeSpan took = watch.Elapsed;
            Assert.True(userCode is not null, "no user code: " + Errors(pipeline));
            Assert.True(stopped, "Stop did not end the device sign-in within 15 s");
            Assert.Equal(PSInvocationState.Stopped, pipeline.InvocationStateInfo.State);
            pipeline.Dispose();
            Assert.True(took < TimeSpan.FromSeconds(5), "stopping took " + took);

            // Nothing polls after the stop (the interval is 5 s: wait past two of them).
            int polls = DevicePolls();
            System.Threading.Thread.Sleep(TimeSpan.FromSeconds(11));
            Assert.Equal(polls, DevicePolls());
        }

        private int DevicePolls() => server.Events().Count(e => ((string?)e["type"])?.StartsWith("grant.", StringComparison.Ordinal) == true && (string?)e["grant_type"] == "device_code");
    }
}
