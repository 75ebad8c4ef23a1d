#!/usr/bin/env python3
"""Writes a corpus of hostile inputs, small generators instead of stored
files: malformed .dgi models (through tools/format/dgi.py, the independent
implementation of docs/FORMAT.md) and malformed images (PNG, JPEG, Netpbm,
formats the decoder does not read, things that are not images), then
manifest.json describing each.

    python3 Tests/hostile/generate.py OUTDIR

manifest.json: {"models": [...], "images": [...]}, one entry per input:
  {"file": NAME (relative to OUTDIR), "why": what is wrong with it,
   models: "status": the dgi_status name dgi_model_open must return
           ("DGI_ERROR_MALFORMED", ...), "rule": the FORMAT.md rule that fails;
   images: "outcome": "error" (this image must fail alone, with a message
           containing one of "keywords", case-insensitive; an empty list
           accepts any specific message), "absent": true for a path that
           must not exist}.

A model's expected status is the one its mutation was made to provoke; the
generator checks it against dgi.read() (which follows FORMAT.md section 13
rule by rule), so a mutation that misses its rule fails here, not in a test.

Pure Python and zlib; the JPEG and PNG inputs are cut from or built around
models/samples (the PNG ones are also built from scratch). Takes about 3 s,
most of it compressing the 16-bit RGBA bomb (8000x8000, about 0.5 MB).
"""

from __future__ import annotations

import json
import os
import struct
import sys
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SAMPLES = REPO / "models" / "samples"
sys.path.insert(0, str(REPO / "tools" / "format"))

import dgi  # noqa: E402  (tools/format/dgi.py)

# --- models -------------------------------------------------------------------

HEADER = {  # field: (offset, struct format), FORMAT.md section 5
    "magic": (0, "<I"), "major": (4, "<H"), "header_size": (8, "<I"), "file_size": (12, "<I"),
    "crc": (16, "<I"), "flags": (20, "<I"), "layer_count": (24, "<H"), "input_height": (26, "<H"),
    "input_width": (28, "<H"), "class_count": (32, "<H"), "input_zero_point": (34, "<b"),
    "reserved": (35, "<B"), "softmax_beta": (36, "<I"), "scratch_size": (40, "<I"),
    "layer_table": (44, "<I"), "name_offset": (48, "<I"), "name_length": (52, "<I"),
    "metadata_offset": (56, "<I"), "metadata_length": (60, "<I"),
}
RECORD = {  # field: (offset, struct format), FORMAT.md section 7
    "kind": (0, "<B"), "flags": (1, "<B"), "in_zero_point": (2, "<b"), "out_zero_point": (3, "<b"),
    "in_h": (4, "<H"), "in_w": (6, "<H"), "in_c": (8, "<H"), "out_h": (10, "<H"), "out_w": (12, "<H"),
    "out_c": (14, "<H"), "kernel_h": (16, "<B"), "kernel_w": (17, "<B"), "stride_h": (18, "<B"),
    "stride_w": (19, "<B"), "params": (20, "<I"), "reserved": (28, "<I"),
}


def base_model() -> bytes:
    """FORMAT.md's worked example: 6 layers (3 pools, conv, flatten, dense), 2 classes."""
    return dgi.write(dgi.example_model())


def with_crc(data: bytearray) -> bytes:
    """Recomputes the CRC, so that the structural check, not H8, must fail."""
    file_size = min(struct.unpack_from("<I", data, 12)[0], len(data))
    struct.pack_into("<I", data, 16, dgi.file_checksum(bytes(data), file_size))
    return bytes(data)


def header(**fields):
    def mutate(data: bytearray) -> bytes:
        for name, value in fields.items():
            offset, fmt = HEADER[name]
            struct.pack_into(fmt, data, offset, value)
        return with_crc(data)
    return mutate


def record(index: int, **fields):
    def mutate(data: bytearray) -> bytes:
        table = struct.unpack_from("<I", data, 44)[0]
        for name, value in fields.items():
            offset, fmt = RECORD[name]
            struct.pack_into(fmt, data, table + 32 * index + offset, value)
        return with_crc(data)
    return mutate


def first_layer_with_params(data: bytearray):
    return next(layer for layer in dgi.read(bytes(data)).layers if layer.has_params)


def first_weight(value: int):
    def mutate(data: bytearray) -> bytes:
        conv = first_layer_with_params(data)
        data[conv.params] = value & 0xFF
        return with_crc(data)
    return mutate


def first_shift(value: int):
    def mutate(data: bytearray) -> bytes:
        conv = first_layer_with_params(data)
        out_c = conv.out_shape[2]
        weights_end = dgi.align(conv.params + len(conv.weights), 16)
        shifts = dgi.align(dgi.align(weights_end + 4 * out_c, 16) + 4 * out_c, 16)
        data[shifts] = value
        return with_crc(data)
    return mutate


def flip_weight_keep_crc(data: bytearray) -> bytes:
    """One weight byte changed, the stored CRC kept: only H8 can tell."""
    model = dgi.read(bytes(data))
    conv = next(layer for layer in model.layers if layer.has_params)
    data[conv.params] ^= 0x01
    return bytes(data)


def zero_layers(data: bytearray) -> bytes:
    return header(layer_count=0)(data)


def unterminated_metadata(data: bytearray) -> bytes:
    offset, length = struct.unpack_from("<II", data, 56)
    data[offset + length] = ord("x")
    return with_crc(data)


def seventeen_layers(data: bytearray) -> bytes:
    return header(layer_count=17)(data)


def wide_conv_first(data: bytearray) -> bytes:
    """Layer 0 becomes a 1x1 conv2d to 28x28x65535 (51 million outputs): the
    shape passes every earlier rule and overflows L5's 2^24."""
    return record(0, kind=dgi.CONV2D, flags=0, out_h=28, out_w=28, out_c=65535, kernel_h=1, kernel_w=1,
                  stride_h=1, stride_w=1, params=0)(data)


def garbage_after_magic(data: bytearray) -> bytes:
    noise = bytearray((i * 197 + 89) & 0xFF for i in range(1024))
    noise[0:4] = b"DGIF"
    return bytes(noise)


# (file, why, expected status name, FORMAT.md rule, mutation of the base model's bytes)
MODELS = [
    ("empty.dgi", "an empty file", "DGI_ERROR_TRUNCATED", "H1", lambda d: b""),
    ("three-bytes.dgi", "3 bytes: less than the magic", "DGI_ERROR_TRUNCATED", "H1", lambda d: bytes(d[:3])),
    ("bad-magic.dgi", "the magic is 'DGIX'", "DGI_ERROR_MAGIC", "H2",
     lambda d: bytes(b"DGIX" + d[4:])),
    ("png-as-model.dgi", "a PNG file given as a model", "DGI_ERROR_MAGIC", "H2",
     lambda d: (SAMPLES / "paint-program-8.png").read_bytes()),
    ("magic-only.dgi", "the magic and 28 bytes: a cut header", "DGI_ERROR_TRUNCATED", "H3",
     lambda d: bytes(d[:32])),
    ("version-2.dgi", "format_major 2", "DGI_ERROR_VERSION", "H4", header(major=2)),
    ("version-0.dgi", "format_major 0", "DGI_ERROR_VERSION", "H4", header(major=0)),
    ("header-size-65.dgi", "header_size 65, not a multiple of 16", "DGI_ERROR_MALFORMED", "H5",
     header(header_size=65)),
    ("truncated.dgi", "the last byte cut off", "DGI_ERROR_TRUNCATED", "H6", lambda d: bytes(d[:-1])),
    ("truncated-half.dgi", "cut in half", "DGI_ERROR_TRUNCATED", "H6", lambda d: bytes(d[:len(d) // 2])),
    ("file-size-huge.dgi", "file_size 0xFFFFFFFF", "DGI_ERROR_TRUNCATED", "H6",
     header(file_size=0xFFFFFFFF)),
    ("file-size-below-header.dgi", "file_size 32, below the header", "DGI_ERROR_MALFORMED", "H7",
     header(file_size=32)),
    ("bad-crc.dgi", "the stored CRC off by one", "DGI_ERROR_CHECKSUM", "H8",
     lambda d: bytes(d[:16]) + struct.pack("<I", (struct.unpack_from("<I", d, 16)[0] + 1) & 0xFFFFFFFF)
     + bytes(d[20:])),
    ("weight-changed.dgi", "a weight changed, the CRC not updated", "DGI_ERROR_CHECKSUM", "H8",
     flip_weight_keep_crc),
    ("flags.dgi", "header flags 1 (none are defined)", "DGI_ERROR_UNSUPPORTED", "H9", header(flags=1)),
    ("zero-layers.dgi", "layer_count 0", "DGI_ERROR_MALFORMED", "H10", zero_layers),
    ("seventeen-layers.dgi", "layer_count 17", "DGI_ERROR_UNSUPPORTED", "H11", seventeen_layers),
    ("input-zero.dgi", "input height 0", "DGI_ERROR_MALFORMED", "H12", header(input_height=0)),
    ("input-32x32.dgi", "a 32x32 input", "DGI_ERROR_UNSUPPORTED", "H13", header(input_height=32, input_width=32)),
    ("zero-classes.dgi", "class_count 0", "DGI_ERROR_MALFORMED", "H14", header(class_count=0)),
    ("twelve-classes.dgi", "class_count 12 (11 is the most: ten digits and \"not a digit\")", "DGI_ERROR_UNSUPPORTED", "H15",
     header(class_count=12)),
    ("input-zero-point.dgi", "input zero point 0", "DGI_ERROR_UNSUPPORTED", "H16", header(input_zero_point=0)),
    ("reserved-byte.dgi", "header byte 35 set", "DGI_ERROR_MALFORMED", "H17", header(reserved=1)),
    ("softmax-beta-zero.dgi", "softmax_beta 0", "DGI_ERROR_MALFORMED", "H18", header(softmax_beta=0)),
    ("layer-table-past-end.dgi", "layer_table 0xFFFFFFF0, past the end", "DGI_ERROR_MALFORMED", "H19",
     header(layer_table=0xFFFFFFF0)),
    ("name-past-end.dgi", "name_offset past the end", "DGI_ERROR_MALFORMED", "H20",
     header(name_offset=0x7FFFFFF0)),
    ("name-length-huge.dgi", "name_length 0xFFFFFFFF (offset + length overflows 32 bits)", "DGI_ERROR_MALFORMED",
     "H20", header(name_length=0xFFFFFFFF)),
    ("metadata-unterminated.dgi", "the metadata's NUL replaced", "DGI_ERROR_MALFORMED", "H21",
     unterminated_metadata),
    ("layer-kind-9.dgi", "layer 0 of kind 9", "DGI_ERROR_UNSUPPORTED", "L1", record(0, kind=9)),
    ("layer-reserved.dgi", "layer 1's reserved word set", "DGI_ERROR_MALFORMED", "L2", record(1, reserved=7)),
    ("chain-break-shape.dgi", "layer 1's input is not layer 0's output", "DGI_ERROR_MALFORMED", "L3",
     record(1, in_h=13)),
    ("chain-break-zero-point.dgi", "layer 4's input zero point is not layer 3's output's",
     "DGI_ERROR_MALFORMED", "L3", record(4, in_zero_point=5)),
    ("layer-output-zero.dgi", "layer 0's output has 0 channels", "DGI_ERROR_MALFORMED", "L4", record(0, out_c=0)),
    ("conv-stride-2.dgi", "a conv2d of stride 2", "DGI_ERROR_UNSUPPORTED", "C2", record(3, stride_h=2)),
    ("conv-kernel-too-big.dgi", "a 5x5 kernel on a 3x3 input", "DGI_ERROR_MALFORMED", "C6",
     record(3, kernel_h=5, kernel_w=5)),
    ("pool-3x3.dgi", "a 3x3 max-pool", "DGI_ERROR_UNSUPPORTED", "P2", record(0, kernel_h=3)),
    ("flatten-wrong-size.dgi", "flatten to 2 values from 1", "DGI_ERROR_MALFORMED", "F3", record(4, out_c=2)),
    ("shape-overflow.dgi", "28x28x65535 outputs (> 2^24)", "DGI_ERROR_UNSUPPORTED", "L5", wide_conv_first),
    ("params-past-end.dgi", "the conv2d's parameters at 0x7FFFFFF0", "DGI_ERROR_MALFORMED", "B1",
     record(3, params=0x7FFFFFF0)),
    ("params-in-header.dgi", "the conv2d's parameters inside the layer table", "DGI_ERROR_MALFORMED", "B1",
     record(3, params=64)),
    ("params-unaligned.dgi", "the conv2d's parameters not 16-aligned", "DGI_ERROR_MALFORMED", "B1",
     lambda d: record(3, params=dgi.read(bytes(d)).layers[3].params + 1)(d)),
    ("weight-minus-128.dgi", "a weight of -128", "DGI_ERROR_MALFORMED", "B2", first_weight(-128)),
    ("shift-40.dgi", "a requantization shift of 40", "DGI_ERROR_MALFORMED", "B6", first_shift(40)),
    ("scratch-too-small.dgi", "scratch_size 16, below the arenas", "DGI_ERROR_MALFORMED", "E2",
     header(scratch_size=16)),
    ("scratch-huge.dgi", "scratch_size 0xFFFFFFFF", "DGI_ERROR_UNSUPPORTED", "E3", header(scratch_size=0xFFFFFFFF)),
    ("scratch-2g.dgi", "scratch_size 2^31", "DGI_ERROR_UNSUPPORTED", "E3", header(scratch_size=2 ** 31)),
    ("garbage-after-magic.dgi", "the magic, then 1 KiB of noise", "DGI_ERROR_VERSION", "H4", garbage_after_magic),
]


def spec_status(data: bytes):
    """(status name, rule) by tools/format/dgi.py; ("DGI_OK", "") if it opens."""
    try:
        dgi.read(data)
    except dgi.DgiError as error:
        return "DGI_ERROR_" + error.status, error.rule
    return "DGI_OK", ""


# --- images ---------------------------------------------------------------------


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png(width: int, height: int, rows: bytes, depth: int = 8, colour: int = 0, ihdr_size=None) -> bytes:
    w, h = ihdr_size or (width, height)
    ihdr = struct.pack(">IIBBBBB", w, h, depth, colour, 0, 0, 0)
    return PNG_SIGNATURE + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def digit_rows(width: int = 40, height: int = 40) -> bytes:
    """8-bit gray rows (filter byte 0) of a dark vertical stroke on white: a 1."""
    rows = bytearray()
    for y in range(height):
        row = bytearray(b"\xff" * width)
        if 6 <= y < height - 6:
            row[width // 2 - 2:width // 2 + 2] = b"\x00" * 4
        rows += b"\x00" + row
    return bytes(rows)


def png_chunks(data: bytes):
    """[(offset, type, length)] of a PNG's chunks."""
    out, at = [], 8
    while at + 8 <= len(data):
        length = struct.unpack_from(">I", data, at)[0]
        out.append((at, data[at + 4:at + 8], length))
        at += 12 + length
    return out


def bomb_png(side: int = 8000) -> bytes:
    """16-bit RGBA, side x side (64 million pixels at 8000: the decoder's pixel
    limit exactly, 512 MB decoded), all zero: about 0.5 MB compressed."""
    row = b"\x00" * (1 + side * 8)
    packer = zlib.compressobj(9)
    parts = [packer.compress(row) for _ in range(side)]
    parts.append(packer.flush())
    ihdr = struct.pack(">IIBBBBB", side, side, 16, 6, 0, 0, 0)
    return PNG_SIGNATURE + chunk(b"IHDR", ihdr) + chunk(b"IDAT", b"".join(parts)) + chunk(b"IEND", b"")


def jpeg_segments(data: bytes):
    """{marker: offset} of the first segment of each marker before the scan, and 'scan': the first entropy byte."""
    at, found = 2, {}
    while at + 4 <= len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        length = struct.unpack_from(">H", data, at + 2)[0]
        found.setdefault(marker, at)
        at += 2 + length
        if marker == 0xDA:
            found["scan"] = at
            break
    return found


def images():
    """[(file, bytes or None for a directory, why, outcome, keywords)]."""
    good = png(40, 40, digit_rows())
    sample_png = (SAMPLES / "paint-program-8.png").read_bytes()
    jpeg = (SAMPLES / "pen-on-paper-4.jpg").read_bytes()
    segments = jpeg_segments(jpeg)
    scan = segments["scan"]
    idat = next(c for c in png_chunks(sample_png) if c[1] == b"IDAT")
    sof = segments.get(0xC0, segments.get(0xC2))
    out = []

    def add(name, data, why, keywords, outcome="error"):
        out.append((name, data, why, outcome, keywords))

    add("empty.png", b"", "an empty file", ["empty"])
    add("text.png", b"hello, world\nthis is not an image\n", "a text file named .png", ["not an image"])
    add("one-zero-byte.png", b"\0", "one zero byte", ["not an image"])
    add("png-signature-cut.png", PNG_SIGNATURE[:4], "4 bytes of the PNG signature", ["truncated", "PNG"])
    add("png-signature-only.png", PNG_SIGNATURE, "the PNG signature alone", ["PNG"])
    for cut, where in ((20, "inside IHDR"), (idat[0], "before IDAT"), (idat[0] + 100, "inside IDAT"),
                       (len(sample_png) - 12, "before IEND"), (len(sample_png) - 1, "inside IEND")):
        add(f"png-cut-{cut}.png", sample_png[:cut], f"a sample PNG cut {where}", ["PNG", "truncated"])
    bad_crc = bytearray(sample_png)
    bad_crc[idat[0] + 8 + idat[2]] ^= 0x01
    add("png-idat-bad-crc.png", bytes(bad_crc), "a sample PNG with IDAT's CRC damaged", ["PNG", "CRC"])
    bad_zlib = bytearray(good)
    good_idat = next(c for c in png_chunks(good) if c[1] == b"IDAT")
    for i in range(good_idat[0] + 10, good_idat[0] + 8 + good_idat[2] - 2):
        bad_zlib[i] ^= 0x5A
    fixed = bytes(bad_zlib[:good_idat[0]]) + chunk(b"IDAT", bytes(bad_zlib[good_idat[0] + 8:good_idat[0] + 8 + good_idat[2]]))
    fixed += good[good_idat[0] + 12 + good_idat[2]:]
    add("png-bad-zlib.png", fixed, "IDAT's deflate data damaged, its CRC recomputed", ["PNG"])
    add("png-zero-width.png", png(40, 40, digit_rows(), ihdr_size=(0, 40)), "IHDR width 0", ["PNG", "zero"])
    add("png-zero-height.png", png(40, 40, digit_rows(), ihdr_size=(40, 0)), "IHDR height 0", ["PNG", "zero"])
    add("png-huge.png", png(40, 40, digit_rows(), ihdr_size=(100000, 100000)),
        "IHDR 100000x100000 (10 GB of pixels)", ["too large", "limit", "PNG"])
    add("png-width-2g.png", png(40, 40, digit_rows(), ihdr_size=(0x80000000, 1)),
        "IHDR width 2^31 (above PNG's limit)", ["too large", "limit", "PNG"])
    add("png-bad-depth.png", png(40, 40, digit_rows(), depth=3), "bit depth 3", ["PNG"])
    add("png-bad-colour-type.png", png(40, 40, digit_rows(), colour=5), "colour type 5", ["PNG"])
    add("png-no-ihdr.png", PNG_SIGNATURE + chunk(b"IEND", b""), "a PNG with no IHDR", ["PNG"])
    add("png-short-rows.png", png(40, 40, digit_rows()[:400]), "IDAT holds 10 of 40 rows", ["PNG"])
    # A decompression bomb: accepted within the limits (and then blank: no
    # digit) or refused by a decoding limit; either way an error of its own.
    add("png-bomb-16bit-rgba.png", bomb_png(), "16-bit RGBA 8000x8000 of zeros, 0.5 MB compressed", [])
    add("jpeg-soi-only.jpg", jpeg[:3], "the JPEG signature alone", ["JPEG"])
    for cut, where in ((20, "in the headers"), (scan, "at the scan's start"), (scan + 40, "early in the scan"),
                       ((scan + len(jpeg)) // 2, "mid-scan")):
        add(f"jpeg-cut-{cut}.jpg", jpeg[:cut], f"a sample JPEG cut {where}", ["JPEG", "truncated"])
    add("jpeg-no-frame.jpg", b"\xff\xd8\xff\xd9", "SOI then EOI: no frame", ["JPEG"])
    corrupt = bytearray(jpeg)
    middle = (scan + len(jpeg)) // 2
    for i in range(0, 32, 2):
        corrupt[middle + i:middle + i + 2] = b"\xff\x00"
    add("jpeg-corrupt-scan.jpg", bytes(corrupt), "sixteen one-bits in a row inside the scan", ["JPEG"])
    if sof is not None:
        huge = bytearray(jpeg)
        huge[sof + 5:sof + 9] = b"\xff\xdc\xff\xdc"
        add("jpeg-huge.jpg", bytes(huge), "SOF declares 65500x65500", ["too large", "limit", "JPEG"])
        zero = bytearray(jpeg)
        zero[sof + 7:sof + 9] = b"\x00\x00"
        add("jpeg-zero-width.jpg", bytes(zero), "SOF declares width 0", ["JPEG", "zero"])
    add("gif.gif", b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + b"\x00" * 20, "a GIF header", ["unsupported", "GIF"])
    add("bmp.bmp", b"BM" + struct.pack("<IHHI", 70, 0, 0, 54) + b"\x00" * 56, "a BMP header", ["unsupported", "BMP"])
    add("webp.webp", b"RIFF" + struct.pack("<I", 30) + b"WEBPVP8 " + b"\x00" * 22, "a WebP header",
        ["unsupported", "WebP"])
    add("tiff.tif", b"II*\x00\x08\x00\x00\x00" + b"\x00" * 16, "a little-endian TIFF header", ["unsupported", "TIFF"])
    add("tiff-be.tif", b"MM\x00*\x00\x00\x00\x08" + b"\x00" * 16, "a big-endian TIFF header", ["unsupported", "TIFF"])
    add("pam.pam", b"P7\nWIDTH 2\nHEIGHT 2\nDEPTH 1\nMAXVAL 255\nTUPLTYPE GRAYSCALE\nENDHDR\n\0\0\0\0", "a PAM file",
        ["unsupported", "PAM"])
    add("pgm-maxval-0.pgm", b"P5\n4 4\n0\n" + b"\0" * 16, "a PGM with maxval 0", ["maxval"])
    add("pgm-maxval-70000.pgm", b"P5\n4 4\n70000\n" + b"\0" * 32, "a PGM with maxval 70000", ["maxval"])
    add("pgm-truncated.pgm", b"P5\n40 40\n255\n" + b"\x80" * 100, "a PGM with 100 of 1600 raster bytes",
        ["truncated", "PGM"])
    add("pgm-no-raster.pgm", b"P5\n40 40\n255\n", "a PGM header alone", ["truncated", "PGM"])
    add("pgm-header-cut.pgm", b"P5\n40", "a PGM header cut after the width", ["truncated", "PGM"])
    add("pgm-zero-width.pgm", b"P5\n0 40\n255\n", "a PGM of width 0", ["zero", "PGM"])
    add("pgm-huge.pgm", b"P5\n100000 100000\n255\n" + b"\0" * 64, "a PGM declaring 100000x100000",
        ["too large", "limit"])
    add("pgm-size-overflow.pgm", b"P5\n99999999999999999999 1\n255\n\0", "a PGM width of 20 digits",
        ["too large", "PGM"])
    add("pgm-ascii-over-maxval.pgm", b"P2\n2 2\n15\n0 16 3 4\n", "a plain PGM sample 16 over maxval 15",
        ["maxval"])
    add("pgm-ascii-letters.pgm", b"P2\n2 2\n255\n0 x 3 4\n", "a plain PGM with a letter in its raster", ["PGM"])
    add("pbm-bad-bit.pbm", b"P1\n2 2\n0 1 2 0\n", "a plain PBM with a 2", ["PBM"])
    add("pbm-truncated.pbm", b"P4\n16 16\n\xff\x00", "a raw PBM with 2 of 32 bytes", ["truncated", "PBM"])
    add("ppm-16bit-truncated.ppm", b"P6\n8 8\n65535\n" + b"\x12" * 100, "a 16-bit PPM with 100 of 384 bytes",
        ["truncated", "PPM"])
    add("empty-directory", None, "an empty directory among the images", ["directory"])
    out.append(("missing.png", "absent", "a path that does not exist", "error", ["no such file"]))
    return out


def generate(outdir: Path) -> dict:
    outdir.mkdir(parents=True, exist_ok=True)
    base = base_model()
    assert spec_status(base) == ("DGI_OK", ""), "the worked example must open"
    manifest = {"models": [], "images": []}
    for name, why, status, rule, mutate in MODELS:
        data = mutate(bytearray(base))
        got = spec_status(data)
        if got != (status, rule):
            raise SystemExit(f"generate.py: {name} was meant to fail {rule} with {status}; "
                             f"tools/format/dgi.py says {got[0]} ({got[1]})")
        (outdir / name).write_bytes(data)
        manifest["models"].append({"file": name, "why": why, "status": status, "rule": rule})
    for name, data, why, outcome, keywords in images():
        entry = {"file": name, "why": why, "outcome": outcome, "keywords": keywords}
        path = outdir / name
        if data == "absent":
            entry["absent"] = True
            if path.exists():
                path.unlink()
        elif data is None:
            path.mkdir(exist_ok=True)
        else:
            path.write_bytes(data)
        manifest["images"].append(entry)
    (outdir / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: generate.py OUTDIR")
    result = generate(Path(sys.argv[1]))
    print(f"{len(result['models'])} models, {len(result['images'])} images in {sys.argv[1]}")
