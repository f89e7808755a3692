#!/usr/bin/env python3
"""First-frame statistics of `scale synth` folders: how each scene stages its samples.

Usage (standard library only):
    python3 scripts/scene_stats.py DIR [DIR ...]

For each folder of NTU `.skeleton` files, from the first frame of every sample (first body):
the trunk's tilt from the sensor's up axis (SpineBase -> SpineShoulder, degrees), SpineMid's
distance (z, metres), the samples that start with the left knee bent under 130 degrees, and
an upper bound on the varied scene's fallbacks to the lab placement (level within 3 degrees
and feet at the lab's sensor height, -1.12 to -0.85 m). The figures of docs/synthetic.md.
"""

import math
import sys
from pathlib import Path


def first_body(path: Path) -> list[list[float]]:
    tokens = path.read_text().split()
    i = 2 + 10  # frame count, body count, body header
    joints = int(tokens[i])
    i += 1
    out = []
    for _ in range(joints):
        out.append([float(x) for x in tokens[i:i + 3]])
        i += 12
    return out


def angle(u: list[float], v: list[float]) -> float:
    d = sum(a * b for a, b in zip(u, v))
    n = math.sqrt(sum(a * a for a in u)) * math.sqrt(sum(b * b for b in v))
    return math.degrees(math.acos(max(-1.0, min(1.0, d / n))))


def sub(a: list[float], b: list[float]) -> list[float]:
    return [x - y for x, y in zip(a, b)]


def quantiles(xs: list[float]) -> str:
    xs = sorted(xs)
    q = [xs[int(f * (len(xs) - 1))] for f in (0.1, 0.5, 0.9)]
    return " / ".join(f"{x:.2f}" for x in q)


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    for folder in sys.argv[1:]:
        tilts, depths, bent, level = [], [], 0, 0
        files = sorted(Path(folder).glob("*.skeleton"))
        for f in files:
            j = first_body(f)  # Kinect v2 order: 0 SpineBase, 1 SpineMid, 20 SpineShoulder
            tilt = angle(sub(j[20], j[0]), [0.0, 1.0, 0.0])
            tilts.append(tilt)
            depths.append(j[1][2])
            bent += angle(sub(j[12], j[13]), sub(j[14], j[13])) < 130.0
            level += tilt < 3.0 and -1.12 < min(j[15][1], j[19][1]) < -0.85
        print(f"{folder}: {len(files)} samples; tilt p10/median/p90 {quantiles(tilts)} deg; "
              f"SpineMid distance {quantiles(depths)} m; knee bent {bent}; level at lab height {level}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
