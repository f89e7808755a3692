#!/usr/bin/env python3
"""Turn the real development recordings into labelled folders for `scale eval`.

Usage, from the repository root (Python 3.11, standard library only):

    python3 scripts/real_sets.py [--fixtures ../shared/fixtures] [--out target/real]
    scale eval --data target/real/utkinect/catalog --catalog models/catalog.json      # mode a
    scale eval --data target/real/utkinect/own --catalog target/real/utkinect/own/catalog.json  # mode b

For each set (utkinect, hdm05, ntu, cmu) it writes two labelled folders under OUT:

- `OUT/<set>/catalog/labels.csv`: the clips whose action is one of the bundled catalogue's
  classes (models/catalog.json), labelled with the catalogue's class name (mode a: ranked among
  the model's own classes). The label -> class table is MAPPING below (`--mapping-md` prints it
  as the markdown table of scripts/real/MAPPING.md).
- `OUT/<set>/own/labels.csv` and `OUT/<set>/own/catalog.json`: every clip, and a catalogue of
  the set's own actions (mode b: candidates named by text only). The catalogues are hand-written
  in scripts/real/<set>_catalog.json and copied as they are. Their class names are plain English
  phrases a user would type ("sit down", not "sitDown"), since the name is embedded by the
  sentence encoder together with the descriptions; each class's `set_label` is the dataset's own
  label (default: the name itself, as for NTU, whose official names are already phrases). The
  clips are labelled with the catalogue's name, the dataset's label kept in the extra column
  `set_label` (as in catalog/labels.csv).

CMU (27 motion-capture takes of subjects 2, 3, 6 and 7, BVH) is labelled by CMU's one-line
description of each take (CMU_LABELS: the four kinds of walking as one label); only its jump
is a catalogue action, so it is mostly an own-mode set: motion capture from another studio and
another retargeting than HDM05's, the check that a model trained on HDM05 motion has not learnt
HDM05 alone. CMU may reach the bundled model's training data; it does not so far.

HDM05 is also written with one actor held out (HELD_OUT_ACTOR, dg): `OUT/hdm05-not-dg/` holds
the other two actors' clips (bd, bk), training data for the motion-capture lever (`scale train
... --extra-data OUT/hdm05-not-dg/catalog`; HDM05 may reach the bundled model with its
attribution), and `OUT/hdm05-dg/` the held-out actor's, the test for a model trained so
(`real_eval.py --sets utkinect,hdm05-dg,ntu`).

UTKinect takes are converted into `OUT/utkinect/clips/sSS_eEE.jsonl` (protocol JSON frames, layout
`kinect_v1`, 30 fps: one frame per colour-frame index from the take's first to its last index,
joints linearly interpolated between skeleton rows; rows sharing an index are averaged first) and
the label rows point into them with `start`/`end`. HDM05 `.amc` and NTU `.skeleton` files are
referred to by absolute path, never copied.

The recordings are not ours (see ../shared/fixtures/real/README.md): nothing this script writes
may be committed, so OUT must lie outside scripts/ and outside the fixtures (target/ is ignored
by git). Running it again rewrites the same bytes and removes stale clips.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import sys
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent
REPO = SCRIPTS.parent
OWN_CATALOGS = SCRIPTS / "real"

UT_JOINTS = 20  # Kinect SDK 1.x joint order, as in the fixtures' README
UT_FPS = 30

# The label -> bundled-catalogue-class table (mode a). A label is mapped only when it is the same
# action as the catalogue class; None (shown as "—") means no class of the catalogue is that
# action, and the clip is left out of OUT/<set>/catalog/. Each entry: (label, class or None, why).
MAPPING: dict[str, list[tuple[str, str | None, str]]] = {
    "utkinect": [
        # The catalogue's only walking classes involve two people.
        ("walk", None, "one person walking; the catalogue's walking classes ('walking towards "
         "each other', 'walking apart from each other') are two-person interactions"),
        ("sitDown", "sitting down", "same action: from standing down onto a chair"),
        ("standUp", "standing up (from sitting position)", "same action: from a chair up to "
         "standing"),
        ("pickUp", "pickup", "same action: bend down, take an object off the floor, straighten up"),
        # Carrying is walking with the arms held still: neither is a catalogue class.
        ("carry", None, "walking while carrying a box; the catalogue has no carrying class and "
         "no one-person walking class"),
        ("throw", "throw", "same action: throwing an object with an arm swing"),
        # UT push/pull move an object, alone; 'pushing other person' shoves a second body.
        ("push", None, "pushing an object away with the arms, alone; 'pushing other person' is "
         "a two-person interaction"),
        ("pull", None, "pulling an object towards the body; the catalogue has no pulling class"),
        ("waveHands", "hand waving", "same action: raised hand(s) swinging side to side"),
        ("clapHands", "clapping", "same action: the hands striking together in front of the "
         "chest"),
    ],
    "hdm05": [
        # Kinematically close to pickup (bend, hand to the floor, straighten) but the opposite
        # action; NTU too keeps "drop" and "pickup" apart. Expect the model to answer pickup.
        ("depositFloorR", None, "putting an object down on the floor with the right hand: the "
         "body moves much as in 'pickup' (bend, hand to the floor, straighten up), but it is "
         "the opposite action, so not mapped"),
        # One repetition = left elbow to the right knee and right elbow to the left knee: both
        # knees rise in turn with a trunk crunch and twist. "lift the left/right knee" is one knee
        # raised with the trunk upright.
        ("elbowToKnee1RepsLelbowStart", None, "an exercise bringing each knee up to the "
         "opposite elbow with a trunk twist; 'lift the left/right knee' raises one knee with the "
         "trunk upright"),
        # Reaching overhead: "raise the right arm forward" stops at shoulder height and comes
        # back; "pointing to something with finger" holds the arm out at shoulder height.
        ("grabHighR", None, "reaching up above the head to grab something with the right hand; "
         "'raise the right arm forward' stops at shoulder height, 'pointing to something with "
         "finger' holds the arm out: neither is this action"),
        # A hop on both legs is a two-footed jump; the one-foot "hopping" class is not it.
        ("hopBothLegs1hops", "jump up", "one hop off both feet is a two-footed jump; "
         "'hopping (one foot jumping)' is on one leg"),
        ("jogLeftCircle4StepsRstart", None, "jogging along a circle; the catalogue has no "
         "running class and no one-person walking class"),
        ("kickLFront1Reps", "kicking something", "same action: a front kick (the catalogue's "
         "class names no leg)"),
        # Lying down is deliberate and slow, with hand support; "falling" is a loss of balance.
        ("lieDownFloor", None, "lying down on the floor on purpose, slowly, with the hands for "
         "support; 'falling' also ends on the ground but is an uncontrolled loss of balance"),
        ("rotateArmsBothBackward1Reps", None, "circling both arms backwards; 'raise both arms "
         "sideways' lifts the arms to a T and lowers them, with no circle"),
        ("sneak2StepsLStart", None, "sneaking (creeping steps); the catalogue has no one-person "
         "walking class"),
        ("squat1Reps", "squat down", "same action: one squat down and back up"),
        # Still a throw of an object, though usually two-handed where the catalogue's text
        # describes a one-arm overarm throw: the text mismatch is part of what is measured.
        ("throwBasketball", "throw", "throwing a ball; a basketball throw is often two-handed "
         "while the catalogue's text describes a one-arm overarm throw, but it is a throw"),
    ],
    # CMU labels are the takes' one-line descriptions after CMU_LABELS (the walks as one).
    "cmu": [
        ("walk", None, "one person walking (slow, brisk, on uneven terrain); the catalogue's "
         "walking classes are two-person interactions"),
        ("run/jog", None, "the catalogue has no running class"),
        # A two-footed jump, then standing to steady the body.
        ("jump, balance", "jump up", "a jump off both feet (then a moment keeping the "
         "balance): the catalogue's two-footed jump"),
        # The bundled catalogue has no punching class (the extended catalogue's compositional
        # punches name a fist and a count, and are not served).
        ("punch/strike", None, "punches at an imaginary opponent; the bundled catalogue has no "
         "punching class"),
        ("bend over, scoop up, rise, lift arm", None, "a take of several actions: bending over "
         "and scooping something up is close to 'pickup', then rising and lifting an arm; not "
         "one catalogue action"),
        ("swordplay", None, "the catalogue has no sword or fencing class"),
        ("wash self", None, "the catalogue has no washing class"),
        ("basketball - forward dribble", None, "bouncing a ball while walking; the catalogue has "
         "no dribbling class"),
    ],
    # NTU labels are the official names (classes_ntu120.tsv without the final period); the
    # mapped ones are the catalogue's NTU classes under the same name (checked against ntu_id).
    "ntu": [
        ("drink water", "drink water", "the same NTU action (A001) under its NTU name"),
        ("eat meal/snack", "eat meal/snack", "the same NTU action (A002) under its NTU name"),
        ("brushing teeth", "brushing teeth", "the same NTU action (A003) under its NTU name"),
        ("brushing hair", "brushing hair", "the same NTU action (A004) under its NTU name"),
        ("drop", None, "A005 is not in the catalogue (its 'pickup' is A006, a different action)"),
        ("reading", None, "A011 is not in the catalogue"),
        ("writing", None, "A012 is not in the catalogue"),
        ("take off a shoe", None, "A017 is not in the catalogue"),
        ("rub two hands together", "rub two hands together", "the same NTU action (A034) under "
         "its NTU name"),
        ("handshaking", "handshaking", "the same NTU action (A058, two people) under its NTU "
         "name"),
    ],
}

# CMU's one-line description of a take -> the set's label (the four kinds of walking are one
# action; every other description is its own label).
CMU_LABELS = {"walk": "walk", "slow walk": "walk", "brisk walk": "walk",
              "walk on uneven terrain": "walk", "run/jog": "run/jog",
              "jump, balance": "jump, balance", "punch/strike": "punch/strike",
              "bend over, scoop up, rise, lift arm": "bend over, scoop up, rise, lift arm",
              "swordplay": "swordplay", "wash self": "wash self",
              "basketball - forward dribble": "basketball - forward dribble"}

NTU_IDS = {"drink water": 1, "eat meal/snack": 2, "brushing teeth": 3, "brushing hair": 4,
           "drop": 5, "reading": 11, "writing": 12, "take off a shoe": 17,
           "rub two hands together": 34, "handshaking": 58}


class Failure(Exception):
    """A problem with the inputs; reported without a traceback."""


# ---------------------------------------------------------------------------------------------
# Output helpers


def write_bytes(path: Path, data: bytes) -> bool:
    """Writes atomically; leaves an identical file untouched. True when it changed the file."""
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return True


def csv_bytes(header: list[str], rows: list[list[object]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


class Report:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.counts: list[tuple[str, str, int, int]] = []

    def wrote(self, path: Path, changed: bool, what: str) -> None:
        self.lines.append(f"  {'wrote' if changed else 'same '} {path}  ({what})")


# ---------------------------------------------------------------------------------------------
# Catalogues


def load_catalog(path: Path) -> dict:
    """Loads a catalogue and checks what `catalog::Catalog::parse` checks (plus descriptions)."""
    try:
        cat = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise Failure(f"{path}: cannot read the catalogue: {e}") from None
    classes = cat.get("classes")
    if not isinstance(cat.get("catalog"), str) or not isinstance(cat.get("version"), int) \
            or not isinstance(classes, list) or not classes:
        raise Failure(f"{path}: needs 'catalog', 'version' and a non-empty 'classes'")
    ids, names = set(), set()
    for c in classes:
        cid, name = c.get("id"), c.get("name")
        if not isinstance(cid, int) or not 1 <= cid <= 999:
            raise Failure(f"{path}: class {name!r}: id {cid!r} outside 1..=999")
        if not isinstance(name, str) or not name.strip():
            raise Failure(f"{path}: class {cid}: empty name")
        if c.get("bodies", 1) not in (1, 2):
            raise Failure(f"{path}: class {name!r}: bodies must be 1 or 2")
        if cid in ids or name in names:
            raise Failure(f"{path}: class {name!r} repeats an id or a name")
        ids.add(cid)
        names.add(name)
    return cat


def own_names(set_name: str) -> tuple[Path, dict, dict[str, str]]:
    """The hand-written catalogue of a set's own actions and its set label -> class name table.

    A class's `set_label` is the dataset's label for it (default: its name).
    """
    path = OWN_CATALOGS / f"{set_name}_catalog.json"
    cat = load_catalog(path)
    table: dict[str, str] = {}
    for c in cat["classes"]:
        if len(c.get("descriptions", [])) != 2:
            raise Failure(f"{path}: class {c['name']!r} needs 2 descriptions")
        set_label = c.get("set_label", c["name"])
        if not isinstance(set_label, str) or not set_label.strip() or set_label in table:
            raise Failure(f"{path}: class {c['name']!r}: set_label {set_label!r} empty or "
                          "repeated")
        table[set_label] = c["name"]
    return path, cat, table


def own_catalog(set_name: str, labels: list[str],
                report: Report) -> tuple[bytes, dict, dict[str, str]]:
    """The own catalogue's bytes, the catalogue, and set label -> own class name; every label of
    the set must be one class's `set_label`."""
    path, cat, table = own_names(set_name)
    missing = sorted(set(labels) - set(table))
    if missing:
        raise Failure(f"{path}: no class whose set_label is one of {missing}")
    unused = [n for s, n in table.items() if s not in set(labels)]
    if unused:
        report.lines.append(f"  note: {set_name} own catalogue classes without a clip: {unused}")
    return path.read_bytes(), cat, table


def catalog_table(set_name: str, labels: list[str], bundled: dict) -> dict[str, str]:
    """label -> bundled class name for the labels MAPPING maps; checks the table is complete."""
    entries = MAPPING[set_name]
    table = {label: cls for label, cls, _ in entries}
    unknown = sorted(set(labels) - set(table))
    if unknown:
        raise Failure(f"MAPPING[{set_name!r}] has no entry for {unknown}: decide and add them")
    by_name = {c["name"]: c for c in bundled["classes"]}
    for label, cls, _ in entries:
        if cls is None:
            continue
        if cls not in by_name:
            raise Failure(f"MAPPING[{set_name!r}]: {label!r} -> {cls!r}, not a class of the "
                          "bundled catalogue")
        if set_name == "ntu" and by_name[cls].get("ntu_id") != NTU_IDS[label]:
            raise Failure(f"MAPPING['ntu']: catalogue class {cls!r} is not NTU "
                          f"A{NTU_IDS[label]:03}")
    return {label: cls for label, cls in table.items() if cls is not None}


def mapping_markdown() -> str:
    out = ["| set | label | own-mode name | catalogue class | why |", "|---|---|---|---|---|"]
    for set_name, entries in MAPPING.items():
        own = own_names(set_name)[2]
        for label, cls, why in entries:
            shown = f"A{NTU_IDS[label]:03} {label}" if set_name == "ntu" else label
            cell = f"{cls}" if cls else "—"
            out.append(f"| {set_name} | {shown} | {own.get(label, '—')} | {cell} | {why} |")
    return "\n".join(out) + "\n"


def write_folders(set_name: str, out: Path, bundled: dict, report: Report,
                  header: list[str], clips: list[dict], folder: str | None = None) -> None:
    """Writes OUT/<folder>/catalog/labels.csv, OUT/<folder>/own/{labels.csv,catalog.json}.

    `clips`: dicts with the keys of `header` (label = the dataset's own label), file paths
    already relative to the folders or absolute. Both files label a clip with a class name of
    their catalogue and keep the dataset's label in a last column `set_label`. `folder`
    defaults to the set's name (another name: a part of the set, e.g. one actor's clips).
    """
    folder = folder or set_name
    labels = [c["label"] for c in clips]
    table = catalog_table(set_name, labels, bundled)
    own_bytes, own_cat, own_table = own_catalog(set_name, labels, report)

    cat_rows = [[table[c["label"]] if k == "label" else c.get(k, "") for k in header]
                + [c["label"]] for c in clips if c["label"] in table]
    own_rows = [[own_table[c["label"]] if k == "label" else c.get(k, "") for k in header]
                + [c["label"]] for c in clips]

    p = out / folder / "catalog" / "labels.csv"
    n_cat_classes = len({r[header.index("label")] for r in cat_rows})
    report.wrote(p, write_bytes(p, csv_bytes(header + ["set_label"], cat_rows)),
                 f"{len(cat_rows)} clips, {n_cat_classes} catalogue classes")
    p = out / folder / "own" / "labels.csv"
    report.wrote(p, write_bytes(p, csv_bytes(header + ["set_label"], own_rows)),
                 f"{len(own_rows)} clips, {len(set(labels))} own classes")
    p = out / folder / "own" / "catalog.json"
    report.wrote(p, write_bytes(p, own_bytes), f"{len(own_cat['classes'])} classes")
    report.counts.append((folder, "catalog", len(cat_rows), n_cat_classes))
    report.counts.append((folder, "own", len(own_rows), len(set(labels))))


# ---------------------------------------------------------------------------------------------
# UTKinect-Action3D


def ut_labels(path: Path) -> tuple[dict[str, list[tuple[str, int, int]]], int]:
    """take -> [(action, first index, last index)] in file order; and the NaN segments skipped."""
    takes: dict[str, list[tuple[str, int, int]]] = {}
    current = None
    skipped = 0
    for n, line in enumerate(path.read_text(encoding="ascii").splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        if re.fullmatch(r"s\d\d_e\d\d", line):
            current = takes.setdefault(line, [])
            continue
        m = re.fullmatch(r"(\w+):\s+(\S+)\s+(\S+)", line)
        if not m or current is None:
            raise Failure(f"{path}:{n}: unexpected line {line!r}")
        action, a, b = m.groups()
        if a.lower() == "nan" or b.lower() == "nan":
            skipped += 1
            continue
        try:
            first, last = int(a), int(b)
        except ValueError:
            raise Failure(f"{path}:{n}: bad range {a!r} {b!r}") from None
        if first > last:
            raise Failure(f"{path}:{n}: range {first} > {last}")
        current.append((action, first, last))
    return takes, skipped


def ut_take_frames(path: Path) -> tuple[int, list[list[float]], int, int]:
    """Reads a joints file and resamples it to one frame per colour-frame index.

    Rows sharing an index (two skeleton frames stamped with the same colour frame) are averaged:
    measured on the 20 takes, the mean of a duplicate pair lies closer to the pose interpolated
    from the neighbouring indices (15 mm mean joint error) than the first row (19 mm) or the
    second (23 mm). Then joint positions are interpolated linearly to every integer index.
    Returns (first index, frames of 60 numbers, repeated indices, largest gap between indices).
    """
    sums: dict[int, list[float]] = {}
    counts: dict[int, int] = {}
    for n, line in enumerate(path.read_text(encoding="ascii").splitlines(), 1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 1 + 3 * UT_JOINTS:
            raise Failure(f"{path}:{n}: {len(parts)} fields, expected {1 + 3 * UT_JOINTS}")
        try:
            index = int(parts[0])
            values = [float(x) for x in parts[1:]]
        except ValueError:
            raise Failure(f"{path}:{n}: not numbers") from None
        if index < 0 or any(v != v or abs(v) == float("inf") for v in values):
            raise Failure(f"{path}:{n}: negative index or non-finite coordinate")
        if index in sums:
            sums[index] = [s + v for s, v in zip(sums[index], values)]
            counts[index] += 1
        else:
            sums[index] = values
            counts[index] = 1
    if not sums:
        raise Failure(f"{path}: no skeleton rows")
    keys = sorted(sums)
    poses = {k: [s / counts[k] for s in sums[k]] for k in keys}
    frames: list[list[float]] = []
    for a, b in zip(keys, keys[1:]):
        pa, pb = poses[a], poses[b]
        for i in range(a, b):
            w = (i - a) / (b - a)
            frames.append([x + (y - x) * w for x, y in zip(pa, pb)])
    frames.append(poses[keys[-1]])
    repeated = sum(1 for k in keys if counts[k] > 1)
    gap = max((b - a for a, b in zip(keys, keys[1:])), default=0)
    return keys[0], frames, repeated, gap


def frame_line(seq: int, pose: list[float]) -> str:
    t_us = ((seq - 1) * 2_000_000 + UT_FPS) // (2 * UT_FPS)  # round((seq-1) * 1e6 / 30)
    joints = [[round(pose[3 * j + c], 6) + 0.0 for c in range(3)] for j in range(UT_JOINTS)]
    frame = {"v": 1, "seq": seq, "t_us": t_us, "layout": "kinect_v1",
             "bodies": [{"id": 1, "joints": joints}]}
    return json.dumps(frame, separators=(",", ":"))


def utkinect(real: Path, out: Path, bundled: dict, report: Report) -> None:
    src = real / "utkinect"
    label_file = src / "actionLabel_modified.txt"
    takes, skipped = ut_labels(label_file)
    clips_dir = out / "utkinect" / "clips"
    clips: list[dict] = []
    written: set[str] = set()
    clamped: list[str] = []
    outside: list[str] = []
    total_frames = 0
    worst_gap = (0, "")
    for take in sorted(takes):
        joints = src / f"joints_{take}.txt"
        if not joints.is_file():
            raise Failure(f"{joints}: missing (listed in {label_file.name})")
        first, frames, repeated, gap = ut_take_frames(joints)
        if gap > worst_gap[0]:
            worst_gap = (gap, take)
        text = "".join(frame_line(i + 1, pose) + "\n" for i, pose in enumerate(frames))
        name = f"{take}.jsonl"
        p = clips_dir / name
        changed = write_bytes(p, text.encode("ascii"))
        report.wrote(p, changed, f"{len(frames)} frames, {repeated} repeated indices averaged, "
                     f"largest gap {gap} indices")
        written.add(name)
        total_frames += len(frames)
        last = len(frames) - 1
        for action, a, b in takes[take]:
            start, end = a - first, b - first
            if end < 0 or start > last:
                outside.append(f"{take} {action} {a}-{b}")
                continue
            cs, ce = min(max(start, 0), last), min(max(end, 0), last)
            if (cs, ce) != (start, end):
                clamped.append(f"{take} {action} {start}..{end} -> {cs}..{ce}")
            clips.append({"file": f"../clips/{name}", "label": action, "start": cs,
                          "end": ce, "take": take})
    for stale in sorted(clips_dir.glob("*.jsonl")):
        if stale.name not in written:
            stale.unlink()
            report.lines.append(f"  removed stale {stale}")
    report.lines.append(f"  utkinect: {len(written)} takes, {total_frames} frames; "
                        f"{skipped} NaN segment(s) skipped; largest gap {worst_gap[0]} indices "
                        f"({worst_gap[1]}), interpolated across")
    if clamped:
        report.lines.append(f"  utkinect: clamped into the file: {'; '.join(clamped)}")
    if outside:
        report.lines.append(f"  utkinect: left out (outside the recording): {'; '.join(outside)}")
    write_folders("utkinect", out, bundled, report,
                  ["file", "label", "start", "end", "take"], clips)


# ---------------------------------------------------------------------------------------------
# HDM05


# The HDM05 actor whose clips test a model trained on the other actors' (bd, bk).
HELD_OUT_ACTOR = "dg"


def fixture_rows(labels: Path, columns: list[str]) -> list[tuple[int, dict[str, str]]]:
    """The rows of a fixture set's labels.csv with their line numbers; each has `columns`."""
    with labels.open(newline="", encoding="utf-8") as f:
        rows = list(enumerate(csv.DictReader(f), 2))
    for n, row in rows:
        missing = [c for c in columns if row.get(c) is None]
        if missing:
            raise Failure(f"{labels}:{n}: no column {missing[0]!r}")
    if not rows:
        raise Failure(f"{labels}: no clips")
    return rows


def fixture_file(labels: Path, n: int, path: Path) -> str:
    """The absolute path of a file that line `n` of `labels` names; it must exist."""
    path = path.resolve()
    if not path.is_file():
        raise Failure(f"{labels}:{n}: {path} does not exist")
    return str(path)


def hdm05(real: Path, out: Path, bundled: dict, report: Report) -> None:
    src = real / "hdm05"
    labels = src / "labels.csv"
    clips = [{"file": fixture_file(labels, n, src / row["file"]), "label": row["label"],
              "skeleton": fixture_file(labels, n, src / row["asf"]),
              "actor": row.get("actor", ""), "take": row.get("take", "")}
             for n, row in fixture_rows(labels, ["file", "label", "asf"])]
    header = ["file", "label", "skeleton", "actor", "take"]
    write_folders("hdm05", out, bundled, report, header, clips)
    # An actor held out, for training on motion capture fairly (docs/results.md, the mocap
    # lever): hdm05-not-<actor> holds the other actors' clips (training data, allowed for the
    # bundled model with HDM05's attribution), hdm05-<actor> that actor's only (the test).
    actor = HELD_OUT_ACTOR
    if any(c["actor"] == actor for c in clips):
        write_folders("hdm05", out, bundled, report, header,
                      [c for c in clips if c["actor"] != actor], folder=f"hdm05-not-{actor}")
        write_folders("hdm05", out, bundled, report, header,
                      [c for c in clips if c["actor"] == actor], folder=f"hdm05-{actor}")


# ---------------------------------------------------------------------------------------------
# CMU


def cmu(real: Path, out: Path, bundled: dict, report: Report) -> None:
    src = real / "cmu"
    labels = src / "labels.csv"
    clips = []
    for n, row in fixture_rows(labels, ["file", "description"]):
        description = row["description"]
        if description not in CMU_LABELS:
            raise Failure(f"{labels}:{n}: description {description!r} is not in CMU_LABELS: "
                          "decide its label and add it")
        clips.append({"file": fixture_file(labels, n, src / row["file"]),
                      "label": CMU_LABELS[description], "subject": row.get("subject", ""),
                      "trial": row.get("trial", ""), "description": description})
    write_folders("cmu", out, bundled, report,
                  ["file", "label", "subject", "trial", "description"], clips)


# ---------------------------------------------------------------------------------------------
# NTU RGB+D


def ntu_names(path: Path) -> dict[int, str]:
    names = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 2 or not parts[0].strip().isdigit():
            raise Failure(f"{path}:{n}: expected 'id<TAB>name'")
        names[int(parts[0])] = parts[1].strip().removesuffix(".")
    return names


def ntu(fixtures: Path, out: Path, bundled: dict, report: Report) -> None:
    names = ntu_names(fixtures / "ntu" / "classes_ntu120.tsv")
    files = sorted(p.resolve() for d in (fixtures / "real" / "ntu", fixtures / "ntu")
                   for p in d.glob("*.skeleton"))
    if not files:
        raise Failure(f"no .skeleton files in {fixtures / 'real' / 'ntu'} or {fixtures / 'ntu'}")
    clips = []
    for p in files:
        m = re.fullmatch(r"S\d{3}C\d{3}P\d{3}R\d{3}A(\d{3})", p.stem)
        if not m or int(m.group(1)) not in names:
            raise Failure(f"{p}: not an NTU sample name with a known action")
        action = int(m.group(1))
        label = names[action]
        if NTU_IDS.get(label) not in (None, action):
            raise Failure(f"NTU_IDS[{label!r}] disagrees with classes_ntu120.tsv (A{action:03})")
        clips.append({"file": str(p), "label": label, "ntu_id": f"A{action:03}"})
    # The own catalogue's names must be the official names of their ntu_id.
    for c in load_catalog(OWN_CATALOGS / "ntu_catalog.json")["classes"]:
        if names.get(c.get("ntu_id")) != c["name"]:
            raise Failure(f"ntu_catalog.json: {c['name']!r} is not the NTU name of ntu_id "
                          f"{c.get('ntu_id')}")
    write_folders("ntu", out, bundled, report, ["file", "label", "ntu_id"], clips)


# ---------------------------------------------------------------------------------------------


def inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fixtures", default="../shared/fixtures",
                    help="the shared fixtures folder (holds real/ and ntu/)")
    ap.add_argument("--out", default="target/real", help="output folder (inside target/)")
    ap.add_argument("--catalog", default=str(REPO / "models" / "catalog.json"),
                    help="the bundled catalogue that mode a labels refer to")
    ap.add_argument("--sets", default="utkinect,hdm05,ntu,cmu", help="comma-separated sets")
    ap.add_argument("--mapping-md", action="store_true",
                    help="print the label -> catalogue class table as markdown and exit")
    args = ap.parse_args(argv)
    if args.mapping_md:
        sys.stdout.write(mapping_markdown())
        return 0
    fixtures = Path(args.fixtures).resolve()
    out = Path(args.out).resolve()
    for folder in (SCRIPTS, fixtures):
        if inside(out, folder):
            print(f"error: --out {out} lies inside {folder}; write converted data under target/",
                  file=sys.stderr)
            return 2
    if not inside(out, REPO / "target"):
        print(f"warning: --out {out} is outside target/: never commit what is written there",
              file=sys.stderr)
    real = fixtures / "real"
    runners = {
        "utkinect": (real / "utkinect", lambda b, r: utkinect(real, out, b, r)),
        "hdm05": (real / "hdm05", lambda b, r: hdm05(real, out, b, r)),
        "cmu": (real / "cmu", lambda b, r: cmu(real, out, b, r)),
        "ntu": (fixtures / "ntu", lambda b, r: ntu(fixtures, out, b, r)),
    }
    report = Report()
    done = 0
    try:
        bundled = load_catalog(Path(args.catalog))
        for name in [s.strip() for s in args.sets.split(",") if s.strip()]:
            if name not in runners:
                raise Failure(f"unknown set {name!r} (known: {', '.join(runners)})")
            needed, run = runners[name]
            if not needed.is_dir():
                report.lines.append(f"  {name}: skipped, {needed} not found")
                continue
            run(bundled, report)
            done += 1
    except Failure as e:
        print("\n".join(report.lines))
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"{out}:")
    print("\n".join(report.lines))
    print("\n| set | mode | clips | classes |\n|---|---|---|---|")
    for set_name, mode, clips, classes in report.counts:
        print(f"| {set_name} | {mode} | {clips} | {classes} |")
    if done == 0:
        print("error: no set found under --fixtures", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
