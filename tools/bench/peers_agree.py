#!/usr/bin/env python3
"""Agreement between a LiteRT int8 model and DigitInfer on the MNIST test set.

Called by tools/bench/peers.sh --agreement with the peer kit's Python
(/tmp/peers/venv, which has numpy and ai_edge_litert). Prints a markdown
table: each model's accuracy, how often the two predict the same digit, and
who was right where they differ.

Our predictions come from `digitinfer-cli eval --json --errors DIR`: the
errors directory names every misclassified image
<index>-true<label>-pred<digit>.png, so the labels plus those names give all
10,000 predictions without a second build of the library; the count of
correct answers is checked against eval's own JSON.
"""
import argparse
import gzip
import json
import os
import re
import sys

import numpy as np


def read_idx(path, magic):
    """An IDX file (gzip'd or plain) as a numpy array, checking its magic number."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    found = int.from_bytes(data[0:4], "big")
    if found != magic:
        sys.exit("peers_agree.py: %s: magic %d, expected %d" % (path, found, magic))
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    body = np.frombuffer(data, np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(dims)):
        sys.exit("peers_agree.py: %s: %d bytes of data for dimensions %s" % (path, body.size, dims))
    return body.reshape(dims)


def litert_predictions(model_path, images):
    """Top-1 of the int8 model on each 28x28 uint8 image (0 = background)."""
    from ai_edge_litert.interpreter import Interpreter

    it = Interpreter(model_path=model_path, num_threads=1)
    it.allocate_tensors()
    inp, out = it.get_input_details()[0], it.get_output_details()[0]
    if inp["dtype"] != np.int8 or list(inp["shape"]) != [1, 28, 28, 1]:
        sys.exit("peers_agree.py: %s: expected an int8 [1, 28, 28, 1] input, got %s %s"
                 % (model_path, inp["dtype"], inp["shape"]))
    scale, zero = inp["quantization"]
    # The kit trains on pixel / 255; quantize that as the converter's calibration did.
    q = np.clip(np.round(images.astype(np.float32) / 255.0 / scale + zero), -128, 127).astype(np.int8)
    preds = np.empty(len(images), np.int64)
    for i in range(len(images)):
        it.set_tensor(inp["index"], q[i].reshape(1, 28, 28, 1))
        it.invoke()
        # The output scale is positive, so the int8 argmax is the logits' argmax.
        preds[i] = int(np.argmax(it.get_tensor(out["index"])[0]))
    return preds


def ours_predictions(labels, errors_dir, eval_json):
    preds = labels.astype(np.int64).copy()
    # -notadigit: a model with the "not a digit" class refused the image.
    pattern = re.compile(r"^(\d+)-true(\d)-(?:pred(\d)|noink|notadigit)\.png$")
    names = os.listdir(errors_dir) if os.path.isdir(errors_dir) else []
    for name in names:
        m = pattern.match(name)
        if not m:
            sys.exit("peers_agree.py: unexpected file %s in %s" % (name, errors_dir))
        index = int(m.group(1))
        if int(m.group(2)) != labels[index]:
            sys.exit("peers_agree.py: %s: label %d in the name, %d in the label file" % (name, int(m.group(2)), labels[index]))
        preds[index] = int(m.group(3)) if m.group(3) is not None else -1
    report = json.load(open(eval_json))
    correct = int((preds == labels).sum())
    if report.get("total") != len(labels) or report.get("correct") != correct:
        sys.exit("peers_agree.py: eval reports %s of %s correct, the errors directory gives %d of %d"
                 % (report.get("correct"), report.get("total"), correct, len(labels)))
    return preds


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tflite", required=True, help="the kit's trained_int8.tflite")
    ap.add_argument("--mnist", required=True, help="directory with t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz")
    ap.add_argument("--ours-json", required=True, help="digitinfer-cli eval --json output")
    ap.add_argument("--ours-errors", required=True, help="digitinfer-cli eval --errors directory")
    ap.add_argument("--ours-label", default="DigitInfer models/reference-int8.dgi")
    ap.add_argument("--keras-json", help="the kit's training summary (keras_fp32_test_accuracy, epochs)")
    a = ap.parse_args()

    images = read_idx(os.path.join(a.mnist, "t10k-images-idx3-ubyte.gz"), 2051)
    labels = read_idx(os.path.join(a.mnist, "t10k-labels-idx1-ubyte.gz"), 2049).astype(np.int64)
    if images.shape[1:] != (28, 28) or len(images) != len(labels):
        sys.exit("peers_agree.py: images %s and labels %s do not match" % (images.shape, labels.shape))
    theirs = litert_predictions(a.tflite, images)
    ours = ours_predictions(labels, a.ours_errors, a.ours_json)
    n = len(labels)

    keras = {}
    if a.keras_json and os.path.exists(a.keras_json):
        with open(a.keras_json) as f:
            text = f.read().strip()
        keras = json.loads(text) if text else {}
    epochs = keras.get("epochs")
    trained = "LiteRT int8, the kit's reference architecture trained on MNIST"
    if epochs:
        trained += " (%s epochs)" % epochs

    def pct(k):
        return "%.2f %%" % (100.0 * k / n)

    same = theirs == ours
    differ = ~same
    print("## Agreement on the %s MNIST test images" % format(n, ","))
    print()
    print("| model | correct | accuracy |")
    print("|---|---:|---:|")
    if "keras_fp32_test_accuracy" in keras:
        acc = keras["keras_fp32_test_accuracy"]
        print("| the same, float32 in Keras (before conversion) | %s | %.2f %% |" % (format(round(acc * n), ","), 100 * acc))
    for label, preds in ((trained, theirs), (a.ours_label, ours)):
        k = int((preds == labels).sum())
        print("| %s | %s | %s |" % (label, format(k, ","), pct(k)))
    print()
    print("| | images | share |")
    print("|---|---:|---:|")
    rows = [
        ("same prediction", int(same.sum())),
        ("different prediction", int(differ.sum())),
        ("different: LiteRT right", int((differ & (theirs == labels)).sum())),
        ("different: ours right", int((differ & (ours == labels)).sum())),
        ("different: both wrong", int((differ & (theirs != labels) & (ours != labels)).sum())),
        ("both wrong with the same answer", int((same & (ours != labels)).sum())),
    ]
    for label, k in rows:
        print("| %s | %s | %s |" % (label, format(k, ","), pct(k)))


if __name__ == "__main__":
    main()
