#!/usr/bin/env python3
"""Soak test of `scale serve`: hours of frames, a fast and a slow subscriber, bridge restarts,
and the server's memory sampled all along.

  python3 scripts/soak.py [--minutes 60] [--restart-every 10] [--bodies 4] [--out target/soak]

Needs pyzmq (the Python of `.ci/run`'s venv has it) and a built `target/release/scale`.
What it does:
- makes a recording of --bodies people side by side (synthetic single-person recordings from
  `scale synth`, converted with `scale convert` and put together, two by two);
- starts `scale serve` (stats every 10 s) and two subscribers in this process: a fast one that
  reads everything, and a slow one that sleeps --slow-s seconds after each message;
- replays the recording in a loop at 30 fps with `scale replay`, killed and started again every
  --restart-every minutes (a bridge restart: the server sees a new stream);
- optionally (--stalled N) connects subscribers that never read, to measure what they cost;
- samples the server's resident memory (VmRSS) every 10 s into OUT/rss.csv;
- at the end stops the bridge, then the server (SIGINT: it sends a last stats message), and
  writes OUT/summary.json.

Pass (exit 0) when every sample after warm-up (the first --warmup-s seconds) stays within
--rss-tolerance (5 %) of the first sample after warm-up, and the fast subscriber received every
label the server published (the server's last `labels` count), with none dropped by the server.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

import zmq

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def run(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"soak: {' '.join(cmd)} failed: {out.stderr.strip()}")
    return out.stdout


def people_recording(scale, work, bodies):
    """A .jsonl recording of `bodies` people side by side: pairs 0.6 m apart, pairs 3.4 m apart."""
    synth = os.path.join(work, "synth")
    run([scale, "synth", "--out", synth, "--per-class", "1", "--seed", "7"])
    singles = []
    for name in sorted(os.listdir(synth)):
        if not name.endswith(".skeleton"):
            continue
        path = os.path.join(work, name.replace(".skeleton", ".jsonl"))
        run([scale, "convert", os.path.join(synth, name), path])
        frames = [json.loads(line) for line in open(path)]
        if all(len(f["bodies"]) <= 1 for f in frames):
            singles.append(frames)
    groups = [singles[i:i + bodies] for i in range(0, len(singles) - bodies + 1, bodies)]
    out_path = os.path.join(work, f"people-{bodies}.jsonl")
    seq = 0
    with open(out_path, "w") as out:
        for group in groups:
            for t in range(min(len(g) for g in group)):
                seq += 1
                merged = []
                for k, frames in enumerate(group):
                    if not frames[t]["bodies"]:
                        continue
                    body = dict(frames[t]["bodies"][0])
                    dx = (k // 2) * 3.4 + (k % 2) * 0.6 - 0.3 - (1.7 if bodies > 2 else 0.0)
                    body["id"] = k + 1
                    body["joints"] = [[x + dx, y, z] for x, y, z in body["joints"]]
                    merged.append(body)
                out.write(json.dumps({"v": 1, "seq": seq, "t_us": seq * 33333,
                                      "layout": frames[t]["layout"], "bodies": merged}) + "\n")
    return out_path, seq


class Subscriber(threading.Thread):
    """Counts what arrives on the labels endpoint; sleeps `slow` seconds after each message."""

    def __init__(self, endpoint, slow):
        super().__init__(daemon=True)
        self.sock = zmq.Context.instance().socket(zmq.SUB)
        self.sock.setsockopt(zmq.SUBSCRIBE, b"")
        self.sock.setsockopt(zmq.RCVTIMEO, 200)
        self.sock.connect(endpoint)
        self.slow = slow
        self.counts = {"labels": 0, "events": 0, "stats": 0}
        self.last_stats = None
        self.stop = False

    def run(self):
        while not self.stop:
            try:
                topic, payload = self.sock.recv_multipart()
            except zmq.Again:
                continue
            topic = topic.decode()
            self.counts[topic] = self.counts.get(topic, 0) + 1
            if topic == "stats":
                self.last_stats = json.loads(payload)
            if self.slow:
                time.sleep(self.slow)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--restart-every", type=float, default=10.0, help="minutes between bridge restarts")
    ap.add_argument("--bodies", type=int, default=4)
    ap.add_argument("--slow-s", type=float, default=0.5, help="the slow subscriber's pause per message")
    ap.add_argument("--stalled", type=int, default=0,
                    help="subscribers that connect and never read (to measure what they cost)")
    ap.add_argument("--stride", type=int, default=4, help="scale serve --stride")
    ap.add_argument("--speed", type=float, default=1.0, help="scale replay --speed")
    ap.add_argument("--sample-s", type=float, default=10.0)
    ap.add_argument("--warmup-s", type=float, default=60.0)
    ap.add_argument("--rss-tolerance", type=float, default=0.05)
    ap.add_argument("--scale", default=os.path.join(ROOT, "target/release/scale"))
    ap.add_argument("--out", default=os.path.join(ROOT, "target/soak"))
    args = ap.parse_args()

    shutil.rmtree(args.out, ignore_errors=True)
    os.makedirs(args.out)
    work = os.path.join(args.out, "work")
    os.makedirs(work)
    recording, frames = people_recording(args.scale, work, args.bodies)
    print(f"soak: {frames} frames of {args.bodies} people in {recording}", flush=True)

    frames_ep = f"tcp://127.0.0.1:{free_port()}"
    labels_ep = f"tcp://127.0.0.1:{free_port()}"
    serve_log = open(os.path.join(args.out, "serve.log"), "w")
    server = subprocess.Popen(
        [args.scale, "serve", "--frames", frames_ep, "--labels", labels_ep, "--no-control",
         "--stats-every", "10", "--stride", str(args.stride),
         "--model", os.path.join(ROOT, "models/default")],
        stdout=serve_log, stderr=subprocess.STDOUT)
    time.sleep(2.0)
    fast, slow = Subscriber(labels_ep, 0.0), Subscriber(labels_ep, args.slow_s)
    fast.start()
    slow.start()
    stalled = []
    for _ in range(args.stalled):
        sock = zmq.Context.instance().socket(zmq.SUB)
        sock.setsockopt(zmq.SUBSCRIBE, b"")
        sock.connect(labels_ep)
        stalled.append(sock)  # never read
    time.sleep(1.0)

    def bridge():
        return subprocess.Popen(
            [args.scale, "replay", recording, "--loop", "--to", frames_ep, "--gap", "0.5",
             "--speed", str(args.speed)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    samples = []
    start = time.monotonic()
    end = start + args.minutes * 60
    replay, last_restart, restarts = bridge(), start, 0
    with open(os.path.join(args.out, "rss.csv"), "w") as csv:
        csv.write("t_s,rss_kib,labels_fast,labels_slow,events_fast,bridge_restarts\n")
        next_sample = start
        while time.monotonic() < end:
            now = time.monotonic()
            if server.poll() is not None:
                sys.exit(f"soak: the server exited ({server.returncode}); see {args.out}/serve.log")
            if now - last_restart >= args.restart_every * 60:
                replay.terminate()
                replay.wait()
                replay, last_restart = bridge(), now
                restarts += 1
            if now >= next_sample:
                sample = (round(now - start, 1), rss_kib(server.pid), fast.counts["labels"],
                          slow.counts["labels"], fast.counts["events"], restarts)
                samples.append(sample)
                csv.write(",".join(map(str, sample)) + "\n")
                csv.flush()
                print(f"soak: {sample[0]:>7.0f} s  RSS {sample[1] / 1024:7.1f} MiB  labels fast "
                      f"{sample[2]} slow {sample[3]}  restarts {restarts}", flush=True)
                next_sample += args.sample_s
            time.sleep(0.2)
    replay.terminate()
    replay.wait()
    time.sleep(2.0)
    server.send_signal(signal.SIGINT)
    server.wait(timeout=30)
    time.sleep(1.0)
    fast.stop = slow.stop = True
    fast.join()
    slow.join(timeout=5)

    stats = fast.last_stats or {}
    after = [s for s in samples if s[0] >= args.warmup_s]
    base = after[0][1] if after else None
    worst = max((abs(s[1] - base) / base for s in after), default=None) if base else None
    published = stats.get("labels")
    summary = {
        "minutes": args.minutes, "bodies": args.bodies, "bridge_restarts": restarts,
        "stride": args.stride, "speed": args.speed, "slow_s": args.slow_s, "stalled": args.stalled,
        "samples": len(samples), "rss_kib_after_warmup": base,
        "rss_kib_min": min((s[1] for s in after), default=None),
        "rss_kib_max": max((s[1] for s in after), default=None),
        "rss_worst_deviation": worst, "rss_tolerance": args.rss_tolerance,
        "labels_published": published, "labels_fast": fast.counts["labels"],
        "labels_slow": slow.counts["labels"], "labels_dropped_by_server": stats.get("labels_dropped"),
        "windows": stats.get("windows"), "frames_accepted": stats.get("frames_accepted"),
        "frames_dropped": sum(stats.get("dropped", {}).values()) if stats else None,
        "stream_resets": stats.get("stream_resets"), "events_fast": fast.counts["events"],
        "subscribers": stats.get("subscribers"), "subscriber_drops": stats.get("subscriber_drops"),
    }
    ok = (worst is not None and worst <= args.rss_tolerance and published is not None
          and fast.counts["labels"] == published and stats.get("labels_dropped") == 0)
    summary["pass"] = ok
    with open(os.path.join(args.out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print(json.dumps(summary), flush=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
