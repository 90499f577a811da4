#!/usr/bin/env bash
# A soak anyone can rerun (not part of `cargo test`): 1,000,000 ticks of configs/tiny.ron
# and 100,000 of configs/default.ron, headless, with checkpoints, then for each:
#   - NaN or infinity anywhere (metrics.csv and the final world): none expected;
#   - the largest |ledger_error|;
#   - peak memory (VmHWM) at 10% and at 100% of the run: flat expected;
#   - checkpoint sizes: constant expected;
#   - metrics.csv rows: all present;
#   - resume equals uninterrupted: the last stretch run again from a checkpoint ends with
#     the same state_hash.
#
#   bash tests/soak.sh [--backend cpu|gpu|auto] [--scale S] [--world default|tiny] [--out DIR]
#
# --scale divides both lengths (e.g. --scale 100 for a quick look); --world runs one of the
# two (two processes can then soak both at once into one --out). The figures of a full
# run are in docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
backend=auto
scale=1
out=runs/soak
world=all
while [ $# -gt 0 ]; do
  case "$1" in
    --backend) backend="$2"; shift 2 ;;
    --scale) scale="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --world) world="$2"; shift 2 ;;
    *) echo "usage: bash tests/soak.sh [--backend cpu|gpu|auto] [--scale S] [--world default|tiny] [--out DIR]" >&2; exit 2 ;;
  esac
done
cargo build --release --quiet
bin=target/release/silico
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
mkdir -p "$out"

soak() {
  local name="$1" config="$2" ticks="$3" every="$4" metrics_every="$5"
  local dir="$out/$name" mem="$out/$name.memory"
  rm -rf "$dir" "$dir-resumed" "$mem"
  echo "== $name: $ticks ticks of $config (checkpoint every $every, metrics every $metrics_every, backend $backend)"
  local start=$SECONDS
  "$bin" run --config "$config" --set "metrics_every=$metrics_every" --ticks "$ticks" \
    --checkpoint-every "$every" --backend "$backend" --quiet --out "$dir" &
  local pid=$!
  # Peak memory with the tick it was seen at (the newest metrics row).
  while kill -0 "$pid" 2>/dev/null; do
    local hwm tick
    hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    tick=$(tail -c 400 "$dir/metrics.csv" 2>/dev/null | tail -n 1 | cut -d, -f1 || true)
    [ -n "$hwm" ] && echo "${tick:-0} $hwm" >> "$mem"
    sleep 5
  done
  wait "$pid"
  local wall=$((SECONDS - start))
  # The last stretch again, from the checkpoint before it.
  local last=$(( (ticks / every - 1) * every ))
  "$bin" run --resume "$dir/checkpoints/$(printf 'tick-%08d.silico' "$last")" --ticks "$ticks" \
    --backend "$backend" --quiet --out "$dir-resumed" 2>/dev/null
  python3 - "$dir" "$mem" "$ticks" "$metrics_every" "$wall" "$bin" <<'EOF'
import json, math, os, subprocess, sys
d, mem, ticks, every, wall, binary = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
lines = open(os.path.join(d, "metrics.csv")).read().splitlines()
header = lines[0].split(",")
err = header.index("ledger_error")
bad, worst, rows = 0, 0.0, 0
for line in lines[1:]:
    vals = [float(v) for v in line.split(",")]
    rows += 1
    bad += sum(1 for v in vals if not math.isfinite(v))
    worst = max(worst, abs(vals[err]))
final = json.loads(subprocess.run([binary, "inspect", os.path.join(d, "final.silico")],
                                  capture_output=True, text=True, check=True).stdout)
samples = [tuple(map(float, l.split())) for l in open(mem)] if os.path.exists(mem) else []
def hwm_at(frac):
    seen = [h for t, h in samples if t <= frac * ticks]
    return max(seen) / 1024 if seen else float("nan")
sizes = sorted({os.path.getsize(os.path.join(d, "checkpoints", f)) for f in os.listdir(os.path.join(d, "checkpoints"))})
summary = json.load(open(os.path.join(d, "summary.json")))
resumed = json.load(open(d + "-resumed/summary.json"))
print(f"  wall time: {wall} s ({ticks / max(wall, 1):.1f} ticks/s) on {summary['adapter']}")
print(f"  non-finite values: {bad} in metrics.csv, {final['non_finite_values']} in the final world")
print(f"  largest |ledger_error|: {worst:.3g}")
print(f"  peak memory: {hwm_at(0.1):.1f} MiB at 10%, {hwm_at(1.0):.1f} MiB at 100%")
print(f"  checkpoint sizes (bytes): {sizes}")
print(f"  metrics.csv rows: {rows} of {ticks // every}")
same = resumed["state_hash"] == summary["state_hash"]
print(f"  resume equals uninterrupted: {'yes' if same else 'NO'} ({summary['state_hash']})")
ok = bad == 0 and final["non_finite_values"] == 0 and len(sizes) == 1 and rows == ticks // every and same
sys.exit(0 if ok else 1)
EOF
}

status=0
case "$world" in
  all|default|tiny) ;;
  *) echo "--world must be default or tiny, not '$world'" >&2; exit 2 ;;
esac
if [ "$world" != tiny ]; then
  soak default configs/default.ron $((100000 / scale)) $((10000 / scale)) 10 || status=1
fi
if [ "$world" != default ]; then
  soak tiny configs/tiny.ron $((1000000 / scale)) $((100000 / scale)) 100 || status=1
fi
exit $status
