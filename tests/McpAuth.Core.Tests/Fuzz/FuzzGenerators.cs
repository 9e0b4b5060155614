using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using McpAuth.Testing;

namespace McpAuth.Core.Tests.Fuzz
{
    /// <summary>
    /// The hostile input generators. Each one takes the honest answer of one stage and breaks it in one way
    /// (a value, the JSON, the HTTP framing, the timing, the SSE framing, the challenge header, the callback).
    /// Every choice is drawn from a per-case seed at plan time or from a per-answer seed, so a case replays
    /// exactly with the same seed and index.
    /// </summary>
    public static class FuzzGenerators
    {
        private const string Placeholder = "__fuzz_placeholder__";

        /// <summary>Hostile JSON values, as raw JSON text.</summary>
        private static readonly string[] HostileValues =
        {
            "null", "true", "false", "0", "-1", "1.5", "-0", "1e400", "-1e400", "315537897599", "9223372036854775808",
            "-9223372036854775809", "99999999999999999999999999999", "0.0000000001", "\"\"", "\" \"", "\"\\u0000\"", "\"a\\u0000b\"",
            "\"a\\nb\"", "\"a\\r\\nSet-Cookie: x=y\"", "\"\\ud800\"", "\"\\udfff\\ud800\"", "\"\\u202e\\u200b\"", "\"日本語\"",
            "[]", "{}", "[null]", "[[]]", "[1,2,3]", "{\"a\":[{}]}", "\"http://\"", "\"javascript:alert(1)\"", "\"file:///etc/passwd\"",
            "\"https://evil.example/\"", "\"http://127.0.0.1:1/\"", "\"http://user:pw@127.0.0.1/\"", "\"//evil.example\"", "\"/relative\"",
            "\"%00%ff\"", "\"S256\"", "\"plain\"", "\"true\"", "\"3600\"", "\"Bearer\"", "\"2026-07-28\"", "\"2025-11-25\"",
            "\"1999-01-01\"", "\"9999-99-99\"", "\"input_required\"", "\"complete\"", "\"a b\\tc\"", "\"\\\\\\\"\"",
        };

        public static readonly IReadOnlyList<FuzzGenerator> All = new FuzzGenerator[]
        {
            new("json.truncate", IsJsonStage, 3, TruncateJson),
            new("json.replace-value", IsJsonStage, 8, ReplaceValue),
            new("json.remove-member", IsJsonStage, 4, RemoveMember),
            new("json.duplicate-member", IsJsonStage, 4, DuplicateMember),
            new("json.unknown-members", IsJsonStage, 2, UnknownMembers),
            new("json.root-type", IsJsonStage, 2, RootType),
            new("json.garbage", IsJsonStage, 2, Garbage),
            new("json.deep-nesting", IsJsonStage, 1, DeepNesting),
            new("json.huge", IsJsonStage, 1, Huge),
            new("json.echo-secret", IsJsonStage, 4, EchoSecret),
            new("mcp.field", IsMcpJsonStage, 6, McpField),
            new("rpc.envelope", IsMcpJsonStage, 3, RpcEnvelope),
            new("rpc.error", IsMcpJsonStage, 3, RpcError),
            new("sse.framing", IsEventStreamStage, 5, SseFraming),
            new("http.status", IsHttpStage, 4, Status),
            new("http.content-type", IsHttpStage, 2, ContentType),
            new("http.headers", IsHttpStage, 3, Headers),
            new("http.framing", IsHttpStage, 4, Framing),
            new("http.stall", IsHttpStage, 1, Stall),
            new("challenge.www-authenticate", c => c.Stage == FuzzStages.Challenge, 10, Challenge),
            new("callback.params", c => c.Stage == FuzzStages.Callback, 10, Callback),
        };

        private static bool IsHttpStage(StageContext c) => c.Stage != FuzzStages.Callback;

        private static bool IsJsonStage(StageContext c) => c.Stage != FuzzStages.Callback && FuzzStages.IsJson(c.Stage);

        private static bool IsMcpJsonStage(StageContext c) => FuzzStages.IsJson(c.Stage) && c.Stage.StartsWith(FuzzStages.McpPrefix, StringComparison.Ordinal) && !(c.Era == FuzzEra.Legacy && c.Stage == "mcp:server/discover");

        private static bool IsEventStreamStage(StageContext c) => c.EventStream && IsMcpJsonStage(c);

        private static T Pick<T>(Random r, IReadOnlyList<T> items) => items[r.Next(items.Count)];

        /// <summary>A mutator that draws its choices from a per-answer random (seeded at plan time), so replays match.</summary>
        private static Func<Answer, TestRequest, FuzzWorld, TestResponse> Seeded(Random plan, Func<Random, Answer, TestRequest, FuzzWorld, TestResponse> body)
        {
            int seed = plan.Next();
            int calls = 0;
            return (answer, request, world) => body(new Random(seed + System.Threading.Interlocked.Increment(ref calls)), answer, request, world);
        }

        // ---- JSON ----

        private static void TruncateJson(FuzzMutation m, Random plan) => m.Mutate = Seeded(plan, (r, a, _, _) =>
        {
            string text = a.Json!.ToJsonString();
            a.SetJsonText(text.Substring(0, r.Next(text.Length)));
            return a.ToRaw();
        });

        private static void ReplaceValue(FuzzMutation m, Random plan)
        {
            string raw = Pick(plan, HostileValues);
            m.Detail = raw.Length > 40 ? raw.Substring(0, 40) : raw;
            m.Mutate = Seeded(plan, (r, a, _, w) =>
            {
                List<(JsonNode Parent, object Key)> slots = Slots(a.Json!);
                if (slots.Count == 0)
                {
                    return a.ToRaw();
                }

                (JsonNode parent, object key) = Pick(r, slots);
                Set(parent, key, Placeholder);
                a.SetJsonText(a.Json!.ToJsonString().Replace("\"" + Placeholder + "\"", raw, StringComparison.Ordinal));
                return a.ToRaw();
            });
        }

        private static void RemoveMember(FuzzMutation m, Random plan) => m.Mutate = Seeded(plan, (r, a, _, _) =>
        {
            List<(JsonNode Parent, object Key)> slots = Slots(a.Json!).Where(s => s.Key is string).ToList();
            if (slots.Count > 0)
            {
                (JsonNode parent, object key) = Pick(r, slots);
                parent.AsObject().Remove((string)key);
                a.SetJsonText(a.Json!.ToJsonString());
            }

            return a.ToRaw();
        });

        private static void DuplicateMember(FuzzMutation m, Random plan)
        {
            string raw = plan.Next(3) == 0 ? Pick(plan, HostileValues) : string.Empty;
            m.Mutate = Seeded(plan, (r, a, _, _) =>
            {
                List<(JsonNode Parent, object Key)> slots = Slots(a.Json!).Where(s => s.Key is string).ToList();
                if (slots.Count == 0)
                {
                    return a.ToRaw();
                }

                (JsonNode parent, object key) = Pick(r, slots);
                string value = raw.Length > 0 ? raw : parent[(string)key]?.ToJsonString() ?? "null";
                parent.AsObject()[Placeholder] = 0;
                string text = a.Json!.ToJsonString().Replace("\"" + Placeholder + "\":0", System.Text.Json.JsonSerializer.Serialize((string)key) + ":" + value, StringComparison.Ordinal);
                a.SetJsonText(text);
                return a.ToRaw();
            });
        }

        private static void UnknownMembers(FuzzMutation m, Random plan) => m.Mutate = Seeded(plan, (r, a, _, _) =>
        {
            List<JsonObject> objects = Nodes(a.Json!).OfType<JsonObject>().ToList();
            JsonObject target = Pick(r, objects);
            var text = new StringBuilder();
            int count = r.Next(1, 60);
            for (int i = 0; i < count; i++)
            {
                text.Append(",\"x-").Append(r.Next()).Append("\":").Append(Pick(r, HostileValues));
            }

            target[Placeholder] = 0;
            a.SetJsonText(a.Json!.ToJsonString().Replace("\"" + Placeholder + "\":0", text.ToString().Substring(1), StringComparison.Ordinal));
            return a.ToRaw();
        });

        private static void RootType(FuzzMutation m, Random plan)
        {
            string[] roots = { "[]", "null", "\"x\"", "1", "true", "{}", string.Empty, " ", "[{}]", "{\"jsonrpc\":\"2.0\"}", "[[[]]]" };
            string root = Pick(plan, roots);
            m.Detail = root.Length == 0 ? "(empty)" : root;
            m.Mutate = (a, _, _) =>
            {
                a.SetJsonText(root);
                return a.ToRaw();
            };
        }

        private static void Garbage(FuzzMutation m, Random plan)
        {
            int variant = plan.Next(5);
            m.Detail = new[] { "random bytes", "invalid UTF-8 in a string", "BOM", "UTF-16", "NULs" }[variant];
            m.Mutate = Seeded(plan, (r, a, _, _) =>
            {
                string text = a.Json!.ToJsonString();
                byte[] utf8 = Encoding.UTF8.GetBytes(text);
                a.Body = variant switch
                {
                    0 => Enumerable.Range(0, r.Next(1, 300)).Select(_ => (byte)r.Next(256)).ToArray(),
                    1 => Answer.Concat(utf8.Take(utf8.Length / 2).ToArray(), new byte[] { 0xC3, 0x28, 0xFF, 0xFE, 0xED, 0xA0, 0x80 }, utf8.Skip(utf8.Length / 2).ToArray()),
                    2 => Answer.Concat(new byte[] { 0xEF, 0xBB, 0xBF }, utf8),
                    3 => Encoding.Unicode.GetBytes(text),
                    _ => Answer.Concat(utf8, new byte[r.Next(1, 100)]),
                };
                return a.ToRaw();
            });
        }

        private static void DeepNesting(FuzzMutation m, Random plan)
        {
            int depth = Pick(plan, new[] { 65, 1000, 100000 });
            bool objects = plan.Next(2) == 0;
            m.Detail = $"{depth} {(objects ? "objects" : "arrays")}";
            m.Mutate = (a, _, _) =>
            {
                string open = objects ? "{\"a\":" : "[";
                string close = objects ? "}" : "]";
                string nested = string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth));
                a.Json!.AsObject()[Placeholder] = 0;
                a.SetJsonText(a.Json!.ToJsonString().Replace("\"" + Placeholder + "\":0", "\"deep\":" + nested, StringComparison.Ordinal));
                return a.ToRaw();
            };
        }

        private static void Huge(FuzzMutation m, Random plan)
        {
            bool mcp = m.Stage.StartsWith(FuzzStages.McpPrefix, StringComparison.Ordinal);
            int size = mcp ? 17 * 1024 * 1024 : 5 * 1024 * 1024;
            m.Detail = $"{size / 1024 / 1024} MiB";
            m.Mutate = (a, _, _) =>
            {
                (a.Json as JsonObject ?? new JsonObject())[Placeholder] = 0;
                a.SetJsonText(a.Json!.ToJsonString().Replace("\"" + Placeholder + "\":0", "\"pad\":\"" + new string('x', size) + "\"", StringComparison.Ordinal));
                return a.ToRaw();
            };
        }

        /// <summary>A planted secret (or the request's own credentials) in a form a server might echo.</summary>
        private static string Echo(Random r, TestRequest request, FuzzWorld world)
        {
            var candidates = world.Secrets.All.Select(s => s.Key).ToList();
            if (request.Header("Authorization") is string authorization)
            {
                candidates.Add(authorization);
            }

            if (request.Method == "POST" && (candidates.Count == 0 || request.Header("Content-Type")?.Contains("form", StringComparison.Ordinal) == true))
            {
                candidates.Add(request.Body);
            }

            if (candidates.Count == 0)
            {
                // Nothing secret was issued yet (discovery): echo the request itself.
                candidates.Add(request.Method + " " + request.Target);
            }

            string secret = Pick(r, candidates);
            return r.Next(5) switch
            {
                0 => secret,
                1 => Uri.EscapeDataString(secret),
                2 => Convert.ToBase64String(Encoding.UTF8.GetBytes(secret)),
                3 => Convert.ToBase64String(Encoding.UTF8.GetBytes(secret)).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
                _ => "you sent: " + secret + " (rejected)",
            };
        }

        private static void EchoSecret(FuzzMutation m, Random plan)
        {
            int where = plan.Next(4);
            int status = Pick(plan, new[] { 200, 400, 401, 500 });
            m.Detail = new[] { "in a string value", "in error_description", "in a JSON-RPC error", "in a text body" }[where] + $", status {status}";
            m.Mutate = Seeded(plan, (r, a, request, world) =>
            {
                string echo = Echo(r, request, world);
                a.Status = status;
                a.Reason = Answer.ReasonOf(status);
                switch (where)
                {
                    case 0:
                        List<(JsonNode Parent, object Key)> slots = Slots(a.Json!);
                        if (slots.Count > 0)
                        {
                            (JsonNode parent, object key) = Pick(r, slots);
                            Set(parent, key, echo);
                        }

                        a.SetJsonText(a.Json!.ToJsonString());
                        break;
                    case 1:
                        a.SetJsonText(new JsonObject { ["error"] = "invalid_request", ["error_description"] = echo, ["error_uri"] = "http://127.0.0.1/" + Uri.EscapeDataString(echo) }.ToJsonString());
                        break;
                    case 2:
                        a.SetJsonText(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = a.Json?["id"]?.DeepClone(), ["error"] = new JsonObject { ["code"] = -32603, ["message"] = echo, ["data"] = new JsonObject { ["detail"] = echo } } }.ToJsonString());
                        break;
                    default:
                        a.SetHeader("Content-Type", "text/plain");
                        a.Body = Encoding.UTF8.GetBytes("Internal error. Request was: " + echo);
                        break;
                }

                return a.ToRaw();
            });
        }

        // ---- MCP ----

        /// <summary>Targeted hostile values for the fields the MCP client reads.</summary>
        private static readonly (string Method, string Path, string Raw)[] McpFields =
        {
            ("server/discover", "result.supportedVersions", "[]"),
            ("server/discover", "result.supportedVersions", "[\"2025-11-25\"]"),
            ("server/discover", "result.supportedVersions", "[\"2099-01-01\"]"),
            ("server/discover", "result.supportedVersions", "[1,null,{}]"),
            ("server/discover", "result.supportedVersions", "\"2026-07-28\""),
            ("server/discover", "result.serverInfo", "{\"name\":5}"),
            ("server/discover", "result.serverInfo", "{\"name\":{}}"),
            ("server/discover", "result.serverInfo", "\"x\""),
            ("server/discover", "result.capabilities", "[]"),
            ("server/discover", "result.resultType", "\"input_required\""),
            ("initialize", "result.protocolVersion", "\"2026-07-28\""),
            ("initialize", "result.protocolVersion", "5"),
            ("initialize", "result.protocolVersion", "\"\\u0000\""),
            ("initialize", "result.serverInfo", "{\"name\":5}"),
            ("initialize", "result.serverInfo", "{\"name\":{},\"version\":[]}"),
            ("initialize", "result.capabilities", "\"all\""),
            ("initialize", "result.instructions", "{\"a\":1}"),
            ("tools/list", "result.tools", "null"),
            ("tools/list", "result.tools", "[1]"),
            ("tools/list", "result.tools", "[{\"name\":5}]"),
            ("tools/list", "result.tools", "[{\"name\":\"echo\",\"inputSchema\":5}]"),
            ("tools/list", "result.tools", "[{\"name\":\"echo\",\"inputSchema\":{\"type\":\"object\",\"properties\":{\"message\":{\"type\":\"string\",\"x-mcp-header\":\"Bad\\r\\nHeader\"}}}}]"),
            ("tools/list", "result.tools", "[{\"name\":\"echo\",\"inputSchema\":{\"type\":\"object\",\"properties\":{\"message\":{\"type\":\"string\",\"x-mcp-header\":5}}}}]"),
            ("tools/list", "result.tools", "[{\"name\":\"echo\",\"inputSchema\":{\"type\":\"object\",\"properties\":{\"message\":{\"type\":\"object\",\"x-mcp-header\":\"Msg\"}}}}]"),
            ("tools/list", "result.tools", "[{\"name\":\"echo\"},{\"name\":\"echo\"}]"),
            ("tools/list", "result.nextCursor", "\"same\""),
            ("tools/list", "result.nextCursor", "5"),
            ("tools/list", "result.ttl", "-1"),
            ("tools/list", "result.ttl", "1e400"),
            ("tools/call", "result.content", "[{\"type\":1}]"),
            ("tools/call", "result.content", "[{\"type\":\"text\"}]"),
            ("tools/call", "result.content", "[{\"type\":\"text\",\"text\":5}]"),
            ("tools/call", "result.content", "[{\"type\":\"image\",\"data\":\"!!notbase64\",\"mimeType\":5}]"),
            ("tools/call", "result.content", "[{\"type\":\"resource\",\"resource\":null}]"),
            ("tools/call", "result.content", "{\"type\":\"text\",\"text\":\"x\"}"),
            ("tools/call", "result.content", "[null]"),
            ("tools/call", "result.structuredContent", "{\"a\":1,\"a\":2}"),
            ("tools/call", "result.structuredContent", "[1,2]"),
            ("tools/call", "result.structuredContent", "\"text\""),
            ("tools/call", "result.isError", "\"yes\""),
            ("tools/call", "result.isError", "true"),
            ("tools/call", "result.resultType", "\"input_required\""),
            ("tools/call", "result.resultType", "\"something_new\""),
            ("tools/call", "result.resultType", "5"),
            ("tools/call", "result.inputRequests", "{\"q\":{\"method\":\"elicitation/create\",\"params\":{\"message\":\"m\",\"requestedSchema\":{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"},\"a\":{\"type\":\"number\"}}}}}}"),
            ("tools/call", "result.inputRequests", "{\"q\":{\"method\":\"sampling/createMessage\",\"params\":{}}}"),
            ("tools/call", "result.inputRequests", "[1]"),
            ("tools/call", "result.requestState", "{\"a\":1}"),
            ("tools/call", "result._meta", "[]"),
        };

        private static void McpField(FuzzMutation m, Random plan)
        {
            string method = m.Stage.Substring(FuzzStages.McpPrefix.Length);
            (string Method, string Path, string Raw)[] fields = McpFields.Where(f => f.Method == method).ToArray();
            if (fields.Length == 0)
            {
                ReplaceValue(m, plan);
                return;
            }

            (string _, string path, string raw) = Pick(plan, fields);
            bool resultTypeFirst = path == "result.inputRequests" || path == "result.requestState";
            m.Detail = path + " = " + (raw.Length > 60 ? raw.Substring(0, 60) : raw);
            m.Mutate = (a, _, _) =>
            {
                string[] parts = path.Split('.');
                JsonNode parent = a.Json!;
                foreach (string part in parts.Take(parts.Length - 1))
                {
                    parent = parent[part] ?? (parent[part] = new JsonObject());
                }

                parent[parts[^1]] = Placeholder;
                if (resultTypeFirst)
                {
                    parent["resultType"] = "input_required";
                }

                a.SetJsonText(a.Json!.ToJsonString().Replace("\"" + Placeholder + "\"", raw, StringComparison.Ordinal));
                return a.ToRaw();
            };
        }

        private static void RpcEnvelope(FuzzMutation m, Random plan)
        {
            string[] variants =
            {
                "id:other", "id:string", "id:null", "id:missing", "id:float", "jsonrpc:1.0", "jsonrpc:missing", "result+error",
                "result:missing", "batch:twice", "batch:empty", "batch:other-first", "result:null", "result:array", "method+id",
            };
            string variant = Pick(plan, variants);
            m.Detail = variant;
            m.Mutate = (a, _, _) =>
            {
                JsonObject e = a.Json!.AsObject();
                string text;
                switch (variant)
                {
                    case "id:other": e["id"] = 987654; text = e.ToJsonString(); break;
                    case "id:string": e["id"] = e["id"]?.ToJsonString(); text = e.ToJsonString(); break;
                    case "id:null": e["id"] = null; text = e.ToJsonString(); break;
                    case "id:missing": e.Remove("id"); text = e.ToJsonString(); break;
                    case "id:float": e["id"] = Placeholder; text = e.ToJsonString().Replace("\"" + Placeholder + "\"", "1.0000001", StringComparison.Ordinal); break;
                    case "jsonrpc:1.0": e["jsonrpc"] = "1.0"; text = e.ToJsonString(); break;
                    case "jsonrpc:missing": e.Remove("jsonrpc"); text = e.ToJsonString(); break;
                    case "result+error": e["error"] = new JsonObject { ["code"] = -32603, ["message"] = "both" }; text = e.ToJsonString(); break;
                    case "result:missing": e.Remove("result"); text = e.ToJsonString(); break;
                    case "batch:twice": text = "[" + e.ToJsonString() + "," + e.ToJsonString() + "]"; break;
                    case "batch:empty": text = "[]"; break;
                    case "batch:other-first":
                        var other = (JsonObject)e.DeepClone();
                        other["id"] = 424242;
                        text = "[" + other.ToJsonString() + "," + e.ToJsonString() + "]";
                        break;
                    case "result:null": e["result"] = null; text = e.ToJsonString(); break;
                    case "result:array": e["result"] = new JsonArray(1, 2); text = e.ToJsonString(); break;
                    default: e["method"] = "ping"; text = e.ToJsonString(); break;
                }

                a.SetJsonText(text);
                return a.ToRaw();
            };
        }

        private static void RpcError(FuzzMutation m, Random plan)
        {
            string[] codes = { "-32700", "-32600", "-32601", "-32602", "-32603", "-32000", "-32022", "-32020", "-32021", "0", "9007199254740993", "-9223372036854775808", "1.5", "\"x\"", "null" };
            string code = Pick(plan, codes);
            string[] messages = { "\"boom\"", "null", "5", "{}", "\"" + new string('m', 100000) + "\"", "\"line\\nbreak\\u0000\"" };
            string message = Pick(plan, messages);
            string[] datas = { "null", "{\"supported\":[\"2025-11-25\"]}", "{\"supported\":[\"2026-07-28\"]}", "{\"supported\":5}", "{\"supported\":[null,1]}", "[]", "\"d\"" };
            string data = Pick(plan, datas);
            int status = Pick(plan, new[] { 200, 400, 404, 500 });
            m.Detail = $"code {code}, status {status}";
            m.Mutate = (a, _, _) =>
            {
                string id = a.Json?["id"]?.ToJsonString() ?? "null";
                a.Status = status;
                a.Reason = Answer.ReasonOf(status);
                a.SetJsonText($"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"error\":{{\"code\":{code},\"message\":{message},\"data\":{data}}}}}");
                return a.ToRaw();
            };
        }

        private static void SseFraming(FuzzMutation m, Random plan)
        {
            string[] variants =
            {
                "multi-line-data", "crlf", "cr-only", "comments-then-close", "unknown-event", "not-json", "notification-flood", "hostile-id",
                "hostile-retry", "no-final-blank-line", "answer-twice", "server-request-first", "huge-event", "keepalive-forever", "silent-forever",
                "other-id-then-close", "empty-data", "bom-and-spaces", "progress-hostile",
            };
            string variant = Pick(plan, variants);
            m.Detail = variant;
            m.Mutate = (a, _, _) =>
            {
                string json = a.Json!.ToJsonString();
                string id = a.Json!["id"]?.ToJsonString() ?? "1";
                string body;
                ConnectionEnd end = ConnectionEnd.Close;
                switch (variant)
                {
                    case "multi-line-data": body = "event: message\ndata: " + json.Substring(0, json.Length / 2) + "\ndata: " + json.Substring(json.Length / 2) + "\n\n"; break;
                    case "crlf": body = "event: message\r\ndata: " + json + "\r\n\r\n"; break;
                    case "cr-only": body = "event: message\rdata: " + json + "\r\r"; break;
                    case "comments-then-close": body = ": hello\n\n: still here\n\n"; break;
                    case "unknown-event": body = "event: surprise\ndata: " + json + "\n\n"; break;
                    case "not-json": body = "event: message\ndata: {not json\n\n"; break;
                    case "notification-flood":
                        body = string.Concat(Enumerable.Repeat("event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"level\":\"info\",\"data\":\"x\"}}\n\n", 2000)) + "event: message\ndata: " + json + "\n\n";
                        break;
                    case "hostile-id": body = "id: a\u0000b\nevent: message\ndata: " + json + "\n\nid: " + new string('9', 5000) + "\n\n"; break;
                    case "hostile-retry": body = "retry: -1\nretry: 99999999999999999999\nretry: abc\n\n: then close\n\n"; break;
                    case "no-final-blank-line": body = "event: message\ndata: " + json; break;
                    case "answer-twice": body = "event: message\ndata: " + json + "\n\nevent: message\ndata: " + json + "\n\n"; break;
                    case "server-request-first":
                        body = "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":77,\"method\":\"elicitation/create\",\"params\":{\"message\":5,\"requestedSchema\":{\"type\":\"object\",\"properties\":[]}}}\n\n"
                            + "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":78,\"method\":\"sampling/createMessage\",\"params\":null}\n\n"
                            + "event: message\ndata: " + json + "\n\n";
                        break;
                    case "huge-event": body = "event: message\ndata: " + new string('x', 17 * 1024 * 1024) + "\n\n"; break;
                    case "keepalive-forever": body = ": keep-alive\n\n"; end = ConnectionEnd.Hold; break;
                    case "silent-forever": body = string.Empty; end = ConnectionEnd.Hold; break;
                    case "other-id-then-close": body = "event: message\ndata: " + json.Replace("\"id\":" + id, "\"id\":31337", StringComparison.Ordinal) + "\n\n"; break;
                    case "empty-data": body = "event: message\ndata:\n\ndata: \n\n"; break;
                    case "bom-and-spaces": body = "\uFEFFevent:message\ndata:" + json + "\n\n"; break;
                    default:
                        body = "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progressToken\":{},\"progress\":\"x\",\"total\":-1e400}}\n\n"
                            + "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progressToken\":\"1\",\"progress\":1e308,\"total\":0}}\n\n"
                            + "event: message\ndata: " + json + "\n\n";
                        break;
                }

                a.Body = Encoding.UTF8.GetBytes(body);
                TestResponse reply = a.ToRaw();
                if (end == ConnectionEnd.Hold)
                {
                    reply = TestResponse.Raw(Answer.Concat(a.Head(includeLength: false), a.Body), ConnectionEnd.Hold);
                }

                return reply;
            };
        }

        // ---- HTTP ----

        private static void Status(FuzzMutation m, Random plan)
        {
            int status = Pick(plan, new[] { 100, 199, 201, 202, 204, 206, 299, 301, 302, 303, 307, 308, 400, 401, 403, 404, 405, 406, 409, 410, 413, 415, 429, 500, 502, 503, 504, 599, 999 });
            int body = plan.Next(5);
            m.Detail = $"{status}, body {new[] { "as is", "empty", "html", "oauth error", "text" }[body]}";
            m.Mutate = (a, _, _) =>
            {
                a.Status = status;
                a.Reason = status == 999 ? "Weird" : Answer.ReasonOf(status);
                if (status is >= 300 and < 400)
                {
                    a.SetHeader("Location", Pick(new Random(status), new[] { "http://127.0.0.1:1/elsewhere", "https://evil.example/steal", "/relative", "javascript:alert(1)", ":::" }));
                }

                if (status == 429 || status == 503)
                {
                    a.SetHeader("Retry-After", "99999999999999");
                }

                switch (body)
                {
                    case 1: a.Body = Array.Empty<byte>(); break;
                    case 2: a.SetHeader("Content-Type", "text/html"); a.Body = Encoding.UTF8.GetBytes("<html><body><h1>Oops</h1></body></html>"); break;
                    case 3: a.SetHeader("Content-Type", "application/json"); a.Body = Encoding.UTF8.GetBytes("{\"error\":\"server_error\",\"error_description\":\"bad\\u0000day\"}"); break;
                    case 4: a.SetHeader("Content-Type", "text/plain"); a.Body = Encoding.UTF8.GetBytes("plain failure"); break;
                }

                if (status is 100 or 199 or 204)
                {
                    return TestResponse.Raw(a.Head(includeLength: false));
                }

                return a.ToRaw();
            };
        }

        private static void ContentType(FuzzMutation m, Random plan)
        {
            string?[] types = { null, "text/html", "application/json; charset=utf-16", "application/json; charset=bogus", "text/event-stream", "application/json", "multipart/mixed; boundary=x", "application/jwt", "*/*", "application/json\u0001", string.Empty };
            string? type = Pick(plan, types);
            m.Detail = type is null ? "(none)" : type.Length == 0 ? "(empty)" : type;
            m.Mutate = (a, _, _) =>
            {
                a.Headers.RemoveAll(h => string.Equals(h.Key, "Content-Type", StringComparison.OrdinalIgnoreCase));
                if (type is not null)
                {
                    a.Headers.Add(new("Content-Type", type));
                }

                return a.ToRaw();
            };
        }

        private static void Headers(FuzzMutation m, Random plan)
        {
            string[] variants =
            {
                "gzip-plain", "br-plain", "deflate-plain", "two-content-lengths", "chunked-and-length", "huge-header", "obs-fold", "non-ascii",
                "session-id-hostile", "www-authenticate-on-success", "nul-in-header", "many-headers", "mcp-headers-hostile",
            };
            string variant = Pick(plan, variants);
            m.Detail = variant;
            m.Mutate = (a, _, _) =>
            {
                byte[] head;
                switch (variant)
                {
                    case "gzip-plain": a.Headers.Add(new("Content-Encoding", "gzip")); break;
                    case "br-plain": a.Headers.Add(new("Content-Encoding", "br")); break;
                    case "deflate-plain": a.Headers.Add(new("Content-Encoding", "deflate")); break;
                    case "two-content-lengths": a.Headers.Add(new("Content-Length", (a.Body.Length + 7).ToString(System.Globalization.CultureInfo.InvariantCulture))); break;
                    case "chunked-and-length": a.Headers.Add(new("Transfer-Encoding", "chunked")); break;
                    case "huge-header": a.Headers.Add(new("X-Huge", new string('h', 200 * 1024))); break;
                    case "obs-fold": a.Headers.Add(new("X-Folded", "one\r\n two")); break;
                    case "non-ascii": a.Headers.Add(new("X-Unicode", "café ☃ 日本")); break;
                    case "session-id-hostile": a.Headers.Add(new("Mcp-Session-Id", "a b\u007f\u00e9" + new string('s', 9000))); break;
                    case "www-authenticate-on-success": a.Headers.Add(new("WWW-Authenticate", "Bearer error=\"insufficient_scope\", scope=\"admin\", resource_metadata=\"https://evil.example/prm\"")); break;
                    case "nul-in-header": a.Headers.Add(new("X-Nul", "a\0b")); break;
                    case "many-headers":
                        for (int i = 0; i < 3000; i++)
                        {
                            a.Headers.Add(new("X-Many-" + i, "v"));
                        }

                        break;
                    default:
                        a.Headers.Add(new("MCP-Protocol-Version", "1999-01-01"));
                        a.Headers.Add(new("Mcp-Method", "\u0000"));
                        break;
                }

                head = a.Head(includeLength: true);
                return TestResponse.Raw(Answer.Concat(head, a.Body));
            };
        }

        private static void Framing(FuzzMutation m, Random plan)
        {
            string[] variants =
            {
                "close-delimited", "length-too-long", "length-too-short", "chunked", "chunked-bad-size", "chunked-no-terminator", "reset-mid-body",
                "reset-before-headers", "close-before-anything", "garbage-status-line", "http-1.0", "http-2-status", "header-without-colon",
                "continue-then-answer", "switching-protocols", "headers-cut",
            };
            string variant = Pick(plan, variants);
            m.Detail = variant;
            m.Mutate = Seeded(plan, (r, a, _, _) =>
            {
                byte[] body = a.Body;
                byte[] Ascii(string s) => Encoding.ASCII.GetBytes(s);
                switch (variant)
                {
                    case "close-delimited": return TestResponse.Raw(Answer.Concat(a.Head(includeLength: false), body));
                    case "length-too-long":
                        a.Headers.Add(new("Content-Length", (body.Length + 1 + r.Next(1000)).ToString(System.Globalization.CultureInfo.InvariantCulture)));
                        return TestResponse.Raw(Answer.Concat(a.Head(includeLength: false), body));
                    case "length-too-short":
                        a.Headers.Add(new("Content-Length", Math.Max(0, body.Length - 1 - r.Next(Math.Max(1, body.Length))).ToString(System.Globalization.CultureInfo.InvariantCulture)));
                        return TestResponse.Raw(Answer.Concat(a.Head(includeLength: false), body));
                    case "chunked":
                    case "chunked-bad-size":
                    case "chunked-no-terminator":
                        a.Headers.Add(new("Transfer-Encoding", "chunked"));
                        string size = variant == "chunked-bad-size" ? "zz" : body.Length.ToString("x", System.Globalization.CultureInfo.InvariantCulture);
                        byte[] chunked = Answer.Concat(Ascii(size + "\r\n"), body, Ascii("\r\n"), variant == "chunked-no-terminator" ? Array.Empty<byte>() : Ascii("0\r\n\r\n"));
                        return TestResponse.Raw(Answer.Concat(a.Head(includeLength: false), chunked));
                    case "reset-mid-body": return TestResponse.Raw(Answer.Concat(a.Head(includeLength: true), body.Take(body.Length / 2).ToArray()), ConnectionEnd.Reset);
                    case "reset-before-headers": return TestResponse.Raw(Array.Empty<byte>(), ConnectionEnd.Reset);
                    case "close-before-anything": return TestResponse.Raw(Array.Empty<byte>());
                    case "garbage-status-line": return TestResponse.Raw(Answer.Concat(Ascii("HTPP/9.9 abc\r\n\r\n"), body));
                    case "http-1.0": return TestResponse.Raw(Answer.Concat(a.Head(includeLength: false, version: "HTTP/1.0"), body));
                    case "http-2-status": return TestResponse.Raw(Answer.Concat(a.Head(includeLength: true, version: "HTTP/2"), body));
                    case "header-without-colon": return TestResponse.Raw(Answer.Concat(Ascii($"HTTP/1.1 {a.Status} X\r\nno colon here\r\n"), a.Head(includeLength: true).SkipWhile(b => b != '\n').Skip(1).ToArray(), body));
                    case "continue-then-answer": return TestResponse.Raw(Answer.Concat(Ascii("HTTP/1.1 100 Continue\r\n\r\n"), a.Head(includeLength: true), body));
                    case "switching-protocols": return TestResponse.Raw(Ascii("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\u0081\u0005hello"));
                    default:
                        byte[] head = a.Head(includeLength: true);
                        return TestResponse.Raw(head.Take(r.Next(1, head.Length - 1)).ToArray());
                }
            });
        }

        /// <summary>A peer that stops or trickles: every one must end at the operation's deadline (defect 3 of #11 when not).</summary>
        private static void Stall(FuzzMutation m, Random plan)
        {
            string[] variants = { "before-headers", "after-headers", "trickle-body", "mid-body" };
            string variant = Pick(plan, variants);
            m.Detail = variant;
            m.Mutate = (a, _, _) =>
            {
                byte[] head = a.Head(includeLength: true);
                byte[] body = a.Body;
                switch (variant)
                {
                    case "before-headers": return TestResponse.Raw(Array.Empty<byte>(), ConnectionEnd.Hold);
                    case "after-headers": return TestResponse.Raw(head, ConnectionEnd.Hold);
                    case "mid-body": return TestResponse.Raw(Answer.Concat(head, body.Take(body.Length / 2).ToArray()), ConnectionEnd.Hold);
                    default:
                        return TestResponse.Raw(
                            async (s, t) =>
                            {
                                await s.WriteAsync(head, t);
                                await s.FlushAsync(t);
                                foreach (byte b in body.Take(400))
                                {
                                    await Task.Delay(250, t);
                                    await s.WriteAsync(new[] { b }, t);
                                    await s.FlushAsync(t);
                                }
                            },
                            ConnectionEnd.Hold);
                }
            };
        }

        // ---- The 401 challenge ----

        private static void Challenge(FuzzMutation m, Random plan)
        {
            List<string> values = new();
            int count = plan.Next(10) == 0 ? 2 : 1;
            for (int i = 0; i < count; i++)
            {
                values.Add(ChallengeValue(plan));
            }

            m.Detail = string.Join(" | ", values.Select(v => v.Length > 80 ? v.Substring(0, 80) + "..." : v));
            m.Mutate = (a, _, world) =>
            {
                a.Headers.RemoveAll(h => string.Equals(h.Key, "WWW-Authenticate", StringComparison.OrdinalIgnoreCase));
                foreach (string v in values)
                {
                    a.Headers.Add(new("WWW-Authenticate", v.Replace("{PRM}", world.PrmUrl, StringComparison.Ordinal).Replace("{ORIGIN}", world.Origin, StringComparison.Ordinal)));
                }

                return a.ToRaw();
            };
        }

        private static string ChallengeValue(Random r)
        {
            string[] whole =
            {
                string.Empty, " ", "Bearer", "bearer", "Basic realm=\"x\"", "Bearer ,,,,", "Bearer realm=", "Bearer =x", "Bearer a=b=c", "Bearer \"quoted\"",
                "Bearer resource_metadata=\"{PRM}", "Bearer resource_metadata={PRM}", "Bearer resource_metadata=\"\\", "Bearer error=\"insufficient_scope\", scope=\"mcp\"",
                "Negotiate abc==, Bearer resource_metadata=\"{PRM}\"", "Bearer resource_metadata=\"{PRM}\", resource_metadata=\"https://evil.example/prm\"",
                "DPoP algs=\"ES256\", Bearer resource_metadata=\"{PRM}\"", "Bearer token68abc/+==", "Bearer " + new string(',', 5000),
                "Bearer scope=\"" + new string('s', 70000) + "\"", "Bearer resource_metadata=\"" + new string('a', 9000) + "\"",
            };
            if (r.Next(3) == 0)
            {
                return Pick(r, whole);
            }

            string[] names = { "resource_metadata", "scope", "error", "error_description", "realm", "resource", "RESOURCE_METADATA", "x", "", "scope ", "a\"b" };
            string[] metadata =
            {
                "{PRM}", "/relative/prm", "{ORIGIN}/.well-known/oauth-protected-resource", "https://evil.example/prm", "http://evil.example/prm", "file:///etc/passwd",
                "javascript:alert(1)", "http://[::1", "http://127.0.0.1:99999/x", "{PRM}#frag", "{PRM}?a=1", "http://user:pw@127.0.0.1/x", "%zz", "\\\\server\\share",
                "{ORIGIN}/c0/mcp", "ftp://127.0.0.1/x", "http://127.0.0.1:1/prm", "  {PRM}  ", "\u00e9\u00e8", "",
            };
            string[] others = { "mcp", "mcp offline_access", "", " ", "a\tb", "\u00ff\u00fe", "insufficient_scope", "invalid_token", "\\\"", "a,b", "mcp\u0000x", new string('z', 3000) };
            var text = new StringBuilder(Pick(r, new[] { "Bearer", "Bearer", "Bearer", "bEaReR", "Bearer  ", "Bearer\t" }));
            int parameters = r.Next(0, 6);
            for (int i = 0; i < parameters; i++)
            {
                string name = Pick(r, names);
                string value = name.StartsWith("resource_metadata", StringComparison.OrdinalIgnoreCase) || name == "resource" ? Pick(r, metadata) : Pick(r, others);
                text.Append(i == 0 ? " " : Pick(r, new[] { ", ", ",", " , ", " ", ",,", ";" }));
                text.Append(name).Append('=');
                switch (r.Next(4))
                {
                    case 0: text.Append(value); break;
                    case 1: text.Append('"').Append(value.Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"'); break;
                    case 2: text.Append('"').Append(value); break;
                    default: text.Append('"').Append(value).Append("\\\""); break;
                }
            }

            return text.ToString();
        }

        // ---- The authorization response (what the browser brings back to the callback) ----

        private static void Callback(FuzzMutation m, Random plan)
        {
            string[] variants =
            {
                "error-denied", "error-hostile-description", "error-echo-code", "state-wrong", "state-missing", "state-twice", "code-missing", "code-empty",
                "code-twice", "code-huge", "code-nul", "iss-wrong", "iss-missing", "fragment", "not-a-url", "other-host", "error-and-code", "unicode",
            };
            string variant = Pick(plan, variants);
            m.Detail = variant;
            m.MutateCallback = (callback, query, world) =>
            {
                string redirect = callback.Split('?')[0];
                string state = Uri.EscapeDataString(query.GetValueOrDefault("state") ?? string.Empty);
                string code = Uri.EscapeDataString(world.Code);
                string iss = Uri.EscapeDataString(world.Issuer);
                return variant switch
                {
                    "error-denied" => $"{redirect}?error=access_denied&state={state}&iss={iss}",
                    "error-hostile-description" => $"{redirect}?error=%00%0d%0a&error_description={Uri.EscapeDataString(new string('d', 5000) + "\u0000\u202e")}&error_uri=javascript:x&state={state}&iss={iss}",
                    "error-echo-code" => $"{redirect}?code={code}&error=invalid_request&error_description={Uri.EscapeDataString("code " + world.Code + " / " + Convert.ToBase64String(Encoding.UTF8.GetBytes(world.Code)))}&state={state}&iss={iss}",
                    "state-wrong" => $"{redirect}?code={code}&state=forged&iss={iss}",
                    "state-missing" => $"{redirect}?code={code}&iss={iss}",
                    "state-twice" => $"{redirect}?code={code}&state={state}&state=other&iss={iss}",
                    "code-missing" => $"{redirect}?state={state}&iss={iss}",
                    "code-empty" => $"{redirect}?code=&state={state}&iss={iss}",
                    "code-twice" => $"{redirect}?code={code}&code=other&state={state}&iss={iss}",
                    "code-huge" => $"{redirect}?code={new string('c', 100000)}&state={state}&iss={iss}",
                    "code-nul" => $"{redirect}?code={code}%00%0a&state={state}&iss={iss}",
                    "iss-wrong" => $"{redirect}?code={code}&state={state}&iss=https%3A%2F%2Fevil.example",
                    "iss-missing" => $"{redirect}?code={code}&state={state}",
                    "fragment" => $"{redirect}#code={code}&state={state}&iss={iss}",
                    "not-a-url" => "::not a url::",
                    "other-host" => $"http://evil.example/callback?code={code}&state={state}&iss={iss}",
                    "error-and-code" => $"{redirect}?error=server_error&code={code}&state={state}&iss={iss}",
                    _ => $"{redirect}?code={code}&state={state}&iss={iss}&x=%E2%98%83%F0%9F%98%80%ED%A0%80",
                };
            };
        }

        // ---- JSON helpers ----

        /// <summary>Every value slot in the document: (parent object or array, member name or index).</summary>
        private static List<(JsonNode Parent, object Key)> Slots(JsonNode root)
        {
            var slots = new List<(JsonNode, object)>();
            foreach (JsonNode node in Nodes(root))
            {
                if (node is JsonObject o)
                {
                    slots.AddRange(o.Select(p => ((JsonNode)o, (object)p.Key)));
                }
                else if (node is JsonArray a)
                {
                    slots.AddRange(Enumerable.Range(0, a.Count).Select(i => ((JsonNode)a, (object)i)));
                }
            }

            return slots;
        }

        private static IEnumerable<JsonNode> Nodes(JsonNode root)
        {
            yield return root;
            IEnumerable<JsonNode?> children = root switch
            {
                JsonObject o => o.Select(p => p.Value),
                JsonArray a => a,
                _ => Enumerable.Empty<JsonNode?>(),
            };
            foreach (JsonNode? child in children.ToList())
            {
                if (child is not null)
                {
                    foreach (JsonNode n in Nodes(child))
                    {
                        yield return n;
                    }
                }
            }
        }

        private static void Set(JsonNode parent, object key, string value)
        {
            if (key is string name)
            {
                parent.AsObject()[name] = value;
            }
            else
            {
                parent.AsArray()[(int)key] = value;
            }
        }
    }

    /// <summary>What a generator needs to know to say whether it applies to a stage.</summary>
    public readonly record struct StageContext(string Stage, FuzzEra Era, bool EventStream);

    /// <summary>A named generator: where it applies, how often it is drawn, and how it configures a mutation.</summary>
    public sealed class FuzzGenerator
    {
        public FuzzGenerator(string name, Func<StageContext, bool> appliesTo, int weight, Action<FuzzMutation, Random> configure)
        {
            Name = name;
            AppliesTo = appliesTo;
            Weight = weight;
            Configure = configure;
        }

        public string Name { get; }

        public Func<StageContext, bool> AppliesTo { get; }

        public int Weight { get; }

        public Action<FuzzMutation, Random> Configure { get; }
    }
}
