#!/usr/bin/env bash
# GPU scale, for a machine with a real GPU (H100/H200): one command, every figure.
#   bash benches/gpu_scale.sh [--scale S] [--ticks T] [--out DIR]
# Measures, on the GPU (--backend gpu):
#   - ticks/s and per-pass milliseconds of the default world and configs/jaxlife.ron;
#   - the same for 65,536 / 262,144 / 1,048,576 agents with Compact(hidden: 16) in F16,
#     bots acting (one bot per 256 agents), on maps of 4 cells an agent (configs/large.ron's
#     density: 512² for 65,536);
#   - each brain pass's weight bandwidth against the adapter's copy bandwidth;
#   - aggregate ticks/s of 16 default worlds at once (silico experiment --jobs 16).
# --scale S divides the agent counts and the ticks, to try the script on lavapipe first.
# Everything lands in DIR (default runs/gpu_scale): one JSON per bench, and summary.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
scale=1
ticks=1000
out=runs/gpu_scale
while [ $# -gt 0 ]; do
  case "$1" in
    --scale) scale="$2"; shift 2 ;;
    --ticks) ticks="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "usage: bash benches/gpu_scale.sh [--scale S] [--ticks T] [--out DIR]" >&2; exit 2 ;;
  esac
done
cargo build --release --quiet
bin=target/release/silico
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
mkdir -p "$out"
summary="$out/summary.txt"
: > "$summary"
say() { echo "$@" | tee -a "$summary"; }
say "gpu_scale: $(date -u +%Y-%m-%dT%H:%MZ), scale 1/$scale, $(git rev-parse --short HEAD)"

bench() {
  local name="$1" n="$2"; shift 2
  "$bin" bench --backend gpu --ticks "$n" --passes --json "$@" > "$out/$name.json"
  python3 - "$out/$name.json" "$name" <<'EOF' | tee -a "$summary"
import json, sys
d = json.load(open(sys.argv[1]))
line = f"{sys.argv[2]:>14}: {d['ticks_per_s']:9.1f} ticks/s  {d['agent_ticks_per_s']:12.0f} agent-ticks/s  on {d['adapter']}"
t = d.get("brain_traffic")
if t and t.get("weights_gb_per_s"):
    line += f"\n{'':>16}brain pass {t['pass']}: {t['pass_ms']:.3f} ms, weights {t['weights_gb_per_s']:.1f} GB/s = {100 * t['weights_gb_per_s'] / t['copy_gb_per_s']:.0f}% of copy ({t['copy_gb_per_s']:.1f} GB/s)"
top = sorted(d["pass_ms"], key=lambda p: -p[1])[:6]
line += "\n" + "".join(f"{'':>16}{n:18} {ms:8.3f} ms\n" for n, ms in top).rstrip()
print(line)
EOF
}

bench default "$ticks" --config configs/default.ron
bench jaxlife "$((ticks / 4))" --config configs/jaxlife.ron
for agents in 65536 262144 1048576; do
  n=$((agents / scale))
  # configs/large.ron's density: 4 cells an agent.
  side=$(python3 -c "import math; print(max(16, int(math.sqrt($n * 4))))")
  bench "compact-$n" "$((ticks / 10 > 10 ? ticks / 10 : 10))" --config configs/default.ron \
    --set "agents.capacity=$n" --set "world.map_size=$side" --set "bots.count=$((n / 256 > 1 ? n / 256 : 1))" \
    --set "brain=Compact(hidden: 16)" --set genome_precision=F16 --set metrics_every=10
done

# 16 default worlds at once, as the emergence experiments run them.
exp="$out/sixteen.ron"
cat > "$exp" <<EOF
(
    base: Path("$(pwd)/configs/default.ron"),
    variants: [(name: "world", set: [])],
    seeds: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    ticks: $ticks,
)
EOF
rm -rf "$out/sixteen"
start=$(date +%s.%N)
"$bin" experiment "$exp" --out "$out/sixteen" --jobs 16 --backend gpu --quiet 2> "$out/sixteen.log"
end=$(date +%s.%N)
python3 -c "print(f'{\"16 at once\":>14}: {16 * $ticks / ($end - $start):9.1f} ticks/s in all ({$end - $start:.1f} s for 16 x $ticks ticks, start-up included)')" | tee -a "$summary"
say "summary in $summary"
