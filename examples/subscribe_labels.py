#!/usr/bin/env python3
"""Subscribe to the labels (and events, and stats) that `scale serve` publishes, with pyzmq.

Every message is two frames, [topic, JSON payload]; topics are b"labels" (one per recognised
window), b"events" (an action started or ended on a body) and b"stats" (every few seconds).
docs/protocol.md describes the payloads.

Usage:
  python examples/subscribe_labels.py                      # print labels as they come
  python examples/subscribe_labels.py --stats              # and the stats messages
  python examples/subscribe_labels.py --events             # and the action events
  python examples/subscribe_labels.py --events --no-labels # only the action events
  python examples/subscribe_labels.py --json --count 20    # 20 raw JSON lines, then exit
  python examples/subscribe_labels.py --slow 5             # read one message every 5 s (a
                                                           # slow subscriber, for testing)
"""

import argparse
import json
import sys
import time

import zmq


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--connect", default="tcp://127.0.0.1:5556", help="the server's --labels endpoint")
    ap.add_argument("--stats", action="store_true", help="also receive stats messages")
    ap.add_argument("--events", action="store_true", help="also receive action events")
    ap.add_argument("--no-labels", action="store_true", help="do not receive the per-window labels")
    ap.add_argument("--json", action="store_true",
                    help='print each message as one JSON line: {"topic": ..., "message": ...}')
    ap.add_argument("--count", type=int, default=0, help="exit after this many label messages")
    ap.add_argument("--timeout", type=float, default=0.0, help="exit after this many seconds without a message")
    ap.add_argument("--slow", type=float, default=0.0, help="sleep this long after each message")
    args = ap.parse_args()

    sock = zmq.Context.instance().socket(zmq.SUB)
    if not args.no_labels:
        sock.setsockopt(zmq.SUBSCRIBE, b"labels")
    if args.events:
        sock.setsockopt(zmq.SUBSCRIBE, b"events")
    if args.stats:
        sock.setsockopt(zmq.SUBSCRIBE, b"stats")
    if args.timeout > 0:
        sock.setsockopt(zmq.RCVTIMEO, int(args.timeout * 1000))
    sock.connect(args.connect)
    print(f"subscribed to {args.connect}", file=sys.stderr, flush=True)

    labels = 0
    try:
        while not args.count or labels < args.count:
            try:
                topic, payload = sock.recv_multipart()
            except zmq.Again:
                print("no message within the timeout", file=sys.stderr)
                break
            message = json.loads(payload)
            if args.json:
                print(json.dumps({"topic": topic.decode(), "message": message}), flush=True)
            elif topic == b"labels":
                best = message["top"][0]
                others = ", ".join(f'{c["name"]} {c["score"]:.2f}' for c in message["top"][1:3])
                print(
                    f'bodies {message["bodies"]} frames {message["seq_first"]}-{message["seq_last"]}: '
                    f'{best["name"]} ({best["score"]:.2f}){" [unknown]" if message["unknown"] else ""}'
                    f'  | {others}  | {message["latency_us"]["total"]} µs',
                    flush=True,
                )
            elif topic == b"events":
                span = f'frames {message["seq_first"]}-{message["seq_last"]}'
                print(
                    f'{message["event"]:>5} body {message["body"]} {message["class"]["name"]}: {span}, '
                    f'mean score {message["score"]:.2f} over {message["windows"]} windows',
                    flush=True,
                )
            else:
                lat = message["latency_us"]["total"]
                print(
                    f'stats: {message["frames_in"]} frames in, {message["frames_accepted"]} accepted, '
                    f'{sum(message["dropped"].values())} dropped, {message["bodies_tracked"]} bodies, '
                    f'{message["labels"]} labels; total latency p50 {lat["p50"]} µs p99 {lat["p99"]} µs',
                    flush=True,
                )
            if topic == b"labels":
                labels += 1
            if args.slow:
                time.sleep(args.slow)
    except KeyboardInterrupt:
        pass
    sock.close(linger=0)


if __name__ == "__main__":
    sys.exit(main())
