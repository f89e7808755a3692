"""Times a model folder's two ONNX graphs in Python's onnxruntime, one window at a time, as
`scale bench` times them in Rust: the row "python onnxruntime" of `scale bench` (which runs this
file, built into the binary, with the Python of SCALE_PYTHON).

Usage: python ort_bench.py MODEL_DIR INPUT.json THREADS   (INPUT.json "-": standard input)
INPUT.json: {"windows": [...], "window_shape": [3, T, 25, 2], "count": N, and the class
priors "enc_h", "dec_h", "prior_mu", "prior_logvar" with their "<name>_shape"}.
Prints one JSON object: per-window encoder, energy head and total times in microseconds
(p50 / p99 / max by the nearest-rank method), after 20 warm-up windows."""
import json
import math
import sys
import time

import numpy as np
import onnxruntime as ort


def spread(values):
    v = sorted(values)

    def rank(q):
        return v[max(0, math.ceil(q * len(v)) - 1)]
    return {"p50": rank(0.5), "p99": rank(0.99), "max": v[-1]}


def main():
    model_dir, input_path, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
    data = json.load(sys.stdin if input_path == "-" else open(input_path))
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    cpu = ["CPUExecutionProvider"]
    enc = ort.InferenceSession(f"{model_dir}/encoder.onnx", options, providers=cpu)
    head = ort.InferenceSession(f"{model_dir}/energy_head.onnx", options, providers=cpu)
    shape = [1] + data["window_shape"]
    size = int(np.prod(shape))
    flat = np.array(data["windows"], dtype=np.float32)
    windows = [flat[i * size:(i + 1) * size].reshape(shape) for i in range(data["count"])]
    priors = {name: np.array(data[name], dtype=np.float32).reshape(data[name + "_shape"])
              for name in ["enc_h", "dec_h", "prior_mu", "prior_logvar"]}

    def step(w):
        t0 = time.perf_counter()
        (feature,) = enc.run(["feature"], {"skeleton": w})
        t1 = time.perf_counter()
        (energy,) = head.run(["energy"], {"feature": feature, **priors})
        t2 = time.perf_counter()
        return t1 - t0, t2 - t1, energy

    for w in windows[:20]:
        step(w)
    encoder, energy_head, total = [], [], []
    for w in windows:
        a, b, _ = step(w)
        encoder.append(a * 1e6)
        energy_head.append(b * 1e6)
        total.append((a + b) * 1e6)
    print(json.dumps({"onnxruntime": ort.__version__, "threads": threads, "windows": len(windows),
                      "encoder_us": spread(encoder), "energy_head_us": spread(energy_head),
                      "total_us": spread(total)}))


if __name__ == "__main__":
    main()
