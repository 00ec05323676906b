#!/usr/bin/env bash
# The agent service on this machine against a local collector (the Linux baseline, signed with
# throw-away keys): CPU time and peak RSS of one full cycle (`run --once`: policy, scan of this
# machine, queue, upload), then the resident memory of `run` idling after its first cycle.
# Usage: bench/measure_agent_service.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root/build/release}
agent=$build/platform/linux/bulwark-agent
collector=$build/collector/bulwark-collector
policy=$build/policy/tool/bulwark-policy
work=$(mktemp -d "${TMPDIR:-/tmp}/bulwark-measure.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

"$collector" --generate-self-signed --data-dir "$work/c" --listen 127.0.0.1:0 \
  --port-file "$work/port" 2>"$work/collector.log" &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$work/port" ] && break; sleep 0.1; done
server="https://127.0.0.1:$(cat "$work/port")"
ca="$work/c/tls/cert.pem"
mkdir -p "$work/keys"
"$policy" keygen --out "$work/keys/root" >/dev/null
"$policy" keygen --out "$work/keys/pol" >/dev/null
"$policy" root init --org example-org --root-key "$work/keys/root.pub" --root-threshold 1 \
  --policy-key "$work/keys/pol.pub" --policy-threshold 1 --sign-key "$work/keys/root.key" \
  --out "$work/1.root.json" 2>/dev/null
"$policy" sign --key "$work/keys/pol.key" --expires-in-days 30 --version-from-time \
  --out "$work/bundle.json" "$root/policy/baselines/linux-workstation.json" 2>/dev/null
for f in "$work/1.root.json" "$work/bundle.json"; do
  "$policy" publish --server "$server" --admin-token-file "$work/c/admin-token" --ca-file "$ca" \
    "$f" >/dev/null
done
cat >"$work/agent.conf" <<CONF
state_dir = $work/state
status_file = $work/status.json
trust_anchor = $work/1.root.json
CONF
"$agent" enroll --config "$work/agent.conf" --server "$server" \
  --enroll-secret-file "$work/c/enroll-secret" --ca-file "$ca" >/dev/null

echo "one cycle (bulwark-agent run --once), 10 runs:"
"$build/bench/measure" -n 10 -- "$agent" run --once --config "$work/agent.conf"

echo "bulwark-agent run, idle after its first cycle:"
"$agent" run --config "$work/agent.conf" 2>"$work/agent.log" &
pid=$!
pids+=("$pid")
for _ in $(seq 1 200); do [ -s "$work/status.json" ] && break; sleep 0.05; done
sleep 5
ticks=$(getconf CLK_TCK)
read -r utime stime < <(awk '{print $14, $15}' "/proc/$pid/stat")
cpu_ms=$(( (utime + stime) * 1000 / ticks ))
grep -E '^(VmRSS|VmHWM|RssAnon|RssFile)' "/proc/$pid/status" | tr -s ' \t' ' '
grep -E "^Pss:" "/proc/$pid/smaps_rollup" | tr -s " " " "
echo "CPU time so far (start-up + first cycle): ${cpu_ms} ms"
echo "largest file-backed mappings (resident kB):"
awk '/^[0-9a-f]+-[0-9a-f]+ /{file=$6} /^Rss:/{if (file != "") rss[file]+=$2} END{for (f in rss) print rss[f], f}' \
  "/proc/$pid/smaps" | sort -rn | head -8
sleep 10
read -r utime2 stime2 < <(awk '{print $14, $15}' "/proc/$pid/stat")
echo "CPU time while idle for 10 s: $(( (utime2 + stime2 - utime - stime) * 1000 / ticks )) ms"
