#!/usr/bin/env bash
# Reproduces docs/results.md: synthetic data, one encoder per split, then SCALE (full and three
# ablations) and the alignment baseline for three seeds per split. Prints the table.
#   bash scripts/results.sh [WORKDIR]     (about 1.5 hours on a 2-core machine: two ~20-minute encoders, then 30 CVAE runs)
# The harder benchmark (four splits of the extended catalogue, five seeds, resumable) is
# scripts/benchmark.sh; `bash scripts/results.sh --harder [--table] [WORKDIR]` runs it.
set -euo pipefail
if [ "${1:-}" = "--harder" ]; then shift; exec bash "$(dirname "$0")/benchmark.sh" "$@"; fi
cd "$(dirname "$0")/.."
work=${1:-target/results}
mkdir -p "$work"
cargo build --release --quiet
scale=target/release/scale
[ -f "$work/data/manifest.json" ] || $scale synth --out "$work/data" --per-class 30 --seed 0
for split in synth-35/5 synth-30/10; do
  tag=${split//\//-}
  [ -f "$work/enc-$tag/encoder.safetensors" ] || \
    $scale train encoder --data "$work/data" --split "$split" --window 32 --width 0.25 --epochs 25 --batch 32 --seed 0 --out "$work/enc-$tag"
done
out="$work/results.jsonl"
: > "$out"
for split in synth-35/5 synth-30/10; do
  tag=${split//\//-}
  for seed in 0 1 2; do
    for variant in full no-semantic no-uncertainty no-prototype alignment; do
      case $variant in
        full) flags=() ;;
        alignment) flags=(--alignment-baseline) ;;
        *) flags=("--$variant") ;;
      esac
      line=$($scale train scale --encoder "$work/enc-$tag/encoder.safetensors" --data "$work/data" --split "$split" \
        --out "$work/m-$tag-$variant-$seed" --seed "$seed" --epochs 15 --feature-augment 1 --json "${flags[@]}")
      echo "{\"split\": \"$split\", \"variant\": \"$variant\", \"seed\": $seed, \"report\": $line}" >> "$out"
      echo "$split $variant seed $seed: $(echo "$line" | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["accuracies"]["zsl_top1"], 3))')" >&2
    done
  done
done
python3 - "$out" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
splits = ["synth-35/5", "synth-30/10"]
variants = [("full", "SCALE (full)"), ("no-semantic", "− semantic bias"), ("no-uncertainty", "− uncertainty margin/weights"),
            ("no-prototype", "− prototype contrast"), ("alignment", "alignment baseline")]
def cell(split, v, key):
    xs = [100 * r["report"]["accuracies"][key] for r in rows if r["split"] == split and r["variant"] == v]
    return f"{statistics.mean(xs):.1f} ± {statistics.stdev(xs):.1f}" if len(xs) > 1 else "—"
print("| method | " + " | ".join(f"{s} top-1" for s in splits) + " | " + " | ".join(f"{s} top-5" for s in splits) + " |")
print("|---|" + "---|" * (2 * len(splits)))
for v, name in variants:
    print(f"| {name} | " + " | ".join(cell(s, v, "zsl_top1") for s in splits) + " | " + " | ".join(cell(s, v, "zsl_top5") for s in splits) + " |")
print("| chance | 20.0 | 10.0 | 100.0 | 50.0 |")
PY
