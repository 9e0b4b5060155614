using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Mcp;
using McpAuth.Testing;

namespace McpAuth.Core.Tests.Fuzz
{
    /// <summary>An HTTP answer before it becomes bytes: what the honest world would send, and what a mutator changes.</summary>
    public sealed class Answer
    {
        public int Status { get; set; } = 200;

        public string Reason { get; set; } = "OK";

        public List<KeyValuePair<string, string>> Headers { get; } = new();

        public byte[] Body { get; set; } = Array.Empty<byte>();

        /// <summary>Gets or sets the body as JSON when the honest answer is JSON (for the JSON mutators), else null.</summary>
        public JsonNode? Json { get; set; }

        /// <summary>Gets or sets a value indicating whether the body is a server-sent event stream of MCP messages.</summary>
        public bool IsEventStream { get; set; }

        public static Answer OfJson(JsonNode json, int status = 200, string contentType = "application/json")
        {
            var answer = new Answer { Status = status, Reason = ReasonOf(status), Json = json };
            answer.Headers.Add(new("Content-Type", contentType));
            answer.Body = Encoding.UTF8.GetBytes(json.ToJsonString());
            return answer;
        }

        public static Answer Empty(int status) => new() { Status = status, Reason = ReasonOf(status) };

        public string? Header(string name) => Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

        public void SetHeader(string name, string value)
        {
            Headers.RemoveAll(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase));
            Headers.Add(new(name, value));
        }

        /// <summary>Sets the body from JSON text, keeping the SSE framing when the answer is an event stream.</summary>
        public void SetJsonText(string text) => Body = Encoding.UTF8.GetBytes(IsEventStream ? FuzzWorld.SseOf(text) : text);

        /// <summary>The well-formed HTTP/1.1 bytes: status line, headers, Content-Length, Connection: close, body.</summary>
        public TestResponse ToRaw() => TestResponse.Raw(Concat(Head(includeLength: true), Body));

        public byte[] Head(bool includeLength, string? version = null) => TestResponse.Head(Status, Reason, Headers, includeLength ? Body.Length : null, version ?? "HTTP/1.1");

        public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

        public static string ReasonOf(int status) => TestResponse.ReasonOf(status);
    }

    /// <summary>The era an MCP server of a case speaks.</summary>
    public enum FuzzEra
    {
        Modern,
        Legacy,
    }

    /// <summary>
    /// The secrets one case planted: every token, code and client secret the world delivered to the engine in an
    /// honest answer, and every credential the engine sent (bearer token, client secret, code, verifier, refresh
    /// token). A value the engine never received is not planted: it cannot know to mask it. None of them, in any
    /// of the forms a server might echo (as sent, URL-encoded, base64, base64url), may appear in an exception or
    /// a message.
    /// </summary>
    public sealed class PlantedSecrets
    {
        private readonly ConcurrentDictionary<string, string> values = new(StringComparer.Ordinal);

        public void Add(string kind, string? value)
        {
            // Shorter values are ordinary words; the engine's redaction skips them too.
            if (value is not null && value.Trim().Length >= 6)
            {
                values.TryAdd(value, kind);
            }
        }

        public IReadOnlyCollection<KeyValuePair<string, string>> All => values.ToArray();

        /// <summary>Returns the kind of the first secret found in <paramref name="text"/> (in any form), or null.</summary>
        public string? FindIn(string text)
        {
            foreach (KeyValuePair<string, string> secret in values)
            {
                foreach (string form in Forms(secret.Key))
                {
                    if (form.Length >= 6 && text.Contains(form, StringComparison.Ordinal))
                    {
                        return secret.Value;
                    }
                }
            }

            return null;
        }

        /// <summary>Replaces every secret in <paramref name="text"/> by its kind, for printing a finding.</summary>
        public string Mask(string text)
        {
            foreach (KeyValuePair<string, string> secret in values)
            {
                foreach (string form in Forms(secret.Key).Where(f => f.Length >= 6).OrderByDescending(f => f.Length))
                {
                    text = text.Replace(form, "<" + secret.Value + ">", StringComparison.Ordinal);
                }
            }

            return text;
        }

        public static IEnumerable<string> Forms(string value)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(value);
            string base64 = Convert.ToBase64String(bytes);
            yield return value;
            yield return Uri.EscapeDataString(value);
            yield return base64;
            yield return base64.TrimEnd('=');
            yield return base64.TrimEnd('=').Replace('+', '-').Replace('/', '_');
        }
    }

    /// <summary>
    /// The honest world of one case, all on one real local server: an MCP server (modern or legacy, JSON or SSE
    /// answers) that asks for a bearer token, its protected resource metadata, an authorization server with
    /// metadata, dynamic registration and a token endpoint, and the person who approves the sign-in (the
    /// authorization handler). Everything is under a per-case path prefix, so the process-wide era memory and
    /// credential store never mix two cases. One stage of it is handed to a mutator.
    /// </summary>
    public sealed class FuzzWorld : IDisposable
    {
        private readonly Random random;
        private readonly object gate = new();
        private readonly Dictionary<string, int> seen = new(StringComparer.Ordinal);
        private readonly HashSet<string> validTokens = new(StringComparer.Ordinal);
        private readonly HashSet<string> generated = new(StringComparer.Ordinal);
        private string? codeChallenge;
        private string? refreshToken;
        private int issued;

        public FuzzWorld(int caseIndex, Random random, FuzzEra era, bool eventStream, FuzzMutation? mutation)
        {
            this.random = random;
            Era = era;
            EventStream = eventStream;
            Mutation = mutation;
            Prefix = "/c" + caseIndex;
            ClientId = "fz-client-" + caseIndex;
            Code = Fresh("code");
            ClientSecret = Fresh("cs");
            Server = new TestHttpServer(Handle);
        }

        public TestHttpServer Server { get; }

        public FuzzEra Era { get; }

        public bool EventStream { get; }

        public FuzzMutation? Mutation { get; }

        public string Prefix { get; }

        public string ClientId { get; }

        public string Code { get; }

        public string ClientSecret { get; }

        public PlantedSecrets Secrets { get; } = new();

        public Random Random => random;

        public string Origin => Server.Origin;

        public Uri McpUrl => new(Origin + Prefix + "/mcp");

        public string Issuer => Origin + Prefix;

        public string PrmUrl => Origin + "/.well-known/oauth-protected-resource" + Prefix + "/mcp";

        /// <summary>Gets how many times each stage was answered.</summary>
        public IReadOnlyDictionary<string, int> Seen
        {
            get
            {
                lock (gate)
                {
                    return new Dictionary<string, int>(seen);
                }
            }
        }

        public void Dispose() => Server.Dispose();

        /// <summary>A random secret value (24 characters of base62 after a kind prefix).</summary>
        public string Fresh(string kind)
        {
            const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
            var text = new StringBuilder(kind).Append('-');
            lock (gate)
            {
                for (int i = 0; i < 24; i++)
                {
                    text.Append(alphabet[random.Next(alphabet.Length)]);
                }
            }

            lock (gate)
            {
                generated.Add(text.ToString());
            }

            return text.ToString();
        }

        /// <summary>The person at the browser: approves at once and hands back the callback URL (or the mutated one).</summary>
        public Task<Uri?> ApproveAsync(Uri authorizationUrl, CancellationToken cancellationToken)
        {
            Dictionary<string, string> query = QueryOf(authorizationUrl.Query);
            lock (gate)
            {
                codeChallenge = query.GetValueOrDefault("code_challenge");
            }

            string redirect = query.GetValueOrDefault("redirect_uri") ?? "http://127.0.0.1/callback";
            string callback = redirect + (redirect.Contains('?') ? "&" : "?") + "code=" + Uri.EscapeDataString(Code) + "&state=" + Uri.EscapeDataString(query.GetValueOrDefault("state") ?? string.Empty) + "&iss=" + Uri.EscapeDataString(Issuer);
            if (Mutation is not null && Mutation.Stage == FuzzStages.Callback && Count(FuzzStages.Callback) is int n && Mutation.Applies(n))
            {
                callback = Mutation.MutateCallback!(callback, query, this);
            }

            if (callback.Contains("code=" + Uri.EscapeDataString(Code), StringComparison.Ordinal))
            {
                Secrets.Add("code", Code);
            }

            Uri? answer = Uri.TryCreate(callback, UriKind.Absolute, out Uri? parsed) ? parsed : null;
            return Task.FromResult(answer);
        }

        internal static string SseOf(string json) => "event: message\nid: 1\ndata: " + json + "\n\n";

        private static Dictionary<string, string> QueryOf(string query)
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (string pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                string[] parts = pair.Split('=', 2);
                result[Uri.UnescapeDataString(parts[0].Replace('+', ' '))] = parts.Length > 1 ? Uri.UnescapeDataString(parts[1].Replace('+', ' ')) : string.Empty;
            }

            return result;
        }

        private int Count(string stage)
        {
            lock (gate)
            {
                int n = seen.GetValueOrDefault(stage);
                seen[stage] = n + 1;
                return n;
            }
        }

        private TestResponse Handle(TestRequest request)
        {
            PlantSent(request);
            var delivered = new List<KeyValuePair<string, string>>();
            (string stage, Answer answer) = Honest(request, delivered);
            int occurrence = Count(stage);
            if (Mutation is not null && Mutation.Stage == stage && Mutation.Applies(occurrence) && Mutation.Mutate is not null)
            {
                return Mutation.Mutate(answer, request, this);
            }

            foreach (KeyValuePair<string, string> secret in delivered)
            {
                Secrets.Add(secret.Key, secret.Value);
            }

            return answer.ToRaw();
        }

        /// <summary>
        /// Plants every credential the engine sent that the world generated (a hostile value a mutation made a token
        /// of, such as "2026-07-28", is ordinary text elsewhere), and the engine's own PKCE verifier.
        /// </summary>
        private void PlantSent(TestRequest request)
        {
            void Plant(string kind, string? value)
            {
                bool known;
                lock (gate)
                {
                    known = value is not null && (generated.Contains(value) || kind == "code_verifier");
                }

                if (known)
                {
                    Secrets.Add(kind, value);
                }
            }

            string? authorization = request.Header("Authorization");
            if (authorization?.StartsWith("Bearer ", StringComparison.Ordinal) == true)
            {
                Plant("access_token", authorization.Substring(7));
            }
            else if (authorization?.StartsWith("Basic ", StringComparison.Ordinal) == true)
            {
                try
                {
                    string pair = Encoding.UTF8.GetString(Convert.FromBase64String(authorization.Substring(6)));
                    string secret = Uri.UnescapeDataString(pair.Substring(pair.IndexOf(':') + 1));
                    Plant("client_secret", secret);
                    if (Secrets.All.Any(s => s.Key == secret))
                    {
                        Secrets.Add("client_credentials", authorization.Substring(6));
                    }
                }
                catch (FormatException)
                {
                }
            }

            if (request.Header("Content-Type")?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true)
            {
                Dictionary<string, string> form = request.FormFields;
                foreach (string name in new[] { "code", "code_verifier", "refresh_token", "client_secret", "client_assertion", "token" })
                {
                    Plant(name, form.GetValueOrDefault(name));
                }
            }
        }

        private (string Stage, Answer Answer) Honest(TestRequest request, List<KeyValuePair<string, string>> delivered)
        {
            string path = request.Path;
            if (path == Prefix + "/mcp")
            {
                return Mcp(request);
            }

            if (path == "/.well-known/oauth-protected-resource" + Prefix + "/mcp" && request.Method == "GET")
            {
                return (FuzzStages.Prm, Answer.OfJson(new JsonObject
                {
                    ["resource"] = McpUrl.AbsoluteUri,
                    ["authorization_servers"] = new JsonArray(Issuer),
                    ["scopes_supported"] = new JsonArray("mcp"),
                    ["bearer_methods_supported"] = new JsonArray("header"),
                }));
            }

            if (path == "/.well-known/oauth-authorization-server" + Prefix && request.Method == "GET")
            {
                return (FuzzStages.Asm, Answer.OfJson(new JsonObject
                {
                    ["issuer"] = Issuer,
                    ["authorization_endpoint"] = Issuer + "/authorize",
                    ["token_endpoint"] = Issuer + "/token",
                    ["registration_endpoint"] = Issuer + "/register",
                    ["response_types_supported"] = new JsonArray("code"),
                    ["grant_types_supported"] = new JsonArray("authorization_code", "refresh_token"),
                    ["code_challenge_methods_supported"] = new JsonArray("S256"),
                    ["scopes_supported"] = new JsonArray("mcp", "offline_access"),
                    ["token_endpoint_auth_methods_supported"] = new JsonArray("client_secret_basic", "none"),
                    ["authorization_response_iss_parameter_supported"] = true,
                }));
            }

            if (path == Prefix + "/register" && request.Method == "POST")
            {
                JsonNode? asked = TryParse(request.Body);
                delivered.Add(new("client_secret", ClientSecret));
                return (FuzzStages.Register, Answer.OfJson(
                    new JsonObject
                    {
                        ["client_id"] = ClientId,
                        ["client_secret"] = ClientSecret,
                        ["client_id_issued_at"] = 1767225600,
                        ["client_secret_expires_at"] = 0,
                        ["token_endpoint_auth_method"] = "client_secret_basic",
                        ["redirect_uris"] = asked?["redirect_uris"]?.DeepClone() ?? new JsonArray("http://127.0.0.1/callback"),
                        ["grant_types"] = new JsonArray("authorization_code", "refresh_token"),
                        ["response_types"] = new JsonArray("code"),
                    },
                    201));
            }

            if (path == Prefix + "/token" && request.Method == "POST")
            {
                return Token(request, delivered);
            }

            return (FuzzStages.Other, Answer.OfJson(new JsonObject { ["error"] = "not_found" }, 404));
        }

        private (string, Answer) Token(TestRequest request, List<KeyValuePair<string, string>> delivered)
        {
            Dictionary<string, string> form = request.FormFields;
            string grant = form.GetValueOrDefault("grant_type") ?? string.Empty;
            string stage = grant == "refresh_token" ? FuzzStages.Refresh : FuzzStages.Token;
            string expectedBasic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.EscapeDataString(ClientId) + ":" + Uri.EscapeDataString(ClientSecret)));
            bool clientOk = request.Header("Authorization") == expectedBasic
                || (form.GetValueOrDefault("client_id") == ClientId && form.GetValueOrDefault("client_secret") == ClientSecret);
            if (!clientOk)
            {
                return (stage, Answer.OfJson(new JsonObject { ["error"] = "invalid_client" }, 401));
            }

            bool grantOk;
            lock (gate)
            {
                grantOk = grant switch
                {
                    "authorization_code" => form.GetValueOrDefault("code") == Code && Verifies(form.GetValueOrDefault("code_verifier"), codeChallenge),
                    "refresh_token" => refreshToken is not null && form.GetValueOrDefault("refresh_token") == refreshToken,
                    _ => false,
                };
            }

            if (!grantOk)
            {
                return (stage, Answer.OfJson(new JsonObject { ["error"] = "invalid_grant" }, 400));
            }

            string access = Fresh("at" + Interlocked.Increment(ref issued));
            string refresh = Fresh("rt" + issued);
            delivered.Add(new("access_token", access));
            delivered.Add(new("refresh_token", refresh));
            lock (gate)
            {
                validTokens.Add(access);
                refreshToken = refresh;
            }

            var body = new JsonObject
            {
                ["access_token"] = access,
                ["token_type"] = "Bearer",
                ["expires_in"] = 3600,
                ["refresh_token"] = refresh,
                ["scope"] = "mcp offline_access",
            };
            var answer = Answer.OfJson(body);
            answer.Headers.Add(new("Cache-Control", "no-store"));
            return (stage, answer);
        }

        /// <summary>Lets a mutated token response's tokens in, so a case goes on past a token the engine accepted.</summary>
        internal void Accept(string? accessToken, string? refresh)
        {
            lock (gate)
            {
                if (accessToken is not null)
                {
                    validTokens.Add(accessToken);
                }

                if (refresh is not null)
                {
                    refreshToken = refresh;
                }
            }
        }

        private static bool Verifies(string? verifier, string? challenge)
        {
            if (verifier is null || challenge is null)
            {
                return false;
            }

            byte[] hash = SHA256.HashData(Encoding.ASCII.GetBytes(verifier));
            return Convert.ToBase64String(hash).TrimEnd('=').Replace('+', '-').Replace('/', '_') == challenge;
        }

        private (string, Answer) Mcp(TestRequest request)
        {
            string? authorization = request.Header("Authorization");
            bool authorized;
            lock (gate)
            {
                authorized = authorization is not null && authorization.StartsWith("Bearer ", StringComparison.Ordinal) && validTokens.Contains(authorization.Substring(7));
            }

            if (!authorized)
            {
                Answer challenge = Answer.OfJson(new JsonObject { ["error"] = "invalid_token" }, 401);
                challenge.Headers.Add(new("WWW-Authenticate", $"Bearer error=\"invalid_token\", resource_metadata=\"{PrmUrl}\", scope=\"mcp\""));
                return (FuzzStages.Challenge, challenge);
            }

            if (request.Method == "GET")
            {
                return (FuzzStages.McpGet, Answer.Empty(405));
            }

            if (request.Method == "DELETE")
            {
                return (FuzzStages.McpDelete, Answer.Empty(200));
            }

            JsonNode? message = TryParse(request.Body);
            string method = (string?)message?["method"] ?? "?";
            JsonNode? id = message?["id"]?.DeepClone();
            string stage = FuzzStages.McpPrefix + method;
            if (id is null)
            {
                return (stage, Answer.Empty(202));
            }

            JsonObject? result = Era == FuzzEra.Modern ? ModernResult(method) : LegacyResult(method);
            if (result is null)
            {
                // A legacy server does not know server/discover (the SDK's 400), nor any method before initialize.
                return (stage, Answer.OfJson(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = null, ["error"] = new JsonObject { ["code"] = -32000, ["message"] = "Bad Request: Server not initialized" } }, 400));
            }

            var envelope = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["result"] = result };
            Answer answer = Answer.OfJson(envelope);
            if (EventStream)
            {
                answer.IsEventStream = true;
                answer.SetHeader("Content-Type", "text/event-stream");
                answer.SetHeader("Cache-Control", "no-cache");
                answer.SetJsonText(envelope.ToJsonString());
            }

            if (Era == FuzzEra.Legacy && method == "initialize")
            {
                answer.Headers.Add(new("Mcp-Session-Id", "fz-session-" + Prefix.Substring(2)));
            }

            return (stage, answer);
        }

        private static JsonObject? ModernResult(string method) => method switch
        {
            "server/discover" => new JsonObject
            {
                ["supportedVersions"] = new JsonArray("2026-07-28"),
                ["capabilities"] = new JsonObject { ["tools"] = new JsonObject() },
                ["serverInfo"] = new JsonObject { ["name"] = "fuzz-modern", ["version"] = "1.0.0" },
            },
            "tools/list" => ToolsList(),
            "tools/call" => ToolResult(),
            _ => new JsonObject(),
        };

        private static JsonObject? LegacyResult(string method) => method switch
        {
            "server/discover" => null,
            "initialize" => new JsonObject
            {
                ["protocolVersion"] = "2025-11-25",
                ["capabilities"] = new JsonObject { ["tools"] = new JsonObject() },
                ["serverInfo"] = new JsonObject { ["name"] = "fuzz-legacy", ["version"] = "1.0.0" },
            },
            "tools/list" => ToolsList(),
            "tools/call" => ToolResult(),
            _ => new JsonObject(),
        };

        private static JsonObject ToolsList() => new()
        {
            ["tools"] = new JsonArray(new JsonObject
            {
                ["name"] = "echo",
                ["description"] = "Echoes the message.",
                ["inputSchema"] = new JsonObject
                {
                    ["type"] = "object",
                    ["properties"] = new JsonObject { ["message"] = new JsonObject { ["type"] = "string" } },
                },
            }),
        };

        private static JsonObject ToolResult() => new()
        {
            ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "echo: hi" }),
            ["structuredContent"] = new JsonObject { ["echo"] = "hi" },
            ["isError"] = false,
        };

        internal static JsonNode? TryParse(string text)
        {
            try
            {
                return JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }

    /// <summary>The stages of a case's world, by the request they answer.</summary>
    public static class FuzzStages
    {
        public const string Challenge = "challenge";
        public const string Prm = "prm";
        public const string Asm = "asm";
        public const string Register = "register";
        public const string Callback = "callback";
        public const string Token = "token";
        public const string Refresh = "refresh";
        public const string McpPrefix = "mcp:";
        public const string McpGet = "mcp:GET";
        public const string McpDelete = "mcp:DELETE";
        public const string Other = "other";

        public static readonly string[] Auth = { Challenge, Prm, Asm, Register, Callback, Token, Refresh };

        public static readonly string[] Modern = { "mcp:server/discover", "mcp:tools/list", "mcp:tools/call" };

        public static readonly string[] Legacy = { "mcp:server/discover", "mcp:initialize", "mcp:notifications/initialized", McpGet, "mcp:tools/call", McpDelete };

        public static bool IsJson(string stage) => stage is Prm or Asm or Register or Token or Refresh
            || (stage.StartsWith(McpPrefix, StringComparison.Ordinal) && stage != McpGet && stage != McpDelete && stage != "mcp:notifications/initialized");
    }

    /// <summary>One mutation of one stage of a case.</summary>
    public sealed class FuzzMutation
    {
        public FuzzMutation(string generator, string stage, bool sticky)
        {
            Generator = generator;
            Stage = stage;
            Sticky = sticky;
        }

        /// <summary>Gets the generator's name (stable: the allow-list and the report use it).</summary>
        public string Generator { get; }

        public string Stage { get; }

        /// <summary>Gets a value indicating whether every answer of the stage is mutated (else only the first).</summary>
        public bool Sticky { get; }

        /// <summary>Gets or sets what the variant was, for the report (never a secret: generated before any is issued).</summary>
        public string Detail { get; set; } = string.Empty;

        public Func<Answer, TestRequest, FuzzWorld, TestResponse>? Mutate { get; set; }

        public Func<string, Dictionary<string, string>, FuzzWorld, string>? MutateCallback { get; set; }

        public bool Applies(int occurrence) => Sticky || occurrence == 0;

        public override string ToString() => $"{Generator} @ {Stage}{(Sticky ? " (every answer)" : string.Empty)}{(Detail.Length > 0 ? ": " + Detail : string.Empty)}";
    }
}
