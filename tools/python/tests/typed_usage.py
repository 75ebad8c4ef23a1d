"""Checked by `mypy --strict` against the installed wheel (test-wheel.sh):
the package is typed (py.typed) and its public signatures accept what the
README says, with precise types out. Never run, only type-checked."""

from __future__ import annotations

import os
from pathlib import Path
from typing import List, Tuple

import numpy as np
from PIL import Image

import digitinfer


def use(paths: List[Path]) -> Tuple[int, str]:
    model: digitinfer.Model = digitinfer.Model()
    model = digitinfer.Model(digitinfer.default_model_path(), kernels="reference")
    model = digitinfer.Model(Path("models/mnist-int8.dgi").read_bytes())
    one: digitinfer.Result = model.classify_file("seven.png")
    one = model.classify_file(Path("seven.png"), ink="dark")
    many: List[digitinfer.Result] = model.classify_files(paths, threads=2)
    many = model.classify_batch(np.zeros((3, 28, 28, 1), np.uint8))
    many = model.classify_batch([b"\0" * 784, np.zeros((28, 28), np.float32)])
    one = model.classify(np.zeros((1, 28, 28), np.float64))
    one = model.classify(Image.new("RGBA", (28, 28)))
    one = model.classify([[0] * 28] * 28)
    logits: List[int] = model.infer(bytearray(784))
    table: List[List[int]] = model.infer_batch(b"\0" * 784 * 4, threads=2)
    pixels, info = digitinfer.preprocess(np.zeros((50, 40), np.uint8), ink="auto")
    box: Tuple[int, int, int, int] = info.box
    image = digitinfer.GrayImage(40, 50, bytes(2000))
    one = model.classify_image(image)
    reading: digitinfer.NumberReading = model.read_number(np.zeros((50, 200), np.uint8), ink="dark")
    reading = model.read_number_file(Path("2026.png"))
    number: str = reading.number
    first: digitinfer.NumberDigit = reading.digits[0]
    split: bool = first.split
    version: str = digitinfer.__version__
    kernels: List[str] = digitinfer.supported_kernels()
    library: str | None = digitinfer.bundled_library()
    return one.digit + len(number) + first.box[0] + int(split) + len(many) + len(logits) + len(table) + len(pixels) + box[0] + len(kernels), (
        version + model.kernels + os.fspath(library or ""))
