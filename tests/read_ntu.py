"""An independent reader of NTU RGB+D .skeleton files, written from the format's description
(not from the project's Rust reader). Usage: python3 read_ntu.py DIR; prints one line per file:
name frames bodies_max joints_total, and exits non-zero on any malformed file."""
import os
import sys


def read_skeleton(path):
    with open(path, "r", newline=None) as f:  # universal newlines: CRLF or LF
        tokens_per_line = [line.split() for line in f if line.strip() != ""]
    pos = 0

    def take(n_fields):
        nonlocal pos
        fields = tokens_per_line[pos]
        if len(fields) != n_fields:
            raise ValueError(f"line {pos + 1}: expected {n_fields} fields, got {len(fields)}")
        pos += 1
        return fields

    frames = []
    n_frames = int(take(1)[0])
    for _ in range(n_frames):
        n_bodies = int(take(1)[0])
        bodies = []
        for _ in range(n_bodies):
            header = take(10)
            body_id = int(header[0])
            n_joints = int(take(1)[0])
            joints = []
            for _ in range(n_joints):
                v = take(12)
                xyz = tuple(float(x) for x in v[:3])
                state = int(v[11])
                if state not in (0, 1, 2):
                    raise ValueError(f"line {pos}: tracking state {state}")
                joints.append((xyz, state))
            bodies.append((body_id, joints))
        frames.append(bodies)
    if pos != len(tokens_per_line):
        raise ValueError(f"{len(tokens_per_line) - pos} extra lines")
    return frames


def main():
    folder = sys.argv[1]
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".skeleton"):
            continue
        frames = read_skeleton(os.path.join(folder, name))
        joints = sum(len(b[1]) for f in frames for b in f)
        print(name, len(frames), max((len(f) for f in frames), default=0), joints)


if __name__ == "__main__":
    main()
