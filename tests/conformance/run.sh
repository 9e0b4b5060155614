#!/usr/bin/env bash
# Runs the MCP client conformance suite (@modelcontextprotocol/conformance) against McpAuth, at two
# versions, each gated by its own baseline that may only shrink:
#   0.1.16          expected-failures.yml
#   0.2.0-alpha.12  expected-failures-0.2.0-alpha.12.yml (adds the MCP 2026-07-28 scenarios)
#
#   tests/conformance/run.sh                   every client scenario of both versions, a few at a time
#   tests/conformance/run.sh --scenario NAME   one scenario (its full check list is printed)
#   tests/conformance/run.sh --suite NAME      one of the suite's own suites (all, core, auth, ...),
#                                              all of its scenarios at once, as the suite runs them
#   options: --version 0.1.16|0.2.0-alpha.12|all (default all)  --jobs N (default: CPUs, at most 4)
#            --timeout MS (per client, default 60000)  --verbose
#
# Assumes `dotnet build McpAuth.sln` ran at the repo root and `npm ci` ran in tests/conformance.
# Exits non-zero when a scenario fails that is not in its baseline, or one in the baseline now passes.
# Results (checks.json with every HTTP exchange, the client's stdout.txt/stderr.txt, the suite's log
# per scenario) land in <repo>/.conformance-results/<UTC time>/<version>/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
repo="$(cd "$here/../.." && pwd -P)"

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; }

scenario=""
suite=""
timeout=""
version="all"
verbose=()
cpus=$(nproc 2>/dev/null || echo 2)
jobs=$(( cpus > 4 ? 4 : cpus ))
while [ "$#" -gt 0 ]; do
  case "$1" in
    --scenario) scenario="${2:?--scenario needs a name}"; shift 2 ;;
    --scenario=*) scenario="${1#*=}"; shift ;;
    --suite) suite="${2:?--suite needs a name}"; shift 2 ;;
    --suite=*) suite="${1#*=}"; shift ;;
    --version) version="${2:?--version needs 0.1.16, 0.2.0-alpha.12 or all}"; shift 2 ;;
    --version=*) version="${1#*=}"; shift ;;
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

# version label -> installed package folder and baseline file
declare -A package=( ["0.1.16"]="@modelcontextprotocol/conformance" ["0.2.0-alpha.12"]="conformance-alpha" )
declare -A baselines=( ["0.1.16"]="expected-failures.yml" ["0.2.0-alpha.12"]="expected-failures-0.2.0-alpha.12.yml" )
case "$version" in
  all) versions=("0.1.16" "0.2.0-alpha.12") ;;
  0.1.16|0.2.0-alpha.12) versions=("$version") ;;
  *) echo "run.sh: --version must be 0.1.16, 0.2.0-alpha.12 or all" >&2; exit 2 ;;
esac
module="$repo/out/McpAuth/McpAuth.psd1"

node="$here/node_modules/.bin/node"
for v in "${versions[@]}"; do
  if [ ! -f "$here/node_modules/${package[$v]}/dist/index.js" ]; then
    echo "run.sh: the suite $v is not installed; run 'npm ci' in $here first" >&2
    exit 2
  fi
done
if [ ! -x "$node" ]; then
  # npm ci installs Node 22 (package node@22) through an install script; without it (scripts
  # disabled), a Node 22+ on PATH will do. Both suite versions need Node 22 (fs.globSync).
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

root_out="$repo/.conformance-results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$root_out"

# The suite's scenario servers call listen(0) with no host (every interface); the preload binds them
# to 127.0.0.1. Node 22 from node_modules comes first on PATH (the suite needs fs.globSync).
export NODE_OPTIONS="--require $here/preload.cjs"
export PATH="$here/node_modules/.bin:$PATH"

# Runs one suite version; sets $version_status and appends its summary line to $summaries.
summaries=()
run_version() {
  local v="$1" suite_js="$here/node_modules/${package[$1]}/dist/index.js" baseline="$here/${baselines[$1]}"
  local outdir="$root_out/$v" status=0 scenarios=() start elapsed
  mkdir -p "$outdir"
  echo "== conformance $v (baseline ${baselines[$v]})"

  # The suite runs `/bin/sh -c "<command> <url>"` and, on timeout, kills only that shell. dash does not
  # exec a lone command, so the client would outlive the kill (and the suite would wait for it); a
  # leading `exec` makes the shell become ./client, which execs dotnet: the timeout kill reaches it.
  # Each client is a .NET process hosting PowerShell; on a busy 2-CPU machine its start-up alone can take
  # most of the suite's default 30 s, so the default here is 60 s (no scenario checks how long it takes).
  local common=(client --command "exec $here/client" -o "$outdir" --expected-failures "$baseline" --timeout "${timeout:-60000}")
  common+=("${verbose[@]}")

  start=$(date +%s)
  if [ -n "$scenario" ]; then
    scenarios=("$scenario")
    "$node" "$suite_js" "${common[@]}" --scenario "$scenario" || status=$?
  elif [ -n "$suite" ]; then
    # The suite's own parallel mode: every scenario of the suite at once.
    "$node" "$suite_js" "${common[@]}" --suite "$suite" || status=$?
    mapfile -t scenarios < <(cd "$outdir" && find . -name checks.json -printf '%h\n' | sed -e 's|^\./||' -e 's/-[0-9]\{4\}-[0-9]\{2\}-[0-9]\{2\}T[0-9-]*Z$//' | sort)
  else
    # Every client scenario, at most $jobs at a time. The suite's own `--suite all` starts every
    # client at once; each is a .NET process hosting PowerShell, and on a 2-CPU machine their start-up
    # alone takes ~30 s of CPU, so clients time out and sse-retry's 500 ms timing check fails.
    mapfile -t scenarios < <("$node" "$suite_js" list --client | sed -n 's/^  - \([^ ]*\).*/\1/p')
    if [ "${#scenarios[@]}" -eq 0 ]; then
      echo "run.sh: the suite $v listed no client scenarios" >&2
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
    local running=0 name rc
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
  echo "suite $v exit code $status (0 = results match ${baselines[$v]}), ${elapsed}s"
  # summarize.cjs is one step stricter than the suite (a scenario with no successful check fails), and
  # fails the run on such a regression too. Its last line is `N passed, N failed, N skipped`.
  local summary
  summary=$("$node" "$here/summarize.cjs" "$outdir" "$baseline" "${scenarios[@]}") || status=1
  echo "$summary" | sed "s/^=== McpAuth conformance summary ===$/=== McpAuth conformance summary ($v) ===/"
  summaries+=("$v: $(tail -n 1 <<<"$summary")")
  version_status=$status
}

overall=0
for v in "${versions[@]}"; do
  version_status=0
  run_version "$v"
  [ "$version_status" -eq 0 ] || overall=1
done

echo
passed=0; failed=0; skipped=0
for line in "${summaries[@]}"; do
  echo "  $line"
  counts="${line#*: }"
  passed=$((passed + $(cut -d' ' -f1 <<<"$counts")))
  failed=$((failed + $(cut -d' ' -f3 <<<"$counts" | tr -d ',')))
  skipped=$((skipped + $(sed -nE 's/.*, ([0-9]+) skipped$/\1/p' <<<"$counts")))
done
# Last line (read by .ci/test): the scenarios of every version run.
echo "$passed passed, $failed failed, $skipped skipped"
exit "$overall"
