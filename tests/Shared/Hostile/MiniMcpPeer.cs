using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;

namespace McpAuth.Testing.Hostile
{
    /// <summary>What part of the conversation a request of the <see cref="MiniMcpPeer"/> is.</summary>
    public enum PeerRole
    {
        ProtectedResourceMetadata,
        AuthorizationServerMetadata,
        Registration,
        Authorization,
        Token,
        Revocation,
        Mcp,
        Other,
    }

    /// <summary>An MCP endpoint of the <see cref="MiniMcpPeer"/>: its path, the resource its metadata names, and its authorization server.</summary>
    public sealed record PeerEndpoint(string Path, string Resource, string IssuerPath);

    /// <summary>
    /// A small but real OAuth 2.1 authorization server (metadata, dynamic registration, authorization with PKCE
    /// S256, state and RFC 9207 iss, code and refresh grants with rotation and reuse detection, revocation) and
    /// modern MCP (2026-07-28, stateless JSON) endpoints protected by it, on one <see cref="TestHttpServer"/>.
    /// Tokens are opaque and bound to one resource: an endpoint accepts only tokens issued for the resource
    /// its own metadata names. Every secret it issues is kept in <see cref="Issued"/> for leak checks, and
    /// <see cref="Override"/> replaces any answer with a hostile one.
    /// </summary>
    public sealed class MiniMcpPeer : IDisposable
    {
        private readonly ConcurrentDictionary<string, Grant> accessTokens = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, Grant> refreshTokens = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, Grant> usedRefreshTokens = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, CodeGrant> codes = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, string> clients = new(StringComparer.Ordinal);
        private readonly ConcurrentQueue<string> issued = new();
        private readonly ConcurrentQueue<string> events = new();
        private readonly List<PeerEndpoint> endpoints = new();
        private int counter;

        public MiniMcpPeer()
        {
            Server = new TestHttpServer(Answer);
        }

        public TestHttpServer Server { get; private set; }

        /// <summary>Stops listening, as a peer whose process died: every connection is refused until <see cref="Start"/>.</summary>
        public void Stop() => Server.Dispose();

        /// <summary>Listens again on the same port (what it issued and registered is kept, as by a server with a database).</summary>
        public void Start() => Server = Server.Reopen();

        public string Origin => Server.Origin;

        /// <summary>Gets or sets a hook that may answer a request in place of the peer (null: the peer answers).</summary>
        public Func<TestRequest, PeerRole, TestResponse?>? Override { get; set; }

        /// <summary>
        /// Gets or sets a hook that sees the peer's own answer after the peer acted on the request (a code used, a
        /// refresh token rotated) and may replace what is sent: a peer that dies after doing the work.
        /// </summary>
        public Func<TestRequest, PeerRole, TestResponse, TestResponse>? AfterAnswer { get; set; }

        /// <summary>Gets or sets the access tokens' lifetime.</summary>
        public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);

        /// <summary>Gets every secret this peer issued: access and refresh tokens, and codes (client ids are public).</summary>
        public IReadOnlyList<string> Issued => issued.ToArray();

        /// <summary>Gets what happened, in order ("token refresh_token ok", "refresh-reuse", ...).</summary>
        public IReadOnlyList<string> Events => events.ToArray();

        /// <summary>Gets or sets a value indicating whether the token endpoint answers at all (false: a 503 with no body).</summary>
        public bool TokenEndpointUp { get; set; } = true;

        /// <summary>Adds an MCP endpoint at <paramref name="path"/> whose metadata names <paramref name="resource"/> (default: its own URL) and the issuer at <paramref name="issuerPath"/>.</summary>
        public string AddEndpoint(string path, string? resource = null, string issuerPath = "/as")
        {
            lock (endpoints)
            {
                endpoints.Add(new PeerEndpoint(path, resource ?? Origin + path, issuerPath));
            }

            return Origin + path;
        }

        public string Issuer(string issuerPath = "/as") => Origin + issuerPath;

        /// <summary>Forgets every dynamically registered client (as an authorization server that lost its registrations does): a code issued to one of them gets invalid_client.</summary>
        public void ForgetClients() => clients.Clear();

        /// <summary>Gets the resource of the token, or null when the peer never issued it (or it was revoked).</summary>
        public string? ResourceOf(string accessToken) => accessTokens.TryGetValue(accessToken, out Grant? grant) && !grant.Revoked ? grant.Resource : null;

        /// <summary>Gets the requests one MCP endpoint received.</summary>
        public IReadOnlyList<TestRequest> RequestsTo(string path) => Server.Requests.Where(r => r.Path == path).ToList();

        /// <summary>
        /// An authorization handler for the engine: plays the browser (GET the authorization URL, take the
        /// redirect to the loopback callback) and returns the callback URL.
        /// </summary>
        public Func<Uri, CancellationToken, System.Threading.Tasks.Task<Uri?>> Browser => async (url, token) =>
        {
            using var handler = new System.Net.Http.HttpClientHandler { AllowAutoRedirect = false };
            using var http = new System.Net.Http.HttpClient(handler);
            using System.Net.Http.HttpResponseMessage response = await http.GetAsync(url, token).ConfigureAwait(false);
            return response.Headers.Location;
        };

        public void Dispose() => Server.Dispose();

        private TestResponse? Answer(TestRequest request)
        {
            PeerRole role = RoleOf(request, out PeerEndpoint? endpoint, out string? issuerPath);
            if (Override?.Invoke(request, role) is TestResponse hostile)
            {
                return hostile;
            }

            TestResponse? answer = role switch
            {
                PeerRole.ProtectedResourceMetadata => Prm(endpoint!),
                PeerRole.AuthorizationServerMetadata => Asm(issuerPath!),
                PeerRole.Registration => Register(request, issuerPath!),
                PeerRole.Authorization => Authorize(request, issuerPath!),
                PeerRole.Token => Token(request, issuerPath!),
                PeerRole.Revocation => Revoke(request),
                PeerRole.Mcp => Mcp(request, endpoint!),
                _ => null,
            };
            return answer is not null && AfterAnswer is { } after ? after(request, role, answer) : answer;
        }

        private PeerRole RoleOf(TestRequest request, out PeerEndpoint? endpoint, out string? issuerPath)
        {
            endpoint = null;
            issuerPath = null;
            PeerEndpoint[] all;
            lock (endpoints)
            {
                all = endpoints.ToArray();
            }

            const string prm = "/.well-known/oauth-protected-resource";
            const string asm = "/.well-known/oauth-authorization-server";
            if (request.Path.StartsWith(prm, StringComparison.Ordinal))
            {
                endpoint = all.FirstOrDefault(e => prm + e.Path == request.Path);
                return endpoint is null ? PeerRole.Other : PeerRole.ProtectedResourceMetadata;
            }

            if (request.Path.StartsWith(asm, StringComparison.Ordinal))
            {
                string named = request.Path.Substring(asm.Length);
                issuerPath = named;
                return all.Any(e => e.IssuerPath == named) ? PeerRole.AuthorizationServerMetadata : PeerRole.Other;
            }

            endpoint = all.FirstOrDefault(e => e.Path == request.Path);
            if (endpoint is not null)
            {
                return PeerRole.Mcp;
            }

            foreach (string path in all.Select(e => e.IssuerPath).Distinct())
            {
                issuerPath = path;
                switch (request.Path.Substring(Math.Min(path.Length, request.Path.Length)))
                {
                    case "/register" when request.Path.StartsWith(path, StringComparison.Ordinal):
                        return PeerRole.Registration;
                    case "/authorize" when request.Path.StartsWith(path, StringComparison.Ordinal):
                        return PeerRole.Authorization;
                    case "/token" when request.Path.StartsWith(path, StringComparison.Ordinal):
                        return PeerRole.Token;
                    case "/revoke" when request.Path.StartsWith(path, StringComparison.Ordinal):
                        return PeerRole.Revocation;
                }
            }

            issuerPath = null;
            return PeerRole.Other;
        }

        /// <summary>The protected resource metadata document of an endpoint.</summary>
        public string PrmJson(PeerEndpoint endpoint) => new JsonObject
        {
            ["resource"] = endpoint.Resource,
            ["authorization_servers"] = new JsonArray(Issuer(endpoint.IssuerPath)),
            ["scopes_supported"] = new JsonArray("mcp:read"),
            ["bearer_methods_supported"] = new JsonArray("header"),
        }.ToJsonString();

        /// <summary>The authorization server metadata document of an issuer.</summary>
        public string AsmJson(string issuerPath)
        {
            string issuer = Issuer(issuerPath);
            return new JsonObject
            {
                ["issuer"] = issuer,
                ["authorization_endpoint"] = issuer + "/authorize",
                ["token_endpoint"] = issuer + "/token",
                ["registration_endpoint"] = issuer + "/register",
                ["revocation_endpoint"] = issuer + "/revoke",
                ["code_challenge_methods_supported"] = new JsonArray("S256"),
                ["scopes_supported"] = new JsonArray("mcp:read", "offline_access"),
                ["response_types_supported"] = new JsonArray("code"),
                ["grant_types_supported"] = new JsonArray("authorization_code", "refresh_token"),
                ["token_endpoint_auth_methods_supported"] = new JsonArray("none"),
                ["authorization_response_iss_parameter_supported"] = true,
            }.ToJsonString();
        }

        /// <summary>The challenge of an endpoint's 401.</summary>
        public string Challenge(PeerEndpoint endpoint) =>
            $"Bearer error=\"invalid_token\", resource_metadata=\"{Origin}/.well-known/oauth-protected-resource{endpoint.Path}\"";

        private TestResponse Prm(PeerEndpoint endpoint) => TestResponse.Json(PrmJson(endpoint));

        private TestResponse Asm(string issuerPath) => TestResponse.Json(AsmJson(issuerPath));

        private TestResponse Register(TestRequest request, string issuerPath)
        {
            JsonObject? body = JsonNode.Parse(request.Body) as JsonObject;
            string clientId = issuerPath.Trim('/') + "-client-" + Next();
            clients[clientId] = issuerPath;
            events.Enqueue("register " + clientId);
            var answer = new JsonObject
            {
                ["client_id"] = clientId,
                ["redirect_uris"] = body?["redirect_uris"]?.DeepClone(),
                ["grant_types"] = new JsonArray("authorization_code", "refresh_token"),
                ["token_endpoint_auth_method"] = "none",
                ["application_type"] = "native",
            };
            return TestResponse.Json(answer.ToJsonString(), 201);
        }

        private TestResponse Authorize(TestRequest request, string issuerPath)
        {
            Dictionary<string, string> q = request.QueryFields;
            string redirect = q.GetValueOrDefault("redirect_uri", string.Empty);
            string state = q.GetValueOrDefault("state", string.Empty);
            string code = "code-" + Next() + "-" + Random(12);
            issued.Enqueue(code);
            codes[code] = new CodeGrant(q.GetValueOrDefault("client_id", string.Empty), redirect, q.GetValueOrDefault("code_challenge", string.Empty), q.GetValueOrDefault("resource", string.Empty), q.GetValueOrDefault("scope", string.Empty), issuerPath);
            events.Enqueue("authorize " + q.GetValueOrDefault("resource", string.Empty));
            return TestResponse.Redirect($"{redirect}?code={Uri.EscapeDataString(code)}&state={Uri.EscapeDataString(state)}&iss={Uri.EscapeDataString(Issuer(issuerPath))}");
        }

        private TestResponse Token(TestRequest request, string issuerPath)
        {
            if (!TokenEndpointUp)
            {
                return TestResponse.Text(string.Empty, 503);
            }

            Dictionary<string, string> form = request.FormFields;
            string grantType = form.GetValueOrDefault("grant_type", string.Empty);
            if (grantType == "authorization_code")
            {
                if (!codes.TryRemove(form.GetValueOrDefault("code", string.Empty), out CodeGrant? code) || code.IssuerPath != issuerPath)
                {
                    return OAuthError("invalid_grant", "unknown code");
                }

                string verifier = form.GetValueOrDefault("code_verifier", string.Empty);
                string challenge = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
                if (challenge != code.Challenge || form.GetValueOrDefault("redirect_uri") != code.RedirectUri)
                {
                    return OAuthError("invalid_grant", "PKCE or redirect_uri mismatch");
                }

                if (!clients.ContainsKey(code.ClientId))
                {
                    return OAuthError("invalid_client", "unknown client", 401);
                }

                events.Enqueue("token authorization_code " + code.Resource);
                return Tokens(new Grant(code.ClientId, code.Resource, issuerPath, code.Scope));
            }

            if (grantType == "refresh_token")
            {
                string presented = form.GetValueOrDefault("refresh_token", string.Empty);
                if (usedRefreshTokens.TryGetValue(presented, out Grant? reused))
                {
                    reused.Revoked = true;
                    events.Enqueue("refresh-reuse " + reused.Resource);
                    return OAuthError("invalid_grant", "refresh token already used; the grant is revoked");
                }

                if (!refreshTokens.TryRemove(presented, out Grant? grant) || grant.Revoked || grant.IssuerPath != issuerPath)
                {
                    return OAuthError("invalid_grant", "unknown refresh token");
                }

                usedRefreshTokens[presented] = grant;
                events.Enqueue("token refresh_token " + grant.Resource);
                return Tokens(grant);
            }

            return OAuthError("unsupported_grant_type", grantType);
        }

        private TestResponse Tokens(Grant grant)
        {
            string access = "at-" + Next() + "-" + Random(16);
            string refresh = "rt-" + Next() + "-" + Random(16);
            issued.Enqueue(access);
            issued.Enqueue(refresh);
            accessTokens[access] = grant;
            refreshTokens[refresh] = grant;
            return TestResponse.Json(new JsonObject
            {
                ["access_token"] = access,
                ["token_type"] = "Bearer",
                ["expires_in"] = (long)AccessTokenLifetime.TotalSeconds,
                ["refresh_token"] = refresh,
                ["scope"] = "mcp:read",
            }.ToJsonString());
        }

        private TestResponse Revoke(TestRequest request)
        {
            string token = request.FormFields.GetValueOrDefault("token", string.Empty);
            if (accessTokens.TryGetValue(token, out Grant? grant) || refreshTokens.TryGetValue(token, out grant))
            {
                grant.Revoked = true;
            }

            events.Enqueue("revoke");
            return TestResponse.Text(string.Empty, 200);
        }

        private TestResponse Mcp(TestRequest request, PeerEndpoint endpoint)
        {
            string? bearer = request.Bearer;
            if (bearer is null || !accessTokens.TryGetValue(bearer, out Grant? grant) || grant.Revoked || grant.Resource != endpoint.Resource || grant.IssuerPath != endpoint.IssuerPath)
            {
                return TestResponse.Json("{\"error\":\"invalid_token\"}", 401).WithHeader("WWW-Authenticate", Challenge(endpoint));
            }

            if (request.Method != "POST")
            {
                return TestResponse.Text(string.Empty, 405);
            }

            return McpAnswer(request) is string json ? TestResponse.Json(json) : TestResponse.Text(string.Empty, 202);
        }

        /// <summary>The JSON-RPC answer of a well-behaved modern server to one request body, or null for a notification.</summary>
        public static string? McpAnswer(TestRequest request)
        {
            JsonObject? message;
            try
            {
                message = JsonNode.Parse(request.Body) as JsonObject;
            }
            catch (JsonException)
            {
                return "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"parse error\"}}";
            }

            JsonNode? id = message?["id"]?.DeepClone();
            if (id is null)
            {
                return null;
            }

            string method = (string?)message!["method"] ?? string.Empty;
            JsonNode? result = method switch
            {
                "server/discover" => new JsonObject
                {
                    ["supportedVersions"] = new JsonArray("2026-07-28"),
                    ["capabilities"] = new JsonObject { ["tools"] = new JsonObject() },
                    ["_meta"] = new JsonObject { ["io.modelcontextprotocol/serverInfo"] = new JsonObject { ["name"] = "mini-peer", ["version"] = "1.0.0" } },
                },
                "tools/list" => new JsonObject
                {
                    ["tools"] = new JsonArray(new JsonObject
                    {
                        ["name"] = "echo",
                        ["inputSchema"] = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["message"] = new JsonObject { ["type"] = "string" } } },
                    }),
                },
                "tools/call" => new JsonObject
                {
                    ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = (string?)message["params"]?["arguments"]?["message"] ?? string.Empty }),
                },
                _ => null,
            };
            var answer = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id };
            if (result is null)
            {
                answer["error"] = new JsonObject { ["code"] = -32601, ["message"] = "method not found" };
            }
            else
            {
                answer["result"] = result;
            }

            return answer.ToJsonString();
        }

        private static TestResponse OAuthError(string error, string description, int status = 400) =>
            TestResponse.Json(new JsonObject { ["error"] = error, ["error_description"] = description }.ToJsonString(), status);

        private int Next() => Interlocked.Increment(ref counter);

        private static string Random(int bytes) => Base64Url(RandomNumberGenerator.GetBytes(bytes));

        private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        private sealed record CodeGrant(string ClientId, string RedirectUri, string Challenge, string Resource, string Scope, string IssuerPath);

        private sealed class Grant
        {
            public Grant(string clientId, string resource, string issuerPath, string scope)
            {
                ClientId = clientId;
                Resource = resource;
                IssuerPath = issuerPath;
                Scope = scope;
            }

            public string ClientId { get; }

            public string Resource { get; }

            public string IssuerPath { get; }

            public string Scope { get; }

            public bool Revoked { get; set; }
        }
    }
}
