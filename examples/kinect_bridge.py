#!/usr/bin/env python3
"""A depth-sensor bridge for `scale serve`, in Python with pyzmq.

It binds a ZeroMQ PUB socket and publishes skeleton frames in the scale wire protocol
(docs/protocol.md): two-part messages [b"frames", payload], the payload JSON or the binary
"SKLF" layout. `scale serve --frames ENDPOINT` connects to it.

Where frames come from:
  --file REC.skeleton   an NTU RGB+D skeleton file (or a folder of them), at the recorded rate
  --live                a synthetic body waving its right hand, made up frame by frame: the
                        place where a real sensor plugs in (see `on_body_frame` below)

With a Kinect v2 (pykinect2), an Azure Kinect or an Orbbec Femto Bolt / Mega (pyk4a or the
Body Tracking SDK; the Femto through Orbbec's K4A wrapper), or a Kinect v1 (SDK 1.x / OpenNI),
call `bridge.on_body_frame(bodies)` from the SDK's body-frame callback, with one
`(tracking_id, joints, tracking_states)` tuple per tracked body: joints as 25 (Kinect v2), 32
(Azure Kinect, Femto) or 20 (Kinect v1) [x, y, z] positions in metres, Kinect camera space (x
to the sensor's left, y up, z away from it), and the bridge's --layout set to match. The Body
Tracking SDK reports millimetres in camera axes (x right, y down, z forward):
`from_k4abt_millimetres(joints)` turns them into metres, Kinect camera space.

With a Stereolabs ZED camera (pyzed; layouts zed_body_34 and zed_body_38), open the camera with
`InitParameters(coordinate_system=sl.COORDINATE_SYSTEM.IMAGE, coordinate_units=sl.UNIT.METER)`
and body tracking in BODY_34 or BODY_38, and call `bridge.on_body_frame(zed_bodies(bodies))`
after each `retrieve_bodies(bodies)`: the keypoints go as the SDK gives them (scale turns the
IMAGE axes into Kinect camera space). For a webcam, see examples/mediapipe_bridge.py.

--inject-bad N mixes one malformed message in after every N valid frames (bad JSON, wrong joint
count, NaN, truncated binary, unknown version, a repeated seq, ...), to check that a server
drops them, counts them and carries on. At the end the bridge prints a JSON summary on stdout:
frames sent and the malformed messages sent, by the reason the server should give.

Usage:
  python examples/kinect_bridge.py --file S001C001P001R001A001.skeleton
  python examples/kinect_bridge.py --live --format binary --bind tcp://127.0.0.1:5555
  python examples/kinect_bridge.py --live --connect tcp://SCALE_HOST:5555   # to serve --frames-bind
"""

import argparse
import json
import math
import os
import signal
import struct
import sys
import time

import zmq

KINECT_V2, AZURE_KINECT, KINECT_V1 = "kinect_v2", "azure_kinect", "kinect_v1"
MEDIAPIPE_POSE, ZED_BODY_34, ZED_BODY_38 = "mediapipe_pose", "zed_body_34", "zed_body_38"
LAYOUTS = [KINECT_V2, AZURE_KINECT, KINECT_V1, MEDIAPIPE_POSE, ZED_BODY_34, ZED_BODY_38]
JOINTS = {KINECT_V2: 25, AZURE_KINECT: 32, KINECT_V1: 20, MEDIAPIPE_POSE: 33, ZED_BODY_34: 34,
          ZED_BODY_38: 38}
LAYOUT_CODE = {name: code for code, name in enumerate(LAYOUTS)}
# Layouts sent in their SDK's own camera axes (x right, y down, z forward), not Kinect camera
# space; scale converts them.
CAMERA_AXES = {MEDIAPIPE_POSE, ZED_BODY_34, ZED_BODY_38}
# For each Azure Kinect joint (K4ABT order), the Kinect v2 joint standing in for it in the
# synthetic --live body (clavicles, nose, eyes and ears borrow a neighbour).
AZURE_FROM_KINECT = [0, 1, 20, 2, 20, 4, 5, 6, 7, 21, 22, 20, 8, 9, 10, 11, 23, 24,
                     12, 13, 14, 15, 16, 17, 18, 19, 3, 3, 3, 3, 3, 3]
# For each Kinect v1 joint (SDK 1.x order), its Kinect v2 joint.
V1_FROM_KINECT = [0, 1, 20, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]
# For each MediaPipe Pose landmark, the Kinect v2 joint standing in for it (the face at the
# head, pinky and index knuckles at the hand, heels at the ankles).
MEDIAPIPE_FROM_KINECT = [3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4, 8, 5, 9, 6, 10, 7, 11, 7, 11,
                         22, 24, 12, 16, 13, 17, 14, 18, 14, 18, 15, 19]
# ZED BODY_34: the Azure order, then the heels (at the ankles).
ZED34_FROM_KINECT = AZURE_FROM_KINECT + [14, 18]
# ZED BODY_38 (SDK 4 order).
ZED38_FROM_KINECT = [0, 1, 1, 20, 2, 3, 3, 3, 3, 3, 20, 20, 4, 8, 5, 9, 6, 10, 12, 16, 13, 17,
                     14, 18, 15, 19, 15, 19, 14, 18, 22, 24, 7, 11, 21, 23, 7, 11]
PICK = {KINECT_V2: range(25), AZURE_KINECT: AZURE_FROM_KINECT, KINECT_V1: V1_FROM_KINECT,
        MEDIAPIPE_POSE: MEDIAPIPE_FROM_KINECT, ZED_BODY_34: ZED34_FROM_KINECT,
        ZED_BODY_38: ZED38_FROM_KINECT}


def from_k4abt_millimetres(joints):
    """Azure Kinect / Orbbec Femto Body Tracking joints (millimetres; x right, y down, z forward)
    -> metres, Kinect camera space (x to the sensor's left, y up, z forward): a rotation by 180
    degrees about the optical axis, so that the body keeps its left and right."""
    return [[-x / 1000.0, -y / 1000.0, z / 1000.0] for x, y, z in joints]


def camera_axes(p):
    """Kinect camera space -> camera axes (x right, y down, z forward); its own inverse."""
    return [-p[0], -p[1], p[2]]


def zed_bodies(bodies):
    """A ZED SDK `sl.Bodies` (BODY_34 or BODY_38, IMAGE axes, metres) as on_body_frame's list.
    Keypoints the SDK could not place are NaN: they go at the pelvis, tracking state 0; the
    confidence (0-100) gives the state of the others (>= 50 tracked, else inferred)."""
    out = []
    for body in bodies.body_list:
        pelvis = [float(v) for v in body.keypoint[0]]
        joints, states = [], []
        for p, c in zip(body.keypoint, body.keypoint_confidence):
            p = [float(v) for v in p]
            if any(math.isnan(v) for v in p) or math.isnan(c):
                joints.append(pelvis)
                states.append(0)
            else:
                joints.append(p)
                states.append(2 if c >= 50 else 1)
        if not any(math.isnan(v) for v in pelvis):
            out.append((int(body.id), joints, states))
    return out


def kinect_v2_body_as(layout, joints, states):
    """A 25-joint body in another layout's joint order and axes (for the synthetic --live body):
    the camera-axes layouts get camera axes, MediaPipe its origin between the hips."""
    pick = PICK[layout]
    out = [list(joints[j]) for j in pick]
    if layout in CAMERA_AXES:
        out = [camera_axes(p) for p in out]
    if layout == MEDIAPIPE_POSE:
        hips = [(a + b) / 2 for a, b in zip(out[23], out[24])]
        out = [[a - b for a, b in zip(p, hips)] for p in out]
    return out, (None if states is None else [states[j] for j in pick])


def read_skeleton_file(path):
    """Reads an NTU RGB+D .skeleton file: a list of frames, each a list of (id, joints, states)."""
    with open(path) as f:
        lines = [line.strip() for line in f.read().split("\n")]
    pos = 0

    def take():
        nonlocal pos
        while lines[pos] == "":
            pos += 1
        pos += 1
        return lines[pos - 1]

    frames = []
    for _ in range(int(take())):
        bodies = []
        for _ in range(int(take())):
            body_id = int(take().split()[0])
            n = int(take())
            joints, states = [], []
            for _ in range(n):
                v = take().split()
                joints.append([float(v[0]), float(v[1]), float(v[2])])
                states.append(int(v[11]))
            bodies.append((body_id, joints, states))
        frames.append(bodies)
    return frames


def encode_json(seq, t_us, layout, bodies):
    return json.dumps(
        {
            "v": 1,
            "seq": seq,
            "t_us": t_us,
            "layout": layout,
            "bodies": [
                {"id": i, "joints": j, "tracking": s} if s is not None else {"id": i, "joints": j}
                for (i, j, s) in bodies
            ],
        },
        separators=(",", ":"),
    ).encode()


def encode_binary(seq, t_us, layout, bodies):
    n = JOINTS[layout]
    with_states = all(s is not None for (_, _, s) in bodies) and bodies
    out = bytearray(b"SKLF")
    out += struct.pack("<BBBBQQHH", 1, LAYOUT_CODE[layout], n,
                       1 if with_states else 0, seq, t_us, len(bodies), 0)
    for body_id, joints, states in bodies:
        out += struct.pack("<Q", body_id)
        for x, y, z in joints:
            out += struct.pack("<fff", x, y, z)
        if with_states:
            out += bytes(states)
    return bytes(out)


class Bridge:
    """Publishes body frames; `on_body_frame` is what a sensor callback calls."""

    def __init__(self, endpoint, layout=KINECT_V2, fmt="json", start_seq=1, connect=False):
        self.ctx = zmq.Context.instance()
        self.sock = self.ctx.socket(zmq.PUB)
        self.sock.setsockopt(zmq.LINGER, 500)
        if connect:  # to `scale serve --frames-bind ENDPOINT`
            self.sock.connect(endpoint)
        else:
            self.sock.bind(endpoint)
        self.layout, self.fmt, self.seq = layout, fmt, start_seq
        self.sent = 0

    def on_body_frame(self, bodies, t_us=None):
        """One sensor frame: `bodies` is a list of (tracking_id, joints, tracking_states or None)."""
        t_us = t_us if t_us is not None else time.time_ns() // 1000
        enc = encode_binary if self.fmt == "binary" else encode_json
        self.sock.send_multipart([b"frames", enc(self.seq, t_us, self.layout, bodies)])
        self.seq += 1
        self.sent += 1

    def send_raw(self, parts):
        self.sock.send_multipart(parts)

    def close(self):
        self.sock.close()


def malformed(kind, bridge, bodies):
    """A malformed message of the given kind, as the parts of a ZeroMQ message."""
    t_us = time.time_ns() // 1000
    n = JOINTS[bridge.layout]
    good = json.loads(encode_json(bridge.seq, t_us, bridge.layout, bodies or [(1, [[0, 0, 3]] * n, None)]))
    if kind == "bad_json":
        return [b"frames", b'{"v": 1, "seq": ' + str(bridge.seq).encode() + b', "bodies": [']
    if kind == "wrong_joint_count":
        good["bodies"][0]["joints"] = good["bodies"][0]["joints"][:n - 1]
        good["bodies"][0].pop("tracking", None)
        return [b"frames", json.dumps(good).encode()]
    if kind == "non_finite":
        good["bodies"][0]["joints"][3] = [0.1, float("nan"), 3.0]
        return [b"frames", json.dumps(good).encode()]  # Python writes NaN
    if kind == "truncated":
        payload = encode_binary(bridge.seq, t_us, bridge.layout, bodies or [(1, [[0, 0, 3]] * n, None)])
        return [b"frames", payload[: len(payload) // 2]]
    if kind == "unknown_version":
        good["v"] = 99
        return [b"frames", json.dumps(good).encode()]
    if kind == "unknown_layout":
        good["layout"] = "kinect_v9"
        return [b"frames", json.dumps(good).encode()]
    if kind == "unknown_payload":
        return [b"frames", b"\x00\x01garbage"]
    if kind == "out_of_order":
        # A valid frame whose seq repeats the last one sent.
        good["seq"] = bridge.seq - 1
        return [b"frames", json.dumps(good).encode()]
    raise ValueError(kind)


BAD_KINDS = ["bad_json", "wrong_joint_count", "non_finite", "truncated",
             "unknown_version", "unknown_layout", "unknown_payload", "out_of_order"]


def live_frames(layout=KINECT_V2):
    """A made-up body waving its right hand, forever (stands in for a sensor), in `layout`."""
    base = [[0.0, -0.3, 3.0], [0.0, 0.0, 3.0], [0.0, 0.3, 3.0], [0.0, 0.45, 3.0],
            [-0.18, 0.22, 3.0], [-0.22, -0.05, 3.0], [-0.24, -0.27, 3.0], [-0.25, -0.34, 3.0],
            [0.18, 0.22, 3.0], [0.3, 0.35, 3.0], [0.3, 0.6, 3.0], [0.3, 0.68, 3.0],
            [-0.08, -0.3, 3.0], [-0.09, -0.72, 3.0], [-0.1, -1.1, 3.0], [-0.1, -1.16, 2.95],
            [0.08, -0.3, 3.0], [0.09, -0.72, 3.0], [0.1, -1.1, 3.0], [0.1, -1.16, 2.95],
            [0.0, 0.23, 3.0], [-0.26, -0.42, 3.0], [-0.22, -0.37, 3.0], [0.3, 0.74, 3.0],
            [0.26, 0.7, 3.0]]
    k = 0
    while True:
        a = 0.25 * math.sin(k * 2 * math.pi / 20)
        joints = [list(p) for p in base]
        for j in (10, 11, 23, 24):  # wrist, hand, hand tip, thumb swing about the elbow
            dx, dy = joints[j][0] - 0.3, joints[j][1] - 0.35
            joints[j][0] = 0.3 + dx * math.cos(a) - dy * math.sin(a)
            joints[j][1] = 0.35 + dx * math.sin(a) + dy * math.cos(a)
        j, st = kinect_v2_body_as(layout, joints, [2] * 25)
        yield [(1, j, st)]
        k += 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--file", help="an NTU .skeleton file, or a folder of them")
    src.add_argument("--live", action="store_true", help="a synthetic waving body, generated live")
    ap.add_argument("--bind", default="tcp://127.0.0.1:5555")
    ap.add_argument("--connect", metavar="ENDPOINT",
                    help="connect to a `scale serve --frames-bind ENDPOINT` instead of binding")
    ap.add_argument("--fps", type=float, default=30.0)
    ap.add_argument("--speed", type=float, default=1.0)
    ap.add_argument("--format", choices=["json", "binary"], default="json")
    ap.add_argument("--layout", choices=LAYOUTS, default=KINECT_V2,
                    help="joint layout of the frames sent (--live only; files are kinect_v2)")
    ap.add_argument("--loop", action="store_true", help="replay the file(s) until stopped")
    ap.add_argument("--frames", type=int, default=0, help="stop after this many valid frames")
    ap.add_argument("--start-seq", type=int, default=1)
    ap.add_argument("--inject-bad", type=int, default=0, metavar="N",
                    help="one malformed message after every N valid frames")
    ap.add_argument("--wait", type=float, default=1.0,
                    help="seconds to wait after binding, for subscribers to connect")
    args = ap.parse_args()

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    if args.file and args.layout != KINECT_V2:
        ap.error("--layout applies to --live; NTU .skeleton files are kinect_v2")
    bridge = Bridge(args.connect or args.bind, args.layout, args.format, args.start_seq,
                    connect=args.connect is not None)
    time.sleep(args.wait)

    if args.live:
        source = live_frames(args.layout)
    else:
        paths = [args.file]
        if os.path.isdir(args.file):
            paths = sorted(os.path.join(args.file, p) for p in os.listdir(args.file) if p.endswith(".skeleton"))
        recordings = [read_skeleton_file(p) for p in paths]

        def replay():
            while True:
                for rec in recordings:
                    yield from rec
                if not args.loop:
                    return
        source = replay()

    bad_sent = {k: 0 for k in BAD_KINDS}
    period = 1.0 / (args.fps * args.speed)
    start = time.monotonic()
    try:
        for bodies in source:
            if stop or (args.frames and bridge.sent >= args.frames):
                break
            due = start + bridge.sent * period
            time.sleep(max(0.0, due - time.monotonic()))
            bridge.on_body_frame(bodies)
            if args.inject_bad and bridge.sent % args.inject_bad == 0:
                kind = BAD_KINDS[(bridge.sent // args.inject_bad - 1) % len(BAD_KINDS)]
                bridge.send_raw(malformed(kind, bridge, bodies))
                bad_sent[kind] += 1
    except KeyboardInterrupt:
        pass
    print(json.dumps({"frames": bridge.sent, "last_seq": bridge.seq - 1, "malformed": bad_sent}), flush=True)
    time.sleep(0.2)
    bridge.close()


if __name__ == "__main__":
    sys.exit(main())
