#!/usr/bin/env python3
"""Checks the model fuzzer's oracle (tools/fuzz/harness/oracle.c) against
tools/format/dgi.py, the other independent reader of docs/FORMAT.md: for
every model file given (or found in the directories given), both must report
the same status and, for a valid model, the same 11 logits, class and binary32
probabilities on the golden images. A corpus of fuzzer mutants is the best
input: it holds files failing every rule.

  python3 tools/fuzz/check_oracle.py ORACLE_CLI [--pick DIR] PATH...

Prints one line per disagreement and a summary; exit status 1 if any.
--pick DIR copies the smallest file failing each rule (and the smallest
valid one) to DIR as rule-RULE.dgi: that is how seeds/model/rule-*.dgi were
chosen from a fuzzing corpus."""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tools", "format"))
import dgi  # noqa: E402

IMAGES = os.path.join(REPO, "Tests", "DigitInferTests", "Golden", "inputs.bin")
# The golden images, and blank and full ink: extremes of every layer.
IMAGE_COUNT = 4


def python_answer(data, images):
    try:
        model = dgi.read(data)
    except dgi.DgiError as e:
        return [f"status {e.code}"]
    lines = ["status 0"]
    for k in range(len(images) // 784):
        logits = dgi.infer(model, images[784 * k:784 * (k + 1)])
        digit, probs = dgi.softmax(model, logits)  # the class: 10 is "not a digit"
        logits = list(logits) + [0] * (dgi.MAX_CLASSES - len(logits))
        probs = list(probs) + [0.0] * (dgi.MAX_CLASSES - len(probs))
        lines.append(" ".join([str(k), str(digit)] + [str(v) for v in logits] + [float(p).hex() for p in probs]))
    return lines


def c_answer(oracle, path, images_path):
    """The oracle's answer in python_answer's form, and the rule it names."""
    out = subprocess.run([oracle, path, images_path], capture_output=True, text=True, check=True).stdout.split("\n")
    lines, rule = [], None
    for line in out:
        if not line:
            continue
        f = line.split()
        if f[0] == "status":
            lines.append(f"status {f[1]}")  # dgi.py names rules too, but only the status is the API's
            rule = f[2] if f[2] != "-" else "valid"
        else:
            n = 2 + dgi.MAX_CLASSES  # index, class, logits
            lines.append(" ".join(f[:n] + [float.fromhex(p).hex() for p in f[n:]]))
    return lines, rule


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    oracle, paths, pick = argv[0], argv[1:], None
    if paths[:1] == ["--pick"] and len(paths) > 1:
        pick, paths = paths[1], paths[2:]
    smallest = {}
    files = []
    for p in paths:
        if os.path.isdir(p):
            files += sorted(os.path.join(p, n) for n in os.listdir(p) if os.path.isfile(os.path.join(p, n)))
        else:
            files.append(p)
    with open(IMAGES, "rb") as f:
        images = f.read()[:784 * (IMAGE_COUNT - 2)] + bytes(784) + bytes([255]) * 784
    images_path = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"check-oracle-{os.getpid()}.bin")
    with open(images_path, "wb") as f:
        f.write(images)
    bad, valid, statuses = 0, 0, {}
    try:
        for path in files:
            with open(path, "rb") as f:
                data = f.read()
            want, (got, rule) = python_answer(data, images), c_answer(oracle, path, images_path)
            if rule and (rule not in smallest or len(data) < smallest[rule][0]):
                smallest[rule] = (len(data), data)
            statuses[want[0]] = statuses.get(want[0], 0) + 1
            valid += want[0] == "status 0"
            if want != got:
                bad += 1
                print(f"DISAGREE {path}\n  dgi.py: {want[:3]}\n  oracle: {got[:3]}")
    finally:
        os.unlink(images_path)
    if pick:
        os.makedirs(pick, exist_ok=True)
        for rule, (_, data) in sorted(smallest.items()):
            with open(os.path.join(pick, f"rule-{rule}.dgi"), "wb") as f:
                f.write(data)
    summary = ", ".join(f"{k.split()[1]}: {v}" for k, v in sorted(statuses.items()))
    print(f"check_oracle: {len(files)} files ({valid} valid; by status {summary}), {bad} disagreements")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
