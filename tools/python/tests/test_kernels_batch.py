"""Kernel sets (supported_kernels, Model.kernels, forcing a set) and batch
inference (classify_batch, infer_batch): every set gives the same logits,
a batch gives the same answers as one call per image, in every input form
and with any number of threads, and bad arguments raise typed errors."""

from __future__ import annotations

import array
import os
import platform
import random
import subprocess
import sys
import threading

import pytest

from conftest import GOLDEN, MODELS, child_env
from test_model import golden_cases, golden_inputs

X86_64 = platform.machine().lower() in ("x86_64", "amd64")
MODEL_FILES = [GOLDEN / "tiny.dgi", GOLDEN / "reference.dgi", MODELS / "mnist-int8.dgi"]


def batch_inputs():
    """The golden inputs, then noise and edge cases: 40 model inputs."""
    rng = random.Random(20261127)
    noise = [bytes(rng.randrange(256) for _ in range(784)) for _ in range(12)]
    sparse = [bytes(255 if rng.random() < 0.15 else 0 for _ in range(784)) for _ in range(8)]
    edges = [b"\0" * 784, b"\xff" * 784, bytes(range(256)) * 3 + bytes(16)]
    inputs = golden_inputs() + noise + sparse + edges
    return inputs[:40]


# --- kernel sets -----------------------------------------------------------


def test_supported_kernels(dgi):
    supported = dgi.supported_kernels()
    assert supported[0] == "reference" and len(set(supported)) == len(supported)
    assert set(supported) <= set(dgi.KERNEL_NAMES) - {"auto"}
    assert dgi.kernels_name(dgi.Kernels.AUTO) == "auto"
    assert dgi.kernels_name(dgi.Kernels.REFERENCE) == "reference"
    assert dgi.kernels_name(dgi.Kernels.BASELINE) in ("sse2", "portable")
    assert dgi.kernels_name(99) == "unknown" and dgi.kernels_name(-1) == "unknown"
    if X86_64:
        assert "sse2" in supported


def test_model_reports_its_kernels(dgi, mnist):
    supported = dgi.supported_kernels()
    assert mnist.kernels in supported
    assert dgi.Model(MODELS / "mnist-int8.dgi", kernels="auto").kernels in supported
    for name in supported:
        assert dgi.Model(MODELS / "mnist-int8.dgi", kernels=name).kernels == name
        value = next(k for k in dgi.Kernels if dgi.kernels_name(k) == name)
        assert dgi.Model((MODELS / "mnist-int8.dgi").read_bytes(), kernels=value).kernels == name


def test_set_kernels_switches_and_back(dgi):
    model = dgi.Model(GOLDEN / "reference.dgi")
    supported = dgi.supported_kernels()
    for name in reversed(supported):
        model.set_kernels(name)
        assert model.kernels == name
    model.set_kernels("auto")
    assert model.kernels == dgi.Model(GOLDEN / "reference.dgi", kernels="auto").kernels
    model.set_kernels(dgi.Kernels.REFERENCE)
    assert model.kernels == "reference"


@pytest.mark.parametrize("path", MODEL_FILES, ids=lambda p: p.name)
def test_every_kernel_set_gives_identical_logits(dgi, path):
    inputs = batch_inputs()
    reference = dgi.Model(path, kernels="reference")
    want = [reference.infer(p) for p in inputs]
    want_results = [reference.classify(p) for p in inputs]
    for name in dgi.supported_kernels():
        model = dgi.Model(path, kernels=name)
        assert model.kernels == name
        assert [model.infer(p) for p in inputs] == want, name
        assert model.infer_batch(inputs) == want, name
        assert model.infer_batch(b"".join(inputs), threads=3) == want, name
        assert model.classify_batch(inputs) == want_results, name
        assert [model.classify(p) for p in inputs] == want_results, name


def test_golden_logits_with_every_kernel_set(dgi):
    inputs = golden_inputs()
    cases = golden_cases()
    for name in dgi.supported_kernels():
        models = {m: dgi.Model(GOLDEN / m, kernels=name) for m in {c[0] for c in cases}}
        batches = {m: model.infer_batch(inputs) for m, model in models.items()}
        for model_name, index, digit, logits in cases:
            assert batches[model_name][index] == logits, (name, model_name, index)
            assert models[model_name].classify_batch([inputs[index]])[0].digit == digit


def test_unknown_and_unsupported_kernels_raise(dgi):
    supported = dgi.supported_kernels()
    model = dgi.Model(GOLDEN / "reference.dgi", kernels="reference")
    with pytest.raises(dgi.KernelsError) as caught:
        model.set_kernels("avx9000")
    error = caught.value
    assert isinstance(error, dgi.DigitInferError) and isinstance(error, ValueError)
    assert error.status == dgi.Status.ERROR_ARGUMENT
    assert "avx9000" in str(error) and all(name in str(error) for name in supported)
    assert error.supported == supported
    assert model.kernels == "reference"  # unchanged

    with pytest.raises(dgi.KernelsError) as caught:
        model.set_kernels(99)
    assert caught.value.status == dgi.Status.ERROR_ARGUMENT
    for wrong in (None, 2.0, True, b"sse2"):
        with pytest.raises(TypeError):
            model.set_kernels(wrong)
    with pytest.raises(dgi.KernelsError):
        dgi.Model(GOLDEN / "reference.dgi", kernels="")

    # Names of sets that exist somewhere but not in this library on this CPU
    # ("portable" on x86-64, "sse2" elsewhere, AVX sets the CPU lacks).
    missing = [name for name in dgi.KERNEL_NAMES if name != "auto" and name not in supported]
    assert missing, "every kernel set name is supported: sse2 and portable cannot both be"
    for name in missing:
        with pytest.raises(dgi.KernelsError) as caught:
            model.set_kernels(name)
        assert caught.value.status == dgi.Status.ERROR_UNSUPPORTED, name
        assert name in str(caught.value) and "reference" in str(caught.value)
        assert model.kernels == "reference"
        with pytest.raises(dgi.KernelsError):
            dgi.Model(GOLDEN / "reference.dgi", kernels=name)
    for value in dgi.Kernels:
        if value != dgi.Kernels.AUTO and dgi.kernels_name(value) not in supported:
            with pytest.raises(dgi.KernelsError) as caught:
                model.set_kernels(value)
            # ERROR_ARGUMENT where this library has no such set at all.
            assert caught.value.status in (dgi.Status.ERROR_UNSUPPORTED, dgi.Status.ERROR_ARGUMENT)
            assert model.kernels == "reference"


@pytest.mark.skipif(not X86_64, reason="the library reads DIGITINFER_KERNELS on x86-64 only")
def test_environment_variable_and_precedence():
    code = """
import sys, digitinfer
print(digitinfer.Model(sys.argv[1]).kernels, digitinfer.Model(sys.argv[1], kernels='sse2').kernels,
      digitinfer.Model(sys.argv[1], kernels='auto').kernels != 'reference')
"""
    env = child_env(DIGITINFER_KERNELS="reference")
    out = subprocess.run([sys.executable, "-c", code, str(MODELS / "mnist-int8.dgi")], env=env,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    # The variable picks the set; kernels= takes precedence over it.
    assert out.stdout.split() == ["reference", "sse2", "True"]


# --- batches ---------------------------------------------------------------


def test_batch_equals_one_call_per_image(dgi, mnist):
    inputs = batch_inputs()
    want_logits = [mnist.infer(p) for p in inputs]
    want = [mnist.classify(p) for p in inputs]
    for threads in (1, 2, 3, 7, len(inputs), len(inputs) + 5):
        assert mnist.infer_batch(inputs, threads=threads) == want_logits, threads
        assert mnist.classify_batch(inputs, threads=threads) == want, threads
    results = mnist.classify_batch(inputs)
    assert all(r.pixels is None and r.preprocess_info is None for r in results)
    assert all(len(r.probabilities) == 10 for r in results)
    assert all(r.confidence == (r.not_a_digit_probability if r.not_a_digit else r.probabilities[r.digit]) for r in results)


def test_batch_input_forms(dgi, mnist):
    inputs = batch_inputs()[:9]
    joined = b"".join(inputs)
    want = mnist.infer_batch(inputs)
    rows = [[list(p[28 * y:28 * y + 28]) for y in range(28)] for p in inputs]
    for form in (joined, bytearray(joined), memoryview(joined), array.array("B", joined),
                 tuple(inputs), rows, [list(p) for p in inputs], [bytearray(p) for p in inputs]):
        assert mnist.infer_batch(form) == want, type(form)
        assert [r.digit for r in mnist.classify_batch(form, threads=2)] == [
            mnist.classify(p).digit for p in inputs]


def test_batch_of_numpy_arrays(dgi, mnist):
    np = pytest.importorskip("numpy")
    inputs = batch_inputs()
    want = mnist.infer_batch(inputs)
    stack = np.frombuffer(b"".join(inputs), dtype=np.uint8).reshape(len(inputs), 28, 28)
    assert mnist.infer_batch(stack) == want
    assert mnist.infer_batch(stack.reshape(len(inputs), 784), threads=4) == want
    # Views that are not contiguous are read in C order.
    wide = np.zeros((len(inputs), 28, 56), dtype=np.uint8)
    wide[:, :, ::2] = stack
    assert mnist.infer_batch(wide[:, :, ::2]) == want
    assert mnist.infer_batch(stack[::-1]) == want[::-1]
    assert mnist.infer_batch(stack[::3]) == want[::3]
    assert mnist.classify_batch(stack) == mnist.classify_batch(inputs)
    assert mnist.infer_batch(stack[:0]) == [] and mnist.classify_batch(np.zeros((0, 784), np.uint8)) == []
    with pytest.raises(TypeError, match="uint8"):
        mnist.infer_batch(stack.astype(np.int16))
    for shape in ((4, 28, 27), (4, 783), (784,), (28, 28), (2, 2, 28, 28)):
        with pytest.raises(ValueError, match="N, 28, 28"):
            mnist.classify_batch(np.zeros(shape, dtype=np.uint8))


def test_empty_batch(dgi, mnist):
    for empty in (b"", bytearray(), [], ()):
        assert mnist.classify_batch(empty) == [] and mnist.infer_batch(empty, threads=4) == []


def test_bad_batches_raise_before_calling_c(dgi, mnist):
    for wrong in (b"\0" * 783, b"\0" * 785, b"\0" * (784 * 3 + 1)):
        with pytest.raises(ValueError, match="N \\* 784"):
            mnist.classify_batch(wrong)
        with pytest.raises(ValueError):
            mnist.infer_batch(wrong)
    with pytest.raises(ValueError):
        mnist.classify_batch([b"\0" * 784, b"\0" * 783])  # one input of the list is wrong
    with pytest.raises(ValueError, match="0..255"):
        mnist.classify_batch([[256] * 784])
    for wrong in (None, 42, "x" * 784, array.array("H", [0] * 784)):
        with pytest.raises(TypeError):
            mnist.classify_batch(wrong)
    for threads in (0, -1):
        with pytest.raises(ValueError, match="threads"):
            mnist.classify_batch(b"\0" * 784, threads=threads)
    for threads in (1.0, "2", True, None):
        with pytest.raises(TypeError, match="threads"):
            mnist.infer_batch(b"\0" * 784, threads=threads)


def test_batches_from_many_threads(dgi):
    model = dgi.Model(GOLDEN / "reference.dgi")
    inputs = batch_inputs()
    want = model.infer_batch(inputs)
    failures = []

    def work(offset):
        for i in range(10):
            batch = inputs[offset:] + inputs[:offset]
            got = model.infer_batch(batch, threads=1 + i % 3)
            if got != want[offset:] + want[:offset]:
                failures.append((offset, i))

    workers = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert not failures


def test_large_batch_split_between_threads(dgi, mnist):
    # 3000 images: several calls' worth, shares of uneven size.
    inputs = batch_inputs()
    data = b"".join(inputs) * 75
    want = [r.digit for r in mnist.classify_batch(inputs)] * 75
    assert [r.digit for r in mnist.classify_batch(data, threads=7)] == want
    assert mnist.infer_batch(data, threads=2)[::75] == mnist.infer_batch(data)[::75]


def test_batches_without_numpy():
    code = """
import sys
sys.modules['numpy'] = None
import digitinfer
model = digitinfer.Model(sys.argv[1], kernels='reference')
data = bytes(range(256)) * 49  # 16 inputs of 784 bytes
a = model.infer_batch(data, threads=2)
b = [model.infer(data[784 * i:784 * i + 784]) for i in range(16)]
print(len(a), a == b, model.kernels, 'reference' in digitinfer.supported_kernels())
"""
    env = child_env()
    out = subprocess.run([sys.executable, "-c", code, str(MODELS / "mnist-int8.dgi")], env=env,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["16", "True", "reference", "True"]
