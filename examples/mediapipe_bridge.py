#!/usr/bin/env python3
"""A webcam bridge for `scale serve`: MediaPipe Pose world landmarks as `mediapipe_pose` frames.

Reads a webcam (--camera N) or a video file (--video FILE) through OpenCV, runs MediaPipe Pose on
each frame, and publishes the 33 world landmarks (`pose_world_landmarks`: metres, origin between
the hips, image axes; scale converts them, docs/protocol.md) on a ZeroMQ PUB in the scale wire
protocol: the people seen (up to --people), with ids 1, 2, … in MediaPipe's order (MediaPipe
does not track identities: with several people, ids may swap), none while nobody is seen.
Each landmark's
visibility gives its tracking state: >= 0.5 tracked (2), >= 0.1 inferred (1), else not tracked
(0). Do not mirror the image (no selfie flip): MediaPipe's left landmarks are then the person's
left, as scale expects.

--synthetic sends a made-up waving body in the same layout instead (no camera, OpenCV or
MediaPipe needed): what the tests use to check the message format against `scale serve`.

Needs pyzmq; with a camera or a video also `pip install mediapipe opencv-python` and a Pose
Landmarker model (`pose_landmarker_lite.task`, `_full` or `_heavy`, from MediaPipe's models
page; --model FILE): the Tasks API (`mediapipe.tasks.python.vision.PoseLandmarker`, video
mode) of current MediaPipe releases. Older releases (< 0.10.30) that still have the legacy
`mp.solutions.pose` API run without --model (its model ships inside the wheel). At the end the
bridge prints a JSON summary on stdout: frames sent, and frames with a person.

Usage:
  python examples/mediapipe_bridge.py --camera 0 --model pose_landmarker_full.task
  python examples/mediapipe_bridge.py --video clip.mp4 --model pose_landmarker_lite.task
  python examples/mediapipe_bridge.py --synthetic --frames 300
  scale serve --frames tcp://127.0.0.1:5555     # in another terminal
"""

import argparse
import json
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kinect_bridge import MEDIAPIPE_POSE, Bridge, live_frames  # noqa: E402

TRACKED, INFERRED = 0.5, 0.1


def tracking_state(visibility):
    """A landmark's visibility (0..1) as a Kinect-style tracking state."""
    if visibility >= TRACKED:
        return 2
    return 1 if visibility >= INFERRED else 0


def body_from_world_landmarks(landmarks, body_id=1):
    """MediaPipe's world landmarks of one person (33, each with x, y, z, visibility) as one
    (id, joints, tracking states) body, sent as MediaPipe gives them."""
    joints = [[float(p.x), float(p.y), float(p.z)] for p in landmarks]
    states = [tracking_state(float(p.visibility or 0.0)) for p in landmarks]
    return (body_id, joints, states)


def pose_estimator(mp, model, people):
    """A function (RGB image, timestamp in ms) -> list of world-landmark lists, one per person:
    the Tasks API's PoseLandmarker with --model, else the legacy solutions API."""
    if model:
        from mediapipe.tasks.python import BaseOptions, vision
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=model),
            running_mode=vision.RunningMode.VIDEO,
            num_poses=people)
        landmarker = vision.PoseLandmarker.create_from_options(options)

        def run(rgb, t_ms):
            image = mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)
            return landmarker.detect_for_video(image, t_ms).pose_world_landmarks
        return run
    if not hasattr(mp, "solutions"):
        sys.exit("mediapipe_bridge: this MediaPipe has only the Tasks API: give --model "
                 "pose_landmarker_full.task (from MediaPipe's models page)")
    pose = mp.solutions.pose.Pose(model_complexity=1, enable_segmentation=False)

    def run(rgb, _t_ms):
        world = pose.process(rgb).pose_world_landmarks
        return [world.landmark] if world else []
    return run


def camera_frames(source, model, people, stop):
    """(t_us, bodies) for each frame of a camera index or video file, through MediaPipe Pose."""
    try:
        import cv2
        import mediapipe as mp
    except ImportError as e:
        sys.exit(f"mediapipe_bridge: {e}; install them with `pip install mediapipe opencv-python`")
    cap = cv2.VideoCapture(source)
    if not cap.isOpened():
        sys.exit(f"mediapipe_bridge: cannot open {source!r}")
    estimate = pose_estimator(mp, model, people)
    is_file = isinstance(source, str)
    t0 = time.time_ns() // 1000
    last_ms = -1
    while not stop:
        ok, bgr = cap.read()
        if not ok:
            break
        # A video's own clock; a camera's frames are stamped when read.
        t_us = t0 + int(cap.get(cv2.CAP_PROP_POS_MSEC) * 1000) if is_file else time.time_ns() // 1000
        t_ms = max(last_ms + 1, (t_us - t0) // 1000)  # video mode wants increasing stamps
        last_ms = t_ms
        people_seen = estimate(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), t_ms)
        yield t_us, [body_from_world_landmarks(lm, i + 1) for i, lm in enumerate(people_seen)]
    cap.release()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--camera", type=int, metavar="N", help="webcam index (OpenCV)")
    src.add_argument("--video", metavar="FILE", help="a video file")
    src.add_argument("--synthetic", action="store_true", help="a made-up waving body, no camera")
    ap.add_argument("--model", metavar="FILE", help="a Pose Landmarker model (.task)")
    ap.add_argument("--people", type=int, default=1, help="most people to track (--model only)")
    ap.add_argument("--bind", default="tcp://127.0.0.1:5555")
    ap.add_argument("--connect", metavar="ENDPOINT",
                    help="connect to a `scale serve --frames-bind ENDPOINT` instead of binding")
    ap.add_argument("--format", choices=["json", "binary"], default="json")
    ap.add_argument("--fps", type=float, default=30.0, help="--synthetic only")
    ap.add_argument("--frames", type=int, default=0, help="stop after this many frames")
    ap.add_argument("--wait", type=float, default=1.0,
                    help="seconds to wait after binding, for subscribers to connect")
    args = ap.parse_args()

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    bridge = Bridge(args.connect or args.bind, MEDIAPIPE_POSE, args.format,
                    connect=args.connect is not None)
    time.sleep(args.wait)
    if args.synthetic:
        def synthetic():
            start = time.monotonic()
            for k, bodies in enumerate(live_frames(MEDIAPIPE_POSE)):
                time.sleep(max(0.0, start + k / args.fps - time.monotonic()))
                yield None, bodies
        source = synthetic()
    else:
        source = camera_frames(args.video if args.video else args.camera, args.model,
                               max(1, args.people), stop)
    with_person = 0
    try:
        for t_us, bodies in source:
            if stop or (args.frames and bridge.sent >= args.frames):
                break
            bridge.on_body_frame(bodies, t_us)
            with_person += 1 if bodies else 0
    except KeyboardInterrupt:
        pass
    print(json.dumps({"frames": bridge.sent, "with_person": with_person, "last_seq": bridge.seq - 1}),
          flush=True)
    time.sleep(0.2)
    bridge.close()


if __name__ == "__main__":
    sys.exit(main())
