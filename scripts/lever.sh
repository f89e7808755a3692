#!/usr/bin/env bash
# One sim-to-real lever, measured: trains a model like the one bundled until 2026-12-03 (the baseline:
# synthetic data seed 0, 30 per class; encoder width 0.25, T = 32, 25 epochs; SCALE CVAE on
# synth-35/5) with extra encoder flags, then measures it on the synthetic benchmark and on the
# real development sets (scripts/real_eval.py).
#   bash scripts/lever.sh NAME [--seed S] [--per-class N] [--split SPLIT] [--synth "scale synth flags"]
#                              [--scale "scale train scale flags"] [--real-sets SETS]
#                              [--width W] [--window T] [scale train encoder flags…]
# (--real-sets: the real_eval.py sets to measure on, default utkinect,hdm05,ntu; e.g.
# utkinect,hdm05-dg,ntu for a model trained on HDM05's other actors; --width and --window: the
# encoder's width multiplier and window length, default 0.25 and 32, the model-size lever.)
# e.g. bash scripts/lever.sh sensor-window-64 --sensor-window 64
#      bash scripts/lever.sh measured-noise --synth "--sensor-noise measured"
#      bash scripts/lever.sh score-beta --scale "--select-score-beta"
#      bash scripts/lever.sh per-class-60 --per-class 60
#      bash scripts/lever.sh vocabulary-100 --per-class 12 --split ext-95/5 --synth "--catalog extended"
#      bash scripts/lever.sh scene-varied --per-class 12 --split ext-95/5 --synth "--catalog extended --scene varied"
#      bash scripts/lever.sh centring-frame --per-class 12 --split ext-95/5 --synth "--catalog extended" --centring frame
#      bash scripts/lever.sh mocap-hdm05-not-dg --per-class 12 --split ext-95/5 --synth "--catalog extended" \
#        --scale "--extra-data target/real/hdm05-not-dg/catalog" --real-sets utkinect,hdm05-dg,ntu \
#        --extra-data target/real/hdm05-not-dg/catalog
# Writes target/levers/NAME/{encoder,model,report.txt}; about 25 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
name=$1; shift
seed=0
per_class=30
synth=""
if [ "${1:-}" = "--seed" ]; then seed=$2; shift 2; fi
if [ "${1:-}" = "--per-class" ]; then per_class=$2; shift 2; fi
split=synth-35/5
if [ "${1:-}" = "--split" ]; then split=$2; shift 2; fi
if [ "${1:-}" = "--synth" ]; then synth=$2; shift 2; fi
scale_flags=""
if [ "${1:-}" = "--scale" ]; then scale_flags=$2; shift 2; fi
real_sets=utkinect,hdm05,ntu
if [ "${1:-}" = "--real-sets" ]; then real_sets=$2; shift 2; fi
width=0.25
if [ "${1:-}" = "--width" ]; then width=$2; shift 2; fi
window=32
if [ "${1:-}" = "--window" ]; then window=$2; shift 2; fi
work=target/levers
data="$work/data${synth:+-$(echo "$synth" | tr -c 'a-z0-9' '-')}"
[ "$per_class" = 30 ] || data="$data-per-class-$per_class"
mkdir -p "$work/$name"
# A copy of the binary, so that the tree can be rebuilt (or be half-edited) while the lever
# trains; a lever that is resumed keeps its binary.
if [ ! -x "$work/$name/scale" ]; then
  cargo build --release --quiet
  cp target/release/scale "$work/$name/scale"
fi
scale=$work/$name/scale
# shellcheck disable=SC2086
[ -f "$data/manifest.json" ] || $scale synth --out "$data" --per-class "$per_class" --seed 0 $synth
[ -f "$work/$name/encoder/encoder.safetensors" ] || \
  $scale train encoder --data "$data" --split "$split" --window "$window" --width "$width" --epochs 25 \
    --batch 32 --seed "$seed" --out "$work/$name/encoder" "$@"
[ -f "$work/$name/model/model.json" ] || \
  $scale train scale --encoder "$work/$name/encoder/encoder.safetensors" --data "$data" \
    --split "$split" --out "$work/$name/model" --epochs 30 --seed "$seed" $scale_flags
{
  echo "lever $name (seed $seed, split $split): scale synth --per-class $per_class … $synth; scale train encoder --width $width --window $window … $*; scale train scale … $scale_flags"
  $scale eval --model "$work/$name/model" --split "$split"
  python3 scripts/real_eval.py --model "$work/$name/model" --scale "$scale" --sets "$real_sets" --json
} | tee "$work/$name/report.txt"
