"""Model: golden vectors, the shipped model on its samples, info and layers,
bad model bytes, argument checks, lifetime and threads."""

from __future__ import annotations

import array
import gc
import os
import struct
import threading
import zlib

import pytest

from conftest import GOLDEN, MODELS, REPO, read_pgm


def golden_inputs():
    data = (GOLDEN / "inputs.bin").read_bytes()
    assert len(data) % 784 == 0
    return [data[784 * i:784 * (i + 1)] for i in range(len(data) // 784)]


def golden_cases():
    """(model file, image index, digit, logits) of Golden/expected.txt, whose
    format Tests/c/test_golden.c reads: model index digit, then 10 logits."""
    cases = []
    for line in (GOLDEN / "expected.txt").read_text().splitlines():
        fields = line.split()
        if fields:
            assert len(fields) == 13, line
            cases.append((fields[0], int(fields[1]), int(fields[2]), [int(v) for v in fields[3:]]))
    return cases


def test_golden_vectors_bit_exact(dgi):
    inputs = golden_inputs()
    cases = golden_cases()
    models = {name: dgi.Model(GOLDEN / name) for name in {c[0] for c in cases}}
    assert set(models) == {"tiny.dgi", "reference.dgi"} and len(cases) == 2 * len(inputs)
    for name, index, digit, logits in cases:
        model = models[name]
        assert model.infer(inputs[index]) == logits, (name, index)
        result = model.classify(inputs[index])
        assert result.digit == digit, (name, index)
        assert result.confidence == result.probabilities[digit]
        assert len(result.probabilities) == 10 and abs(sum(result.probabilities) - 1) < 1e-5
        assert all(0 <= p <= 1 for p in result.probabilities)
        assert result.pixels is None and result.preprocess_info is None


def test_shipped_model_reads_the_scanned_nine(dgi, mnist):
    width, height, pixels = read_pgm(MODELS / "samples" / "scan-9.pgm")
    result = mnist.classify_image((width, height, pixels))
    assert result.digit == 9 and result.confidence > 0.5
    assert result.preprocess_info is not None and result.preprocess_info.ink == "dark"
    assert len(result.pixels) == 784
    # The same as preprocessing, then classifying the 28x28 input as is.
    pixels784, info = dgi.preprocess(dgi.GrayImage(width, height, pixels))
    assert pixels784 == result.pixels and info == result.preprocess_info
    plain = mnist.classify(pixels784)
    assert (plain.digit, plain.confidence, plain.probabilities) == (
        result.digit, result.confidence, result.probabilities)
    # Forcing the polarity it found changes nothing.
    assert mnist.classify_image((width, height, pixels), ink="dark") == result


def test_shipped_model_reads_the_example_seven(mnist):
    # tools/examples/seven.pgm is a 28x28 drawing, dark on light: an image
    # (preprocessed), not a model input.
    width, height, pixels = read_pgm(REPO / "tools" / "examples" / "seven.pgm")
    assert mnist.classify_image((width, height, pixels)).digit == 7


def test_golden_images_through_every_input_form(dgi):
    model = dgi.Model(GOLDEN / "reference.dgi")
    pixels = golden_inputs()[3]
    want = model.infer(pixels)
    rows = [list(pixels[28 * y:28 * y + 28]) for y in range(28)]
    for form in (pixels, bytearray(pixels), memoryview(pixels), array.array("B", pixels),
                 list(pixels), tuple(pixels), rows, [bytes(r) for r in rows]):
        assert model.infer(form) == want, type(form)
        assert model.classify(form).digit == model.classify(pixels).digit


def test_info_and_layers(dgi, mnist):
    info = mnist.info
    raw = (MODELS / "mnist-int8.dgi").read_bytes()
    assert info.name == mnist.name == "mnist-int8"
    # 1.2 only for a model with the "not a digit" class (docs/FORMAT.md 4.2).
    assert info.class_count in (10, 11) and info.format_version == (1, 1 if info.class_count == 10 else 2)
    assert info.file_size == len(raw)
    # The CRC-32 of the file without its own field at offset 16 (docs/FORMAT.md).
    assert info.checksum == zlib.crc32(raw[20:], zlib.crc32(raw[:16])) == struct.unpack_from("<I", raw, 16)[0]
    assert info.metadata["architecture"].startswith("c20k5") and "trainer" in mnist.metadata
    assert info.metadata_text.count("\n") == len(info.metadata)
    layers = mnist.layers
    assert len(layers) == info.layer_count == 7
    assert [layer.kind for layer in layers] == [dgi.LayerKind.CONV2D, dgi.LayerKind.MAXPOOL2D,
                                                dgi.LayerKind.CONV2D, dgi.LayerKind.MAXPOOL2D,
                                                dgi.LayerKind.FLATTEN, dgi.LayerKind.DENSE,
                                                dgi.LayerKind.DENSE]
    assert layers[0].input_shape == (28, 28, 1) and layers[0].kernel == (5, 5) and layers[0].relu
    assert layers[-1].output_shape == (1, 1, info.class_count) and not layers[-1].relu
    for a, b in zip(layers, layers[1:]):
        assert a.output_shape == b.input_shape
    assert sum(layer.parameter_count for layer in layers) == info.parameter_count == mnist.parameter_count
    assert sum(layer.macs for layer in layers) == info.macs == mnist.macs
    assert info.scratch_size == mnist.scratch_size > 0
    # A conv layer's parameters: kh * kw * cin * cout weights + cout biases.
    conv = layers[2]
    assert conv.parameter_count == 5 * 5 * 20 * 40 + 40
    assert conv.output_scale > 0 and -128 <= conv.output_zero_point <= 127
    assert "mnist-int8" in repr(mnist)


def test_model_from_every_source(dgi, tmp_path):
    raw = (GOLDEN / "tiny.dgi").read_bytes()
    path = tmp_path / "tiny.dgi"
    path.write_bytes(raw)
    pixels = golden_inputs()[0]
    want = dgi.Model(raw).infer(pixels)
    for source in (str(path), path, bytearray(raw), memoryview(raw), array.array("B", raw), raw + b"trailing"):
        model = dgi.Model(source)
        assert model.infer(pixels) == want
        assert model.data[:len(raw)] == raw
    assert dgi.Model(path).path == str(path) and dgi.Model(raw).path is None
    with pytest.raises(TypeError):
        dgi.Model(12)
    with pytest.raises(FileNotFoundError):
        dgi.Model(tmp_path / "missing.dgi")


def test_model_bytes_kept_alive(dgi):
    # The library reads the model in place: the Model must own its bytes.
    raw = bytearray((MODELS / "mnist-int8.dgi").read_bytes())
    model = dgi.Model(raw)
    fresh = dgi.Model(bytes(raw))
    pixels = golden_inputs()[5]
    want = fresh.infer(pixels)
    raw[:] = b"\0" * len(raw)  # a mutable source changed afterwards: no effect
    del raw
    data = (MODELS / "mnist-int8.dgi").read_bytes()
    model2 = dgi.Model(data)
    del data, fresh
    gc.collect()
    for _ in range(3):  # churn the allocator over where the bytes were
        junk = [bytes([i]) * 63850 for i in range(8)]
        del junk
        gc.collect()
    assert model.infer(pixels) == want and model2.infer(pixels) == want
    assert model.classify(pixels).digit == model2.classify(pixels).digit


@pytest.mark.parametrize(
    "damage,status",
    [
        (lambda b: b[:100], "ERROR_TRUNCATED"),
        (lambda b: b[:10], "ERROR_TRUNCATED"),
        (lambda b: b"", "ERROR_TRUNCATED"),
        (lambda b: b"XXXX" + b[4:], "ERROR_MAGIC"),
        (lambda b: b[:200] + bytes([b[200] ^ 0x40]) + b[201:], "ERROR_CHECKSUM"),
        (lambda b: b[:-1] + bytes([b[-1] ^ 1]), "ERROR_CHECKSUM"),
    ],
)
def test_bad_model_bytes(dgi, damage, status):
    raw = (GOLDEN / "tiny.dgi").read_bytes()
    with pytest.raises(dgi.ModelError) as caught:
        dgi.Model(damage(raw))
    error = caught.value
    assert error.status == dgi.Status[status] and isinstance(error.status, int)
    assert isinstance(error, dgi.DigitInferError)
    assert error.message == dgi.status_message(error.status) and error.message in str(error)
    assert f"DGI_{status}" in str(error)


def test_bad_model_file_names_the_file(dgi, tmp_path):
    path = tmp_path / "not-a-model.dgi"
    path.write_bytes(b"hello, world" * 10)
    with pytest.raises(dgi.ModelError, match="not-a-model.dgi"):
        dgi.Model(path)


def test_bad_pixels_raise_before_calling_c(dgi, mnist):
    for wrong in (b"\0" * 783, b"\0" * 785, b"", [0] * 783, [[0] * 28] * 27, [[0] * 27] * 28):
        with pytest.raises(ValueError):
            mnist.classify(wrong)
        with pytest.raises(ValueError):
            mnist.infer(wrong)
    with pytest.raises(ValueError, match="0..255"):
        mnist.classify([256] * 784)
    with pytest.raises(ValueError, match="0..255"):
        mnist.classify([[-1] * 28] * 28)
    with pytest.raises(TypeError):
        mnist.classify([0.5] * 784)
    with pytest.raises(TypeError):
        mnist.classify("x" * 784)
    with pytest.raises(TypeError):
        mnist.classify(None)
    with pytest.raises(TypeError):
        mnist.classify(array.array("H", [0] * 784))  # 2-byte items
    with pytest.raises(ValueError, match="classify_image"):
        mnist.classify(b"\0" * 1000)


def test_errors_are_typed(dgi):
    assert issubclass(dgi.NoInkError, dgi.ImageError) and issubclass(dgi.ImageError, dgi.DigitInferError)
    assert issubclass(dgi.ModelError, dgi.DigitInferError)
    error = dgi.DigitInferError(4242, "odd")
    assert error.status == 4242 and "status 4242" in str(error)


def test_threads_share_one_model(dgi):
    model = dgi.Model(GOLDEN / "reference.dgi")
    inputs = golden_inputs()
    want = [model.infer(p) for p in inputs]
    failures = []

    def work():
        for _ in range(20):
            for p, w in zip(inputs, want):
                if model.infer(p) != w:
                    failures.append(w)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures


def test_library_lookup_reports_what_it_tried(tmp_path):
    import subprocess
    import sys

    from conftest import child_env

    code = "import digitinfer\ntry:\n    digitinfer.Model(b'')\nexcept digitinfer.LibraryError as e:\n    print(e)\n"
    env = child_env(DIGITINFER_LIBRARY=str(tmp_path / "nope.so"))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert "cannot load libdigitinfer" in out.stdout and "nope.so" in out.stdout
    env.pop("DIGITINFER_LIBRARY")
    env["DIGITINFER_PREFIX"] = str(tmp_path)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    from digitinfer._lib import ABI_VERSION

    assert str(tmp_path / "lib" / f"libdigitinfer.so.{ABI_VERSION}") in out.stdout


def test_library_with_another_abi_is_refused(compile_c, tmp_path):
    import subprocess
    import sys

    from conftest import HERE, child_env, installed_include

    stub = compile_c("libdigitinfer-abi1.so", [HERE / "abi_stub.c"], [installed_include()],
                     ["-shared", "-fPIC", "-DSTUB_ABI=1"])
    code = ("import digitinfer\ntry:\n    digitinfer.load_library()\n"
            "except digitinfer.LibraryError as e:\n    print(e)\nelse:\n    print('loaded')\n")
    env = child_env(DIGITINFER_LIBRARY=str(stub))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert "ABI version 1" in out.stdout and "ABI version 2" in out.stdout
    if not sys.platform.startswith("linux"):
        return
    # A shared library that is not libdigitinfer at all.
    env["DIGITINFER_LIBRARY"] = "libm.so.6"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert "not libdigitinfer" in out.stdout
