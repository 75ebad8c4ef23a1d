#!/usr/bin/env python3
"""Writes the committed seed corpora of tools/fuzz/seeds/<target>/: small,
valid inputs of every kind each harness parses, so that fuzzing starts deep.
Run from anywhere: python3 tools/fuzz/make_seeds.py (needs Pillow for the
image seeds). The output is deterministic. seeds/model/rule-*.dgi, one
near-valid model per validation rule, were picked from a fuzzing corpus by
check_oracle.py --pick."""
import gzip
import io
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tools", "format"))
import dgi  # noqa: E402

GOLDEN = os.path.join(REPO, "Tests", "DigitInferTests", "Golden")


#: Where out() writes: tools/fuzz/seeds/<target>/, or DIR of --idx DIR.
ROOT = {"dir": None}


def out(target, name, data):
    d = ROOT["dir"] or os.path.join(HERE, "seeds", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def digits():
    """Four 28x28 digit-like drawings, light strokes on black as in MNIST,
    drawn here (no dataset bytes in the repository): a ring, a bar, a 7, an L."""
    def draw(inside):
        return bytes(255 if inside(x, y) else 0 for y in range(28) for x in range(28))
    ring = draw(lambda x, y: 36 <= (x - 14) ** 2 / 0.5 + (y - 14) ** 2 <= 100)
    bar = draw(lambda x, y: 13 <= x <= 15 and 4 <= y <= 23)
    seven = draw(lambda x, y: (5 <= y <= 7 and 8 <= x <= 20) or (7 <= y <= 23 and abs(x - (20 - (y - 7) * 0.5)) <= 1.5))
    ell = draw(lambda x, y: (9 <= x <= 11 and 4 <= y <= 23) or (21 <= y <= 23 and 9 <= x <= 19))
    return [ring, bar, seven, ell]


def not_a_digit_model():
    """The worked example with 11 outputs (format 1.2): class 10, "not a
    digit", wins on a blank image, the digits on ink."""
    m = dgi.example_model()
    dense = m.layers[-1]
    dense.out_shape = (1, 1, 11)
    dense.weights = [1, -1] * 5 + [-1]
    dense.bias = [-64, 64] * 5 + [96]
    dense.multipliers = [1 << 30] * 11
    dense.shifts = [0] * 11
    return m


def model_seeds():
    out("model", "example.dgi", dgi.write(dgi.example_model()))
    out("model", "not-a-digit.dgi", dgi.write(not_a_digit_model()))
    with open(os.path.join(GOLDEN, "tiny.dgi"), "rb") as f:
        out("model", "tiny.dgi", f.read())


def preprocess_seeds():
    # Header: width-1 (u16), height-1 (u16), flags, stride padding, mode.
    for k, img in enumerate(digits()[:4]):
        out("preprocess", f"drawn-{k}", struct.pack("<HHBBB", 27, 27, k % 3, 3 * k, 0) + img)
        out("preprocess", f"ink-dark-{k}", struct.pack("<HHBBB", 27, 27, 0, 0, 2) + bytes(255 - p for p in img))
    # Blocky mode (odd): one byte per 8x8 block of a 96x64 image.
    out("preprocess", "blocks", struct.pack("<HHBBB", 95, 63, 0, 7, 3) + bytes(
        [200] * 13 + [200, 200, 30, 30, 200, 200, 200, 200, 200, 30, 200, 200] * 4 + [200] * 12))


def read_seeds():
    # The preprocess header. Three of the digits side by side, and two
    # touching, in blocky mode (one byte per 8x8 block) and in full.
    ring, bar, seven, _ = digits()
    row = [ring, bar, seven]
    strip = bytes(row[(x // 28)][y * 28 + x % 28] for y in range(28) for x in range(84))
    out("read", "three", struct.pack("<HHBBB", 83, 27, 0, 5, 0) + strip)
    touching = bytes(max(ring[y * 28 + x] if x < 28 else 0, seven[y * 28 + x - 20] if x >= 20 else 0)
                     for y in range(28) for x in range(48))
    out("read", "touching", struct.pack("<HHBBB", 47, 27, 2, 0, 2) + bytes(255 - p for p in touching))
    out("read", "blocks", struct.pack("<HHBBB", 159, 47, 0, 3, 1) + bytes(
        [220] * 20 + ([220, 40, 220, 40, 40, 220, 40, 220, 220, 40, 40, 40, 220, 220, 40, 220, 220, 220, 220, 220]) * 4))


def image_seeds():
    from PIL import Image

    digit = Image.frombytes("L", (28, 28), bytes(255 - p for p in digits()[0])).resize((16, 16))
    small = digit.crop((0, 0, 12, 10))

    def save(name, im, fmt, **kw):
        buf = io.BytesIO()
        im.save(buf, fmt, **kw)
        out("image", name, buf.getvalue())

    save("gray.png", small, "PNG")
    save("gray16.png", small.convert("I;16"), "PNG")
    save("rgba.png", small.convert("RGBA"), "PNG")
    save("palette.png", small.convert("P"), "PNG")
    save("bilevel.png", small.convert("1"), "PNG")
    save("la-interlaced.png", small.convert("LA"), "PNG", interlace=1)
    save("gray.jpg", small, "JPEG", quality=50)
    save("rgb-progressive.jpg", small.convert("RGB"), "JPEG", quality=50, progressive=True)
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90
    save("exif-rotated.jpg", small, "JPEG", quality=50, exif=exif.tobytes())
    save("plain.pgm", small, "PPM")
    save("color.ppm", small.convert("RGB"), "PPM")
    save("bits.pbm", small.convert("1"), "PPM")
    out("image", "ascii.pgm", b"P2\n# comment\n3 2\n255\n0 128 255\n255 128 0\n")
    out("image", "ascii.pbm", b"P1\n4 2\n0 1 1 0\n1 0 0 1\n")
    out("image", "ascii16.ppm", b"P3\n2 1\n65535\n65535 0 0 0 0 65535\n")


def idx_seeds():
    imgs = digits()[:3]
    images = struct.pack(">IIII", 0x803, 3, 28, 28) + b"".join(imgs)  # drawn, not MNIST's
    labels = struct.pack(">II", 0x801, 3) + bytes([7, 2, 1])
    out("idx", "drawn-images.idx", images)
    out("idx", "drawn-labels.idx", labels)
    # mtime 0: the same bytes on every run.
    out("idx", "drawn-images.idx.gz", gzip.compress(images, mtime=0))
    out("idx", "drawn-labels.idx.gz", gzip.compress(labels, mtime=0))
    out("idx", "counting-2x3.idx", struct.pack(">IIII", 0x803, 2, 2, 3) + bytes(range(12)))


if __name__ == "__main__":
    # --idx DIR: only the IDX seeds, into DIR. They are files in the format of
    # the MNIST distribution, so they are not committed (a reader could take
    # them for dataset copies): tools/fuzz.sh draws them before fuzzing idx.
    if len(sys.argv) == 3 and sys.argv[1] == "--idx":
        ROOT["dir"] = sys.argv[2]
        idx_seeds()
        sys.exit(0)
    # Overwrites its own files only: seeds/model/rule-*.dgi come from
    # check_oracle.py --pick.
    model_seeds()
    preprocess_seeds()
    read_seeds()
    image_seeds()
