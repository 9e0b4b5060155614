using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using McpAuth.Testing;
using Xunit;

namespace McpAuth.Core.Tests.Ci
{
    /// <summary>
    /// CI's secret scan (.ci/scan-secrets.mjs, run by .ci/test over everything the run wrote) and the fixture's log of
    /// what it issued: a planted secret, in any form an echo takes, fails the scan, which names the file and the kind
    /// and never the secret.
    /// </summary>
    public sealed class SecretScanTests : IDisposable
    {
        private const string Token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJmdXp6In0.c2lnbmF0dXJl-_x";
        private const string Code = "Qx7Rk2LmN9pZa3Vb8Tc1Yd6We4Uf0Sg5";
        private readonly string root = Path.Combine(Path.GetTempPath(), "mcpauth-scan-" + Guid.NewGuid().ToString("N"));

        public SecretScanTests()
        {
            Directory.CreateDirectory(Path.Combine(root, "out", "issued-secrets"));
            Directory.CreateDirectory(Path.Combine(root, "out", "nested"));
        }

        private string Out => Path.Combine(root, "out");

        private string Secrets => Path.Combine(Out, "issued-secrets");

        public void Dispose() => Directory.Delete(root, recursive: true);

        [Fact]
        public void A_secret_in_test_output_fails_the_scan_which_names_the_file_and_kind_and_never_the_secret()
        {
            LogIssued(("access_token", Token), ("code", Code));
            File.WriteAllText(Path.Combine(Out, "clean.trx"), "<TestRun><Output><StdOut>all good</StdOut></Output></TestRun>");

            // An echoed Authorization header in base64 (the token at an odd byte offset), and a code URL-encoded in a nested log.
            string echoed = Convert.ToBase64String(Encoding.UTF8.GetBytes("Authorization: Bearer " + Token + "\r\n"));
            File.WriteAllText(Path.Combine(Out, "run.trx"), "<StdOut>server said " + echoed + "</StdOut>");
            File.WriteAllText(Path.Combine(Out, "nested", "child.log"), "callback?code=" + Uri.EscapeDataString(Code) + "&state=x");

            ProcessResult scan = Scan();

            Assert.Equal(1, scan.ExitCode);
            string said = scan.StdOut + scan.StdErr;
            Assert.Contains("run.trx: access_token (base64)", said, StringComparison.Ordinal);
            Assert.Contains(Path.Combine("nested", "child.log") + ": code (as issued)", said, StringComparison.Ordinal);
            Assert.DoesNotContain("clean.trx", said, StringComparison.Ordinal);
            Assert.DoesNotContain("issued-secrets", said.Replace("--secrets", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
            foreach (string secret in new[] { Token, Code })
            {
                Assert.DoesNotContain(secret.Substring(0, 12), said, StringComparison.Ordinal);
                Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(secret)).Substring(4, 12), said, StringComparison.Ordinal);
            }
        }

        [Fact]
        public void A_run_without_the_secrets_passes_and_a_run_whose_fixture_logged_nothing_is_refused()
        {
            File.WriteAllText(Path.Combine(Out, "clean.trx"), "<StdOut>nothing secret " + Token.Substring(0, 10) + "</StdOut>");

            ProcessResult empty = Scan();
            Assert.Equal(2, empty.ExitCode);
            Assert.Contains("no issued secrets", empty.StdErr, StringComparison.Ordinal);

            LogIssued(("refresh_token", "rt-" + Code));
            ProcessResult clean = Scan();
            Assert.True(clean.ExitCode == 0, clean.StdOut + clean.StdErr);
            Assert.Contains("1 issued secrets (1 refresh_token) looked for in 1 files", clean.StdOut, StringComparison.Ordinal);
            Assert.Contains(": 0 hits", clean.StdOut, StringComparison.Ordinal);
        }

        [Fact]
        public void The_fixture_logs_the_tokens_it_issues_when_asked_to()
        {
            using var fixture = new FixtureServer(new Dictionary<string, string> { ["MCPAUTH_ISSUED_SECRETS_DIR"] = Secrets });
            using var http = new HttpClient();
            using var request = new HttpRequestMessage(HttpMethod.Post, fixture.Issuer + "/token")
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = "mcp:read", ["resource"] = fixture.Mcp }),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("mcpauth-machine:fixture-secret-1234567890")));
            using HttpResponseMessage response = http.Send(request);
            string accessToken = (string)JsonNode.Parse(response.Content.ReadAsStringAsync().Result)!["access_token"]!;

            List<JsonNode> logged = Directory.GetFiles(Secrets, "*.jsonl").SelectMany(File.ReadAllLines).Select(l => JsonNode.Parse(l)!).ToList();
            Assert.Contains(logged, l => (string?)l["kind"] == "access_token" && (string?)l["value"] == accessToken);

            // The pre-registered clients' secret is a test constant the tests pass on command lines, not an issued secret.
            Assert.DoesNotContain(logged, l => (string?)l["value"] == "fixture-secret-1234567890");
        }

        private void LogIssued(params (string Kind, string Value)[] secrets) =>
            File.AppendAllLines(Path.Combine(Secrets, "fixture-1.jsonl"), secrets.Select(s => new JsonObject { ["kind"] = s.Kind, ["value"] = s.Value }.ToJsonString()));

        private ProcessResult Scan()
        {
            var info = ChildProcess.Info("node", new Dictionary<string, string?>(), Path.Combine(FixtureServer.RepoRoot, ".ci", "scan-secrets.mjs"), "--secrets", Secrets, Out);
            info.WorkingDirectory = root;
            return ChildProcess.Run(info, TimeSpan.FromSeconds(60));
        }
    }
}
