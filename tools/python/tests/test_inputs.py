"""The input forms added for the wheel: Model() with no argument, floats,
(28, 28, 1) / (1, 28, 28) shapes and their batches, Pillow images of every
mode, image files (classify_file, classify_files), __version__."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import MODELS, REPO, child_env

SAMPLES = sorted(p for p in (MODELS / "samples").iterdir() if re.search(r"-(\d)\.\w+$", p.name))


def sample_digit(path) -> int:
    return int(re.search(r"-(\d)\.\w+$", path.name).group(1))


@pytest.fixture(scope="module")
def np():
    return pytest.importorskip("numpy")


@pytest.fixture(scope="module")
def pil():
    return pytest.importorskip("PIL.Image")


@pytest.fixture(scope="module")
def nine(dgi, mnist):
    """The scanned nine as a 28x28 model input of 0s and 255s only (so that
    every Pillow mode, "1" included, holds it exactly): bytes."""
    from conftest import read_pgm

    pixels, _ = dgi.preprocess(read_pgm(MODELS / "samples" / "scan-9.pgm"))
    binary = bytes(255 if p >= 128 else 0 for p in pixels)
    assert mnist.classify(binary).digit == 9
    return binary


def test_default_model_is_the_shipped_one(dgi, mnist):
    model = dgi.Model()
    assert model.checksum == mnist.checksum and model.name == mnist.name
    assert model.path == dgi.default_model_path()
    assert set(dgi.shipped_models()) >= {"mnist-int8", "reference-int8"}
    assert dgi.Model(dgi.shipped_models()["reference-int8"]).parameter_count > 0


def test_version_is_the_librarys(dgi):
    header = (REPO / "include" / "digitinfer.h").read_text()
    want = re.search(r'#define DGI_VERSION "([^"]+)"', header).group(1)
    from digitinfer import _lib

    assert dgi.__version__ == want == _lib.lib().dgi_version().decode()
    assert "__version__" in dir(dgi)


def test_floats_0_1_and_0_255_equal_uint8(dgi, mnist, nine, np):
    rng = np.random.default_rng(7)
    for pixels in (nine, bytes(rng.integers(0, 256, 784, dtype=np.uint8))):
        u8 = np.frombuffer(pixels, np.uint8).reshape(28, 28)
        want = mnist.infer(u8)
        for dtype in (np.float16, np.float32, np.float64):
            assert mnist.infer(u8.astype(dtype)) == want, dtype
            assert mnist.infer((u8 / 255).astype(dtype)) == want, dtype
        assert mnist.classify(u8 / 255.0) == mnist.classify(u8)
        assert mnist.classify(np.where(u8 > 127, u8 - 0.4, u8 + 0.4)) == mnist.classify(u8)  # rounded
    # 0..1 images are scaled, never read as near-black 0..255 ones.
    assert mnist.infer(np.full((28, 28), 1.0)) == mnist.infer(b"\xff" * 784)
    big = np.zeros((90, 70))
    big[20:70, 30:38] = 1.0
    assert dgi.preprocess(big) == dgi.preprocess((big * 255).astype(np.uint8))


def test_out_of_range_floats_raise(dgi, mnist, np):
    for bad in (float("nan"), float("inf"), -float("inf"), -0.01, 255.01, 1e9):
        image = np.zeros((28, 28), np.float32 if abs(bad) < 1e30 else np.float64)
        image[5, 5] = bad
        for call in (mnist.classify, mnist.infer, mnist.classify_image, dgi.preprocess):
            with pytest.raises(ValueError, match=r"\[0, 255\]"):
                call(image)
        with pytest.raises(ValueError, match=r"\[0, 255\]"):
            mnist.classify_batch(image[None])
    with pytest.raises(TypeError):
        mnist.classify(np.zeros((28, 28), np.complex64))
    with pytest.raises(TypeError):
        mnist.classify([0.5] * 784)  # lists hold ints


def test_shapes(dgi, mnist, nine, np):
    u8 = np.frombuffer(nine, np.uint8).reshape(28, 28)
    want = mnist.infer(nine)
    for shaped in (u8[:, :, None], u8[None], u8.reshape(784), u8[:, :, None] / 255.0):
        assert mnist.infer(shaped) == want, shaped.shape
    with pytest.raises(ValueError, match="classify_batch"):
        mnist.classify(np.stack([u8, u8]))
    for wrong in ((28, 28, 3), (2, 28, 28, 2), (27, 28), (28, 28, 1, 1)):
        with pytest.raises(ValueError):
            mnist.classify(np.zeros(wrong, np.uint8))
    # An image of any size may have a trailing channel of one.
    big = np.zeros((60, 50), np.uint8)
    big[10:50, 22:28] = 255
    assert dgi.preprocess(big[:, :, None]) == dgi.preprocess(big)


def test_batches_of_every_shape_equal_singles(dgi, mnist, nine, np):
    rng = np.random.default_rng(11)
    stack = rng.integers(0, 256, (9, 28, 28), dtype=np.uint8)
    stack[4] = np.frombuffer(nine, np.uint8).reshape(28, 28)
    singles = [mnist.classify(image) for image in stack]
    for batch in (stack, stack[:, :, :, None], stack[:, None], stack.reshape(9, 784), stack / 255.0,
                  stack.astype(np.float32), list(stack), [image / 255.0 for image in stack]):
        assert mnist.classify_batch(batch) == singles, getattr(batch, "shape", type(batch))
        assert mnist.classify_batch(batch, threads=3) == singles
        assert mnist.infer_batch(batch) == [mnist.infer(image) for image in stack]
    assert mnist.classify_batch(stack)[4].digit == 9


PIL_MODES = ["1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16", "I;16B", "F", "CMYK", "YCbCr", "PA", "La",
             "RGBa", "RGBX", "HSV"]


@pytest.mark.parametrize("mode", PIL_MODES)
def test_pillow_modes(dgi, mnist, nine, pil, mode):
    def to_mode(image):
        if mode == "La":
            return pil.merge("La", (image, pil.new("L", image.size, 255)))
        return image.convert("RGBA").convert(mode) if mode == "RGBa" else image.convert(mode)

    gray = pil.frombytes("L", (28, 28), nine)
    image = to_mode(gray)
    assert image.mode == mode
    assert mnist.infer(image) == mnist.infer(nine), mode
    assert mnist.classify_image(image).digit == 9
    assert mnist.classify_batch([image, gray]) == [mnist.classify(nine)] * 2
    big = gray.resize((112, 84), pil.NEAREST)  # still only 0s and 255s
    assert dgi.preprocess(to_mode(big)) == dgi.preprocess(big)


def test_pillow_16_bit_and_transparency(dgi, mnist, nine, pil, np):
    u8 = np.frombuffer(nine, np.uint8).reshape(28, 28)
    # Full-range 16-bit pixels are scaled by 255/65535.
    wide = pil.fromarray(u8.astype(np.uint16) * 257)
    assert wide.mode.startswith("I;16") and mnist.infer(wide) == mnist.infer(nine)
    with pytest.raises(ValueError, match="0..65535"):
        mnist.infer(pil.fromarray(np.full((28, 28), -1, np.int32)))
    # Dark strokes on a transparent background: white paper under them.
    rgba = np.zeros((60, 60, 4), np.uint8)
    rgba[10:50, 27:33, 3] = 255  # black, opaque strokes; the rest transparent black
    on_white = np.full((60, 60), 255, np.uint8)
    on_white[10:50, 27:33] = 0
    assert dgi.preprocess(pil.fromarray(rgba)) == dgi.preprocess(on_white)
    # Light strokes on a transparent background: black paper.
    rgba[10:50, 27:33, :3] = 255
    on_black = 255 - on_white
    assert dgi.preprocess(pil.fromarray(rgba)) == dgi.preprocess(on_black)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_classify_file_reads_the_digit_in_the_name(dgi, mnist, pil, path):
    result = mnist.classify_file(path)
    assert result.digit == sample_digit(path)
    assert len(result.pixels) == 784 and result.preprocess_info is not None
    assert mnist.classify_file(str(path)) == result


def test_classify_files_equals_singles(dgi, mnist, pil):
    results = mnist.classify_files(SAMPLES * 3, threads=2)
    assert [r.digit for r in results] == [sample_digit(p) for p in SAMPLES] * 3
    assert results[:len(SAMPLES)] == [mnist.classify_file(p) for p in SAMPLES]
    assert mnist.classify_files([]) == []


def test_classify_file_errors(dgi, mnist, pil, tmp_path):
    with pytest.raises(TypeError, match="path"):
        mnist.classify_file(b"\0" * 784)  # bytes are not a path here
    with pytest.raises(FileNotFoundError):
        mnist.classify_file(tmp_path / "missing.png")
    (tmp_path / "text.png").write_text("not an image")
    with pytest.raises(OSError):
        mnist.classify_file(tmp_path / "text.png")
    pil.new("L", (40, 40), 255).save(tmp_path / "blank.png")
    with pytest.raises(dgi.NoInkError):
        mnist.classify_file(tmp_path / "blank.png")


def test_classify_file_without_pillow():
    code = """
import sys
sys.modules['PIL'] = None
import digitinfer
try:
    digitinfer.Model().classify_file(sys.argv[1])
except ImportError as e:
    print(type(e).__name__, isinstance(e, digitinfer.MissingDependencyError), e)
"""
    out = subprocess.run([sys.executable, "-c", code, str(SAMPLES[0])], env=child_env(),
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("MissingDependencyError True") and "digitinfer[images]" in out.stdout


def test_py_typed_is_shipped(dgi):
    from pathlib import Path

    assert (Path(dgi.__file__).parent / "py.typed").is_file()
