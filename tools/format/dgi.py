#!/usr/bin/env python3
"""An independent reader, interpreter and writer for .dgi models (format 1.2).

Written from docs/FORMAT.md alone, as a third party would, so that it checks
the specification as much as the Swift runtime: if this file and the runtime
agree on the golden vectors, the document says everything that matters.
Standard library only.

    python3 tools/format/dgi.py inspect FILE      header fields and layers
    python3 tools/format/dgi.py hexdump FILE      annotated hex listing
    python3 tools/format/dgi.py example OUT.dgi   the worked example of FORMAT.md
    python3 tools/format/dgi.py run FILE IMAGES   logits and digit per 784-byte image

API: read(bytes) -> Model (raises DgiError), infer(model, pixels) -> logits,
softmax(model, logits) -> (class, probabilities), result(model, logits) ->
dgi_result's fields ("not a digit" apart), write(model) -> bytes.
"""

from __future__ import annotations

import math
import operator
import struct
import sys
from dataclasses import dataclass, field

# --- Constants (FORMAT.md, "Header" and "Layer record") ----------------------

MAGIC = 0x46494744  # b"DGIF" read as a little-endian u32
FORMAT_MAJOR = 1
FORMAT_MINOR = 2  # the newest minor this reader knows; 1.2 added "not a digit"
HEADER_SIZE = 64
RECORD_SIZE = 32
MAX_LAYERS = 16
MAX_CLASSES = 11  # the ten digits and, as class 10, "not a digit" (FORMAT.md, 10.7)
DIGIT_CLASSES = 10
NOT_A_DIGIT_CLASS = 10
NOT_A_DIGIT = -1  # result()'s digit when "not a digit" wins (DGI_NOT_A_DIGIT)
INPUT_SHAPE = (28, 28, 1)
INPUT_ZERO_POINT = -128
MAX_TENSOR_ELEMENTS = 1 << 24
INT32_MAX = (1 << 31) - 1

CONV2D, MAXPOOL2D, DENSE, FLATTEN = 1, 2, 3, 4
KIND_NAMES = {CONV2D: "conv2d", MAXPOOL2D: "maxpool2d", DENSE: "dense", FLATTEN: "flatten"}
FLAG_RELU, FLAG_SAME = 1, 2

# Status codes: the values of dgi_status in include/digitinfer.h.
STATUS_CODES = {
    "OK": 0,
    "ARGUMENT": 1,
    "TRUNCATED": 2,
    "MAGIC": 3,
    "VERSION": 4,
    "CHECKSUM": 5,
    "MALFORMED": 6,
    "UNSUPPORTED": 7,
}


class DgiError(Exception):
    """A file the spec rejects. `status` is the status name (e.g. "MALFORMED"),
    `code` its dgi_status value, `rule` the FORMAT.md rule that failed."""

    def __init__(self, status: str, rule: str, detail: str = ""):
        self.status = status
        self.code = STATUS_CODES[status]
        self.rule = rule
        self.detail = detail
        super().__init__(f"{status} ({rule}){': ' + detail if detail else ''}")


# --- Data model -----------------------------------------------------------------


@dataclass
class Layer:
    kind: int
    flags: int
    in_zero_point: int
    out_zero_point: int
    in_shape: tuple  # (h, w, c)
    out_shape: tuple
    kernel: tuple = (1, 1)  # (kh, kw)
    stride: tuple = (1, 1)  # (sh, sw)
    params: int = 0  # file offset of the parameter block, 0 if none
    out_scale: float = 0.0  # float32, informative
    reserved: int = 0
    # Parameter block (conv2d and dense only).
    weights: list = field(default_factory=list)  # int8
    bias: list = field(default_factory=list)  # int32
    multipliers: list = field(default_factory=list)  # int32 >= 0
    shifts: list = field(default_factory=list)  # 0..31
    # Derived by read().
    pad: tuple = (0, 0)

    @property
    def name(self) -> str:
        return KIND_NAMES.get(self.kind, f"kind{self.kind}")

    @property
    def relu(self) -> bool:
        return bool(self.flags & FLAG_RELU)

    @property
    def same_padding(self) -> bool:
        return bool(self.flags & FLAG_SAME)

    @property
    def has_params(self) -> bool:
        return self.kind in (CONV2D, DENSE)

    @property
    def fan_in(self) -> int:
        return self.kernel[0] * self.kernel[1] * self.in_shape[2] if self.has_params else 0


@dataclass
class Model:
    name: str
    metadata: str
    layers: list
    softmax_beta: int
    major: int = FORMAT_MAJOR
    minor: int = 1  # as read; write() stores format_minor(class_count)
    header_size: int = HEADER_SIZE
    file_size: int = 0
    crc: int = 0
    flags: int = 0
    input_shape: tuple = INPUT_SHAPE
    class_count: int = 0
    input_zero_point: int = INPUT_ZERO_POINT
    scratch_size: int = 0
    layer_table: int = 0
    name_offset: int = 0
    metadata_offset: int = 0
    # Derived by read(): the two activation arenas (bytes, 16-aligned), whose
    # sum is the least scratch_size a file may store.
    arena_a: int = 0
    arena_b: int = 0


# --- Little helpers -----------------------------------------------------------


def align(n: int, a: int) -> int:
    return (n + a - 1) // a * a


def u8(b, o):
    return b[o]


def i8(b, o):
    v = b[o]
    return v - 256 if v >= 128 else v


def u16(b, o):
    return b[o] | (b[o + 1] << 8)


def u32(b, o):
    return b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)


def i32(b, o):
    v = u32(b, o)
    return v - (1 << 32) if v >= (1 << 31) else v


def f32_from_bits(bits: int) -> float:
    return struct.unpack("<f", struct.pack("<I", bits))[0]


def f32_bits(x: float) -> int:
    return struct.unpack("<I", struct.pack("<f", x))[0]


def to_f32(x: float) -> float:
    """Rounds a double to the nearest float32 (ties to even)."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


# --- CRC-32 (FORMAT.md, "Checksum") -------------------------------------------


def _crc_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0xEDB88320 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC_TABLE = _crc_table()


def crc32(data, crc: int = 0) -> int:
    """IEEE 802.3 CRC-32, reflected, polynomial 0xEDB88320, initial value and
    final XOR 0xFFFFFFFF: the same function as zlib's crc32(crc, data)."""
    c = crc ^ 0xFFFFFFFF
    t = _CRC_TABLE
    for byte in data:
        c = t[(c ^ byte) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def file_checksum(data, file_size: int) -> int:
    """The CRC of bytes [0, 16) and [20, file_size): everything but the field."""
    return crc32(data[20:file_size], crc32(data[0:16]))


# --- Scratch plan (FORMAT.md, "Scratch memory") -------------------------------


def scratch_plan(layers) -> tuple:
    """(A, B, A + B): the bytes of arenas A and B, each align16 of the largest
    tensor it holds, and their sum, the least scratch_size a file may store
    (rule E2) and what 1.1 writers store."""
    h, w, c = INPUT_SHAPE
    arenas = [h * w * c, 0]
    current = 0  # the input image is in arena A
    for layer in layers:
        if layer.kind != FLATTEN:  # flatten's output is its input, in place
            current ^= 1
            oh, ow, oc = layer.out_shape
            arenas[current] = max(arenas[current], oh * ow * oc)
    a, b = align(arenas[0], 16), align(arenas[1], 16)
    return a, b, a + b


# --- Reader (FORMAT.md, "Validation") ------------------------------------------


def _fail(status, rule, detail=""):
    raise DgiError(status, rule, detail)


def _count(value, limit, zero_rule, over_rule, unit):
    """A count the header gives: 0 is malformed, over `limit` unsupported."""
    if value == 0:
        _fail("MALFORMED", zero_rule)
    if value > limit:
        _fail("UNSUPPORTED", over_rule, f"{value} {unit}")
    return value


def read(data) -> Model:
    """Validates a .dgi file (bytes may extend past file_size) and decodes it.
    Raises DgiError with the status the spec assigns to the first failed rule."""
    data = bytes(data)
    size = len(data)

    # Header.
    if size < 4:
        _fail("TRUNCATED", "H1", f"{size} bytes")
    if u32(data, 0) != MAGIC:
        _fail("MAGIC", "H2")
    if size < HEADER_SIZE:
        _fail("TRUNCATED", "H3", f"{size} bytes")
    major, minor = u16(data, 4), u16(data, 6)
    if major != FORMAT_MAJOR:
        _fail("VERSION", "H4", f"major {major}")
    header_size, file_size = u32(data, 8), u32(data, 12)
    if header_size < HEADER_SIZE or header_size % 16:
        _fail("MALFORMED", "H5", f"header_size {header_size}")
    if file_size > size:
        _fail("TRUNCATED", "H6", f"file_size {file_size} > {size}")
    if file_size < header_size:
        _fail("MALFORMED", "H7", f"file_size {file_size}")
    crc = u32(data, 16)
    if file_checksum(data, file_size) != crc:
        _fail("CHECKSUM", "H8")
    flags = u32(data, 20)
    if flags:
        _fail("UNSUPPORTED", "H9", f"flags {flags:#x}")
    layer_count = _count(u16(data, 24), MAX_LAYERS, "H10", "H11", "layers")
    input_shape = (u16(data, 26), u16(data, 28), u16(data, 30))
    if 0 in input_shape:
        _fail("MALFORMED", "H12")
    if input_shape != INPUT_SHAPE:
        _fail("UNSUPPORTED", "H13", f"input {input_shape}")
    class_count = _count(u16(data, 32), MAX_CLASSES, "H14", "H15", "classes")
    if i8(data, 34) != INPUT_ZERO_POINT:
        _fail("UNSUPPORTED", "H16", f"input zero point {i8(data, 34)}")
    if data[35] != 0:
        _fail("MALFORMED", "H17")
    beta = u32(data, 36)
    if beta == 0 or beta > INT32_MAX:
        _fail("MALFORMED", "H18", f"softmax_beta {beta}")
    scratch_size = u32(data, 40)
    table = u32(data, 44)
    table_end = table + RECORD_SIZE * layer_count
    if table < header_size or table % 16 or table_end > file_size:
        _fail("MALFORMED", "H19", f"layer_table {table}")

    def string(offset_field, rule):
        offset, length = u32(data, offset_field), u32(data, offset_field + 4)
        end = offset + length
        if offset < header_size or end >= file_size or data[end] != 0 or 0 in data[offset:end]:
            _fail("MALFORMED", rule, f"string at {offset}, length {length}")
        return offset, data[offset:end].decode("utf-8", errors="replace")

    name_offset, name = string(48, "H20")
    metadata_offset, metadata = string(56, "H21")

    # Layers.
    shape, zp = input_shape, INPUT_ZERO_POINT
    params_end = table_end
    layers = []
    for i in range(layer_count):
        r = table + i * RECORD_SIZE
        where = f"layer {i}"
        kind = data[r]
        if kind not in KIND_NAMES:
            _fail("UNSUPPORTED", "L1", f"{where}: kind {kind}")
        lflags = data[r + 1]
        if u32(data, r + 28) != 0:
            _fail("MALFORMED", "L2", where)
        in_shape = (u16(data, r + 4), u16(data, r + 6), u16(data, r + 8))
        if in_shape != shape or i8(data, r + 2) != zp:
            _fail("MALFORMED", "L3", f"{where}: input {in_shape} zp {i8(data, r + 2)}, expected {shape} zp {zp}")
        out = (u16(data, r + 10), u16(data, r + 12), u16(data, r + 14))
        out_zp = i8(data, r + 3)
        kh, kw, sh, sw = data[r + 16], data[r + 17], data[r + 18], data[r + 19]
        params = u32(data, r + 20)
        if 0 in out:
            _fail("MALFORMED", "L4", where)
        h, w, c = shape
        pad = (0, 0)
        if kind == CONV2D:
            if lflags & ~(FLAG_RELU | FLAG_SAME):
                _fail("UNSUPPORTED", "C1", where)
            if (sh, sw) != (1, 1):
                _fail("UNSUPPORTED", "C2", where)
            if kh == 0 or kw == 0:
                _fail("MALFORMED", "C3", where)
            if lflags & FLAG_SAME:
                if kh % 2 == 0 or kw % 2 == 0:
                    _fail("UNSUPPORTED", "C4", where)
                pad = ((kh - 1) // 2, (kw - 1) // 2)
                if out[:2] != (h, w):
                    _fail("MALFORMED", "C5", where)
            else:
                if kh > h or kw > w:
                    _fail("MALFORMED", "C6", where)
                if out[:2] != (h - kh + 1, w - kw + 1):
                    _fail("MALFORMED", "C7", where)
        elif kind == DENSE:
            if lflags & ~FLAG_RELU:
                _fail("UNSUPPORTED", "D1", where)
            if (h, w) != (1, 1) or out[:2] != (1, 1):
                _fail("MALFORMED", "D2", where)
            if (kh, kw, sh, sw) != (1, 1, 1, 1):
                _fail("MALFORMED", "D3", where)
        elif kind == MAXPOOL2D:
            if lflags:
                _fail("UNSUPPORTED", "P1", where)
            if (kh, kw, sh, sw) != (2, 2, 2, 2):
                _fail("UNSUPPORTED", "P2", where)
            if out != (h // 2, w // 2, c):
                _fail("MALFORMED", "P3", where)
            if out_zp != zp or params:
                _fail("MALFORMED", "P4", where)
        else:  # FLATTEN
            if lflags:
                _fail("UNSUPPORTED", "F1", where)
            if (kh, kw, sh, sw) != (1, 1, 1, 1):
                _fail("MALFORMED", "F2", where)
            if out != (1, 1, h * w * c):
                _fail("MALFORMED", "F3", where)
            if out_zp != zp or params:
                _fail("MALFORMED", "F4", where)
        if out[0] * out[1] * out[2] > MAX_TENSOR_ELEMENTS:
            _fail("UNSUPPORTED", "L5", where)

        layer = Layer(
            kind=kind, flags=lflags, in_zero_point=zp, out_zero_point=out_zp, in_shape=shape,
            out_shape=out, kernel=(kh, kw), stride=(sh, sw), params=params,
            out_scale=f32_from_bits(u32(data, r + 24)), pad=pad)

        if layer.has_params:
            oc = out[2]
            fan_in = kh * kw * c
            n_weights = fan_in * oc
            bias_at = align(params + n_weights, 16)
            mult_at = align(bias_at + 4 * oc, 16)
            shift_at = align(mult_at + 4 * oc, 16)
            end = shift_at + oc
            if params % 16 or params < params_end or end > file_size:
                _fail("MALFORMED", "B1", f"{where}: parameters at {params}..{end}")
            params_end = end
            raw = data[params:params + n_weights]
            if 0x80 in raw:
                _fail("MALFORMED", "B2", f"{where}: weight -128")
            worst = fan_in * 255 * 127
            if worst > INT32_MAX:
                _fail("UNSUPPORTED", "B3", f"{where}: fan-in {fan_in}")
            limit = INT32_MAX - worst
            for k in range(oc):
                b, m, s = i32(data, bias_at + 4 * k), i32(data, mult_at + 4 * k), data[shift_at + k]
                if b > limit or b < -limit:
                    _fail("MALFORMED", "B4", f"{where}: bias[{k}] = {b}, limit {limit}")
                if m < 0:
                    _fail("MALFORMED", "B5", f"{where}: multiplier[{k}] = {m}")
                if s > 31:
                    _fail("MALFORMED", "B6", f"{where}: shift[{k}] = {s}")
                layer.bias.append(b)
                layer.multipliers.append(m)
                layer.shifts.append(s)
            layer.weights = [v - 256 if v >= 128 else v for v in raw]
            if kind == CONV2D:
                padded = (h + 2 * pad[0]) * (w + 2 * pad[1]) * c
                if padded > MAX_TENSOR_ELEMENTS:
                    _fail("UNSUPPORTED", "B7", f"{where}: padded input {padded} elements")

        layers.append(layer)
        shape, zp = out, out_zp

    if shape != (1, 1, class_count):
        _fail("MALFORMED", "E1", f"last output {shape}, {class_count} classes")
    arena_a, arena_b, arenas = scratch_plan(layers)
    if scratch_size < arenas:  # a lower bound: 1.0 writers stored more (FORMAT.md, section 12)
        _fail("MALFORMED", "E2", f"scratch_size {scratch_size} < arenas {arena_a} + {arena_b}")
    if scratch_size > INT32_MAX:
        _fail("UNSUPPORTED", "E3", f"scratch_size {scratch_size}")

    return Model(
        name=name, metadata=metadata, layers=layers, softmax_beta=beta, major=major, minor=minor,
        header_size=header_size, file_size=file_size, crc=crc, flags=flags, input_shape=input_shape,
        class_count=class_count, input_zero_point=INPUT_ZERO_POINT, scratch_size=scratch_size,
        layer_table=table, name_offset=name_offset, metadata_offset=metadata_offset,
        arena_a=arena_a, arena_b=arena_b)


# --- Arithmetic (FORMAT.md, "Arithmetic") -------------------------------------


def requantize(acc: int, multiplier: int, shift: int) -> int:
    """acc * multiplier / 2^31 / 2^shift, rounded as TFLite/gemmlowp do."""
    # Step 1: floor(acc * m / 2^31 + 1/2), i.e. ties toward +infinity.
    high = (acc * multiplier + (1 << 30)) >> 31
    # Step 2: divide by 2^shift, rounding to nearest, ties away from zero.
    half = (1 << shift) >> 1
    if high >= 0:
        return (high + half) >> shift
    return -((-high + half) >> shift)


def output_value(acc: int, multiplier: int, shift: int, zero_point: int, relu: bool) -> int:
    q = requantize(acc, multiplier, shift) + zero_point
    low = zero_point if relu else -128
    return min(max(q, low), 127)


def _conv2d(layer: Layer, x):
    h, w, c = layer.in_shape
    oh, ow, oc = layer.out_shape
    kh, kw = layer.kernel
    ph, pw = layer.pad
    zp = layer.in_zero_point
    centered = [v - zp for v in x]  # padding is the real value 0, i.e. 0 here
    fan_in = kh * kw * c
    rows = [layer.weights[o * fan_in:(o + 1) * fan_in] for o in range(oc)]
    params = list(zip(layer.bias, layer.multipliers, layer.shifts))
    zero = [0] * c
    out_zp, relu = layer.out_zero_point, layer.relu
    y = []
    mul = operator.mul
    for oy in range(oh):
        for ox in range(ow):
            patch = []
            for ky in range(kh):
                iy = oy + ky - ph
                for kx in range(kw):
                    ix = ox + kx - pw
                    if 0 <= iy < h and 0 <= ix < w:
                        at = (iy * w + ix) * c
                        patch.extend(centered[at:at + c])
                    else:
                        patch.extend(zero)
            for row, (b, m, s) in zip(rows, params):
                y.append(output_value(b + sum(map(mul, patch, row)), m, s, out_zp, relu))
    return y


def _dense(layer: Layer, x):
    n = layer.in_shape[2]
    zp = layer.in_zero_point
    centered = [v - zp for v in x]
    y = []
    for o in range(layer.out_shape[2]):
        row = layer.weights[o * n:(o + 1) * n]
        acc = layer.bias[o] + sum(map(operator.mul, centered, row))
        y.append(output_value(acc, layer.multipliers[o], layer.shifts[o], layer.out_zero_point, layer.relu))
    return y


def _maxpool2d(layer: Layer, x):
    h, w, c = layer.in_shape
    oh, ow, _ = layer.out_shape
    y = []
    for oy in range(oh):
        for ox in range(ow):
            for ch in range(c):
                i = ((2 * oy) * w + 2 * ox) * c + ch
                y.append(max(x[i], x[i + c], x[i + w * c], x[i + w * c + c]))
    return y


def quantize_input(pixels) -> list:
    """Pixel p in 0..255 (real value p/255) becomes the int8 p - 128."""
    if len(pixels) != 784:
        raise ValueError("an image is 784 bytes")
    return [p - 128 for p in pixels]


def infer(model: Model, pixels) -> list:
    """The int8 outputs of the last layer (class_count values)."""
    x = quantize_input(pixels)
    for layer in model.layers:
        if layer.kind == CONV2D:
            x = _conv2d(layer, x)
        elif layer.kind == MAXPOOL2D:
            x = _maxpool2d(layer, x)
        elif layer.kind == DENSE:
            x = _dense(layer, x)
        # FLATTEN: HWC row-major order already is the flattened order.
    return x


# --- Softmax (FORMAT.md, "Softmax") -------------------------------------------

ONE_Q30 = 1 << 30
LN2_Q30 = 744261118  # round(ln(2) * 2^30)


def exp2_neg_fraction(f: int) -> int:
    """2^-(f / 2^24) for 0 <= f < 2^24, as a Q30 integer."""
    y = (f * LN2_Q30) >> 24  # f * ln 2 in Q30, truncated
    p = ONE_Q30
    for k in range(10, 0, -1):
        p = ONE_Q30 - ((y * p) >> 30) // k  # all terms are non-negative here
    return p


def softmax(model: Model, logits) -> tuple:
    """(digit, probabilities): the index of the first largest logit and the
    class_count probabilities, each an IEEE-754 binary32 value."""
    n = model.class_count
    logits = list(logits)[:n]
    best = 0
    for i in range(1, n):
        if logits[i] > logits[best]:
            best = i
    top = logits[best]
    weights = []
    for q in logits:
        t = (top - q) * model.softmax_beta  # Q8.24 exponent, >= 0
        whole, frac = t >> 24, t & 0xFFFFFF
        weights.append(0 if whole >= 40 else exp2_neg_fraction(frac) >> whole)
    total = to_f32(float(sum(weights)))
    return best, [to_f32(to_f32(float(e)) / total) for e in weights]


def result(model: Model, logits) -> tuple:
    """What dgi_classify() reports (FORMAT.md, 10.7 and 11): (digit,
    confidence, probabilities of the ten digits (0 past class_count),
    not_a_digit, best_digit). digit is NOT_A_DIGIT when class 10 of an
    11-class model wins; best_digit is the first largest digit logit."""
    best, probs = softmax(model, logits)
    digits = min(model.class_count, DIGIT_CLASSES)
    logits = list(logits)[:digits]
    best_digit = logits.index(max(logits))
    padded = probs[:DIGIT_CLASSES] + [0.0] * (DIGIT_CLASSES - min(len(probs), DIGIT_CLASSES))
    not_a_digit = probs[NOT_A_DIGIT_CLASS] if model.class_count > NOT_A_DIGIT_CLASS else 0.0
    digit = NOT_A_DIGIT if best == NOT_A_DIGIT_CLASS else best
    return digit, probs[best], padded, not_a_digit, best_digit


def format_minor(class_count: int) -> int:
    """The lowest minor version that describes a model: 2 for 11 classes
    (section 4.2), else 1."""
    return 2 if class_count > DIGIT_CLASSES else 1


def softmax_beta_for_scale(scale: float) -> int:
    """round(scale * log2(e) * 2^24), ties away from zero, scale a float32."""
    return int(math.floor(float(scale) * 1.4426950408889634 * 16777216 + 0.5))


# --- Writer -----------------------------------------------------------------------


def write(model: Model) -> bytes:
    """Serialises a model: header, layer table, name, metadata, then each
    parameter block on a 16-byte boundary, as format 1.1 (1.2 for an 11-class
    model). Offsets, sizes, class
    count, scratch size (A + B) and CRC are computed; shapes and parameters are
    taken as given."""
    name = model.name.encode("utf-8")
    metadata = model.metadata.encode("utf-8")
    layers = model.layers
    out = bytearray(HEADER_SIZE + RECORD_SIZE * len(layers))
    table = HEADER_SIZE
    name_offset = len(out)
    out += name + b"\0"
    metadata_offset = len(out)
    out += metadata + b"\0"

    def pad16():
        out.extend(b"\0" * (align(len(out), 16) - len(out)))

    for i, l in enumerate(layers):
        params = 0
        if l.has_params:
            pad16()
            params = len(out)
            out += bytes(v & 0xFF for v in l.weights)
            pad16()
            out += struct.pack(f"<{len(l.bias)}i", *l.bias)
            pad16()
            out += struct.pack(f"<{len(l.multipliers)}i", *l.multipliers)
            pad16()
            out += bytes(l.shifts)
        l.params = params
        struct.pack_into(
            "<BBbb6H4BIII", out, table + i * RECORD_SIZE, l.kind, l.flags, l.in_zero_point,
            l.out_zero_point, *l.in_shape, *l.out_shape, *l.kernel, *l.stride, params,
            f32_bits(l.out_scale), 0)

    scratch = scratch_plan(layers)[2]
    class_count = layers[-1].out_shape[2]
    struct.pack_into(
        "<IHHIIIIHHHHHbBIIIIIII", out, 0, MAGIC, FORMAT_MAJOR, format_minor(class_count), HEADER_SIZE, len(out),
        0, 0, len(layers), *INPUT_SHAPE, class_count, INPUT_ZERO_POINT, 0, model.softmax_beta,
        scratch, table, name_offset, len(name), metadata_offset, len(metadata))
    struct.pack_into("<I", out, 16, file_checksum(out, len(out)))
    return bytes(out)


# --- The worked example of FORMAT.md --------------------------------------------


def example_model() -> Model:
    """"ink or blank": three 2x2 max-pools reduce the image to the 3x3 maxima
    of its 8x8 cells (rows and columns 24..27 are dropped), a 3x3 convolution
    averages them, flatten is a no-op, and a dense layer turns the mean ink v
    (0..255) into two logits, round(+-(32 - v) / 2)."""
    q = -128
    s = to_f32(1 / 255)
    pool = lambda hw: Layer(MAXPOOL2D, 0, q, q, (hw, hw, 1), (hw // 2, hw // 2, 1), (2, 2), (2, 2), out_scale=s)
    conv = Layer(
        CONV2D, FLAG_RELU, q, q, (3, 3, 1), (1, 1, 1), (3, 3), (1, 1), out_scale=s,
        weights=[1] * 9, bias=[0],
        multipliers=[1908874354], shifts=[3])  # 1/9 = 1908874354 / 2^31 / 2^3
    flatten = Layer(FLATTEN, 0, q, q, (1, 1, 1), (1, 1, 1), out_scale=s)
    dense = Layer(
        DENSE, 0, q, 0, (1, 1, 1), (1, 1, 2), out_scale=0.0625,
        weights=[-1, 1], bias=[32, -32],
        multipliers=[1 << 30, 1 << 30], shifts=[0, 0])  # 1/2
    layers = [pool(28), pool(14), pool(7), conv, flatten, dense]
    return Model(name="ink", metadata="kind=demo\n", layers=layers,
                 softmax_beta=softmax_beta_for_scale(0.0625))


# --- Listings -----------------------------------------------------------------------


def _hex(data, start, end):
    return " ".join(f"{b:02x}" for b in data[start:end])


def annotated_dump(data, full: bool = True) -> list:
    """Lines "OFFSET: BYTES | meaning" covering every byte of a valid file in
    order. Arrays longer than 64 bytes are elided unless `full`."""
    m = read(data)
    lines = []
    pos = 0

    def emit(start, end, text):
        nonlocal pos
        if start < pos:  # a valid file may overlap regions (e.g. an empty name in padding)
            lines.append(f"....  {text}: at 0x{start:04x}, inside bytes listed above")
            if end <= pos:
                return
            start = pos
        for at in range(start, end, 8):
            lines.append(f"{at:04x}: {_hex(data, at, min(end, at + 8)):<23} | {text if at == start else '...'}")
        pos = end

    def gap(to, what=None):
        if to > pos:
            n = to - pos
            if what is None:
                padding = to == align(pos, 16) and not any(data[pos:to])
                what = "padding to a 16-byte boundary" if padding else "unreferenced bytes"
            emit(pos, to, f"{what} ({n} byte{'s' if n > 1 else ''})")

    def array(start, count, width, what, values):
        nonlocal pos
        end = start + count * width
        if full or count * width <= 64:
            shown = " ".join(str(v) for v in values)
            emit(start, end, f"{what}: {shown}" if len(shown) < 60 else what)
        else:
            lines.append(f"{start:04x}: {_hex(data, start, start + 8):<23} | {what}")
            lines.append(f"....  ({count * width - 8} more bytes)")
            pos = end

    h, w, c = m.input_shape
    emit(0, 4, 'magic "DGIF" (u32 0x46494744)')
    emit(4, 8, f"format_major {m.major}, format_minor {m.minor} (u16, u16)")
    emit(8, 12, f"header_size {m.header_size}")
    emit(12, 16, f"file_size {m.file_size}")
    emit(16, 20, f"crc32 0x{m.crc:08x} of bytes 0..15 and 20..{m.file_size - 1}")
    emit(20, 24, "flags 0")
    emit(24, 28, f"layer_count {len(m.layers)}, input_height {h} (u16, u16)")
    emit(28, 32, f"input_width {w}, input_channels {c} (u16, u16)")
    emit(32, 36, f"class_count {m.class_count} (u16), input_zero_point {m.input_zero_point} (i8), reserved 0 (u8)")
    emit(36, 40, f"softmax_beta {m.softmax_beta}")
    emit(40, 44, f"scratch_size {m.scratch_size}")
    emit(44, 48, f"layer_table {m.layer_table}")
    emit(48, 56, f"name_offset {m.name_offset}, name_length {len(m.name.encode())}")
    emit(56, 64, f"metadata_offset {m.metadata_offset}, metadata_length {len(m.metadata.encode())}")
    gap(m.header_size, "header fields of a later minor version, ignored")
    for i, l in enumerate(m.layers):
        r = m.layer_table + i * RECORD_SIZE
        gap(r)
        flags = "|".join(n for bit, n in ((FLAG_RELU, "relu"), (FLAG_SAME, "same")) if l.flags & bit) or "0"
        emit(r, r + 4, f"layer {i}: kind {l.kind} {l.name}, flags {flags}, in_zp {l.in_zero_point}, out_zp {l.out_zero_point}")
        emit(r + 4, r + 10, "  in_h, in_w, in_c = %d, %d, %d" % l.in_shape)
        emit(r + 10, r + 16, "  out_h, out_w, out_c = %d, %d, %d" % l.out_shape)
        emit(r + 16, r + 20, "  kernel_h, kernel_w, stride_h, stride_w = %d, %d, %d, %d" % (l.kernel + l.stride))
        emit(r + 20, r + 24, f"  params {l.params}")
        emit(r + 24, r + 28, f"  out_scale {l.out_scale!r} (f32 0x{f32_bits(l.out_scale):08x})")
        emit(r + 28, r + 32, "  reserved 0")
    strings = sorted([(m.name_offset, "name", m.name), (m.metadata_offset, "metadata", m.metadata)])
    for offset, what, text in strings:
        gap(offset)
        n = len(text.encode())
        emit(offset, offset + n + 1, f"{what} {text!r} + NUL")
    for i, l in enumerate(m.layers):
        if not l.has_params:
            continue
        oc = l.out_shape[2]
        n = len(l.weights)
        gap(l.params)
        array(l.params, n, 1, f"layer {i} weights ({n} x i8)", l.weights)
        gap(align(l.params + n, 16))
        array(pos, oc, 4, f"layer {i} bias ({oc} x i32)", l.bias)
        gap(align(pos, 16))
        array(pos, oc, 4, f"layer {i} multipliers ({oc} x i32)", l.multipliers)
        gap(align(pos, 16))
        array(pos, oc, 1, f"layer {i} shifts ({oc} x u8)", l.shifts)
    if pos < m.file_size:
        emit(pos, m.file_size, "unreferenced bytes")
    return lines


def inspect(data) -> list:
    m = read(data)
    h, w, c = m.input_shape
    lines = [
        f"format        {m.major}.{m.minor}",
        f"header_size   {m.header_size}",
        f"file_size     {m.file_size}",
        f"crc32         0x{m.crc:08x}",
        f"flags         {m.flags}",
        f"layers        {len(m.layers)}",
        f"input         {h}x{w}x{c}, zero point {m.input_zero_point}",
        f"classes       {m.class_count}" + (" (class 10: \"not a digit\")" if m.class_count > NOT_A_DIGIT_CLASS else ""),
        f"softmax_beta  {m.softmax_beta} (scale {m.softmax_beta / 16777216 / 1.4426950408889634:.6g})",
        f"scratch_size  {m.scratch_size} (least allowed: arena A {m.arena_a} + arena B {m.arena_b}"
        f" = {m.arena_a + m.arena_b})",
        f"layer_table   {m.layer_table}",
        f"name          {m.name!r} at {m.name_offset}",
        f"metadata      {m.metadata!r} at {m.metadata_offset}",
    ]
    params = macs = 0
    for i, l in enumerate(m.layers):
        p = len(l.weights) + len(l.bias)
        mac = l.out_shape[0] * l.out_shape[1] * l.out_shape[2] * l.fan_in
        params += p
        macs += mac
        extra = ""
        if l.kind == CONV2D:
            extra = f" kernel {l.kernel[0]}x{l.kernel[1]} {'same' if l.same_padding else 'valid'}"
        if l.has_params:
            extra += f"{' relu' if l.relu else ''} params@{l.params} ({p} parameters, {mac} MACs)"
        lines.append(
            f"  {i}: {l.name:<9} {'x'.join(map(str, l.in_shape))} -> {'x'.join(map(str, l.out_shape))}"
            f" zp {l.in_zero_point}->{l.out_zero_point} scale {l.out_scale:.6g}{extra}")
    lines.append(f"parameters    {params}")
    lines.append(f"macs          {macs}")
    return lines


def main(argv) -> int:
    usage = "usage: dgi.py inspect FILE | hexdump [--full] FILE | example OUT.dgi | run FILE IMAGES.bin"
    if len(argv) < 2:
        print(usage, file=sys.stderr)
        return 2
    command, args = argv[0], argv[1:]
    try:
        if command == "inspect":
            with open(args[0], "rb") as f:
                print("\n".join(inspect(f.read())))
        elif command == "hexdump":
            full = "--full" in args
            path = [a for a in args if a != "--full"][0]
            with open(path, "rb") as f:
                print("\n".join(annotated_dump(f.read(), full=full)))
        elif command == "example":
            data = write(example_model())
            with open(args[0], "wb") as f:
                f.write(data)
            print(f"wrote {args[0]} ({len(data)} bytes)")
        elif command == "run":
            with open(args[0], "rb") as f:
                m = read(f.read())
            with open(args[1], "rb") as f:
                images = f.read()
            for k in range(len(images) // 784):
                logits = infer(m, images[784 * k:784 * (k + 1)])
                digit, _, probs, not_a_digit, _ = result(m, logits)
                answer = "not-a-digit" if digit == NOT_A_DIGIT else str(digit)
                extra = f" {not_a_digit:.4f}" if m.class_count > NOT_A_DIGIT_CLASS else ""
                print(k, answer, " ".join(map(str, logits)), " ".join(f"{p:.4f}" for p in probs[:m.class_count]) + extra)
        else:
            print(usage, file=sys.stderr)
            return 2
    except DgiError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
