#!/usr/bin/env bash
# Prints wall time and peak RSS of `bulwark-agent facts --json` on this machine and over the
# 200-volume fixture, then the Google Benchmark figures. Usage: bench/measure_agent.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root/build/release}
agent=$build/platform/linux/bulwark-agent
echo "bulwark-agent facts --json, this machine:"
"$build/bench/measure" -n 30 -- "$agent" facts --json
echo "bulwark-agent --version (process start-up floor):"
"$build/bench/measure" -n 30 -- "$agent" --version
"$build/bench/facts_bench" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
