#!/usr/bin/env node
// The secret scan of a test run: looks for every secret the fixture issued (tests/fixture logs them to
// $MCPAUTH_ISSUED_SECRETS_DIR/*.jsonl, one {"kind","value"} per line) in every file the run wrote: test
// output, TRX, NUnit XML, logs, child process output. Each secret is looked for as it is, URL-encoded, and in
// base64 and base64url at every byte alignment (so an echoed "Bearer <token>" or "id:secret" pair in base64 is
// found too). A hit prints the file and the kind of secret, never the secret, and exits 1.
//
//   node .ci/scan-secrets.mjs --secrets <dir> [--allow-empty] <file or directory>...
//
// Exit codes: 0 clean, 1 a secret was found, 2 bad usage or nothing to scan for.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, resolve, relative } from 'node:path';

const args = process.argv.slice(2);
let secretsDir = null;
let allowEmpty = false;
const targets = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--secrets') secretsDir = args[++i];
  else if (args[i] === '--allow-empty') allowEmpty = true;
  else targets.push(args[i]);
}
if (!secretsDir || targets.length === 0) {
  console.error('usage: scan-secrets.mjs --secrets <dir> [--allow-empty] <file or directory>...');
  process.exit(2);
}
secretsDir = resolve(secretsDir);

// The secrets, by value (a value logged twice keeps its first kind).
const secrets = new Map();
if (existsSync(secretsDir)) {
  for (const name of readdirSync(secretsDir).filter((n) => n.endsWith('.jsonl'))) {
    for (const line of readFileSync(join(secretsDir, name), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const { kind, value } = JSON.parse(line);
        if (typeof value === 'string' && value.length >= 8 && !secrets.has(value)) secrets.set(value, String(kind));
      } catch { /* a line cut by a killed process */ }
    }
  }
}
if (secrets.size === 0 && !allowEmpty) {
  console.error(`secret scan: no issued secrets in ${secretsDir}; the fixture did not log any (is MCPAUTH_ISSUED_SECRETS_DIR reaching it?)`);
  process.exit(2);
}

// Every form of a secret a text may carry, with what it is. Base64 at alignment k: the secret after k other
// bytes; the characters that mix with the neighbours (the first and last group) are left out.
const MIN_FORM = 12;
function forms(value) {
  const bytes = Buffer.from(value, 'utf8');
  const out = [['as issued', value], ['URL-encoded', encodeURIComponent(value)]];
  for (let k = 0; k < 3; k++) {
    const padded = Buffer.concat([Buffer.alloc(k, 0x20), bytes]);
    const b64 = padded.toString('base64');
    // Only whole groups of three bytes that are all the secret's: they read the same whatever comes before or after.
    const core = b64.slice(k === 0 ? 0 : 4, Math.floor(padded.length / 3) * 4);
    const url = core.replace(/\+/g, '-').replace(/\//g, '_');
    if (core.length >= MIN_FORM) out.push(['base64', core]);
    if (core.length >= MIN_FORM && url !== core) out.push(['base64url', url]);
  }
  return out;
}

// Index the forms by their first MIN_FORM characters, so one pass over a file finds every candidate.
const index = new Map();
for (const [value, kind] of secrets) {
  for (const [form, text] of forms(value)) {
    if (text.length < MIN_FORM) continue;
    const key = text.slice(0, MIN_FORM);
    if (!index.has(key)) index.set(key, []);
    index.get(key).push({ kind, form, text });
  }
}

const secretsRoot = secretsDir + '/';
function* files(path) {
  const full = resolve(path);
  if (full === secretsDir || full.startsWith(secretsRoot) || !existsSync(full)) return;
  const stat = statSync(full);
  if (stat.isDirectory()) {
    for (const name of readdirSync(full)) yield* files(join(full, name));
  } else if (stat.isFile()) {
    yield full;
  }
}

let scanned = 0;
let bytes = 0;
const hits = [];
for (const target of targets) {
  for (const file of files(target)) {
    const text = readFileSync(file).toString('latin1');
    scanned++;
    bytes += text.length;
    const found = new Set();
    for (let i = 0; i + MIN_FORM <= text.length; i++) {
      const candidates = index.get(text.slice(i, i + MIN_FORM));
      if (!candidates) continue;
      for (const c of candidates) {
        if (text.startsWith(c.text, i)) found.add(`${c.kind} (${c.form})`);
      }
    }
    for (const what of found) hits.push(`${relative(process.cwd(), file) || file}: ${what}`);
  }
}

const kinds = {};
for (const kind of secrets.values()) kinds[kind] = (kinds[kind] ?? 0) + 1;
const summary = Object.entries(kinds).map(([k, n]) => `${n} ${k}`).join(', ') || 'none';
for (const hit of hits) console.log(`secret scan: FOUND ${hit}`);
console.log(`secret scan: ${secrets.size} issued secrets (${summary}) looked for in ${scanned} files (${(bytes / 1048576).toFixed(1)} MiB): ${hits.length} hits`);
process.exit(hits.length === 0 ? 0 : 1);
