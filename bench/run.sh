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

say "preparing (dotnet tool restore, npm ci, Release build)"
dotnet tool restore >/dev/null
npm_ci tests/fixture
npm_ci bench/ts-sdk
build() { dotnet build "$@" -c Release -nologo -v quiet "-clp:ErrorsOnly;NoSummary" >&2; }
# The module under test, laid out apart from out/McpAuth (the Debug build the tests use).
build src/McpAuth/McpAuth.csproj "-p:ModuleOutputDir=$root/bench/out/McpAuth/"
build bench/CSharpSdk/McpAuth.Bench.CSharpSdk.csproj
build bench/Engine/McpAuth.Benchmarks.csproj

if [ "${1:-}" = "--engine" ]; then
  shift
  cd bench/Engine
  exec dotnet bin/Release/net10.0/McpAuth.Benchmarks.dll "${@:---filter=*}"
fi

for arg in "$@"; do
  if [ "$arg" = "--smoke" ]; then
    say "engine benchmarks: check"
    dotnet bench/Engine/bin/Release/net10.0/McpAuth.Benchmarks.dll --check >&2
  fi
done
exec node bench/driver.mjs "$@"
