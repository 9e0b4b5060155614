using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;

namespace McpAuth.Testing
{
    /// <summary>
    /// Starts the real test fixture (tests/fixture/server.mjs: oidc-provider + MCP SDK servers on
    /// 127.0.0.1) as a child process and reads its ready line. Closing stdin stops it.
    /// </summary>
    public sealed class FixtureServer : IDisposable
    {
        private readonly Process process;
        private readonly StringBuilder stderr = new StringBuilder();
        private readonly HttpClient http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        public FixtureServer(params string[] args)
        {
            string dir = Path.Combine(RepoRoot, "tests", "fixture");
            if (!Directory.Exists(Path.Combine(dir, "node_modules")))
            {
                throw new InvalidOperationException($"The test fixture's packages are not installed. Run: (cd {dir} && npm ci)");
            }

            var start = new ProcessStartInfo("node")
            {
                WorkingDirectory = dir,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add("server.mjs");
            foreach (string a in args)
            {
                start.ArgumentList.Add(a);
            }

            process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node.");
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (stderr)
                    {
                        stderr.AppendLine(e.Data);
                    }
                }
            };
            process.BeginErrorReadLine();
            Task<string?> line = process.StandardOutput.ReadLineAsync();
            if (!line.Wait(TimeSpan.FromSeconds(30)) || line.Result is null)
            {
                string err;
                lock (stderr)
                {
                    err = stderr.ToString();
                }

                Dispose();
                throw new InvalidOperationException("The fixture did not become ready: " + err);
            }

            Ready = JsonNode.Parse(line.Result)!.AsObject();
        }

        public static string RepoRoot
        {
            get
            {
                string? dir = AppContext.BaseDirectory;
                while (dir is not null && !File.Exists(Path.Combine(dir, "McpAuth.sln")))
                {
                    dir = Path.GetDirectoryName(dir);
                }

                return dir ?? throw new InvalidOperationException("Repository root not found.");
            }
        }

        public JsonObject Ready { get; }

        public string Issuer => (string)Ready["as"]!;

        public string Mcp => (string)Ready["mcp"]!;

        public string Public => (string)Ready["public"]!;

        public string PublicJson => (string)Ready["publicJson"]!;

        public string Admin => (string)Ready["admin"]!;

        public string Bad => (string)Ready["bad"]!;

        public string Neg => (string)Ready["neg"]!;

        /// <summary>Gets the OAuth-protected modern (MCP 2026-07-28, SDK 2.x) server.</summary>
        public string ModernMcp => (string)Ready["modern"]!;

        /// <summary>Gets the public modern server (SSE when a call sends notifications).</summary>
        public string ModernPublic => (string)Ready["modernPublic"]!;

        /// <summary>Gets the public modern server that always answers with JSON.</summary>
        public string ModernPublicJson => (string)Ready["modernPublicJson"]!;

        /// <summary>Gets the base of the hostile modern endpoints (&lt;base&gt;/&lt;case&gt;/mcp).</summary>
        public string ModernBad => (string)Ready["modernBad"]!;

        /// <summary>Gets the issuer of the fixture's identity provider (enterprise-managed authorization: ID tokens, SAML, ID-JAGs).</summary>
        public string Idp => (string)Ready["idp"]!;

        /// <summary>Gets McpAuth's client id at the fixture's identity provider.</summary>
        public string IdpClient => (string)Ready["idpClient"]!;

        /// <summary>Gets the DPoP-protected MCP endpoint (DPoP-bound tokens only, a fresh proof per request).</summary>
        public string Dpop => (string)Ready["dpop"]!;

        /// <summary>Gets the MCP endpoint of an identity-provider quirk: &lt;quirks&gt;/&lt;name&gt;/mcp (entra, alias-issuer, two-as, always-401, migrating).</summary>
        public string Quirk(string name) => (string)Ready["quirks"]! + "/" + name + "/mcp";

        /// <summary>Mints an assertion at the fixture's admin API (identity/id-token, identity/saml, identity/workload-token) and returns the named member.</summary>
        public string Mint(string kind, string member, object body) => (string)AdminPost("/identity/" + kind, body)[member]!;

        /// <summary>The public endpoint of an era: "legacy" (SDK 1.x) or "modern" (SDK 2.x); JSON responses when <paramref name="json"/>.</summary>
        public string PublicOf(string era, bool json = false) => era switch
        {
            "legacy" => json ? PublicJson : Public,
            "modern" => json ? ModernPublicJson : ModernPublic,
            _ => throw new ArgumentOutOfRangeException(nameof(era), era, "legacy or modern"),
        };

        /// <summary>The OAuth-protected endpoint of an era.</summary>
        public string ProtectedOf(string era) => era == "modern" ? ModernMcp : era == "legacy" ? Mcp : throw new ArgumentOutOfRangeException(nameof(era), era, "legacy or modern");

        /// <summary>Gets the requests the MCP port saw for one path (PathAndQuery of <paramref name="url"/>).</summary>
        public List<JsonObject> RequestsTo(string url)
        {
            string path = new Uri(url).AbsolutePath;
            return Requests().FindAll(q => (string?)q["path"] == path);
        }

        /// <summary>Gets the MCP origin, e.g. http://127.0.0.1:1234.</summary>
        public string McpOrigin => new Uri(Mcp).GetLeftPart(UriPartial.Authority);

        public string StandardError
        {
            get
            {
                lock (stderr)
                {
                    return stderr.ToString();
                }
            }
        }

        public JsonObject AdminGet(string path) => JsonNode.Parse(http.GetStringAsync(Admin + path).GetAwaiter().GetResult())!.AsObject();

        public JsonObject AdminPost(string path, object? body = null)
        {
            using var content = new StringContent(body is null ? "{}" : JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
            using HttpResponseMessage response = http.PostAsync(Admin + path, content).GetAwaiter().GetResult();
            response.EnsureSuccessStatusCode();
            return JsonNode.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult())!.AsObject();
        }

        /// <summary>Gets the requests the MCP port saw (method, path, auth scheme, session and version headers).</summary>
        public List<JsonObject> Requests()
        {
            var list = new List<JsonObject>();
            foreach (JsonNode? n in AdminGet("/requests")["requests"]!.AsArray())
            {
                list.Add(n!.AsObject());
            }

            return list;
        }

        /// <summary>Gets the authorization server's event log.</summary>
        public List<JsonObject> Events()
        {
            var list = new List<JsonObject>();
            foreach (JsonNode? n in AdminGet("/log")["events"]!.AsArray())
            {
                list.Add(n!.AsObject());
            }

            return list;
        }

        public void Dispose()
        {
            try
            {
                if (!process.HasExited)
                {
                    process.StandardInput.Close();
                    if (!process.WaitForExit(3000))
                    {
                        process.Kill(entireProcessTree: true);
                    }
                }
            }
            catch (InvalidOperationException)
            {
            }

            process.Dispose();
            http.Dispose();
        }
    }
}
