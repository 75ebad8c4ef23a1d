"""preprocess() and classify_image(): the golden file of dgi_preprocess
reproduced through the binding, image forms and strides, numpy views (when
numpy is installed), errors, and the package without numpy."""

from __future__ import annotations

import os
import struct
import subprocess
import sys

import pytest

from conftest import GOLDEN, HERE, MODELS, REPO, child_env, installed_include, read_pgm

INKS = {0: "auto", 1: "dark", 2: "light"}


def fnv1a64(data: bytes, h: int = 0xCBF29CE484222325) -> int:
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


@pytest.fixture(scope="module")
def golden_images(compile_c, tmp_path_factory):
    """{case: (width, height, stride, flags, kind, padded bytes)}, drawn by
    the C tests' generator (tests/preprocess_inputs.c + Tests/c/support.c)."""
    program = compile_c("preprocess_inputs", [HERE / "preprocess_inputs.c", REPO / "Tests" / "c" / "support.c"],
                        [installed_include(), REPO / "Tests" / "c"])
    out = subprocess.run([str(program)], check=True, capture_output=True).stdout
    images, position = {}, 0
    while position < len(out):
        case, w, h, stride, flags, kind = struct.unpack_from("<6I", out, position)
        position += 24
        need = (h - 1) * stride + w
        images[case] = (w, h, stride, flags, kind, out[position:position + need])
        position += need
    return images


def golden_lines():
    lines = []
    for line in (GOLDEN / "preprocess-expected.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            lines.append(line)
    return lines


def rows_of(w, h, stride, data):
    return b"".join(data[y * stride:y * stride + w] for y in range(h))


def line_for(dgi, case, w, h, flags, kind, image, stride=None):
    """The golden line of Tests/c/test_preprocess.c's golden_line(), from Python."""
    if isinstance(image, tuple):
        rows = rows_of(w, h, stride if stride is not None else w, image[2])
    else:
        rows = image.tobytes() if hasattr(image, "tobytes") else None
    head = f"{case} {w} {h} {flags} {kind} {fnv1a64(rows):016x}"
    try:
        pixels, info = dgi.preprocess(image, ink=INKS[flags], stride=stride)
    except dgi.NoInkError as error:
        assert error.status == dgi.Status.ERROR_NO_INK
        return f"{head} 11 - - - - - - - - -"
    ink = {"dark": 1, "light": 2}[info.ink]
    return (f"{head} 0 {ink} {info.x} {info.y} {info.width} {info.height} {info.paper} "
            f"{info.components} {info.dropped} {fnv1a64(pixels):016x}")


def test_golden_file_reproduced(dgi, golden_images):
    lines = golden_lines()
    assert len(lines) == len(golden_images) == 96
    statuses = set()
    for line in lines:
        case = int(line.split()[0])
        w, h, stride, flags, kind, data = golden_images[case]
        # Padded rows read in place through the stride (tuple form)...
        got = line_for(dgi, case, w, h, flags, kind, (w, h, data), stride=stride)
        assert got == line, f"case {case}"
        statuses.add(got.split()[6])
        # ...and the same with the rows packed, through GrayImage.
        if stride != w:
            packed = dgi.GrayImage(w, h, rows_of(w, h, stride, data))
            assert line_for(dgi, case, w, h, flags, kind, (w, h, packed.data)) == line, f"case {case} packed"
    assert statuses == {"0", "11"}  # both outcomes are covered


def test_golden_file_through_numpy_views(dgi, golden_images):
    np = pytest.importorskip("numpy")
    lines = {int(line.split()[0]): line for line in golden_lines()}
    for case in range(0, 96, 5):
        w, h, stride, flags, kind, data = golden_images[case]
        padded = np.frombuffer(data + bytes(h * stride - len(data)), dtype=np.uint8).reshape(h, stride)
        view = padded[:, :w]  # a row-strided view: read in place
        assert view.__array_interface__["strides"] in (None, (stride, 1))
        assert line_for(dgi, case, w, h, flags, kind, view) == lines[case]
        # A transposed copy transposed back (non-contiguous): copied, same answer.
        twisted = np.ascontiguousarray(view.T).T
        assert twisted.__array_interface__["strides"] is not None or w == 1 or h == 1
        assert line_for(dgi, case, w, h, flags, kind, twisted) == lines[case]


def scan_nine():
    return read_pgm(MODELS / "samples" / "scan-9.pgm")


def test_numpy_images(dgi, mnist):
    np = pytest.importorskip("numpy")
    w, h, data = scan_nine()
    image = np.frombuffer(data, dtype=np.uint8).reshape(h, w)
    want = dgi.preprocess((w, h, data))
    assert dgi.preprocess(image) == want
    assert mnist.classify_image(image).digit == 9
    # Views with other strides: a column-strided view, a flipped one, a
    # transposed one: each equals its packed copy.
    for view in (image[::2, ::2], image[::-1], image.T, image[10:200, 5:150], image[::3]):
        assert dgi.preprocess(view) == dgi.preprocess(np.ascontiguousarray(view)), view.strides
    # A 28x28 uint8 array is a model input for classify(), an image for classify_image().
    pixels, _ = want
    as_array = np.frombuffer(pixels, dtype=np.uint8).reshape(28, 28)
    assert mnist.infer(as_array) == mnist.infer(pixels) == mnist.infer(as_array.ravel())
    assert mnist.classify(as_array).digit == 9
    assert mnist.infer(np.asfortranarray(as_array)) == mnist.infer(pixels)
    # Wrong dtype or shape: TypeError/ValueError before any C call.
    # Floats follow the float rule (0..1 scaled by 255, 0..255 rounded).
    assert mnist.infer(as_array.astype(np.float32) / 255) == mnist.infer(pixels)
    assert dgi.preprocess(image.astype(np.float64)) == want
    with pytest.raises(TypeError, match="uint8"):
        dgi.preprocess(image.astype(np.int16))
    with pytest.raises(ValueError, match="shape"):
        mnist.classify(np.zeros((32, 32), dtype=np.uint8))
    with pytest.raises(ValueError, match="2-D"):
        dgi.preprocess(np.zeros((10, 10, 3), dtype=np.uint8))
    with pytest.raises(ValueError):
        dgi.preprocess(np.zeros((0, 10), dtype=np.uint8))
    with pytest.raises(ValueError, match="stride"):
        dgi.preprocess(image, stride=w)
    # Lists of numpy rows: uint8 rows are fine, wider items are refused.
    assert dgi.preprocess([row for row in image]) == want
    assert mnist.infer([row for row in as_array]) == mnist.infer(pixels)
    with pytest.raises(TypeError):
        dgi.preprocess([row.astype(np.int64) for row in image])
    with pytest.raises(TypeError):
        mnist.classify([row.astype(np.int16) for row in as_array])


def test_image_forms_agree(dgi):
    w, h, data = scan_nine()
    want = dgi.preprocess((w, h, data))
    rows = [list(data[y * w:(y + 1) * w]) for y in range(h)]
    padded = b"".join(data[y * w:(y + 1) * w] + b"\x07" * 5 for y in range(h))
    for image, stride in (
        (dgi.GrayImage(w, h, data), None),
        (dgi.GrayImage(w, h, bytearray(data)), None),
        (dgi.GrayImage(w, h, memoryview(data)), None),
        (dgi.GrayImage(w, h, padded, w + 5), None),
        ((w, h, bytearray(padded)), w + 5),
        ((w, h, padded, w + 5), None),
        ((w, h, padded[:-5]), w + 5),  # the last row needs no padding
        (rows, None),
    ):
        assert dgi.preprocess(image, stride=stride) == want


def test_preprocess_info(dgi):
    w, h, data = scan_nine()
    pixels, info = dgi.preprocess((w, h, data))
    assert len(pixels) == 784 and max(pixels) > 200
    assert info.ink == "dark" and info.components >= 1
    assert 0 <= info.x < info.x + info.width <= w and 0 <= info.y < info.y + info.height <= h
    assert info.box == (info.x, info.y, info.width, info.height)
    # Inverted, read as light ink: the same pixels (the library flips with XOR 255).
    inverted = bytes(255 - v for v in data)
    pixels2, info2 = dgi.preprocess((w, h, inverted), ink="light")
    assert pixels2 == pixels and info2.ink == "light" and info2.paper == 255 - info.paper
    assert dgi.preprocess((w, h, inverted))[1].ink == "light"  # auto


def test_blank_image_has_no_ink(dgi, mnist):
    for level in (0, 128, 255):
        blank = (100, 80, bytes([level]) * 8000)
        with pytest.raises(dgi.NoInkError) as caught:
            dgi.preprocess(blank)
        assert caught.value.status == dgi.Status.ERROR_NO_INK
        assert caught.value.message == dgi.status_message(dgi.Status.ERROR_NO_INK)
        with pytest.raises(dgi.NoInkError):
            mnist.classify_image(blank, ink="dark")


def test_bad_arguments(dgi, mnist):
    w, h, data = scan_nine()
    for ink in ("Auto", "black", "", None, 1, "DGI_INK_DARK"):
        with pytest.raises(ValueError, match="ink"):
            dgi.preprocess((w, h, data), ink=ink)
        with pytest.raises(ValueError, match="ink"):
            mnist.classify_image((w, h, data), ink=ink)
    with pytest.raises(ValueError, match="needs"):
        dgi.preprocess((w, h, data[:-1]))
    with pytest.raises(ValueError, match="needs"):
        dgi.preprocess((w, h, data), stride=w + 1)
    with pytest.raises(ValueError, match="stride"):
        dgi.preprocess((w, h, data), stride=w - 1)
    for bad_w, bad_h in ((0, 1), (1, 0), (32769, 1), (1, 2 ** 32 + 1), (-1, 5)):
        with pytest.raises(ValueError):
            dgi.preprocess((bad_w, bad_h, b"\0" * 64))
    with pytest.raises(TypeError):
        dgi.preprocess((2.0, 2, b"\0" * 4))
    with pytest.raises(TypeError):
        dgi.preprocess((2, 2, "abcd"))
    with pytest.raises(TypeError):
        dgi.preprocess(b"\0" * 784)  # bytes alone have no size
    with pytest.raises(ValueError):
        dgi.preprocess([[0, 1], [2]])  # ragged rows
    with pytest.raises(ValueError, match="0..255"):
        dgi.preprocess([[0, 300], [2, 3]])


def test_scratch_sizes(dgi):
    assert 0 < dgi.preprocess_scratch_size(28, 28) <= 15 * 1024
    assert dgi.preprocess_scratch_size(128, 128) == dgi.preprocess_scratch_size(32768, 32768) <= 145 * 1024
    assert dgi.preprocess_scratch_size(0, 5) == dgi.preprocess_scratch_size(32769, 5) == 0
    assert dgi.preprocess_scratch_size(2 ** 40, 5) == 0


def test_large_image(dgi):
    # 2000x1500 with a drawn digit: the scratch stays bounded, the answer is found.
    w, h, data = scan_nine()
    big = bytearray(b"\xe6" * (2000 * 1500))
    for y in range(h):
        big[(600 + y) * 2000 + 900:(600 + y) * 2000 + 900 + w] = data[y * w:(y + 1) * w]
    _, info = dgi.preprocess((2000, 1500, big))
    assert 900 <= info.x and 600 <= info.y and info.x + info.width <= 900 + w


def test_package_works_without_numpy():
    # numpy blocked: importing it fails, as on a machine without it.
    code = """
import sys
sys.modules['numpy'] = None
import digitinfer
assert 'numpy' not in [m for m in sys.modules if sys.modules[m] is not None]
w, h = 60, 60
image = bytearray(b'\\xf0' * (w * h))
for y in range(10, 50):
    for x in range(27, 33):
        image[y * w + x] = 20
pixels, info = digitinfer.preprocess((w, h, image))
model = digitinfer.Model(sys.argv[1])
print(model.classify(pixels).digit, model.classify_image(digitinfer.GrayImage(w, h, bytes(image))).digit, info.ink)
"""
    env = child_env()
    out = subprocess.run([sys.executable, "-c", code, str(MODELS / "mnist-int8.dgi")], env=env,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["1", "1", "dark"]
