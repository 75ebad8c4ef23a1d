#!/usr/bin/env python3
"""How MNIST's strokes look as they are, and after dgi_preprocess.

For the first N MNIST training digits (never the test set), each padded by
8 pixels and sent through dgi_preprocess, prints a markdown table of the
ink's levels both ways: ink pixels per digit (at least 32), the share of
them that saturate (250 or more), and the quartiles of their levels.
docs/NUMBERS.md uses it to show why the model reads preprocessed digits
less well than MNIST's own: preprocessing leaves strokes wider and softer.

  tools/install.sh --prefix /tmp/dgi && DIGITINFER_PREFIX=/tmp/dgi python3 tools/bench/stroke_levels.py [--data DIR] [--count N]

The data directory is found as every tool finds it (--data, else
$DIGITINFER_DATA, else ../shared/data beside the repository); the library
as the Python package finds it ($DIGITINFER_PREFIX, or the wheel's own).
"""
import argparse
import os
import sys

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
sys.path.insert(0, os.path.join(here, "..", "python"))
from peers_agree import read_idx  # noqa: E402
import digitinfer  # noqa: E402

INK, SATURATED, PAD = 32, 250, 8


def row(name, images):
    """One table row: the levels of every pixel of ink in `images`."""
    levels = images[images >= INK].astype(np.int64)
    q1, median, q3 = np.percentile(levels, [25, 50, 75])
    return "| %s | %.1f | %.1f%% | %d / %d / %d |" % (
        name, levels.size / len(images), 100 * np.mean(levels >= SATURATED), q1, median, q3)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    root = os.path.join(here, "..", "..")
    parser.add_argument("--data", default=os.environ.get("DIGITINFER_DATA", os.path.join(root, "..", "shared", "data")))
    parser.add_argument("--count", type=int, default=3000)
    args = parser.parse_args()
    if args.count < 1:
        sys.exit("stroke_levels.py: --count must be at least 1")
    digits = read_idx(os.path.join(args.data, "mnist", "train-images-idx3-ubyte.gz"), 2051)[: args.count]
    side = 28 + 2 * PAD
    fitted = np.empty_like(digits)
    for i, digit in enumerate(digits):
        padded = np.ascontiguousarray(np.pad(digit, PAD))
        pixels, _ = digitinfer.preprocess(digitinfer.GrayImage(side, side, padded.tobytes()), ink="light")
        fitted[i] = np.frombuffer(bytes(pixels), np.uint8).reshape(28, 28)
    print("%d MNIST training digits" % len(digits))
    print()
    print("| digits | ink pixels per digit | saturated (>= %d) | levels: quartile, median, quartile |" % SATURATED)
    print("|---|---:|---:|---|")
    print(row("MNIST as it is", digits))
    print(row("through dgi_preprocess", fitted))


if __name__ == "__main__":
    main()
