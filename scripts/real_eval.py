#!/usr/bin/env python3
"""A model on the real development sets, in both modes: the table of docs/results.md.

Runs `scale eval --data DIR --catalog FILE --json` on the labelled folders that
`scripts/real_sets.py` writes (it is run first if they are missing):

  (a) catalog: the clips whose action is in the bundled catalogue, ranked among its classes;
  (b) own:     every clip, the candidates being the set's own actions named by text.

Prints a markdown table (per-clip top-1 / top-3 and per-window top-1, chance beside each),
then the summary figures the sim-to-real issue tracks (per-set catalog top-1; the mean over
the sets of own-mode top-1 / chance), the own-mode top-1 averaged over each set's classes
(the per-clip figure of a set whose clips are mostly one class, as CMU's walks, rewards a
model that names everything that class), and, with --json, one JSON object as the last line.

Usage (from the repository root, after `cargo build --release`):
  python3 scripts/real_eval.py [--model models/default] [--scale target/release/scale]
                               [--real target/real] [--sets utkinect,hdm05,ntu] [--json]
                               [--catalog models/catalog.json]
  (sets: utkinect, hdm05, hdm05-dg, hdm05-not-dg, ntu, cmu; the default three are the ones the
  own / chance mean of docs/results.md is taken over)
"""

import argparse
import json
import os
import subprocess
import sys

SETS = ["utkinect", "hdm05", "ntu"]


def evaluate(scale, model, data, catalog):
    out = subprocess.run(
        [scale, "eval", "--model", model, "--data", data, "--catalog", catalog, "--json"],
        capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"scale eval failed on {data}:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="models/default")
    ap.add_argument("--scale", default="target/release/scale")
    ap.add_argument("--real", default="target/real")
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--catalog", default="models/catalog.json",
                    help="the catalogue of mode (a), whose class names the catalog folders' labels are "
                         "(another copy of it with other texts, for a lever that changes the class texts)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    sets = [s for s in args.sets.split(",") if s]
    if not all(os.path.isfile(os.path.join(args.real, s, m, "labels.csv")) for s in sets for m in ("catalog", "own")):
        subprocess.run([sys.executable, "scripts/real_sets.py", "--out", args.real], check=True,
                       stdout=subprocess.DEVNULL)
    rows, summary = [], {"model": args.model, "sets": {}}
    print("| set | mode | clips | classes | top-1 | chance | top-3 | chance | window top-1 |")
    print("|---|---|---|---|---|---|---|---|---|")
    for s in sets:
        for mode in ("catalog", "own"):
            data = os.path.join(args.real, s, mode)
            catalog = args.catalog if mode == "catalog" else os.path.join(data, "catalog.json")
            v = evaluate(args.scale, args.model, data, catalog)
            k = len(v["classes"])
            print(f"| {s} | {mode} | {v['clips']} | {k} | {100 * v['top1']:.1f} | {100 * v['chance_top1']:.1f} "
                  f"| {100 * v['top3']:.1f} | {100 * v['chance_top3']:.1f} | {100 * v['window_top1']:.1f} |")
            summary["sets"].setdefault(s, {})[mode] = {
                key: v[key] for key in ("clips", "top1", "top3", "chance_top1", "chance_top3", "window_top1")}
            present = [c["top1"] for c in v["per_class"] if c["clips"] > 0]
            summary["sets"][s][mode]["class_mean_top1"] = sum(present) / max(1, len(present))
            rows.append((s, mode, v))
    own = [v for (_, m, v) in rows if m == "own"]
    ratio = sum(v["top1"] / v["chance_top1"] for v in own) / max(1, len(own))
    summary["own_top1_over_chance_mean"] = ratio
    cat = ", ".join(f"{s} {100 * v['top1']:.1f} %" for (s, m, v) in rows if m == "catalog")
    print()
    print(f"catalogue actions among the catalogue's classes, per-clip top-1: {cat}")
    print(f"named by text only, mean over the sets of top-1 / chance: {ratio:.2f}x")
    balanced = ", ".join(f"{s} {100 * summary['sets'][s]['own']['class_mean_top1']:.1f} % "
                         f"(chance {100 * v['chance_top1']:.1f})" for (s, m, v) in rows if m == "own")
    print(f"named by text only, top-1 averaged over each set's classes: {balanced}")
    if args.json:
        print(json.dumps(summary))


if __name__ == "__main__":
    main()
