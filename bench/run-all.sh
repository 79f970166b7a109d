#!/usr/bin/env bash
# Reproduces the tables of BENCHMARKS.md: every scenario against its baselines, 3 runs each
# (tables are medians), then bench/results/summary.md. About 25 minutes on 2 cores.
# Needs PostgreSQL, MariaDB/MySQL and Redis on 127.0.0.1 (see DESIGN.md "Where it runs").
set -u
cd "$(dirname "$0")/.."
OUT=${OUT:-bench/results/full}
RUNS=${RUNS:-3}
mkdir -p "$OUT"
run() {
  echo "== $(date -u +%H:%M:%S) $*" >&2
  timeout 480 npm run --silent bench -- "$@" --runs "$RUNS" --out "$OUT" || echo "!! $1 had failed runs (see $OUT)" >&2
}
# Most important first (the issue's targets), so a cut-short run still has them.
run direct --rates 2000,5000,10000,20000 --seconds 3
run fanout --rates 100,200,400,600,800,1000 --seconds 1.5
run idle --conns 10000,18000 --hold 1
run persist --seconds 3
run scaleout --rates 1000,2000 --seconds 3
run storm --conns 5000
node --conditions=@parley/source --import tsx bench/tools/summary.ts "$OUT" > bench/results/summary.md
echo "summary: bench/results/summary.md" >&2
