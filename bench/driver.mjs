// The side-by-side benchmark: McpAuth (Invoke-McpTool in real pwsh), a raw HttpClient loop in the same pwsh
// process (the floor), the official C# SDK client and the official TypeScript SDK client, against the test
// fixture (tests/fixture), in interleaved rounds. Started by bench/run.sh, which builds and installs first;
// see bench/README.md for the options, the worker protocol and how the figures are computed.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, loadavg, cpus } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = resolve(benchDir, '..');
// The module under test and the configuration of the bench programs, as run.sh built them.
const modulePath = process.env.BENCH_MODULE || join(benchDir, 'out', 'McpAuth', 'McpAuth.psd1');
const dotnetConfig = process.env.BENCH_CONFIG || 'Release';

// Server sets: scenario -> the fixture ready-line key of the endpoint. "legacy" is the fixture's MCP SDK 1.x
// servers (2025-11-25 and earlier: initialize handshake, sessions); "modern" its MCP SDK 2.x servers (2026-07-28:
// stateless, no handshake). Each names the ready-line keys of its JSON, SSE and OAuth endpoints.
// "floor" is bench/floor-server.mjs instead of the fixture: JSON only, next to no server cost, so that what each
// client itself costs shows.
const SERVER_SETS = {
  legacy: { json: 'publicJson', sse: 'public', oauth: 'mcp' },
  modern: { json: 'modernPublicJson', sse: 'modernPublic', oauth: 'modern' },
  floor: { json: 'floorJson' },
};
const SCENARIOS = ['json', 'sse', 'oauth'];
const MODES = ['seq', 'par'];
const WARMUP_MAX_RUNS = 12;   // warm-up runs per cell and client at most (see the warm-up below)
// worker: the process that runs the client; as: the client's name inside that worker.
const CLIENTS = {
  mcpauth: { label: 'McpAuth Invoke-McpTool', worker: 'pwsh', as: 'mcpauth' },
  raw: { label: 'raw HttpClient (same pwsh)', worker: 'pwsh', as: 'raw' },
  csharp: { label: 'C# SDK 2.4.0', worker: 'csharp', as: 'csharp' },
  ts: { label: 'TS SDK 2.4.0', worker: 'ts', as: 'ts' },
  // --baseline: another build of the module (or the same one under other settings), in its own pwsh process.
  baseline: { label: 'McpAuth baseline', worker: 'pwsh-baseline', as: 'mcpauth' },
};
// The fixture's pre-registered machine client: the SDK clients get their bearer token with it (see README).
const MACHINE_CLIENT = { id: 'mcpauth-machine', secret: 'fixture-secret-1234567890' };

function parseArgs(argv) {
  const o = {
    count: 300, rounds: 5, concurrency: 20, warmup: 1000, servers: ['legacy'], scenarios: SCENARIOS, modes: MODES,
    clients: ['mcpauth', 'raw', 'csharp', 'ts'], smoke: false, roundTrips: true, out: join(benchDir, 'results'), label: '',
    baseline: null, baselineEnv: {},
  };
  const list = (v, allowed, what) => {
    const items = v.split(',').map((s) => s.trim()).filter(Boolean);
    for (const i of items) if (!allowed.includes(i)) throw new Error(`unknown ${what} '${i}' (use ${allowed.join(', ')})`);
    return items;
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => inline ?? argv[++i] ?? (() => { throw new Error(`${flag} needs a value`); })();
    const int = () => { const n = Number(value()); if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a positive integer`); return n; };
    switch (flag) {
      case '--count': o.count = int(); break;
      case '--rounds': o.rounds = int(); break;
      case '--concurrency': o.concurrency = int(); break;
      case '--warmup': o.warmup = int(); break;
      case '--servers': o.servers = list(value(), Object.keys(SERVER_SETS), 'server set'); break;
      case '--scenarios': o.scenarios = list(value(), SCENARIOS, 'scenario'); break;
      case '--modes': o.modes = list(value(), MODES, 'mode'); break;
      case '--clients': o.clients = list(value(), Object.keys(CLIENTS), 'client'); break;
      case '--out': o.out = resolve(value()); break;
      case '--label': o.label = value(); break;
      case '--baseline': o.baseline = resolve(value()); break;
      case '--baseline-env': { const [k, v] = value().split(/=(.*)/s, 2); o.baselineEnv[k] = v ?? ''; break; }
      case '--baseline-label': CLIENTS.baseline.label = value(); break;
      case '--no-round-trips': o.roundTrips = false; break;
      case '--smoke': o.smoke = true; break;
      default: throw new Error(`unknown option ${argv[i]}`);
    }
  }
  if (o.smoke) Object.assign(o, { count: 20, rounds: 1, warmup: 2 });
  if ((o.baseline || Object.keys(o.baselineEnv).length > 0) && !o.clients.includes('baseline')) o.clients.push('baseline');
  if (o.clients.includes('baseline')) o.baseline ??= modulePath;
  if (!o.clients.includes('mcpauth')) throw new Error('--clients must include mcpauth: every ratio is McpAuth against another client');
  return o;
}

const log = (...a) => console.error('[bench]', ...a);

// ----- processes ---------------------------------------------------------------------------------------

// The fixture (tests/fixture/server.mjs) by default, or another server script that prints a ready line the same way.
function startServer(args, script = join(root, 'tests', 'fixture', 'server.mjs'), name = 'the fixture') {
  const child = spawn('node', [script, ...args], { cwd: dirname(script), stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  return new Promise((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not become ready: ${stderr}`)), 30000);
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      resolveReady({ child, ready: JSON.parse(line), stop: () => child.stdin.end(), cpuMs: () => processCpuMs(child.pid) });
    });
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}): ${stderr}`)));
  });
}

// CPU time a process has used so far, all threads, in ms (Linux: the scheduler's nanosecond count per thread);
// null where /proc is not there. The fixture's share of a run tells whether a client's requests cost the server more.
function processCpuMs(pid) {
  try {
    let ns = 0;
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      try { ns += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]); } catch { /* thread ended */ }
    }
    return ns / 1e6;
  } catch {
    return null;
  }
}

// What the fixture saw of one run, from its request log: HTTP requests, the connections they came over (distinct
// client ports), and how many of those the client had not used before (seen: the ports of its earlier runs).
// A client that reconnects, or sends more than one request a call, shows here.
async function requestsSeen(admin, seen) {
  const mine = (await (await fetch(`${admin}/requests`)).json()).requests.filter((r) => !r.internal);
  const ports = new Set(mine.map((r) => r.clientPort));
  const newConnections = [...ports].filter((p) => !seen.has(p)).length;
  for (const p of ports) seen.add(p);
  return { requests: mine.length, connections: ports.size, newConnections };
}

// A worker process speaking the line protocol: requests are JSON lines on stdin, replies are lines on stdout
// that start with "@@ ". Anything else it prints is kept for error messages.
class Worker {
  constructor(name, command, args, options = {}) {
    this.name = name;
    this.child = spawn(command, args, { cwd: root, stdio: ['pipe', 'pipe', 'pipe'], ...options });
    this.noise = '';
    this.waiting = [];
    this.exited = null;
    const keep = (d) => { this.noise = (this.noise + d).slice(-4000); };
    this.child.stderr.on('data', keep);
    this.child.stdin.on('error', () => {}); // a worker that died is reported by its exit, not by a broken pipe
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      if (!line.startsWith('@@ ')) { keep(line + '\n'); return; }
      const w = this.waiting.shift();
      if (w) w.resolve(JSON.parse(line.slice(3)));
    });
    this.child.on('exit', (code) => {
      this.exited = code;
      for (const w of this.waiting.splice(0)) w.reject(new Error(`${name} exited (${code}): ${this.noise.trim()}`));
    });
  }

  // The next reply line; with a message, sends it first.
  request(message, timeoutMs = 600000) {
    if (this.exited !== null) return Promise.reject(new Error(`${this.name} exited (${this.exited}): ${this.noise.trim()}`));
    return new Promise((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`${this.name} did not answer ${message?.op ?? ''} in ${timeoutMs} ms`)), timeoutMs);
      this.waiting.push({ resolve: (v) => { clearTimeout(timer); res(v); }, reject: (e) => { clearTimeout(timer); rej(e); } });
      if (message) this.child.stdin.write(JSON.stringify(message) + '\n');
    });
  }

  async call(message, timeoutMs) {
    const reply = await this.request(message, timeoutMs);
    if (!reply.ok) throw new Error(`${this.name}: ${message.op} ${message.client ?? ''} ${message.target ?? ''}: ${reply.error}`);
    return reply;
  }

  async quit() {
    if (this.exited !== null) return;
    this.child.stdin.write(JSON.stringify({ op: 'quit' }) + '\n');
    this.child.stdin.end();
    await new Promise((r) => { const t = setTimeout(() => { this.child.kill(); r(); }, 10000); this.child.once('exit', () => { clearTimeout(t); r(); }); });
  }
}

const pwshArgs = (script, module, ...rest) => ['pwsh', '-NoProfile', '-NonInteractive', '-File', join(benchDir, 'pwsh', script), '-ModulePath', module, ...rest];

function startWorker(kind, o) {
  switch (kind) {
    case 'pwsh': return new Worker('pwsh', 'dotnet', pwshArgs('Worker.ps1', modulePath));
    case 'pwsh-baseline': {
      const module = o.baseline.endsWith('.psd1') ? o.baseline : join(o.baseline, 'McpAuth.psd1');
      return new Worker('pwsh (baseline)', 'dotnet', pwshArgs('Worker.ps1', module), { env: { ...process.env, ...o.baselineEnv } });
    }
    case 'csharp': return new Worker('csharp', 'dotnet', [join(benchDir, 'CSharpSdk', 'bin', dotnetConfig, 'net10.0', 'McpAuth.Bench.CSharpSdk.dll')]);
    case 'ts': return new Worker('ts', 'node', [join(benchDir, 'ts-sdk', 'worker.mjs')]);
    default: throw new Error(kind);
  }
}

async function clientCredentialsToken(issuer, resource) {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: 'Basic ' + Buffer.from(`${MACHINE_CLIENT.id}:${MACHINE_CLIENT.secret}`).toString('base64'),
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'mcp:read mcp:write', resource }),
  });
  const body = await response.json();
  if (!response.ok || !body.access_token) throw new Error(`client credentials at ${issuer} failed: ${response.status} ${body.error ?? ''}`);
  return body.access_token;
}

// ----- statistics --------------------------------------------------------------------------------------

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

// Per cell (server set, scenario, mode) and client: the median over rounds of the per-call time (sequential)
// or of the throughput (parallel), the p95 of every call's latency, and for each other client the median over
// rounds of McpAuth's time divided by that client's time in the same round.
function summarize(cells, o) {
  return cells.map((cell) => {
    const clients = {};
    for (const c of o.clients) {
      const runs = cell.runs[c];
      clients[c] = {
        perCallUsMedian: median(runs.map((r) => (r.ms * 1000) / o.count)),
        cpuPerCallUsMedian: median(runs.map((r) => (r.cpuMs * 1000) / o.count)),
        requestsPerCallMedian: median(runs.map((r) => r.requests / o.count)),
        connectionsMedian: median(runs.map((r) => r.connections)),
        newConnectionsPerRound: runs.map((r) => r.newConnections),
        serverCpuPerCallUsMedian: runs.every((r) => typeof r.serverCpuMs === 'number') ? median(runs.map((r) => (r.serverCpuMs * 1000) / o.count)) : null,
        callsPerSecMedian: median(runs.map((r) => (o.count * 1000) / r.ms)),
        latencyP50Ms: percentile(runs.flatMap((r) => r.lat), 50),
        latencyP95Ms: percentile(runs.flatMap((r) => r.lat), 95),
        roundsMs: runs.map((r) => r.ms),
      };
    }
    const ratios = {};
    const ratiosPerRound = {};
    const cpuRatios = {};
    for (const c of o.clients.filter((c) => c !== 'mcpauth')) {
      ratiosPerRound[c] = cell.runs.mcpauth.map((r, i) => r.ms / cell.runs[c][i].ms);
      ratios[c] = median(ratiosPerRound[c]);
      cpuRatios[c] = median(cell.runs.mcpauth.map((r, i) => r.cpuMs / cell.runs[c][i].cpuMs));
    }
    return { set: cell.set, scenario: cell.scenario, mode: cell.mode, clients, ratios, ratiosPerRound, cpuRatios };
  });
}

const fmtRatio = (r) => (Number.isNaN(r) ? '–' : r >= 1 ? `${r.toFixed(2)}× slower` : `${(1 / r).toFixed(2)}× faster`);
// The median ratio and, with more than one round, the lowest and highest round's McpAuth/other time (below 1: McpAuth
// faster): on a shared machine a median near 1 whose rounds fall on both sides of 1 is a tie, not a verdict.
// Then how many rounds McpAuth was the faster in.
const roundsFaster = (perRound) => perRound.filter((x) => x < 1).length;
const fmtRatioSpread = (r, perRound) => (perRound.length < 2 || Number.isNaN(r)
  ? fmtRatio(r)
  : `${fmtRatio(r)} (${Math.min(...perRound).toFixed(2)}–${Math.max(...perRound).toFixed(2)}, faster in ${roundsFaster(perRound)}/${perRound.length})`);
// Per other client, the cells where McpAuth was faster in every round, slower in every round, or neither (a tie:
// with 7 rounds, only all 7 on one side is a verdict a sign test would keep at 5 %).
function verdicts(summary, others) {
  return others.map((c) => {
    const cells = summary.filter((s) => s.ratiosPerRound[c]?.length > 1 && s.ratiosPerRound[c].every((x) => !Number.isNaN(x)));
    const faster = cells.filter((s) => roundsFaster(s.ratiosPerRound[c]) === s.ratiosPerRound[c].length).length;
    const slower = cells.filter((s) => roundsFaster(s.ratiosPerRound[c]) === 0).length;
    return `${CLIENTS[c].label}: McpAuth faster in every round in ${faster} of ${cells.length} cells, slower in every round in ${slower}, neither in ${cells.length - faster - slower}.`;
  });
}
const fmtValue = (s, mode) => (mode === 'seq'
  ? `${Math.round(s.perCallUsMedian)} µs (p95 ${s.latencyP95Ms.toFixed(2)} ms)`
  : `${Math.round(s.callsPerSecMedian)}/s (p95 ${s.latencyP95Ms.toFixed(1)} ms)`);

function markdown(summary, roundTrips, meta, o, newConnection) {
  const cellLabels = (s) => [s.set, { json: 'JSON', sse: 'SSE', oauth: 'OAuth (SSE)' }[s.scenario], s.mode === 'seq' ? 'sequential' : `${o.concurrency} parallel`];
  const others = o.clients.filter((c) => c !== 'mcpauth');
  const lines = [];
  lines.push(`Sequential: median time per warm \`tools/call echo\` (p95 of single calls). 20-way parallel: median calls/s`);
  lines.push(`(p95 of single calls). Ratios: McpAuth against each client, per round, median over ${o.rounds} rounds of ${o.count} calls;`);
  lines.push('in parentheses the lowest and highest round\'s ratio of McpAuth\'s time to the other client\'s (below 1: McpAuth faster)');
  lines.push('and in how many rounds McpAuth was the faster.');
  lines.push('');
  const row = (cells) => `| ${cells.join(' | ')} |`;
  lines.push(row(['servers', 'responses', 'mode', ...o.clients.map((c) => CLIENTS[c].label), ...others.map((c) => `McpAuth vs ${CLIENTS[c].label.split(' (')[0]}`)]));
  lines.push(`|${'---|'.repeat(3 + o.clients.length + others.length)}`);
  for (const s of summary) {
    lines.push(row([...cellLabels(s), ...o.clients.map((c) => fmtValue(s.clients[c], s.mode)), ...others.map((c) => fmtRatioSpread(s.ratios[c], s.ratiosPerRound[c]))]));
  }
  if (o.rounds > 1) lines.push('', ...verdicts(summary, others));
  lines.push('');
  lines.push('CPU time per call: everything the client\'s process used (all threads), median over rounds; ratios paired per round as above.');
  lines.push('');
  lines.push(row(['servers', 'responses', 'mode', ...o.clients.map((c) => CLIENTS[c].label), ...others.map((c) => `McpAuth vs ${CLIENTS[c].label.split(' (')[0]}`)]));
  lines.push(`|${'---|'.repeat(3 + o.clients.length + others.length)}`);
  for (const s of summary) {
    lines.push(row([...cellLabels(s), ...o.clients.map((c) => `${Math.round(s.clients[c].cpuPerCallUsMedian)} µs`), ...others.map((c) => fmtRatio(s.cpuRatios[c]))]));
  }
  // A table with one column per client; nothing when a figure is missing (not Linux, or a single round).
  const clientTable = (title, has, cellText) => {
    if (!summary.every((s) => o.clients.every((c) => has(s.clients[c])))) return;
    lines.push('', title, '');
    lines.push(row(['servers', 'responses', 'mode', ...o.clients.map((c) => CLIENTS[c].label)]));
    lines.push(`|${'---|'.repeat(3 + o.clients.length)}`);
    for (const s of summary) lines.push(row([...cellLabels(s), ...o.clients.map((c) => cellText(s.clients[c]))]));
  };
  clientTable('The server\'s CPU time per call while each client ran (the fixture\'s, or the floor server\'s; all its threads, median over rounds): what that client\'s requests cost the server.',
    (x) => typeof x.serverCpuPerCallUsMedian === 'number', (x) => `${Math.round(x.serverCpuPerCallUsMedian)} µs`);
  clientTable(`New connections each client opened in rounds 2 to ${o.rounds} (from the server's request log: client ports it had not used in an earlier round), and HTTP requests per call.`,
    (x) => o.rounds > 1 && x.newConnectionsPerRound.every((n) => typeof n === 'number'),
    (x) => `${x.newConnectionsPerRound.slice(1).reduce((a, b) => a + b, 0)} (${x.requestsPerCallMedian.toFixed(2)} a call)`);
  if (newConnection) {
    lines.push('');
    lines.push(`First McpAuth call after a new connection (\`Connect-McpServer -Force\` to ${newConnection.target}, ${newConnection.live} connections live): median ${newConnection.medianMs.toFixed(1)} ms, max ${newConnection.maxMs.toFixed(1)} ms over ${newConnection.count}.`);
  }
  if (roundTrips) {
    lines.push('');
    lines.push('McpAuth round trips (from the fixture\'s request log; the browser\'s consent pages and the fixture\'s requests to itself are not counted):');
    lines.push('');
    lines.push('| servers | scenario | HTTP requests | to the MCP server | to the authorization server | 401 answers | requests in order |');
    lines.push('|---|---|---|---|---|---|---|');
    for (const [set, scenarios] of Object.entries(roundTrips)) {
      for (const [name, r] of Object.entries(scenarios)) {
        lines.push(`| ${set} | ${ROUND_TRIP_NAMES[name] ?? name} | ${r.total} | ${r.mcp} | ${r.as} | ${r.status401} | ${r.sequence.join(', ')} |`);
      }
    }
  }
  lines.push('');
  if (meta.jit) {
    const parts = Object.entries(meta.jit).map(([c, j]) => `${CLIENTS[c].label}: ${j.warmupRuns} warm-up runs, ${j.jittedInRounds ?? 'n/a'} methods compiled during the measured rounds`);
    lines.push(`Warm-up: each cell warmed with ${o.warmup} calls per client, again while a .NET client still compiled 1 method per 100 calls (${WARMUP_MAX_RUNS} runs at most). ${parts.join('; ')}.`);
    lines.push('');
  }
  lines.push(`Machine: ${meta.cpus} cores (${meta.cpuModel}), shared with other work; load average ${meta.loadBefore.map((l) => l.toFixed(2)).join(' ')} before, ${meta.loadAfter.map((l) => l.toFixed(2)).join(' ')} after. ${meta.date}${o.label ? `, ${o.label}` : ''}.`);
  return lines.join('\n') + '\n';
}

// ----- round trips -------------------------------------------------------------------------------------

const ROUND_TRIP_NAMES = {
  firstSignIn: 'first sign-in (to the first tool result)',
  coldStart: 'cold start, valid stored credential',
  warm: 'warm call',
  refresh: 'call after the access token expired (refresh)',
};
// Not McpAuth's requests: the browser's (the consent pages) and the fixture's own (marked internal).
const isBrowser = (r) => r.port === 'as' && r.method === 'GET' && /\/(auth|interaction)(\/|$)/.test(r.path);
const isServer = (r) => r.internal === true;

function countRequests(requests) {
  const client = requests.filter((r) => !isBrowser(r) && !isServer(r));
  return {
    total: client.length,
    mcp: client.filter((r) => r.port === 'mcp').length,
    as: client.filter((r) => r.port === 'as').length,
    status401: client.filter((r) => r.status === 401).length,
    browser: requests.filter(isBrowser).length,
    sequence: client.map((r) => `${r.method} ${r.path}${r.rpcMethod ? ` ${r.rpcMethod}` : ''} → ${r.status ?? '?'}`),
  };
}

// For each server set's OAuth endpoint: two new pwsh processes share a plaintext store in a temporary folder; the
// fixture's tokens live 12 s so that the second process sees its stored token valid first and expired a few
// seconds later.
async function measureRoundTrips(sets) {
  const { ready, stop } = await startServer(['--access-ttl', '12', '--keep-alive-ms', '60000']);
  const byServers = {};
  try {
    for (const set of sets) {
      const storeDir = mkdtempSync(join(tmpdir(), 'mcpauth-bench-'));
      const env = { ...process.env, MCPAUTH_CREDENTIAL_STORE: 'plaintext', MCPAUTH_ALLOW_PLAINTEXT_STORAGE: '1', MCPAUTH_STORE_DIR: storeDir };
      try {
        const scenarios = {};
        for (const phase of ['First', 'Cold']) {
          const url = ready[SERVER_SETS[set].oauth];
          const w = new Worker(`pwsh round trips (${set}, ${phase})`, 'dotnet', pwshArgs('RoundTrips.ps1', modulePath, '-Phase', phase, '-Url', url, '-Admin', ready.admin), { env });
          const reply = await w.request(null, 120000).catch((e) => ({ ok: false, error: e.message }));
          await w.quit();
          if (!reply.ok) throw new Error(`round trips (${set}, ${phase}): ${reply.error}`);
          for (const [name, requests] of Object.entries(reply.scenarios)) scenarios[name] = countRequests(requests);
        }
        byServers[set] = { firstSignIn: scenarios.firstSignIn, coldStart: scenarios.coldStart, warm: scenarios.warm, refresh: scenarios.refresh };
      } finally {
        rmSync(storeDir, { recursive: true, force: true });
      }
    }
    return byServers;
  } finally {
    stop();
  }
}

// ----- main --------------------------------------------------------------------------------------------

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const meta = { date: new Date().toISOString(), cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '?', loadBefore: loadavg() };
  log(`servers ${o.servers.join(',')}; ${o.rounds} round(s) of ${o.count} calls; clients ${o.clients.join(', ')}${o.smoke ? ' (smoke)' : ''}`);

  // Idle connections are kept for a minute: on a loaded machine the gap between two uses of a pooled connection
  // can pass Node's 5 s, and a reused connection the server just closed is a reset (issue #12 measures that apart).
  const fixture = await startServer(['--access-ttl', '3600', '--keep-alive-ms', '60000']);
  const { ready } = fixture;
  const floor = o.servers.includes('floor') ? await startServer([], join(benchDir, 'floor-server.mjs'), 'the floor server') : null;
  const workers = {};
  const problems = [];
  try {
    const targets = [];
    for (const set of o.servers) {
      // Each target names its server: its request log and its CPU time.
      const server = set === 'floor' ? floor : fixture;
      for (const scenario of o.scenarios) {
        const key = SERVER_SETS[set][scenario];
        if (!key) continue; // the floor server has JSON only
        if (!server.ready[key]) throw new Error(`the server offers no '${set}' ${scenario} endpoint (no '${key}' in its ready line)`);
        targets.push({ name: `${set}/${scenario}`, set, scenario, url: server.ready[key], auth: scenario === 'oauth', admin: server.ready.admin, serverCpuMs: server.cpuMs });
      }
    }
    if (targets.length === 0) throw new Error(`no endpoint for --servers ${o.servers.join(',')} and --scenarios ${o.scenarios.join(',')}`);
    for (const c of o.clients) workers[CLIENTS[c].worker] ??= startWorker(CLIENTS[c].worker, o);
    for (const t of targets) {
      const token = t.auth && (workers.csharp || workers.ts) ? await clientCredentialsToken(ready.as, t.url) : null;
      for (const [kind, w] of Object.entries(workers)) {
        // McpAuth signs in itself (headless, through the fixture's consent); the SDK clients get a bearer token.
        await w.call({ op: 'connect', target: t.name, url: t.url, auth: t.auth, era: t.set === 'modern' ? 'modern' : 'legacy', token: kind === 'pwsh' ? null : token }, 120000);
      }
    }
    log(`connected ${targets.length} endpoint(s) with ${Object.keys(workers).length} worker process(es)`);

    const cells = [];
    const warmups = [];
    for (const t of targets) for (const mode of o.modes) cells.push({ ...t, target: t.name, mode, runs: Object.fromEntries(o.clients.map((c) => [c, []])) });
    const runOne = (cell, client, count, prefix) => workers[CLIENTS[client].worker].call({
      op: 'run', client: CLIENTS[client].as, target: cell.target, mode: cell.mode, count, concurrency: o.concurrency, prefix,
    });

    // Warm-up (JIT, connection pools, runspaces), not recorded. A .NET worker says how many methods it compiled
    // during a run: tiered compilation in pwsh goes on for thousands of calls (about 6,000 of Invoke-McpTool), and a
    // run that still compiles measures the JIT, not the client. So a cell is warmed again, up to WARMUP_MAX_RUNS
    // times, until a run compiles fewer than one method per 100 calls.
    const warmCount = (cell) => Math.max(o.warmup, cell.mode === 'par' ? o.concurrency : 1);
    for (const cell of cells) {
      for (const c of o.clients) {
        for (let k = 1; ; k++) {
          const r = await runOne(cell, c, warmCount(cell), `w${k}-${c}`);
          warmups.push({ cell: cell.target, mode: cell.mode, client: c, run: k, jitted: r.jitted ?? null });
          if (o.smoke || typeof r.jitted !== 'number' || r.jitted * 100 < warmCount(cell) || k >= WARMUP_MAX_RUNS) break;
        }
      }
    }
    const portsSeen = {};
    for (let round = 0; round < o.rounds; round++) {
      for (const cell of cells) {
        // Rotate the order of clients each round so that none always runs right after another.
        const order = o.clients.map((_, i) => o.clients[(i + round) % o.clients.length]);
        for (const c of order) {
          try {
            await fetch(`${cell.admin}/requests/clear`, { method: 'POST' });
            const server0 = cell.serverCpuMs();
            const r = await runOne(cell, c, o.count, `r${round}-${c}`);
            const server1 = cell.serverCpuMs();
            const serverMs = server0 === null || server1 === null ? null : server1 - server0;
            const wire = await requestsSeen(cell.admin, (portsSeen[c] ??= new Set()));
            cell.runs[c][round] = { ms: r.ms, cpuMs: r.cpuMs, serverCpuMs: serverMs, ...wire, jitted: r.jitted ?? null, lat: r.lat };
          } catch (e) {
            problems.push(e.message);
            cell.runs[c][round] = { ms: NaN, cpuMs: NaN, lat: [] };
          }
        }
      }
      log(`round ${round + 1}/${o.rounds} done`);
    }

    // The first call after a new connection while the other connections stay live (McpAuth only).
    let newConnection = null;
    const sseTarget = targets.find((t) => t.scenario === 'sse') ?? targets[0];
    if (workers.pwsh && o.clients.includes('mcpauth') && sseTarget) {
      const r = await workers.pwsh.call({ op: 'newconn', url: sseTarget.url, count: o.smoke ? 2 : 20 }, 120000).catch((e) => { problems.push(`new connection: ${e.message}`); return null; });
      if (r) {
        const sorted = [...r.lat].sort((a, b) => a - b);
        newConnection = { target: sseTarget.name, live: r.live, count: sorted.length, medianMs: sorted[Math.floor(sorted.length / 2)], maxMs: sorted[sorted.length - 1] };
      }
    }

    // Round trips on both eras whatever --servers says: they cost seconds, not rounds.
    const roundTrips = o.roundTrips ? await measureRoundTrips(Object.keys(SERVER_SETS).filter((set) => SERVER_SETS[set].oauth)).catch((e) => { problems.push(e.message); return null; }) : null;
    if (o.smoke && roundTrips) {
      // The counts are reported, not judged; only check that the log was read (a sign-in always starts with a 401).
      for (const r of Object.values(roundTrips)) {
        if (!(r.firstSignIn.status401 >= 1 && r.warm.total >= 1)) problems.push(`implausible round-trip counts: ${JSON.stringify(roundTrips)}`);
      }
    }

    meta.loadAfter = loadavg();
    meta.jit = Object.fromEntries(o.clients.map((c) => [c, {
      warmupRuns: warmups.filter((w) => w.client === c).length,
      jittedInRounds: cells.some((cell) => typeof cell.runs[c][0]?.jitted === 'number')
        ? cells.reduce((sum, cell) => sum + cell.runs[c].reduce((t, r) => t + (r?.jitted ?? 0), 0), 0) : null,
    }]));
    meta.warmups = warmups;
    const summary = summarize(cells, o);
    const md = markdown(summary, roundTrips, meta, o, newConnection);
    mkdirSync(o.out, { recursive: true });
    const base = join(o.out, o.smoke ? 'smoke' : 'latest');
    writeFileSync(`${base}.json`, JSON.stringify({ meta, options: { ...o, out: undefined }, summary, newConnection, roundTrips, problems }, null, 1) + '\n');
    writeFileSync(`${base}.md`, md);
    process.stdout.write('\n' + md);
    log(`results: ${base}.json, ${base}.md`);
  } finally {
    await Promise.all(Object.values(workers).map((w) => w.quit()));
    fixture.stop();
    floor?.stop();
  }
  if (problems.length > 0) {
    for (const p of problems) log('FAILED: ' + p);
    process.exitCode = 1;
  }
}

main().catch((e) => { log('FAILED: ' + (e?.stack ?? e)); process.exit(1); });
