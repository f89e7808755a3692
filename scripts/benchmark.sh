#!/usr/bin/env bash
# The harder synthetic benchmark (docs/results.md, "The harder benchmark"): the extended
# catalogue (100 classes: the bundled 40 and 60 compositional ones; 12 recordings per class,
# seed 0), its four splits in NTU RGB+D 60's proportions (ext-92/8, ext-80/20, ext-67/33,
# ext-50/50, as 55/5, 48/12, 40/20, 30/30; their unseen classes chosen near seen ones, see
# the catalogue's "reasoning"), one encoder per split (seed 0, trained on that split's seen
# classes only), then per split and seed the SCALE CVAE (full), its three ablations and the
# alignment baseline on the same encoder and features. Each SCALE model is also measured on
# the real development sets (scripts/real_eval.py) when they are present. Each run keeps its
# zero-shot test energies (`--zsl-scores`), from which the table also ranks a fusion of SCALE
# and the baseline without training anything more.
#
# Resumable: every run leaves WORK/runs/SPLIT/VARIANT-SEED.json, and a run whose file exists is
# skipped, so the benchmark can be run over several sittings (about 40 minutes of encoders,
# then about 2 minutes per run on a 2-core machine: 100 runs for 5 seeds). SEEDS and VARIANTS
# (environment) choose a subset; the order is seed, then split, then variant, so a partial
# benchmark has whole seeds.
#   bash scripts/benchmark.sh [WORKDIR]            train what is missing, then print the table
#   bash scripts/benchmark.sh --table [WORKDIR]    print the table of the runs done so far
#   SEEDS="0 1" VARIANTS="full alignment" bash scripts/benchmark.sh
#   VARIANTS="proto-weight-0.1 unconditioned" bash scripts/benchmark.sh   (training fixes, extra rows)
set -euo pipefail
cd "$(dirname "$0")/.."
table_only=0
if [ "${1:-}" = "--table" ]; then table_only=1; shift; fi
work=${1:-target/benchmark}
splits="ext-92/8 ext-80/20 ext-67/33 ext-50/50"
seeds=${SEEDS:-"0 1 2 3 4"}
variants=${VARIANTS:-"full alignment no-semantic no-uncertainty no-prototype"}
mkdir -p "$work/runs"
if [ "$table_only" = 0 ]; then
  # A copy of the binary, so that the tree can be rebuilt while the benchmark runs; a resumed
  # benchmark keeps the binary it started with (delete WORK/scale to take a new one).
  if [ ! -x "$work/scale" ]; then
    cargo build --release --quiet
    cp target/release/scale "$work/scale"
  fi
  scale=$work/scale
  [ -f "$work/data/manifest.json" ] || $scale synth --out "$work/data" --per-class 12 --seed 0 --catalog extended
  for split in $splits; do
    tag=${split//\//-}
    [ -f "$work/enc-$tag/encoder.safetensors" ] || \
      $scale train encoder --data "$work/data" --split "$split" --window 32 --width 0.25 --epochs 25 \
        --batch 32 --seed 0 --out "$work/enc-$tag"
  done
  for seed in $seeds; do
    for split in $splits; do
      tag=${split//\//-}
      mkdir -p "$work/runs/$tag"
      for variant in $variants; do
        out=$work/runs/$tag/$variant-$seed.json
        [ -f "$out" ] && continue
        case $variant in
          full) flags=() ;;
          alignment) flags=(--alignment-baseline) ;;
          no-semantic | no-uncertainty | no-prototype | unconditioned | proto-detach) flags=("--$variant") ;;
          # The training fixes of docs/training.md, on demand (VARIANTS="proto-weight-0.1 …").
          proto-weight-0.1) flags=(--proto-weight 0.1) ;;
          free-bits-0.05) flags=(--free-bits 0.05) ;;
          prior-shared) flags=(--prior-variance shared) ;;
          members-3) flags=(--members 3) ;;
          *) echo "unknown variant $variant (full, alignment, no-semantic, no-uncertainty, no-prototype; fixes: unconditioned, proto-detach, proto-weight-0.1, free-bits-0.05, prior-shared, members-3)" >&2; exit 2 ;;
        esac
        model=$work/models/$tag-$variant-$seed
        report=$($scale train scale --encoder "$work/enc-$tag/encoder.safetensors" --data "$work/data" \
          --split "$split" --out "$model" --seed "$seed" --epochs 15 --feature-augment 1 --json \
          --zsl-scores "$work/runs/$tag/$variant-$seed.scores.json" "${flags[@]}")
        real=null
        if [ "$variant" != alignment ] && [ -d ../shared/fixtures/real ]; then
          real=$(python3 scripts/real_eval.py --model "$model" --scale "$scale" --sets utkinect,hdm05,ntu --json | tail -n 1)
        fi
        # Written whole or not at all, so an interrupted run is redone.
        echo "{\"split\": \"$split\", \"variant\": \"$variant\", \"seed\": $seed, \"report\": $report, \"real\": $real}" > "$out.tmp"
        mv "$out.tmp" "$out"
        echo "$split $variant seed $seed: ZSL $(python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["report"]["accuracies"]["zsl_top1"], 3))' "$out")" >&2
      done
    done
  done
fi
python3 scripts/benchmark_table.py "$work/runs"
