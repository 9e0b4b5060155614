// Benchmark worker: the official MCP C# SDK client (ModelContextProtocol.Core), driven by bench/driver.mjs
// over stdin/stdout, one JSON object a line (the protocol is in bench/README.md).
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

var clients = new Dictionary<string, McpClient>();
string? line;
while ((line = Console.ReadLine()) is not null)
{
    if (string.IsNullOrWhiteSpace(line))
    {
        continue;
    }

    JsonObject msg = JsonNode.Parse(line)!.AsObject();
    string op = (string)msg["op"]!;
    JsonObject reply;
    try
    {
        switch (op)
        {
            case "connect":
                await ConnectAsync(msg);
                reply = new JsonObject { ["ok"] = true };
                break;
            case "run":
                reply = await RunAsync(msg);
                break;
            case "quit":
                goto done;
            default:
                throw new InvalidOperationException("unknown op " + op);
        }
    }
    catch (Exception ex)
    {
        reply = new JsonObject { ["ok"] = false, ["error"] = ex.GetType().Name + ": " + ex.Message };
    }

    Console.WriteLine("@@ " + reply.ToJsonString());
}

done:
foreach (McpClient c in clients.Values)
{
    await c.DisposeAsync();
}

return 0;

async Task ConnectAsync(JsonObject msg)
{
    string target = (string)msg["target"]!;
    if (clients.Remove(target, out McpClient? old))
    {
        await old.DisposeAsync();
    }

    var options = new HttpClientTransportOptions
    {
        Endpoint = new Uri((string)msg["url"]!),
        TransportMode = HttpTransportMode.StreamableHttp,
    };
    if (msg["token"] is JsonValue token)
    {
        options.AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + (string)token! };
    }

    clients[target] = await McpClient.CreateAsync(new HttpClientTransport(options));
}

async Task<JsonObject> RunAsync(JsonObject msg)
{
    McpClient client = clients[(string)msg["target"]!];
    int count = (int)msg["count"]!;
    int lanes = (string)msg["mode"]! == "par" ? Math.Max(1, (int)msg["concurrency"]!) : 1;
    string prefix = (string)msg["prefix"]!;
    var lat = new double[count];
    int next = -1;
    async Task Lane()
    {
        for (int i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
        {
            string message = prefix + "-" + i;
            long start = Stopwatch.GetTimestamp();
            CallToolResult result = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = message });
            lat[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            string? text = result.Content.OfType<TextContentBlock>().FirstOrDefault()?.Text;
            if (result.IsError == true || text != message)
            {
                throw new InvalidOperationException("wrong echo result: " + (text ?? "(no text)"));
            }
        }
    }

    TimeSpan cpu0 = Environment.CpuUsage.TotalTime;
    long jit0 = System.Runtime.JitInfo.GetCompiledMethodCount();
    long t0 = Stopwatch.GetTimestamp();
    await Task.WhenAll(Enumerable.Range(0, lanes).Select(_ => Task.Run(Lane)));
    double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
    double cpuMs = (Environment.CpuUsage.TotalTime - cpu0).TotalMilliseconds;
    return new JsonObject { ["ok"] = true, ["ms"] = ms, ["cpuMs"] = cpuMs, ["jitted"] = System.Runtime.JitInfo.GetCompiledMethodCount() - jit0, ["lat"] = new JsonArray(lat.Select(v => (JsonNode)v).ToArray()) };
}
