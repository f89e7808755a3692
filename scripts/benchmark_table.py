#!/usr/bin/env python3
"""The tables of the harder benchmark (scripts/benchmark.sh) from the runs done so far.

Reads RUNS/SPLIT/VARIANT-SEED.json and prints markdown:

  1. ZSL top-1 per split and variant (mean ± std over the seeds done, and their count), with
     chance (one over the split's unseen classes);
  2. the paired differences, SCALE (full) minus each other variant, seed by seed on the same
     encoder (mean ± std of the difference; "ahead" when the mean exceeds one std);
  3. GZSL H of the SCALE variants (the baseline ranks unseen classes only);
  4. the SCALE variants on the real development sets named by text (own-mode top-1 / chance,
     mean over UTKinect, HDM05, NTU) and the UTKinect catalogue top-1;
  5. what the CVAE learnt (`train::diagnostics`, on the validation classes at the selected
     epoch): active latent units and those active within classes, the true class's KL per
     dimension, the class spread of reconstruction and of KL energies, and the share of the
     validation samples the most-predicted class takes.

The fusion row (an extra, not SCALE) ranks each test recording by the sum of SCALE's and the
baseline's energies, each standardised over the candidate classes (mean 0, std 1 per
recording), from the runs' saved energies (`--zsl-scores`): no training, no parameter.

Usage: python3 scripts/benchmark_table.py target/benchmark/runs
"""
import json
import os
import statistics
import sys

SPLITS = ["ext-92/8", "ext-80/20", "ext-67/33", "ext-50/50"]
VARIANTS = [
    ("full", "SCALE (full)"),
    ("no-semantic", "− semantic bias"),
    ("no-uncertainty", "− uncertainty margin / weights"),
    ("no-prototype", "− prototype contrast"),
    ("alignment", "alignment baseline"),
]
# Training fixes of docs/training.md, run with VARIANTS="…" (rows only where runs exist).
FIXES = [
    ("unconditioned", "fix: q(z|x) cannot see the class (--unconditioned)"),
    ("proto-weight-0.1", "fix: weaker prototype contrast (--proto-weight 0.1)"),
    ("proto-detach", "fix: prototype contrast with h_y detached (--proto-detach)"),
    ("free-bits-0.05", "fix: free bits 0.05 nats (--free-bits 0.05)"),
    ("prior-shared", "fix: one prior variance for all classes (--prior-variance shared)"),
    ("members-3", "fix: an ensemble of three CVAEs (--members 3)"),
]
FUSION = ("fusion", "fusion: SCALE + baseline, standardised energies summed (extra row, not SCALE)")


def standardised(row):
    m = sum(row) / len(row)
    sd = (sum((v - m) ** 2 for v in row) / len(row)) ** 0.5
    return [(v - m) / sd if sd > 0 else 0.0 for v in row]


def top1(scores):
    right = 0
    for t, row in zip(scores["truth"], scores["energies"]):
        y = scores["classes"].index(t)
        right += all(e >= row[y] for e in row)
    return right / len(scores["truth"])


def fused(a, b):
    """Energies of the fusion of two runs' scores of the same test recordings."""
    if a["classes"] != b["classes"] or a["truth"] != b["truth"]:
        raise SystemExit("fusion: the two runs scored different classes or recordings")
    rows = [[x + y for x, y in zip(standardised(ra), standardised(rb))]
            for ra, rb in zip(a["energies"], b["energies"])]
    return {"classes": a["classes"], "truth": a["truth"], "energies": rows}


def load(runs):
    rows = {}
    for tag in sorted(os.listdir(runs)) if os.path.isdir(runs) else []:
        d = os.path.join(runs, tag)
        for f in sorted(os.listdir(d)):
            if f.endswith(".json") and not f.endswith(".scores.json"):
                path = os.path.join(d, f)
                r = json.load(open(path))
                r["scores_file"] = path[: -len(".json")] + ".scores.json"
                rows[(r["split"], r["variant"], r["seed"])] = r
    # The fusion of each seed's SCALE and baseline runs, where both kept their energies.
    for (split, variant, seed), r in list(rows.items()):
        b = rows.get((split, "alignment", seed))
        if variant != "full" or b is None:
            continue
        if not (os.path.isfile(r["scores_file"]) and os.path.isfile(b["scores_file"])):
            continue
        f = fused(json.load(open(r["scores_file"])), json.load(open(b["scores_file"])))
        rows[(split, FUSION[0], seed)] = {
            "split": split, "variant": FUSION[0], "seed": seed,
            "report": {"accuracies": {"zsl_top1": top1(f), "n": len(f["truth"])}}, "real": None,
        }
    return rows


def spread(xs):
    if not xs:
        return "—"
    if len(xs) == 1:
        return f"{xs[0]:.1f} (1)"
    return f"{statistics.mean(xs):.1f} ± {statistics.stdev(xs):.1f} ({len(xs)})"


def main():
    runs = sys.argv[1] if len(sys.argv) > 1 else "target/benchmark/runs"
    rows = load(runs)
    if not rows:
        print(f"no runs in {runs}")
        return
    done = {v for (_, v, _) in rows}
    # SCALE's rows (the ablations, then the fixes that were run), and the baseline's last.
    scale_rows = VARIANTS[:-1] + [f for f in FIXES if f[0] in done]
    methods = scale_rows + VARIANTS[-1:]
    seeds = sorted({s for (_, _, s) in rows})

    def values(split, variant, get):
        out = {}
        for s in seeds:
            r = rows.get((split, variant, s))
            if r is not None:
                v = get(r)
                if v is not None:
                    out[s] = v
        return out

    zsl = lambda r: 100 * r["report"]["accuracies"]["zsl_top1"]
    unseen = {}
    for (split, _, _), r in rows.items():
        unseen[split] = r["report"]["accuracies"]["n"]
    print("ZSL top-1 (%) on the unseen classes' recordings, mean ± std (seeds)")
    print()
    print("| method | " + " | ".join(SPLITS) + " |")
    print("|---|" + "---|" * len(SPLITS))
    for v, name in methods + [FUSION]:
        print(f"| {name} | " + " | ".join(spread(list(values(s, v, zsl).values())) for s in SPLITS) + " |")
    chance = [f"{100 / int(s.split('/')[1]):.1f}" for s in SPLITS]
    print("| chance | " + " | ".join(chance) + " |")
    print()
    print("Paired: SCALE (full) minus each variant, seed by seed (mean ± std of the difference, seeds)")
    print()
    print("| full minus | " + " | ".join(SPLITS) + " |")
    print("|---|" + "---|" * len(SPLITS))
    for v, name in methods[1:] + [FUSION]:
        cells = []
        for s in SPLITS:
            a, b = values(s, "full", zsl), values(s, v, zsl)
            d = [a[k] - b[k] for k in sorted(a) if k in b]
            c = spread(d)
            if len(d) > 1 and abs(statistics.mean(d)) > statistics.stdev(d):
                c += " ahead" if statistics.mean(d) > 0 else " behind"
            cells.append(c)
        print(f"| {name} | " + " | ".join(cells) + " |")
    print()
    print("GZSL H (%) of the SCALE variants (seen and unseen test recordings together)")
    print()
    print("| method | " + " | ".join(SPLITS) + " |")
    print("|---|" + "---|" * len(SPLITS))
    h = lambda r: 100 * r["report"]["accuracies"]["gzsl_h"]
    for v, name in scale_rows:
        print(f"| {name} | " + " | ".join(spread(list(values(s, v, h).values())) for s in SPLITS) + " |")
    print()
    print("Real development sets named by text: own-mode top-1 / chance, mean over UTKinect, HDM05, NTU (1 × is chance)")
    print("; UTKinect catalogue top-1 % (chance 2.5)")
    print()
    print("| method | " + " | ".join(SPLITS) + " |")
    print("|---|" + "---|" * len(SPLITS))
    own = lambda r: r["real"]["own_top1_over_chance_mean"] if r.get("real") else None
    ut = lambda r: 100 * r["real"]["sets"]["utkinect"]["catalog"]["top1"] if r.get("real") else None
    for v, name in scale_rows:
        cells = []
        for s in SPLITS:
            o = list(values(s, v, own).values())
            u = list(values(s, v, ut).values())
            if not o:
                cells.append("—")
                continue
            om = f"{statistics.mean(o):.2f}" + (f" ± {statistics.stdev(o):.2f}" if len(o) > 1 else "")
            um = f"{statistics.mean(u):.1f}" + (f" ± {statistics.stdev(u):.1f}" if len(u) > 1 else "")
            cells.append(f"{om} × ; {um}")
        print(f"| {name} | " + " | ".join(cells) + " |")
    print()
    print("Diagnostics on the validation classes at the selected epoch (mean over seeds): active units "
          "(within classes) of the latent's; true-class KL per dimension; class spread of reconstruction / KL; "
          "most-predicted class's share")
    print()
    print("| method | " + " | ".join(SPLITS) + " |")
    print("|---|" + "---|" * len(SPLITS))
    diag = lambda key: (lambda r: (r["report"].get("diagnostics") or {}).get("validation", {}).get(key))
    for v, name in scale_rows:
        cells = []
        for s in SPLITS:
            got = {k: list(values(s, v, diag(k)).values()) for k in
                   ("active_units", "active_units_within_class", "kl_true", "rec_class_spread",
                    "kl_class_spread", "top_class_share")}
            if not got["active_units"]:
                cells.append("—")
                continue
            m = {k: statistics.mean(x) for k, x in got.items()}
            dims = len(next(r for (sp, vv, _), r in rows.items() if sp == s and vv == v)
                       ["report"]["diagnostics"]["validation"]["kl_per_dim"])
            cells.append(f"{m['active_units']:.0f} ({m['active_units_within_class']:.0f}) of {dims}; "
                         f"{m['kl_true']:.4f}; {m['rec_class_spread']:.3f} / {m['kl_class_spread']:.3f}; "
                         f"{100 * m['top_class_share']:.0f} %")
        print(f"| {name} | " + " | ".join(cells) + " |")
    print()
    print("unseen test recordings per split: " + ", ".join(f"{s} {unseen.get(s, '—')}" for s in SPLITS))


if __name__ == "__main__":
    main()
