// Benchmark worker: the official MCP TypeScript SDK client (@modelcontextprotocol/client), driven by
// bench/driver.mjs over stdin/stdout, one JSON object a line (the protocol is in bench/README.md).
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

const clients = new Map(); // target name -> Client

async function connect({ target, url, token, era }) {
  const old = clients.get(target);
  if (old) await old.close();
  const options = token ? { authProvider: { token: async () => token } } : {};
  const transport = new StreamableHTTPClientTransport(new URL(url), options);
  // The SDK speaks the 2025 handshake unless told otherwise; against a modern (2026-07-28) server it is pinned to
  // that revision, which it then sends with every request.
  const client = new Client({ name: 'mcpauth-bench-ts', version: '1.0.0' }, era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : undefined);
  await client.connect(transport);
  clients.set(target, client);
}

// One tools/call echo; returns its latency in ms, or throws when the answer is wrong.
async function echo(client, message) {
  const start = performance.now();
  const result = await client.callTool({ name: 'echo', arguments: { message } });
  const ms = performance.now() - start;
  const text = result?.content?.[0]?.text;
  if (result?.isError || text !== message) throw new Error(`wrong echo result: ${JSON.stringify(result).slice(0, 200)}`);
  return ms;
}

async function run({ target, mode, count, concurrency, prefix }) {
  const client = clients.get(target);
  if (!client) throw new Error(`not connected to ${target}`);
  const lat = new Array(count);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < count; i = next++) lat[i] = await echo(client, `${prefix}-${i}`);
  };
  const lanes = mode === 'par' ? Math.max(1, concurrency) : 1;
  const cpu = process.cpuUsage();
  const start = performance.now();
  await Promise.all(Array.from({ length: lanes }, lane));
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000, lat };
}

const rl = createInterface({ input: process.stdin });
for await (const line of rl) {
  if (!line.trim()) continue;
  const msg = JSON.parse(line);
  let reply;
  try {
    if (msg.op === 'connect') { await connect(msg); reply = { ok: true }; }
    else if (msg.op === 'run') reply = { ok: true, ...(await run(msg)) };
    else if (msg.op === 'quit') break;
    else throw new Error(`unknown op ${msg.op}`);
  } catch (err) {
    reply = { ok: false, error: String(err?.message ?? err) };
  }
  process.stdout.write('@@ ' + JSON.stringify(reply) + '\n');
}
for (const client of clients.values()) await client.close().catch(() => {});
process.exit(0);
