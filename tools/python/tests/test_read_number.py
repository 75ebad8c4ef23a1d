"""Model.read_number and read_number_file: numbers drawn by the C tests'
pen (Tests/c/draw_pgm.c, pic_number in Tests/c/support.c), read through the
binding; the forms of the image, the errors, and agreement with
classify_image on a single digit."""

from __future__ import annotations

import pytest

from conftest import REPO, installed_include, read_pgm


@pytest.fixture(scope="module")
def draw(compile_c, tmp_path_factory):
    program = compile_c("draw_pgm", [REPO / "Tests" / "c" / "draw_pgm.c", REPO / "Tests" / "c" / "support.c"],
                        [installed_include(), REPO / "Tests" / "c"], ["-lm"])
    out = tmp_path_factory.mktemp("numbers")

    def make(width, height, text, light=False):
        import subprocess

        path = out / f"{text.replace(' ', '_')}-{width}x{height}{'-light' if light else ''}.pgm"
        subprocess.run([str(program)] + (["--light"] if light else []) + [str(width), str(height), text, str(path)],
                       check=True)
        return path

    return make


@pytest.mark.parametrize("text, width, height, light, want", [
    ("42", 200, 100, False, "42"),
    ("2026", 400, 120, False, "2026"),
    ("2026", 400, 120, True, "2026"),
    ("326 751", 600, 110, False, "326751"),
    ("0042", 300, 80, False, "0042"),
])
def test_reads_drawn_numbers(dgi, mnist, draw, text, width, height, light, want):
    w, h, pixels = read_pgm(draw(width, height, text, light))
    reading = mnist.read_number((w, h, pixels))
    assert reading.number == want == str(reading)
    assert len(reading.digits) == len(want)
    xs = [d.box[0] for d in reading.digits]
    assert xs == sorted(xs)
    for d, ch in zip(reading.digits, want):
        assert d.digit == int(ch) and 0 < d.confidence <= 1
        x, y, bw, bh = d.box
        assert 0 <= x and x + bw <= w and 0 <= y and y + bh <= h
        assert len(d.pixels) == 784 and len(d.probabilities) == min(mnist.class_count, 10)
        assert not d.split
    assert isinstance(reading.digits[0], dgi.NumberDigit)


def test_image_forms_agree(dgi, mnist, draw):
    w, h, pixels = read_pgm(draw(300, 100, "709"))
    want = mnist.read_number((w, h, pixels))
    rows = [list(pixels[y * w:(y + 1) * w]) for y in range(h)]
    assert mnist.read_number(rows) == want
    assert mnist.read_number(dgi.GrayImage(w, h, pixels)) == want
    padded = b"".join(pixels[y * w:(y + 1) * w] + b"\x07" * 5 for y in range(h))
    assert mnist.read_number((w, h, padded), stride=w + 5) == want
    assert mnist.read_number((w, h, pixels), ink="dark") == want
    np = pytest.importorskip("numpy")
    assert mnist.read_number(np.frombuffer(pixels, np.uint8).reshape(h, w)) == want


def test_single_digit_agrees_with_classify_image(mnist, draw):
    for digit in range(10):
        w, h, pixels = read_pgm(draw(120, 100, str(digit)))
        reading = mnist.read_number((w, h, pixels))
        one = mnist.classify_image((w, h, pixels))
        assert reading.number == str(one.digit)


def test_file(mnist, draw):
    pytest.importorskip("PIL")
    assert mnist.read_number_file(draw(400, 120, "2026")).number == "2026"


def test_many_digits(mnist, draw):
    # More than the first call's room: read again with room for all.
    text = "1234567890" * 4
    w, h, pixels = read_pgm(draw(3000, 100, text))
    assert mnist.read_number((w, h, pixels)).number == text


def test_errors(dgi, mnist):
    with pytest.raises(dgi.NoInkError):
        mnist.read_number((50, 40, bytes([200]) * 2000))
    with pytest.raises(ValueError):
        mnist.read_number((50, 40, bytes(2000)), ink="sideways")
    with pytest.raises(ValueError):  # too few bytes: refused before the C call, as by preprocess()
        mnist.read_number((50, 40, bytes(100)))
    assert dgi.Status.ERROR_TOO_MANY == 12
    assert "max_digits" in dgi.status_message(dgi.Status.ERROR_TOO_MANY)


def test_ink_that_is_no_digit(dgi, mnist):
    # A long dash: ink, but the 11-class model reads none of it as a digit.
    w, h = 200, 100
    pixels = bytes(0 if 46 <= y < 55 and 30 <= x < 170 else 255 for y in range(h) for x in range(w))
    with pytest.raises(dgi.NotADigitError) as caught:
        mnist.read_number((w, h, pixels))
    assert caught.value.status == dgi.Status.ERROR_NOT_A_DIGIT == 13
    assert isinstance(caught.value, dgi.NoInkError)  # either way, no number
    assert "none of the ink" in caught.value.message
