"""Checks docs/FORMAT.md against the Swift runtime's golden vectors, through
tools/format/dgi.py, an independent implementation of the document.

    python3 -m pytest tools/format -q
"""

import re
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
GOLDEN = ROOT / "Tests" / "DigitInferTests" / "Golden"
SHIPPED = ROOT / "models"
FORMAT_MD = ROOT / "docs" / "FORMAT.md"

sys.path.insert(0, str(HERE))
import dgi  # noqa: E402

MODELS = ("tiny.dgi", "reference.dgi")


def golden(name):
    return (GOLDEN / name).read_bytes()


def images():
    data = (GOLDEN / "inputs.bin").read_bytes()
    assert len(data) == 16 * 784
    return [data[784 * i:784 * (i + 1)] for i in range(16)]


def expected_lines(model_file):
    rows = []
    for line in (GOLDEN / "expected.txt").read_text().splitlines():
        parts = line.split()
        if parts and parts[0] == model_file:
            rows.append((int(parts[1]), int(parts[2]), [int(v) for v in parts[3:]]))
    return rows


@pytest.fixture(scope="module")
def models():
    return {name: dgi.read(golden(name)) for name in MODELS}


# --- (a) the golden vectors, from the spec alone ------------------------------


@pytest.mark.parametrize("model_file", MODELS)
def test_golden_logits_and_digits(models, model_file):
    model = models[model_file]
    rows = expected_lines(model_file)
    assert [r[0] for r in rows] == list(range(16))
    pixels = images()
    for index, digit, expected in rows:
        logits = dgi.infer(model, pixels[index])
        assert len(logits) == model.class_count
        padded = logits + [0] * (10 - len(logits))
        got_digit, _ = dgi.softmax(model, logits)
        assert (got_digit, padded) == (digit, expected), f"{model_file} image {index}"


# --- (b) scratch size ------------------------------------------------------------


@pytest.mark.parametrize("model_file", MODELS)
def test_golden_files_are_1_1_and_store_the_arenas(models, model_file):
    data = golden(model_file)
    model = models[model_file]
    stored = struct.unpack_from("<I", data, 40)[0]
    assert struct.unpack_from("<HH", data, 4) == (1, 1)
    assert dgi.scratch_plan(model.layers)[2] == stored == model.scratch_size
    assert model.arena_a + model.arena_b == stored


def test_reference_scratch_is_11520(models):
    assert dgi.scratch_plan(models["reference.dgi"].layers) == (2304, 9216, 11520)
    assert dgi.scratch_plan(models["tiny.dgi"].layers) == (784, 3136, 3920)


def workspace_1_0(layer):
    """The K_layer of a 1.0 file (FORMAT.md, section 12, "Files of version
    1.0"): only for checking what 1.0 writers stored."""
    h, w, c = layer.in_shape
    if layer.kind == dgi.DENSE:
        return dgi.align(2 * dgi.align(c, 8), 16)
    if layer.kind != dgi.CONV2D:
        return 0
    kh, kw = layer.kernel
    ph, pw = layer.pad
    padded = (h + 2 * ph) * (w + 2 * pw) * c
    row = kw * c
    if row <= 8:
        panel = kh * ((row + 1) // 2) * ((layer.out_shape[2] + 15) // 16) * 64
    else:
        panel = 8 * kh * dgi.align(row, 8)
    return dgi.align(2 * padded + 16, 16) + dgi.align(panel, 16)


def test_1_0_workspace_note(models):
    """The historical K of FORMAT.md reproduces the values it quotes."""
    ks = [max(workspace_1_0(l) for l in models[name].layers) for name in MODELS]
    assert ks == [2208, 7824]  # tiny, reference: 1.0 files stored 6128 and 19344
    ex = dgi.read(dgi.write(dgi.example_model()))
    assert max(workspace_1_0(l) for l in ex.layers) == 432  # 784 + 208 + 432 = 1424


@pytest.mark.parametrize("path", sorted(SHIPPED.glob("*.dgi")), ids=lambda p: p.name)
def test_shipped_models_are_1_1_or_1_2_files(path):
    """models/*.dgi, written by 1.0 writers (A + B + K), were rewritten as 1.1
    files: minor 1 and exactly the two arenas, A + B; mnist-int8.dgi has since
    been replaced by an 11-class model, a 1.2 file (section 4.2)."""
    data = path.read_bytes()
    m = dgi.read(data)
    assert (m.major, m.minor) == (1, 2 if m.class_count == 11 else 1)
    assert path.name != "mnist-int8.dgi" or m.class_count == 11
    assert m.scratch_size == m.arena_a + m.arena_b


def test_scratch_size_is_a_lower_bound():
    """Rule E2 of 1.1: scratch_size >= A + B; E3: at most 2^31 - 1."""
    data = golden("tiny.dgi")  # A + B = 784 + 3136 = 3920
    assert struct.unpack_from("<I", data, 40)[0] == 3920
    assert status_of(patch(data, 40, 3920, 4)) == ("OK", None)
    assert status_of(patch(data, 40, 3919, 4)) == ("MALFORMED", "E2")
    assert status_of(patch(data, 40, 0, 4)) == ("MALFORMED", "E2")
    # A 1.0 file: minor 0 and the larger value a 1.0 writer stored (K = 2208).
    old = patch(patch(data, 6, 0, 2), 40, 6128, 4)
    m = dgi.read(old)
    assert (m.minor, m.scratch_size, m.arena_a, m.arena_b) == (0, 6128, 784, 3136)
    image = images()[5]
    assert dgi.infer(m, image) == dgi.infer(dgi.read(data), image)
    # The rule does not depend on the minor version.
    assert status_of(patch(data, 6, 0, 2)) == ("OK", None)
    assert status_of(patch(patch(data, 6, 0, 2), 40, 3919, 4)) == ("MALFORMED", "E2")
    assert status_of(patch(data, 40, 2**31 - 1, 4)) == ("OK", None)
    assert status_of(patch(data, 40, 2**31, 4)) == ("UNSUPPORTED", "E3")
    assert status_of(patch(data, 40, 2**32 - 1, 4)) == ("UNSUPPORTED", "E3")
    # The reference model and the worked example.
    ref = golden("reference.dgi")  # 2304 + 9216
    assert status_of(patch(ref, 40, 11519, 4)) == ("MALFORMED", "E2")
    assert status_of(patch(ref, 40, 11520, 4)) == ("OK", None)
    assert status_of(patch(ref, 40, 19344, 4)) == ("OK", None)  # what 1.0 writers stored
    ex = dgi.write(dgi.example_model())  # 784 + 208
    assert status_of(patch(ex, 40, 991, 4)) == ("MALFORMED", "E2")
    assert status_of(patch(ex, 40, 1424, 4)) == ("OK", None)


def test_reference_counts(models):
    m = models["reference.dgi"]
    macs = sum(l.out_shape[0] * l.out_shape[1] * l.out_shape[2] * l.fan_in for l in m.layers)
    params = sum(len(l.weights) + len(l.bias) for l in m.layers)
    assert (macs, params) == (1_083_008, 46_730)


# --- (c) truncation and corruption ---------------------------------------------


def status_of(data):
    try:
        dgi.read(data)
    except dgi.DgiError as e:
        return e.status, e.rule
    return "OK", None


def patch(data, offset, value, width, fix_crc=True):
    f = bytearray(data)
    f[offset:offset + width] = (value & ((1 << (8 * width)) - 1)).to_bytes(width, "little")
    if fix_crc:
        size = struct.unpack_from("<I", f, 12)[0]
        if 20 <= size <= len(f):
            struct.pack_into("<I", f, 16, zlib.crc32(bytes(f[20:size]), zlib.crc32(bytes(f[:16]))))
    return bytes(f)


def test_every_truncation_is_truncated():
    data = golden("tiny.dgi")
    for length in range(len(data)):
        assert status_of(data[:length])[0] == "TRUNCATED", length
    assert status_of(data + b"\xff" * 5) == ("OK", None)  # trailing bytes are ignored


# tiny.dgi: layer table at 64; layer 0 conv2d 3x3 SAME 1->4 (weights at 336,
# bias at 384, multipliers at 400, shifts at 416); layer 1 maxpool2d;
# layer 2 conv2d 3x3 valid (params at 432); layer 6 dense 16->10 (params at 4336).
L0, L1, L2, L6 = 64, 96, 128, 256
CORRUPTIONS = [
    # (offset, value, width, status, rule)
    (0, 0x46494745, 4, "MAGIC", "H2"),
    (4, 2, 2, "VERSION", "H4"),
    (8, 72, 4, "MALFORMED", "H5"),
    (8, 48, 4, "MALFORMED", "H5"),
    (12, 4603, 4, "TRUNCATED", "H6"),
    (12, 32, 4, "MALFORMED", "H7"),
    (20, 1, 4, "UNSUPPORTED", "H9"),
    (24, 0, 2, "MALFORMED", "H10"),
    (24, 17, 2, "UNSUPPORTED", "H11"),
    (26, 0, 2, "MALFORMED", "H12"),
    (28, 32, 2, "UNSUPPORTED", "H13"),
    (32, 0, 2, "MALFORMED", "H14"),
    (32, 12, 2, "UNSUPPORTED", "H15"),
    (32, 11, 2, "MALFORMED", "E1"),  # 11 classes are allowed (1.2), but tiny.dgi outputs 2
    (32, 9, 2, "MALFORMED", "E1"),
    (34, 0, 1, "UNSUPPORTED", "H16"),
    (35, 1, 1, "MALFORMED", "H17"),
    (36, 0, 4, "MALFORMED", "H18"),
    (36, 0x80000000, 4, "MALFORMED", "H18"),
    (36, 1, 4, "OK", None),  # beta is not checked against out_scale
    (40, 3920 - 16, 4, "MALFORMED", "E2"),
    (40, 3920 + 16, 4, "OK", None),  # a lower bound
    (40, 0x80000000, 4, "UNSUPPORTED", "E3"),
    (44, 72, 4, "MALFORMED", "H19"),
    (44, 48, 4, "MALFORMED", "H19"),
    (44, 4592, 4, "MALFORMED", "H19"),
    (52, 12, 4, "MALFORMED", "H20"),  # the byte after the name is not NUL
    (48, 4602, 4, "MALFORMED", "H20"),
    (60, 0xFFFFFFFF, 4, "MALFORMED", "H21"),
    (6, 7, 2, "OK", None),  # any minor version is readable
    (L0 + 0, 9, 1, "UNSUPPORTED", "L1"),
    (L0 + 28, 1, 4, "MALFORMED", "L2"),
    (L0 + 2, 0, 1, "MALFORMED", "L3"),
    (L0 + 14, 0, 2, "MALFORMED", "L4"),
    (L0 + 1, 7, 1, "UNSUPPORTED", "C1"),
    (L0 + 18, 2, 1, "UNSUPPORTED", "C2"),
    (L0 + 16, 0, 1, "MALFORMED", "C3"),
    (L0 + 16, 4, 1, "UNSUPPORTED", "C4"),
    (L0 + 10, 27, 2, "MALFORMED", "C5"),
    (L2 + 16, 15, 1, "MALFORMED", "C6"),
    (L2 + 10, 13, 2, "MALFORMED", "C7"),
    (L1 + 1, 1, 1, "UNSUPPORTED", "P1"),
    (L1 + 16, 3, 1, "UNSUPPORTED", "P2"),
    (L1 + 12, 13, 2, "MALFORMED", "P3"),
    (L1 + 3, 0, 1, "MALFORMED", "P4"),
    (L1 + 20, 16, 4, "MALFORMED", "P4"),
    (L6 + 1, 2, 1, "UNSUPPORTED", "D1"),
    (L6 + 16, 2, 1, "MALFORMED", "D3"),
    (L6 + 10, 2, 2, "MALFORMED", "D2"),
    (L6 + 19, 2, 1, "MALFORMED", "D3"),
    (L0 + 20, 337, 4, "MALFORMED", "B1"),  # not 16-aligned
    (L0 + 20, 64, 4, "MALFORMED", "B1"),  # inside the layer table
    (L6 + 20, 4592, 4, "MALFORMED", "B1"),  # runs past the end of the file
    (336, 0x80, 1, "MALFORMED", "B2"),
    (384, 0x7FFFFFFF, 4, "MALFORMED", "B4"),
    (388, -(2**31 - 1 - 9 * 32385) - 1, 4, "MALFORMED", "B4"),
    (392, 2**31 - 1 - 9 * 32385, 4, "OK", None),  # exactly the limit
    (392, -(2**31 - 1 - 9 * 32385), 4, "OK", None),
    (400, 0x80000000, 4, "MALFORMED", "B5"),
    (404, 0, 4, "OK", None),
    (416, 32, 1, "MALFORMED", "B6"),
    (419, 31, 1, "OK", None),
    (400, 0x80000000, 4, "MALFORMED", "B5"),
    (404 + 8, 0x80000000, 4, "MALFORMED", "B5"),
]


@pytest.mark.parametrize("offset,value,width,status,rule", CORRUPTIONS)
def test_corruption_status(offset, value, width, status, rule):
    assert status_of(patch(golden("tiny.dgi"), offset, value, width)) == (status, rule)


def test_flipped_bytes_fail_the_checksum():
    data = golden("tiny.dgi")
    for offset in (20, 63, 64, 300, 336, 4601):
        f = bytearray(data)
        f[offset] ^= 0x10
        assert status_of(bytes(f)) == ("CHECKSUM", "H8"), offset


def test_rules_beyond_the_golden_files():
    ex = dgi.write(dgi.example_model())
    # Example: 0-2 maxpool2d, 3 conv2d 3x3 valid on 3x3x1 (params 272), 4 flatten, 5 dense.
    flatten, conv = 64 + 4 * 32, 64 + 3 * 32
    assert status_of(patch(ex, flatten + 1, 1, 1)) == ("UNSUPPORTED", "F1")
    assert status_of(patch(ex, flatten + 17, 2, 1)) == ("MALFORMED", "F2")
    assert status_of(patch(ex, flatten + 14, 2, 2)) == ("MALFORMED", "F3")
    assert status_of(patch(ex, flatten + 3, 5, 1)) == ("MALFORMED", "F4")
    assert status_of(patch(ex, flatten + 20, 16, 4)) == ("MALFORMED", "F4")
    assert status_of(patch(ex, 64 + 5 * 32 + 8, 2, 2)) == ("MALFORMED", "L3")  # dense input != flatten output
    # A kernel larger than a valid convolution's input; SAME with a big kernel is fine.
    assert status_of(patch(ex, conv + 16, 5, 1)) == ("MALFORMED", "C6")
    same = patch(patch(ex, conv + 1, 3, 1), conv + 10, 3, 2)
    assert status_of(same) == ("MALFORMED", "C5")  # output must then be 3x3


def conv(shape, out_c, kernel, same=False):
    kh, kw = kernel
    h, w, c = shape
    out = (h, w, out_c) if same else (h - kh + 1, w - kw + 1, out_c)
    return dgi.Layer(dgi.CONV2D, 2 if same else 0, -128, -128, shape, out, kernel, (1, 1),
                     weights=[0] * (kh * kw * c * out_c), bias=[0] * out_c,
                     multipliers=[1 << 30] * out_c, shifts=[0] * out_c)


def test_accumulator_and_size_bounds():
    beta = dgi.softmax_beta_for_scale(0.1)
    # B3: fan-in 1 * 5 * 13263 = 66315 > 66311 (the input, 28 x 28 x 13263, is within 2^24).
    data = dgi.write(dgi.Model("b3", "", [conv((28, 28, 1), 13263, (1, 1)),
                                           conv((28, 28, 13263), 1, (1, 5), same=True)], beta))
    assert status_of(data) == ("UNSUPPORTED", "B3")
    # Fan-in 66310 is allowed: the file then fails only at E1 (its output is 28x28x1).
    data = dgi.write(dgi.Model("b3", "", [conv((28, 28, 1), 13262, (1, 1)),
                                           conv((28, 28, 13262), 1, (1, 5), same=True)], beta))
    assert status_of(data) == ("MALFORMED", "E1")
    ok = dgi.write(dgi.Model("ok", "", [conv((28, 28, 1), 20000, (1, 1)),
                                         conv((28, 28, 20000), 1, (1, 3), same=True)], beta))
    # B7: the padded input 28 x 30 x 20000 = 16.8 M elements exceeds 2^24.
    assert status_of(ok) == ("UNSUPPORTED", "B7")
    # L5: an output of more than 2^24 elements.
    data = dgi.write(dgi.Model("l5", "", [conv((28, 28, 1), 21400, (1, 1)),
                                           conv((28, 28, 21400), 1, (28, 28))], beta))
    assert status_of(data) == ("UNSUPPORTED", "L5")


def test_grown_header_and_new_minor_are_readable():
    """Section 4: a 1.x file with a larger header reads like 1.0."""
    data = golden("tiny.dgi")
    f = bytearray(data[:64] + b"\xab" * 16 + data[64:])
    struct.pack_into("<H", f, 6, 3)  # minor 3
    struct.pack_into("<I", f, 8, 80)
    struct.pack_into("<I", f, 12, len(f))
    for field in (44, 48, 56):
        struct.pack_into("<I", f, field, struct.unpack_from("<I", f, field)[0] + 16)
    for i in range(7):
        r = 80 + 32 * i
        p = struct.unpack_from("<I", f, r + 20)[0]
        if p:
            struct.pack_into("<I", f, r + 20, p + 16)
    struct.pack_into("<I", f, 16, dgi.file_checksum(f, len(f)))
    grown = dgi.read(bytes(f))
    assert (grown.minor, grown.header_size) == (3, 80)
    original = dgi.read(data)
    image = images()[3]
    assert dgi.infer(grown, image) == dgi.infer(original, image)
    # The table may not start inside the grown header.
    struct.pack_into("<I", f, 44, 64)
    struct.pack_into("<I", f, 16, dgi.file_checksum(f, len(f)))
    assert status_of(bytes(f)) == ("MALFORMED", "H19")


def test_crc_is_zlibs():
    for data in (b"", b"123456789", golden("tiny.dgi")):
        assert dgi.crc32(data) == zlib.crc32(data)
    assert dgi.crc32(b"123456789") == 0xCBF43926


def test_writer_reproduces_the_golden_files(models):
    for name in MODELS:
        assert dgi.write(models[name]) == golden(name), name


# --- (d) the worked example --------------------------------------------------------


def format_md_example():
    text = FORMAT_MD.read_text()
    block = re.search(r"<!-- dgi-example-begin -->\n```text\n(.*?)```\n<!-- dgi-example-end -->", text, re.S)
    assert block, "FORMAT.md has no dgi-example block"
    data = bytearray()
    for line in block.group(1).splitlines():
        m = re.fullmatch(r"([0-9a-f]{4}): ((?:[0-9a-f]{2} )*[0-9a-f]{2}) *\| .*", line)
        assert m, f"unparsable line: {line!r}"
        assert int(m.group(1), 16) == len(data), f"offset out of sequence: {line!r}"
        data += bytes.fromhex(m.group(2))
    return bytes(data), block.group(1)


def test_example_cli_matches_format_md(tmp_path):
    out = tmp_path / "ink.dgi"
    subprocess.run([sys.executable, str(HERE / "dgi.py"), "example", str(out)], check=True, capture_output=True)
    written = out.read_bytes()
    documented, listing = format_md_example()
    assert written == documented
    assert len(written) == 386
    assert dgi.write(dgi.read(written)) == written
    # The listing itself, annotations included, is what `hexdump` prints.
    dump = subprocess.run([sys.executable, str(HERE / "dgi.py"), "hexdump", str(out)], check=True,
                          capture_output=True, text=True).stdout
    assert dump == listing


def test_example_behaves_as_documented():
    m = dgi.read(dgi.write(dgi.example_model()))
    assert (m.scratch_size, m.softmax_beta, m.class_count, len(m.layers)) == (992, 1512775, 2, 6)
    assert (m.major, m.minor, m.crc, m.arena_a, m.arena_b) == (1, 1, 0xAFECF9E0, 784, 208)
    blank, ink = [0] * 784, [255] * 784
    assert dgi.infer(m, blank) == [16, -16]
    assert dgi.infer(m, ink) == [-111, 112]
    digit, p = dgi.softmax(m, [16, -16])
    assert digit == 0 and p == [float.fromhex("0x1.c2f7d4p-1"), float.fromhex("0x1.e84162p-4")]
    digit, p = dgi.softmax(m, [-111, 112])
    assert digit == 1 and (f"{p[0]:.9g}", f"{p[1]:.9g}") == ("8.84755707e-07", "0.999999166")
    # Ink only counts in the top-left 24x24 pixels (the pools drop the rest).
    corner = [0] * 784
    for y in range(24, 28):
        for x in range(28):
            corner[28 * y + x] = 255
    assert dgi.infer(m, corner) == [16, -16]


# --- (e) softmax --------------------------------------------------------------------


@pytest.mark.parametrize("model_file", MODELS)
def test_softmax_sums_to_one(models, model_file):
    model = models[model_file]
    for index, digit, expected in expected_lines(model_file):
        logits = expected[:model.class_count]
        best, probs = dgi.softmax(model, logits)
        assert best == digit == logits.index(max(logits))
        assert len(probs) == model.class_count
        assert abs(sum(probs) - 1) < 1e-6
        assert max(probs) == probs[best]
        assert all(dgi.to_f32(p) == p and 0 <= p <= 1 for p in probs)
        # The fixed-point exponential is close to the real softmax.
        scale = model.softmax_beta / 2**24 / 1.4426950408889634
        exps = [2.718281828459045 ** (scale * (q - max(logits))) for q in logits]
        for p, e in zip(probs, exps):
            assert abs(p - e / sum(exps)) < 1e-6


def test_exp2_fraction_accuracy():
    for f in range(0, 1 << 24, 4099):
        assert abs(dgi.exp2_neg_fraction(f) - 2 ** (30 - f / 2**24)) <= 2


# --- The requantization examples of FORMAT.md -----------------------------------------


def test_requantize_examples_in_format_md():
    text = FORMAT_MD.read_text()
    block = re.search(r"<!-- requantize-examples-begin -->\n(.*?)<!-- requantize-examples-end -->", text, re.S)
    assert block
    rows = [line for line in block.group(1).splitlines() if re.match(r"\| *-?\d", line)]
    assert len(rows) >= 8
    for row in rows:
        acc, m, shift, _, h, r, y = [c.strip() for c in row.strip("|").split("|")]
        acc, m, shift = int(acc), int(m), int(shift)
        assert (acc * m + (1 << 30)) >> 31 == int(h), row
        assert dgi.requantize(acc, m, shift) == int(r), row
        assert dgi.output_value(acc, m, shift, 0, False) == int(y), row


def test_requantize_matches_gemmlowp_formulation():
    """Section 10.4 gives two forms of each step; they agree."""
    import random

    rng = random.Random(5)

    def gemmlowp(acc, m, shift):
        ab = acc * m
        nudge = (1 << 30) if ab >= 0 else 1 - (1 << 30)
        q = abs(ab + nudge) >> 31
        h = q if ab + nudge >= 0 else -q  # truncating division by 2^31
        mask = (1 << shift) - 1
        threshold = (mask >> 1) + (1 if h < 0 else 0)
        return (h >> shift) + (1 if (h & mask) > threshold else 0)

    for _ in range(20000):
        acc = rng.randint(-(2**31) + 1, 2**31 - 1) >> rng.randint(0, 30)
        m = rng.choice([rng.randint(0, 2**31 - 1), 1 << 30, 2**31 - 1, 0, rng.randint(2**30, 2**31 - 1)])
        shift = rng.randint(0, 31)
        assert dgi.requantize(acc, m, shift) == gemmlowp(acc, m, shift)


# --- CLI ------------------------------------------------------------------------------


@pytest.mark.parametrize("model_file", MODELS)
def test_cli_inspect_and_hexdump(model_file):
    path = str(GOLDEN / model_file)
    out = subprocess.run([sys.executable, str(HERE / "dgi.py"), "inspect", path], check=True,
                         capture_output=True, text=True).stdout
    assert "format        1.1" in out and "scratch_size" in out
    scratch = {"tiny.dgi": "3920 (least allowed: arena A 784 + arena B 3136 = 3920)",
               "reference.dgi": "11520 (least allowed: arena A 2304 + arena B 9216 = 11520)"}
    assert f"scratch_size  {scratch[model_file]}\n" in out
    dump = subprocess.run([sys.executable, str(HERE / "dgi.py"), "hexdump", path], check=True,
                          capture_output=True, text=True).stdout
    assert dump.startswith("0000: 44 47 49 46")
    bad = subprocess.run([sys.executable, str(HERE / "dgi.py"), "inspect", str(HERE / "dgi.py")],
                         capture_output=True, text=True)
    assert bad.returncode == 1 and "MAGIC" in bad.stderr


# --- (f) "not a digit" (format 1.2) ------------------------------------------------


def _constant(logits):
    """flatten + dense with zero weights and biases 2 * logits, scale 0.5,
    output scale 1/16 (softmax_beta 1512775, the worked example's)."""
    q = -128
    n = len(logits)
    flatten = dgi.Layer(dgi.FLATTEN, 0, q, q, (28, 28, 1), (1, 1, 784), out_scale=dgi.to_f32(1 / 255))
    dense = dgi.Layer(dgi.DENSE, 0, q, 0, (1, 1, 784), (1, 1, n), out_scale=0.0625, weights=[0] * (784 * n),
                      bias=[2 * v for v in logits], multipliers=[1 << 30] * n, shifts=[0] * n)
    return dgi.read(dgi.write(dgi.Model(name="c", metadata="", layers=[flatten, dense],
                                        softmax_beta=dgi.softmax_beta_for_scale(0.0625))))


def test_eleven_classes_are_written_as_1_2_and_refuse():
    m = _constant([-16] * 7 + [0] + [-16] * 2 + [16])
    assert (m.minor, m.class_count) == (2, 11)
    assert _constant([0] * 10).minor == 1  # the lowest version that describes the file
    logits = dgi.infer(m, bytes(784))
    assert logits == [-16] * 7 + [0] + [-16] * 2 + [16]
    digit, confidence, probs, not_a_digit, best = dgi.result(m, logits)
    assert digit == dgi.NOT_A_DIGIT and best == 7 and confidence == not_a_digit
    assert len(probs) == 10 and max(probs) == probs[7] < not_a_digit
    assert abs(sum(probs) + not_a_digit - 1) < 1e-6


def test_not_a_digit_by_hand():
    # 2^30 against ten digits 32 below: e = 145315229 each (section 11).
    m = _constant([-16] * 10 + [16])
    digit, confidence, probs, not_a_digit, best = dgi.result(m, dgi.infer(m, bytes(784)))
    total = dgi.to_f32(2 ** 30 + 10 * 145315229)
    assert digit == -1 and best == 0
    assert not_a_digit == confidence == dgi.to_f32(2 ** 30 / total)
    assert probs == [dgi.to_f32(dgi.to_f32(145315229) / total)] * 10


def test_a_digit_tied_with_not_a_digit_wins_and_ten_classes_are_unchanged():
    m = _constant([-16] * 4 + [16] + [-16] * 5 + [16])
    digit, confidence, _, not_a_digit, best = dgi.result(m, dgi.infer(m, bytes(784)))
    assert digit == best == 4 and confidence == not_a_digit
    m = _constant([-16] * 3 + [16] + [-16] * 6)
    digit, _, probs, not_a_digit, best = dgi.result(m, dgi.infer(m, bytes(784)))
    assert digit == best == 3 and not_a_digit == 0.0 and len(probs) == 10
