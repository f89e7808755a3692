"""Runs a model folder's two ONNX graphs with Python's onnxruntime (not scale's) on inputs given
in a JSON file and prints the outputs as JSON. Usage: python onnx_check.py MODEL_DIR INPUT.json"""
import json
import sys

import numpy as np
import onnxruntime as ort

model_dir, input_path = sys.argv[1], sys.argv[2]
data = json.load(open(input_path))
enc = ort.InferenceSession(f"{model_dir}/encoder.onnx", providers=["CPUExecutionProvider"])
head = ort.InferenceSession(f"{model_dir}/energy_head.onnx", providers=["CPUExecutionProvider"])
skeleton = np.array(data["skeleton"], dtype=np.float32).reshape(data["skeleton_shape"])
(feature,) = enc.run(["feature"], {"skeleton": skeleton})
inputs = {"feature": feature}
for name in ["enc_h", "dec_h", "prior_mu", "prior_logvar"]:
    inputs[name] = np.array(data[name], dtype=np.float32).reshape(data[name + "_shape"])
(energy,) = head.run(["energy"], inputs)
print(json.dumps({"onnxruntime": ort.__version__, "feature": feature.ravel().tolist(), "energy": energy.ravel().tolist()}))
