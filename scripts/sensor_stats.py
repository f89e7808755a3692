#!/usr/bin/env python3
"""Measure what a Kinect's skeleton tracker does to motion, for the generator's sensor model.

Usage, from anywhere (Python 3.11, standard library only):

    python3 scripts/sensor_stats.py                       # the real NTU + UTKinect fixtures
    python3 scripts/sensor_stats.py --json > stats.json   # the same numbers as one JSON dict
    python3 scripts/sensor_stats.py --ntu DIR --utkinect ''   # synthetic .skeleton files instead

`--ntu` takes folders or files of NTU `.skeleton` text (Kinect v2, 25 joints; real or from
`scale synth`), default ../shared/fixtures/real/ntu and ../shared/fixtures/ntu; `--utkinect` a
folder of UTKinect `joints_sSS_eEE.txt` (Kinect v1, 20 joints), default
../shared/fixtures/real/utkinect; '' skips a set. It prints measured facts only (noise levels,
rates, lengths), never the recordings; see ../shared/fixtures/real/README.md before writing any
of it down.

Jitter: each coordinate's residual from a least-squares quadratic over a centred window (NTU 7
frames = 0.23 s, and 15 frames for "σ15"; UTKinect 5 rows), scaled by 1/sqrt(1 - h0) so that
white noise of sigma reads sigma (7 frames: Savitzky-Golay taps (-2,3,6,7,6,3,-2)/21, x1.22).
Unlike a moving average (which leaves 2a dt^2 of a constant acceleration a) it follows motion up
to cubic terms, and unlike second differences it also sees noise correlated over a few frames.
sigma = median|r|/0.6745 per axis (robust to glitches); p50/p90 of |r| (white Gaussian: 0.67 and
1.64 sigma); windows tracked (state 2) throughout only; "still": joint under 0.25 m/s. rho1/rho2:
the residual's autocorrelation (winsorised at 4 sigma), against white noise through the same
filter; <5Hz: its power share below 5 Hz (Bartlett-tapered, to lag 10); ar1: the AR(1) coefficient
of noise that gives that rho1 (">0.95": none does: slower than AR(1)), sigma_ar1 its own sigma.

UTKinect's index is the colour camera's and a poor clock (rows share indices, steps of 0-8):
rows are taken as evenly spaced at each run's mean rate (this halves the torso residual against
index times), runs split at steps over 16 indices.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
from collections import namedtuple
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIX = REPO.parent / "shared" / "fixtures"
FPS = 30.0
V2 = ("SpineBase SpineMid Neck Head ShoulderLeft ElbowLeft WristLeft HandLeft ShoulderRight "
      "ElbowRight WristRight HandRight HipLeft KneeLeft AnkleLeft FootLeft HipRight KneeRight "
      "AnkleRight FootRight SpineShoulder HandTipLeft ThumbLeft HandTipRight ThumbRight").split()
PARENT_V2 = [2, 1, 21, 3, 21, 5, 6, 7, 21, 9, 10, 11, 1, 13, 14, 15, 1, 17, 18, 19, 2, 8, 8, 12, 12]
GROUPS_V2 = {"torso/spine": [0, 1, 20], "head/neck": [2, 3], "shoulders/elbows": [4, 5, 8, 9],
             "wrists": [6, 10], "hands": [7, 11], "hand tips": [21, 23], "thumbs": [22, 24],
             "hips/knees": [12, 13, 16, 17], "ankles": [14, 18], "feet": [15, 19]}
GROUPS_V1 = {k: ([0, 1, 2] if k == "torso/spine" else [3] if k == "head/neck" else v)
             for k, v in GROUPS_V2.items() if max(v) < 20 or k == "torso/spine"}
PAIRS_V2 = {"elbows": (5, 9), "wrists": (6, 10), "hands": (7, 11), "hand tips": (21, 23),
            "knees": (13, 17), "ankles": (14, 18), "feet": (15, 19)}
# Whole-body landmarks, the same indices in both layouts (v1: HipCenter, ShoulderCenter, Head).
BODY = {"base": 0, "top": 20, "head": 3, "hips": (12, 16), "knees": (13, 17), "ankles": (14, 18),
        "feet": (15, 19)}
BODY_V1 = dict(BODY, top=2)
MIN_FRAMES = 20


# Consecutive frames of one body: times (s), positions [frame][joint] = (x, y, z), states or None.
Run = namedtuple("Run", "t pos state", defaults=(None,))


def pct(xs, q):
    """q-th percentile (0-100) with linear interpolation; None for no data."""
    if not xs:
        return None
    s, f = sorted(xs), (len(xs) - 1) * q / 100
    i = int(f)
    return s[i] if i + 1 >= len(s) else s[i] + (s[i + 1] - s[i]) * (f - i)


def rsig(xs):
    """Robust sigma (mm) from absolute residuals (m): median / 0.6745."""
    return 1e3 * statistics.median(xs) / 0.6745 if xs else None


def dist(a, b):
    return math.sqrt(sum((x - y) ** 2 for x, y in zip(a, b)))


def rnd(x, d=2):
    return round(x, d) if isinstance(x, float) else x


# ----------------------------------------------------------------------------------- reading
def read_ntu(path):
    """One NTU .skeleton file -> one list of Runs per body (bodyID), bodies of MIN_FRAMES+."""
    tok, tracks, i = path.read_text().split(), {}, 1
    try:
        for f in range(int(tok[0])):
            nb, i = int(tok[i]), i + 1
            for _ in range(nb):
                bid, nj = tok[i], int(tok[i + 10])
                js, i = tok[i + 11:i + 11 + 12 * nj], i + 11 + 12 * nj
                pos = [tuple(float(v) for v in js[12 * j:12 * j + 3]) for j in range(nj)]
                st = [int(float(js[12 * j + 11])) for j in range(nj)]
                tracks.setdefault(bid, []).append((f, pos, st))
    except (IndexError, ValueError):
        print(f"warning: {path}: truncated or malformed, read what parsed", file=sys.stderr)
    bodies = []
    for frames in tracks.values():
        if len(frames) < MIN_FRAMES or len(frames[0][1]) != 25:
            continue
        runs, prev = [], None
        for f, pos, st in frames:
            if prev is None or f != prev + 1:
                runs.append(Run([], [], []))
            runs[-1].t.append(f / FPS), runs[-1].pos.append(pos), runs[-1].state.append(st)
            prev = f
        bodies.append(runs)
    return bodies


def read_utk(path):
    """One UTKinect take -> (Runs evenly spaced at the run's mean rate, rows per second)."""
    rows = [[float(v) for v in line.split()] for line in path.read_text().splitlines()
            if line.strip()]
    runs, chunks = [], [[rows[0]]]
    for a, b in zip(rows, rows[1:]):
        (chunks[-1].append(b) if b[0] - a[0] <= 16 else chunks.append([b]))
    for ch in chunks:
        if len(ch) < MIN_FRAMES:
            continue
        dt = (ch[-1][0] - ch[0][0]) / FPS / (len(ch) - 1)
        pos = [[tuple(r[1 + 3 * j:4 + 3 * j]) for j in range(20)] for r in ch]
        runs.append(Run([k * dt for k in range(len(ch))], pos))
    return runs, (len(rows) - 1) * FPS / (rows[-1][0] - rows[0][0])


def files(args, pattern):
    out = []
    for a in args:
        p = Path(a)
        out += sorted(p.rglob(pattern)) if p.is_dir() else [p] if p.is_file() else []
    return out


# ----------------------------------------------------------------------------------- jitter
def hat_row(ts, c):
    """Weights of a least-squares quadratic through (ts, y) evaluated at ts[c] (None: singular)."""
    tau = [t - ts[c] for t in ts]
    s0, s1, s2, s3, s4 = (sum(x ** k for x in tau) for k in range(5))
    u = (s2 * s4 - s3 * s3, s2 * s3 - s1 * s4, s1 * s3 - s2 * s2)  # first column of the inverse
    det = s0 * u[0] + s1 * u[1] + s2 * u[2]  # of the normal matrix, times its determinant
    if abs(det) < 1e-12 * max(1.0, s4) ** 2:
        return None
    return [(u[0] + u[1] * x + u[2] * x * x) / det for x in tau]


def residuals(run, win):
    """[joint][frame] -> (scaled residual xyz, speed m/s) or None (edge, untracked, degenerate)."""
    n, k, nj = len(run.t), win // 2, len(run.pos[0])
    out = [[None] * n for _ in range(nj)]
    for c in range(k, n - k):
        ts = run.t[c - k:c + k + 1]
        h = hat_row(ts, k)
        if h is None or 1 - h[k] < 0.05:
            continue
        g = 1 / math.sqrt(1 - h[k])
        for j in range(nj):
            if run.state and any(run.state[c + d][j] != 2 for d in range(-k, k + 1)):
                continue
            pts = [run.pos[c + d][j] for d in range(-k, k + 1)]
            r = tuple(g * (pts[k][a] - sum(w * p[a] for w, p in zip(h, pts))) for a in range(3))
            out[j][c] = (r, dist(pts[-1], pts[0]) / (ts[-1] - ts[0]))
    return out


def filter_acf(g, a, lags):
    """Autocorrelation of g-filtered AR(1) noise (coefficient a) at lags 0..lags."""
    s = [sum(gi * gj * a ** abs(k + j - i) for i, gi in enumerate(g) for j, gj in enumerate(g))
         for k in range(lags + 1)]
    return [x / s[0] for x in s], s[0]


def low_share(rho, cut=5.0, fs=FPS):
    """Power share below `cut` Hz from autocorrelations rho[0..L] (Bartlett taper)."""
    nu, L = cut / fs, len(rho) - 1
    return 2 * nu + sum((1 - k / (L + 1)) * 2 * rho[k] * math.sin(2 * math.pi * nu * k)
                        / (math.pi * k) for k in range(1, L + 1))


def jitter(runs, groups, win, acf=True, slow=0):
    """Per joint group: robust sigma per axis, |r| p50/p90, sigma on still windows, and (for
    evenly sampled data) the residual's autocorrelation, <5 Hz share and AR(1) fit (mm)."""
    res = [residuals(r, win) for r in runs]
    g = [-w for w in hat_row(list(range(win)), win // 2)]
    g[win // 2] += 1
    white, s0 = filter_acf(g, 0.0, 10)
    out = {"_white_ref": {"rho1": rnd(white[1], 3), "rho2": rnd(white[2], 3),
                          "low5": rnd(low_share(white), 3)}}
    for name, joints in groups.items():
        ax, still = [[], [], []], []
        for R in res:
            for j in joints:
                for v in R[j]:
                    if v:
                        for a in range(3):
                            ax[a].append(abs(v[0][a]))
                        if v[1] < 0.25:
                            still += [abs(x) for x in v[0]]
        pooled = ax[0] + ax[1] + ax[2]
        if not pooled:
            continue
        row = {"n": len(ax[0]), "sigma_x": rsig(ax[0]), "sigma_y": rsig(ax[1]),
               "sigma_z": rsig(ax[2]), "sigma": rsig(pooled), "p50": 1e3 * pct(pooled, 50),
               "p90": 1e3 * pct(pooled, 90), "sigma_still": rsig(still)}
        if acf:
            num, d1, d2 = [0.0] * 11, [0.0] * 11, [0.0] * 11
            lim = 4e-3 * row["sigma"]
            for R in res:
                for j in joints:
                    for a in range(3):
                        x = [None if v is None else max(-lim, min(lim, v[0][a])) for v in R[j]]
                        for k in range(11):
                            for t in range(len(x) - k):
                                if x[t] is not None and x[t + k] is not None:
                                    num[k] += x[t] * x[t + k]
                                    d1[k] += x[t] ** 2
                                    d2[k] += x[t + k] ** 2
            rho = [num[k] / math.sqrt(d1[k] * d2[k]) if d1[k] and d2[k] else 0.0 for k in range(11)]
            row.update(rho1=rho[1], rho2=rho[2], low5=low_share(rho), ar1=">0.95", sigma_ar1=None)
            lo, hi = -0.5, 0.95  # rho1 of the residual rises with the noise's AR(1) coefficient,
            if rho[1] < filter_acf(g, hi, 1)[0][1]:  # to -0.36 at most: beyond, no AR(1) fits
                for _ in range(40):
                    mid = (lo + hi) / 2
                    lo, hi = (mid, hi) if filter_acf(g, mid, 1)[0][1] < rho[1] else (lo, mid)
                row.update(ar1=(lo + hi) / 2, sigma_ar1=row["sigma"] * math.sqrt(
                    s0 / filter_acf(g, (lo + hi) / 2, 0)[1]))
        out[name] = {k: rnd(v, 3 if k in ("rho1", "rho2", "low5", "ar1") else 2)
                     for k, v in row.items()}
    for name, row in (jitter(runs, groups, slow, False).items() if slow else ()):
        if name in out and "sigma_still" in row:  # a `slow`-frame window: slower wobble too
            out[name]["sigma_slow_still"] = row["sigma_still"]
    return out


# ------------------------------------------------------------------------ bones and tracking
def bones(bodies):
    """Per bone: mean length (mm) and median over recordings of its length's std/mean (%),
    tracked frames only (both ends state 2) and all frames."""
    out = {}
    for v, p1 in enumerate(PARENT_V2):
        if v == 0:
            continue
        p, means, cvt, cva = p1 - 1, [], [], []
        for runs in bodies:
            trk, alls = [], []
            for r in runs:
                for pos, st in zip(r.pos, r.state):
                    d = dist(pos[v], pos[p])
                    alls.append(d)
                    if st[v] == 2 and st[p] == 2:
                        trk.append(d)
            if len(trk) >= MIN_FRAMES:
                means.append(statistics.fmean(trk))
                cvt.append(statistics.pstdev(trk) / means[-1])
            cva.append(statistics.pstdev(alls) / statistics.fmean(alls))
        out[f"{V2[p]}-{V2[v]}"] = {
            "mean_mm": rnd(1e3 * statistics.fmean(means)) if means else None,
            "cv_tracked_pct": rnd(100 * statistics.median(cvt)) if cvt else None,
            "cv_all_pct": rnd(100 * statistics.median(cva))}
    key = {"upper arm": ("ShoulderLeft-ElbowLeft", "ShoulderRight-ElbowRight"),
           "forearm": ("ElbowLeft-WristLeft", "ElbowRight-WristRight"),
           "thigh": ("HipLeft-KneeLeft", "HipRight-KneeRight"),
           "shin": ("KneeLeft-AnkleLeft", "KneeRight-AnkleRight")}
    out["_key_mm"] = {k: rnd(statistics.fmean(out[b]["mean_mm"] for b in bb))
                      for k, bb in key.items() if all(out[b]["mean_mm"] for b in bb)}
    return out


def tracking(runs, groups):
    """Per group: state shares, inferred bursts, the step at a burst's onset, jumps (and the
    share of jumps over 10 cm that come back within 5 cm of the previous place in 1-2 frames)."""
    out = {}
    for name, joints in groups.items():
        n = n0 = n1 = steps = inf_steps = j5_inf = j5_trk = j10 = back = 0
        bursts, onset = [], []
        for r in runs:
            for j in joints:
                cur = 0
                for t, st in enumerate(r.state):
                    s = st[j]
                    n, n0, n1 = n + 1, n0 + (s == 0), n1 + (s == 1)
                    if s == 1:
                        if cur == 0 and t > 0:
                            onset.append(dist(r.pos[t][j], r.pos[t - 1][j]))
                        cur += 1
                    elif cur:
                        bursts.append(cur)
                        cur = 0
                    if t > 0:
                        d = dist(r.pos[t][j], r.pos[t - 1][j])
                        inf = s != 2 or r.state[t - 1][j] != 2
                        steps, inf_steps, j10 = steps + 1, inf_steps + inf, j10 + (d > 0.10)
                        j5_inf += inf and d > 0.05
                        j5_trk += (not inf) and d > 0.05
                        back += d > 0.10 and any(dist(q[j], r.pos[t - 1][j]) < 0.05
                                                 for q in r.pos[t + 1:t + 3])
                if cur:
                    bursts.append(cur)
        out[name] = {"joint_frames": n, "inferred_pct": rnd(100 * n1 / n), "not_tracked_pct":
                     rnd(100 * n0 / n), "bursts_per_1000": rnd(1000 * len(bursts) / n),
                     "burst_p50": pct(bursts, 50), "burst_p90": rnd(pct(bursts, 90), 1),
                     "onset_step_p50_mm": rnd(1e3 * pct(onset, 50), 1) if onset else None,
                     "p_jump5_given_inferred": rnd(j5_inf / inf_steps, 3) if inf_steps else None,
                     "p_jump5_given_tracked": rnd(j5_trk / (steps - inf_steps), 4),
                     "p_inferred_given_jump5": rnd(j5_inf / (j5_inf + j5_trk), 3)
                     if j5_inf + j5_trk else None,
                     "jump10_per_1000": rnd(1000 * j10 / steps),
                     "jump10_back_pct": rnd(100 * back / j10, 1) if j10 else None}
    return out


def swaps(runs, margin=0.05):
    """Per left/right pair, per 1000 frames: both joints closer to the other's previous place
    than to their own by `margin` (swap), or one of them only (snap onto the other side)."""
    out = {}
    for name, (lj, rj) in PAIRS_V2.items():
        n = sw = sn = 0
        for r in runs:
            for a, b in zip(r.pos, r.pos[1:]):
                lx = dist(b[lj], a[rj]) + margin < dist(b[lj], a[lj])
                rx = dist(b[rj], a[lj]) + margin < dist(b[rj], a[rj])
                n, sw, sn = n + 1, sw + (lx and rx), sn + (lx != rx)
        out[name] = {"swap_per_1000": rnd(1000 * sw / n), "snap_per_1000": rnd(1000 * sn / n)}
    return out


# ------------------------------------------------------------------------------ whole body
def body(runs, lm):
    """Camera height above the floor, pitch, distance, performer height, for one recording."""
    frames = [p for r in runs for p in r.pos]
    up, standing = [0.0, 0.0, 0.0], []
    for p in frames:
        legs = all(dist(p[h], p[a]) > 0.9 * (dist(p[h], p[k]) + dist(p[k], p[a]))
                   for h, k, a in zip(lm["hips"], lm["knees"], lm["ankles"]))
        s = [t - b for t, b in zip(p[lm["top"]], p[lm["base"]])]
        norm = math.sqrt(sum(x * x for x in s))
        if legs and s[1] / norm > math.cos(math.radians(25)):
            standing.append(p)
            up = [u + x / norm for u, x in zip(up, s)]
    low = [min(p[f][1] for f in lm["feet"]) for p in frames]
    out = {"frames": len(frames), "standing_frames": len(standing),
           "sensor_height_y_m": rnd(-statistics.median(low), 3),
           "distance_z_m": rnd(statistics.median(p[lm["base"]][2] for p in frames), 3),
           "offset_x_m": rnd(statistics.median(p[lm["base"]][0] for p in frames), 3)}
    if len(standing) >= 10:
        n = math.sqrt(sum(u * u for u in up))
        up = [u / n for u in up]
        along = lambda v: sum(a * b for a, b in zip(v, up))  # noqa: E731
        foot = [min((p[f] for f in lm["feet"]), key=along) for p in standing]
        out.update(pitch_down_deg=rnd(math.degrees(math.atan2(-up[2], up[1])), 1),
                   sensor_height_plane_m=rnd(-statistics.median(along(f) for f in foot), 3),
                   head_to_foot_m=rnd(statistics.median(along(p[lm["head"]]) - along(f)
                                                        for p, f in zip(standing, foot)), 3))
    return out


def hand_wrist(takes):
    """UTKinect HandLeft/WristLeft (and right) distance: mean (mm), median per-take CV (%), share
    of rows more than 3 cm off the take's median."""
    out = {}
    for side, (w, h) in {"left": (6, 7), "right": (10, 11)}.items():
        means, cvs, far, n = [], [], 0, 0
        for runs in takes:
            d = [dist(p[w], p[h]) for r in runs for p in r.pos]
            med = statistics.median(d)
            means.append(statistics.fmean(d))
            cvs.append(statistics.pstdev(d) / means[-1])
            far, n = far + sum(abs(x - med) > 0.03 for x in d), n + len(d)
        out[side] = {"mean_mm": rnd(1e3 * statistics.fmean(means), 1),
                     "cv_pct_median": rnd(100 * statistics.median(cvs), 1),
                     "far3cm_pct": rnd(100 * far / n, 2)}
    return out


def summary(rows):
    """median [min, max] of each numeric field over recordings."""
    keys = [k for k in rows[0] if all(isinstance(r.get(k), (int, float)) for r in rows)]
    return {k: [rnd(statistics.median(r[k] for r in rows), 3), min(r[k] for r in rows),
                max(r[k] for r in rows)] for k in keys}


# ------------------------------------------------------------------------------- reporting
def table(title, rows, cols):
    """rows: {label: dict} (labels starting with _ are left out); cols: [(key, header)]."""
    print(f"\n{title}")
    cells = [["group"] + [h for _, h in cols]] + [
        [lab] + ["-" if d.get(k) is None else str(d[k]) for k, _ in cols]
        for lab, d in rows.items() if not lab.startswith("_")]
    w = [max(len(r[i]) for r in cells) for i in range(len(cells[0]))]
    for r in cells:
        print("  " + "  ".join(c.ljust(w[0]) if i == 0 else c.rjust(w[i]) for i, c in enumerate(r)))


def spread(rows):
    """Per-recording rows, or their median [min, max] where there are many."""
    if len(rows) <= 15:
        return rows
    return {"median [min, max]": {k: f"{v[0]} [{v[1]}, {v[2]}]"
                                  for k, v in summary(list(rows.values())).items()}}


JIT = [("n", "n"), ("sigma_x", "σx"), ("sigma_y", "σy"), ("sigma_z", "σz"), ("p50", "p50|r|"),
       ("p90", "p90|r|"), ("sigma_still", "σ still")]
ACF = [("sigma_slow_still", "σ15 still"), ("rho1", "ρ1"), ("rho2", "ρ2"), ("low5", "<5Hz"),
       ("ar1", "ar1"), ("sigma_ar1", "σ_ar1")]
TRK = [("inferred_pct", "inf%"), ("not_tracked_pct", "not%"), ("bursts_per_1000", "burst/1k"),
       ("burst_p50", "len p50"), ("burst_p90", "len p90"), ("onset_step_p50_mm", "onset mm"),
       ("p_jump5_given_inferred", "P(>5cm|inf)"), ("p_jump5_given_tracked", "P(>5cm|trk)"),
       ("p_inferred_given_jump5", "P(inf|>5cm)"), ("jump10_per_1000", ">10cm/1k"),
       ("jump10_back_pct", "back%")]
BODY_COLS = [("sensor_height_y_m", "height(y)"), ("sensor_height_plane_m", "height(plane)"),
             ("pitch_down_deg", "pitch↓"), ("distance_z_m", "dist z"), ("offset_x_m", "x"),
             ("head_to_foot_m", "head-foot"), ("standing_frames", "standing"), ("frames", "frames")]


def report(res):
    if "ntu" in res:
        r = res["ntu"]
        print(f"Kinect v2 (NTU format): {r['files']} files, {r['bodies']} bodies, "
              f"{r['frames']} frames")
        table("jitter, mm (quadratic-fit residual, 7 frames, tracked windows)", r["jitter"],
              JIT + ACF)
        ref = r["jitter"]["_white_ref"]
        print(f"  white noise through the same filter: ρ1 {ref['rho1']}, ρ2 {ref['rho2']}, "
              f"<5Hz {ref['low5']}")
        table("bone length (mm) and its per-recording CV (%)", r["bones"],
              [("mean_mm", "mean"), ("cv_tracked_pct", "CV trk"), ("cv_all_pct", "CV all")])
        print("  key bones, mean of left and right (mm): "
              + ", ".join(f"{k} {v}" for k, v in r["bones"]["_key_mm"].items()))
        table("tracking states (%), inferred bursts (frames), jumps", r["tracking"], TRK)
        table("left/right exchanges per 1000 frames (margin 5 cm)", r["swaps"],
              [("swap_per_1000", "swap"), ("snap_per_1000", "one-sided")])
        table("whole body (m, deg)", spread(r["body"]), BODY_COLS)
    if "utkinect" in res:
        r = res["utkinect"]
        print(f"\nKinect v1 (UTKinect): {r['takes']} takes, {r['rows']} rows; skeleton rows at "
              f"{r['rate_hz'][0]} Hz median [{r['rate_hz'][1]}, {r['rate_hz'][2]}] "
              "(index at 30 Hz)")
        table("jitter, mm (quadratic-fit residual, 5 rows ≈ 0.75 s)", r["jitter"], JIT)
        table("hand-wrist distance", r["hand_wrist"],
              [("mean_mm", "mean mm"), ("cv_pct_median", "CV %"), ("far3cm_pct", ">3cm off %")])
        table("whole body (m, deg)", spread(r["body"]), BODY_COLS)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ntu", nargs="*", default=[str(FIX / "real" / "ntu"), str(FIX / "ntu")])
    ap.add_argument("--utkinect", default=str(FIX / "real" / "utkinect"))
    ap.add_argument("--max-files", type=int, default=0, help="read at most this many per set")
    ap.add_argument("--json", action="store_true", help="print one JSON dict instead of tables")
    args = ap.parse_args()
    res, cap = {}, (lambda xs: xs[:args.max_files] if args.max_files else xs)
    ntu = cap(files([a for a in args.ntu if a], "*.skeleton"))
    if ntu:
        named = [(f"{f.stem}#{i}", b) for f in ntu for i, b in enumerate(read_ntu(f))]
        runs = [r for _, b in named for r in b]
        res["ntu"] = {"files": len(ntu), "bodies": len(named),
                      "frames": sum(len(r.t) for r in runs),
                      "jitter": jitter(runs, GROUPS_V2, 7, slow=15),
                      "bones": bones([b for _, b in named]), "tracking": tracking(runs, GROUPS_V2),
                      "swaps": swaps(runs), "body": {n: body(b, BODY) for n, b in named}}
    utk = cap(files([args.utkinect] if args.utkinect else [], "joints_*.txt"))
    if utk:
        takes = {f.stem: read_utk(f) for f in utk}
        runs = [r for t, _ in takes.values() for r in t]
        rates = [rate for _, rate in takes.values()]
        res["utkinect"] = {"takes": len(utk), "rows": sum(len(r.t) for r in runs),
                           "rate_hz": [rnd(x, 1) for x in (statistics.median(rates), min(rates),
                                                           max(rates))],
                           "jitter": jitter(runs, GROUPS_V1, 5, acf=False),
                           "hand_wrist": hand_wrist([t for t, _ in takes.values()]),
                           "body": {n: body(t, BODY_V1) for n, (t, _) in takes.items()}}
    if not res:
        sys.exit("no input files found")
    print(json.dumps(res, indent=1)) if args.json else report(res)


if __name__ == "__main__":
    main()
