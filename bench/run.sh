#!/usr/bin/env bash
# The side-by-side benchmark, one command:
#   bash bench/run.sh [--count N] [--rounds R] [--servers legacy[,modern]] [--label TEXT] [...]
#   bash bench/run.sh --smoke        tiny counts; fails only when a client gives a wrong answer (for CI)
#   bash bench/run.sh --engine [BenchmarkDotNet options]   the BenchmarkDotNet engine benchmarks instead
# Installs and builds what it needs first, idempotently (pwsh as a local dotnet tool, npm ci, a Release build
# of the module into bench/out). bench/README.md has every option and how the figures are computed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
say() { echo "[bench] $*" >&2; }

npm_ci() {   # npm ci in $1 unless node_modules matches its package-lock.json
  if [ ! -d "$1/node_modules" ] || [ "$1/package-lock.json" -nt "$1/node_modules/.package-lock.json" ]; then
    say "npm ci in $1"
    (cd "$1" && npm ci --no-audit --no-fund --loglevel=error >&2)
  fi
}

smoke=false
for arg in "$@"; do [ "$arg" = "--smoke" ] && smoke=true; done
# Timing runs measure a Release build of the module, laid out in bench/out/McpAuth apart from the Debug build
# in out/McpAuth that the tests use. The smoke run checks answers, not speed: it takes the Debug build that
# .ci/setup made (and builds the bench programs in Debug too, on top of it), so CI compiles no more than it must.
if $smoke; then
  export BENCH_CONFIG=Debug BENCH_MODULE="$root/out/McpAuth/McpAuth.psd1"
else
  export BENCH_CONFIG=Release BENCH_MODULE="$root/bench/out/McpAuth/McpAuth.psd1"
fi

say "preparing (dotnet tool restore, npm ci, $BENCH_CONFIG build)"
dotnet tool restore >/dev/null
npm_ci tests/fixture
npm_ci bench/ts-sdk
build() { dotnet build "$@" -c "$BENCH_CONFIG" -nologo -v quiet "-clp:ErrorsOnly;NoSummary" >&2; }
if $smoke; then
  [ -f "$BENCH_MODULE" ] || build src/McpAuth/McpAuth.csproj
else
  build src/McpAuth/McpAuth.csproj "-p:ModuleOutputDir=$root/bench/out/McpAuth/"
fi
build bench/CSharpSdk/McpAuth.Bench.CSharpSdk.csproj
build bench/Engine/McpAuth.Benchmarks.csproj

if [ "${1:-}" = "--engine" ]; then
  shift
  cd bench/Engine
  # Without a --filter BenchmarkDotNet would ask which benchmarks to run: run them all.
  case " $* " in *" --filter"* | *" -f "*) ;; *) set -- --filter '*' "$@" ;; esac
  exec dotnet "bin/$BENCH_CONFIG/net10.0/McpAuth.Benchmarks.dll" "$@"
fi

if $smoke; then
  say "engine benchmarks: check"
  dotnet "bench/Engine/bin/$BENCH_CONFIG/net10.0/McpAuth.Benchmarks.dll" --check >&2
fi
exec node bench/driver.mjs "$@"
