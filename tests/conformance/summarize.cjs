'use strict';
// Summarises one conformance run from the checks.json files under its output directory.
//
//   node summarize.cjs <outdir> <baseline.yml> <scenario> [<scenario>...]
//
// A scenario passes when at least one check succeeded and none is FAILURE or WARNING. That is one
// step stricter than the suite's baseline rule (no FAILURE or WARNING): the initialize scenario, for
// one, records nothing at all when the client never connects, which the suite counts as a pass. A
// scenario whose every check is SKIPPED (an extension the client does not implement; the skills
// extension's sep-2640-* scenarios did so until client.ps1 listed and loaded skills) is
// reported as not applicable and counted as skipped; the suite counts it as passed. A scenario with no
// checks.json (its server failed to start) fails. Prints one line per scenario, then a line
// `N passed, N failed, N skipped` (scenarios). Exit code 1 when a scenario not in the baseline fails
// by this rule (run.sh then fails even if the suite did not), else 0.

const fs = require('fs');
const path = require('path');
const YAML = require('yaml');

const [outdir, baselinePath, ...scenarios] = process.argv.slice(2);
if (!outdir || !baselinePath || scenarios.length === 0) {
  console.error('usage: node summarize.cjs <outdir> <baseline.yml> <scenario>...');
  process.exit(2);
}

const baseline = new Set(((YAML.parse(fs.readFileSync(baselinePath, 'utf8')) || {}).client || []).map(String));

// <outdir>/<scenario>-<ISO timestamp with : and . replaced by ->/checks.json; auth/x nests a folder.
function findChecks(dir) {
  const found = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findChecks(full));
    else if (entry.name === 'checks.json') found.push(full);
  }
  return found;
}

const results = new Map();
for (const file of fs.existsSync(outdir) ? findChecks(outdir) : []) {
  const relative = path.relative(outdir, path.dirname(file)).split(path.sep).join('/');
  const name = relative.replace(/-\d{4}-\d{2}-\d{2}T[\d-]+Z$/, '');
  let checks;
  try {
    checks = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    checks = [{ status: 'FAILURE', name: 'checks.json', errorMessage: `unreadable: ${e.message}` }];
  }
  results.set(name, { checks, dir: path.dirname(file) });
}

let passed = 0;
let failed = 0;
let regressions = 0;
let known = 0;
const lines = [];
for (const scenario of scenarios) {
  const result = results.get(scenario);
  const expected = baseline.has(scenario);
  let ok;
  let detail;
  let notApplicable = false;
  if (!result) {
    ok = false;
    detail = 'no checks.json (scenario did not run)';
  } else {
    const count = (s) => result.checks.filter((c) => c.status === s).length;
    const [s, f, w, k] = [count('SUCCESS'), count('FAILURE'), count('WARNING'), count('SKIPPED')];
    ok = s > 0 && f === 0 && w === 0;
    notApplicable = s === 0 && f === 0 && w === 0 && k > 0;
    detail = `${s} ok, ${f} failed, ${w} warnings${s + f + w === 0 ? ' (nothing was checked: did the client reach the server?)' : ''}`;
    if (!ok) {
      const first = result.checks.find((c) => c.status === 'FAILURE' || c.status === 'WARNING');
      if (first) detail += ` — ${first.name}: ${String(first.errorMessage || first.description).slice(0, 200)}`;
    }
  }
  let note = '';
  if (notApplicable) {
    const first = result.checks.find((c) => c.status === 'SKIPPED');
    lines.push(`SKIP  ${scenario} (not applicable: every check skipped)${expected ? ' (in baseline)' : ''}: ${String(first.errorMessage || first.description).slice(0, 160)}`);
    known++;
    continue;
  }
  if (ok && !expected) passed++;
  if (!ok && expected) {
    note = ' (expected, in baseline)';
    known++;
  }
  if (!ok && !expected) {
    note = ' (REGRESSION: not in baseline)';
    regressions++;
    failed++;
  }
  if (ok && expected) {
    note = ' (STALE: passes but is in baseline; remove it)';
    failed++;
  }
  lines.push(`${ok ? 'PASS' : 'FAIL'}  ${scenario}${note}: ${detail}`);
}

console.log('\n=== McpAuth conformance summary ===');
for (const line of lines) console.log(line);
console.log(`results: ${outdir}`);
// Known failures (in the baseline) are reported as skipped: they are features the module does not offer.
console.log(`${passed} passed, ${failed} failed, ${known} skipped`);
process.exitCode = regressions > 0 ? 1 : 0;
