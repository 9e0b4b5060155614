#!/usr/bin/env bash
# Runs the MCP client conformance suite (@modelcontextprotocol/conformance) against McpAuth.
#
#   tests/conformance/run.sh                   every client scenario, a few at a time (--jobs)
#   tests/conformance/run.sh --scenario NAME   one scenario (its full check list is printed)
#   tests/conformance/run.sh --suite NAME      one of the suite's own suites (all, core, auth, ...),
#                                              all of its scenarios at once, as the suite runs them
#   options: --jobs N (default: CPUs, at most 4)  --timeout MS (per client, default 30000)  --verbose
#
# Assumes `dotnet build McpAuth.sln` ran at the repo root and `npm ci` ran in tests/conformance.
# Gated by expected-failures.yml: exits non-zero when a scenario fails that is not in the baseline, or
# one in the baseline now passes. Results (checks.json with every HTTP exchange, the client's
# stdout.txt/stderr.txt, the suite's log per scenario) land in <repo>/.conformance-results/<UTC time>/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
repo="$(cd "$here/../.." && pwd -P)"

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; }

scenario=""
suite=""
timeout=""
verbose=()
cpus=$(nproc 2>/dev/null || echo 2)
jobs=$(( cpus > 4 ? 4 : cpus ))
while [ "$#" -gt 0 ]; do
  case "$1" in
    --scenario) scenario="${2:?--scenario needs a name}"; shift 2 ;;
    --scenario=*) scenario="${1#*=}"; shift ;;
    --suite) suite="${2:?--suite needs a name}"; shift 2 ;;
    --suite=*) suite="${1#*=}"; shift ;;
    --jobs|-j) jobs="${2:?--jobs needs a number}"; shift 2 ;;
    --jobs=*) jobs="${1#*=}"; shift ;;
    --timeout) timeout="${2:?--timeout needs milliseconds}"; shift 2 ;;
    --timeout=*) timeout="${1#*=}"; shift ;;
    --verbose) verbose=(--verbose); shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if [ -n "$scenario" ] && [ -n "$suite" ]; then
  echo "run.sh: give --scenario or --suite, not both" >&2
  exit 2
fi
case "$jobs" in ''|*[!0-9]*|0) echo "run.sh: --jobs needs a positive number" >&2; exit 2 ;; esac

node="$here/node_modules/.bin/node"
suite_js="$here/node_modules/@modelcontextprotocol/conformance/dist/index.js"
baseline="$here/expected-failures.yml"
module="$repo/out/McpAuth/McpAuth.psd1"

if [ ! -f "$suite_js" ]; then
  echo "run.sh: the suite is not installed; run 'npm ci' in $here first" >&2
  exit 2
fi
if [ ! -x "$node" ]; then
  # npm ci installs Node 22 (package node@22) through an install script; without it (scripts
  # disabled), a Node 22+ on PATH will do.
  node="$(command -v node || true)"
  if [ -z "$node" ] || [ "$("$node" -p 'process.versions.node.split(".")[0]')" -lt 22 ]; then
    echo "run.sh: needs Node 22 or newer: run 'npm ci' in $here (with install scripts enabled) or put Node 22+ on PATH" >&2
    exit 2
  fi
fi
if [ ! -f "$module" ]; then
  echo "run.sh: $module not found; run 'dotnet build McpAuth.sln' in $repo first" >&2
  exit 2
fi
# The suite splits --command on spaces, so the client's path must not contain any.
case "$here" in
  *" "*) echo "run.sh: the repo path '$repo' contains a space; the suite cannot run a command from it" >&2; exit 2 ;;
esac

outdir="$repo/.conformance-results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$outdir"

# The suite's scenario servers call listen(0) with no host (every interface); the preload binds them
# to 127.0.0.1. Node 22 from node_modules comes first on PATH (the suite needs fs.globSync).
export NODE_OPTIONS="--require $here/preload.cjs"
export PATH="$here/node_modules/.bin:$PATH"

# The suite runs `/bin/sh -c "<command> <url>"` and, on timeout, kills only that shell. dash does not
# exec a lone command, so the client would outlive the kill (and the suite would wait for it); a
# leading `exec` makes the shell become ./client, which execs dotnet: the timeout kill reaches it.
common=(client --command "exec $here/client" -o "$outdir" --expected-failures "$baseline")
if [ -n "$timeout" ]; then
  common+=(--timeout "$timeout")
fi
common+=("${verbose[@]}")

start=$(date +%s)
status=0
if [ -n "$scenario" ]; then
  scenarios=("$scenario")
  "$node" "$suite_js" "${common[@]}" --scenario "$scenario" || status=$?
elif [ -n "$suite" ]; then
  # The suite's own parallel mode: every scenario of the suite at once.
  "$node" "$suite_js" "${common[@]}" --suite "$suite" || status=$?
  mapfile -t scenarios < <(cd "$outdir" && find . -name checks.json -printf '%h\n' | sed -e 's|^\./||' -e 's/-[0-9]\{4\}-[0-9]\{2\}-[0-9]\{2\}T[0-9-]*Z$//' | sort)
else
  # Every client scenario, at most $jobs at a time. The suite's own `--suite all` starts all 26
  # clients at once; each is a .NET process hosting PowerShell, and on a 2-CPU machine their start-up
  # alone takes ~30 s of CPU, so clients time out and sse-retry's 500 ms timing check fails.
  mapfile -t scenarios < <("$node" "$suite_js" list --client | sed -n 's/^  - \([^ ]*\).*/\1/p')
  if [ "${#scenarios[@]}" -eq 0 ]; then
    echo "run.sh: the suite listed no client scenarios" >&2
    exit 2
  fi
  echo "Running ${#scenarios[@]} client scenarios, $jobs at a time; logs in $outdir/logs/"
  mkdir -p "$outdir/logs" "$outdir/exit"
  run_one() {
    local name="$1" file="${1//\//_}" rc=0
    "$node" "$suite_js" "${common[@]}" --scenario "$name" >"$outdir/logs/$file.log" 2>&1 || rc=$?
    echo "$rc" >"$outdir/exit/$file"
    echo "  finished $name (suite exit $rc)"
  }
  running=0
  for name in "${scenarios[@]}"; do
    if [ "$running" -ge "$jobs" ]; then
      wait -n || true
      running=$((running - 1))
    fi
    run_one "$name" &
    running=$((running + 1))
  done
  wait || true
  for name in "${scenarios[@]}"; do
    rc=$(cat "$outdir/exit/${name//\//_}" 2>/dev/null || echo 1)
    if [ "$rc" -ne 0 ]; then
      status=1
    fi
  done
fi
elapsed=$(( $(date +%s) - start ))

echo
echo "suite exit code $status (0 = results match expected-failures.yml), ${elapsed}s"
# Last line: `N passed, N failed` (scenarios).
# summarize.cjs is one step stricter than the suite (a scenario with no successful check fails), and
# fails the run on such a regression too.
"$node" "$here/summarize.cjs" "$outdir" "$baseline" "${scenarios[@]}" || status=1
exit "$status"
