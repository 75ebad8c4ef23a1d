"""Property tests: every public entry point that takes pixels or model bytes,
fed every kind of Python value, gives a result or a Python exception
(TypeError, ValueError or the binding's own DigitInferError), never a crash.

A crash (a segfault in the C library, or in ctypes reading a bad address)
would kill pytest itself and leave a count that is merely short. So each
group of checks runs in a child interpreter (this file run as a script with
the check's name), and its test fails, naming the signal, when the child
dies; faulthandler prints the child's Python stack on standard error.

Needs hypothesis, numpy and Pillow (pip install hypothesis numpy Pillow);
each check skips, with the reason, when one is missing. Bounded: deadline
None, a few hundred examples per check.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from _paths import REPO, child_env

MNIST = REPO / "models" / "mnist-int8.dgi"

# How many examples each check draws (the whole file runs in about 30 s on
# two cores); DIGITINFER_PROPERTY_EXAMPLES scales them for a longer hunt.
EXAMPLES = int(os.environ.get("DIGITINFER_PROPERTY_EXAMPLES", "150"))

# ---------------------------------------------------------------------------
# The parent side: one pytest test per check, each in a child interpreter.

CHECK_NAMES = (
    "check_regressions",
    "check_numpy_arrays",
    "check_numpy_layouts",
    "check_huge_but_cheap_arrays",
    "check_buffers",
    "check_pillow_images",
    "check_odd_objects",
    "check_bogus_array_interfaces",
    "check_bogus_array_methods",
    "check_gray_image_forms",
    "check_model_sources",
)
NEEDS = {
    "check_regressions": ("numpy", "PIL"),
    "check_numpy_arrays": ("hypothesis", "numpy"),
    "check_numpy_layouts": ("hypothesis", "numpy"),
    "check_huge_but_cheap_arrays": ("numpy",),
    "check_buffers": ("hypothesis",),
    "check_pillow_images": ("hypothesis", "PIL"),
    "check_odd_objects": (),
    "check_bogus_array_interfaces": ("hypothesis",),
    "check_bogus_array_methods": ("hypothesis", "numpy"),
    "check_gray_image_forms": ("hypothesis",),
    "check_model_sources": ("hypothesis",),
}

if __name__ != "__main__":
    import pytest

    @pytest.mark.parametrize("name", CHECK_NAMES)
    def test_no_crash(name):
        for module in NEEDS[name]:
            pytest.importorskip(module, reason=f"{name} needs {module} (pip install hypothesis numpy Pillow)")
        env = child_env()
        child = subprocess.run([sys.executable, "-X", "faulthandler", __file__, name], env=env,
                               capture_output=True, text=True, timeout=600)
        tail = (child.stdout + child.stderr)[-6000:]
        if child.returncode < 0:
            pytest.fail(f"{name}: the interpreter crashed with {signal.Signals(-child.returncode).name}:\n{tail}")
        assert child.returncode == 0, f"{name} failed:\n{tail}"
        assert f"{name}: ok" in child.stdout, tail


# ---------------------------------------------------------------------------
# The child side: the checks themselves.


def _child(name: str) -> None:
    import digitinfer

    global dgi, ALLOWED, model
    dgi = digitinfer
    # The exceptions a caller may see: bad arguments, or the library's status.
    ALLOWED = (TypeError, ValueError, digitinfer.DigitInferError)
    model = digitinfer.Model(MNIST)
    globals()[name]()
    print(f"{name}: ok")


def outcome(function, *args, **kwargs):
    """("ok", value) or ("error", exception) for an allowed exception; any
    other exception propagates and fails the check."""
    try:
        return "ok", function(*args, **kwargs)
    except ALLOWED as error:
        return "error", error


def same(a, b):
    """Two outcomes agree: equal values, or exceptions of the same type and text."""
    if a[0] != b[0]:
        return False
    if a[0] == "ok":
        return a[1] == b[1]
    return type(a[1]) is type(b[1]) and str(a[1]) == str(b[1])


def check_result(kind, value):
    if kind == "classify":
        assert (value.digit is None) == value.not_a_digit and len(value.probabilities) == 10
        assert value.digit is None or 0 <= value.digit <= 9
        assert abs(sum(value.probabilities) + value.not_a_digit_probability - 1) < 1e-3
    elif kind == "infer":
        assert len(value) == model.info.class_count and all(-128 <= v <= 127 for v in value)
    elif kind == "preprocess":
        pixels, info = value
        assert len(pixels) == 784 and info.ink in ("dark", "light")
    elif kind == "batch":
        assert isinstance(value, list)


def every_entry_point(value):
    """Every public call that takes pixels, on ``value``: {name: outcome}."""
    calls = {
        "classify": ("classify", model.classify),
        "infer": ("infer", model.infer),
        "classify_batch": ("batch", model.classify_batch),
        "infer_batch": ("batch", lambda v: model.infer_batch(v, threads=2)),
        "classify_image": ("classify", model.classify_image),
        "classify_image dark": ("classify", lambda v: model.classify_image(v, ink="dark")),
        "preprocess": ("preprocess", dgi.preprocess),
    }
    results = {}
    for name, (kind, call) in calls.items():
        results[name] = got = outcome(call, value)
        if got[0] == "ok":
            check_result(kind, got[1])
    return results


def refused_everywhere(value, exception=TypeError):
    """Every entry point raises ``exception`` for ``value`` (nothing is read)."""
    for name, got in every_entry_point(value).items():
        assert got[0] == "error" and isinstance(got[1], exception), (name, got)


def agrees_with_bytes(value, shape, data):
    """``value`` (uint8 pixels of ``shape``, C-order bytes ``data``) gives
    every entry point the same outcome as the same bytes in the plain forms."""
    got = every_entry_point(value)
    if len(shape) == 2:
        height, width = shape
        plain = (width, height, data) if width and height else None
        if plain is not None:
            for name in ("classify_image", "preprocess"):
                call = model.classify_image if name == "classify_image" else dgi.preprocess
                assert same(got[name], outcome(call, plain)), (name, shape, got[name])
        else:
            assert got["preprocess"][0] == "error"
    if len(shape) == 3 and shape[2] == 1 and shape[0] and shape[1]:  # (height, width, 1)
        plain = (shape[1], shape[0], data)
        for name in ("classify_image", "preprocess"):
            call = model.classify_image if name == "classify_image" else dgi.preprocess
            assert same(got[name], outcome(call, plain)), (name, shape, got[name])
    if shape in ((28, 28), (784,), (28, 28, 1), (1, 28, 28)):
        assert same(got["infer"], outcome(model.infer, data)), shape
        assert same(got["classify"], outcome(model.classify, data)), shape
    else:
        assert got["infer"][0] == got["classify"][0] == "error", shape
    if len(shape) >= 2 and shape[1:] in ((28, 28), (784,), (28, 28, 1), (1, 28, 28)):
        assert same(got["infer_batch"], outcome(model.infer_batch, data)), shape
    else:
        assert got["infer_batch"][0] == got["classify_batch"][0] == "error", shape


def bounded(examples=None):
    from hypothesis import HealthCheck, settings

    return settings(deadline=None, max_examples=examples or EXAMPLES, database=None, print_blob=True,
                    suppress_health_check=list(HealthCheck))


# --- regressions (each crashed, or read memory it did not own, before the fix)


def check_regressions():
    import numpy as np
    from PIL import Image

    # A Pillow image puts bytes in __array_interface__['data']; their first
    # byte used to be taken as an address: 200 -> segfault.
    image = Image.new("L", (28, 28), 200)
    image.putpixel((3, 3), 0)
    data = image.tobytes()
    assert outcome(model.classify_image, image) == outcome(model.classify_image, (28, 28, data))
    assert model.infer(image) == model.infer(data)

    class RawAddress:  # an interface that gives a raw address: never read
        __array_interface__ = {"version": 3, "typestr": "|u1", "shape": (28, 28), "data": (200, False)}

    refused_everywhere(RawAddress())

    class ShortBytes:  # used to be read through its own tobytes(): 3 bytes for 784
        __array_interface__ = {"version": 3, "typestr": "|u1", "shape": (28, 28), "data": b"abc"}

        def tobytes(self):
            return b"abc"

    refused_everywhere(ShortBytes(), ValueError)
    # A stride past size_t used to be wrapped by ctypes (2**64 -> 0) and
    # reach the library as another number.
    try:
        dgi.preprocess((3, 1, b"abc", 2 ** 64))
    except ValueError as error:
        assert "stride" in str(error), error
    else:
        raise AssertionError("a stride of 2**64 accepted")
    # Signed bytes are not pixels: -1 would be read as 255.
    import array

    try:
        model.infer(array.array("b", [-1] * 784))
    except TypeError as error:
        assert "unsigned" in str(error), error
    else:
        raise AssertionError("signed bytes accepted as pixels")
    # Floats: 0..1 is scaled by 255 (never read as a black 0..255 image);
    # NaN, infinities and values outside [0, 255] are refused.
    assert model.infer(np.full((28, 28), 0.5, np.float32)) == model.infer(b"\x80" * 784)
    for bad in (float("nan"), float("inf"), -0.5, 255.5):
        image = np.zeros((28, 28))
        image[3, 4] = bad
        try:
            model.classify(image)
        except ValueError as error:
            assert "[0, 255]" in str(error), error
        else:
            raise AssertionError(f"float pixel {bad} accepted")


# --- numpy arrays of every dtype and shape


def _dtypes():
    import numpy as np
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp

    return st.one_of(
        st.just(np.dtype(np.uint8)), st.just(np.dtype(np.uint8)),  # the one accepted, drawn often
        hnp.boolean_dtypes(), hnp.integer_dtypes(endianness="="), hnp.unsigned_integer_dtypes(endianness="?"),
        hnp.floating_dtypes(endianness="?"), hnp.complex_number_dtypes(), hnp.datetime64_dtypes(),
        hnp.timedelta64_dtypes(), hnp.byte_string_dtypes(max_len=3), hnp.unicode_string_dtypes(max_len=2),
        hnp.array_dtypes(max_size=3), st.just(np.dtype(object)),
    )


def _shapes():
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp

    special = [(28, 28), (784,), (2, 28, 28), (3, 784), (28, 28, 1), (28, 28, 3), (28, 28, 4),
               (1, 28, 28), (0, 28, 28), (0, 784), (1, 1), (0, 5), (5, 0), (), (2, 2, 28, 28)]
    return st.one_of(
        st.sampled_from(special),
        hnp.array_shapes(min_dims=0, max_dims=5, min_side=0, max_side=6),
        st.tuples(st.integers(1, 80), st.integers(1, 80)),
        st.tuples(st.integers(1, 40), st.integers(1, 40), st.sampled_from([1, 3, 4])),
    )


def _arrays(dtype, shape):
    import numpy as np
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp

    if dtype == np.dtype(object):
        elements = st.one_of(st.none(), st.integers(-300, 300), st.text(max_size=2), st.floats())
        return hnp.arrays(dtype, shape, elements=elements)
    if dtype == np.dtype(np.uint8):
        # Strokes rather than noise now and then, so that some images have a digit.
        return st.one_of(hnp.arrays(dtype, shape), hnp.arrays(dtype, shape, elements=st.sampled_from([0, 255])))
    return hnp.arrays(dtype, shape)


def _array_strategy():
    from hypothesis import strategies as st

    return st.tuples(_dtypes(), _shapes()).flatmap(lambda ds: _arrays(*ds))


def follows_the_float_rule(array):
    """A numpy float array (any layout) is made uint8 by the float rule, or
    refused with ValueError everywhere."""
    import numpy as np

    values = np.asarray(array).astype(np.float64)
    if values.size and (not np.isfinite(values).all() or values.min() < 0 or values.max() > 255):
        refused_everywhere(array, ValueError)
    else:
        if values.size and values.max() <= 1:
            values = values * 255
        agrees_with_bytes(array, array.shape, np.floor(values + 0.5).astype(np.uint8).tobytes())


def check_numpy_arrays():
    import numpy as np
    from hypothesis import given

    @bounded()
    @given(_array_strategy())
    def run(array):
        if array.dtype == np.uint8:
            agrees_with_bytes(array, array.shape, array.tobytes())
        elif array.dtype.kind == "f":
            follows_the_float_rule(array)
        else:
            refused_everywhere(array)  # never reinterpreted, whatever the shape

    run()


def _layouts(array):
    """Views of ``array`` with other memory layouts: (name, view)."""
    import numpy as np

    class Sub(np.ndarray):
        pass

    views = [("C", array), ("F", np.asfortranarray(array)), ("subclass", array.view(Sub))]
    readonly = array.copy()
    readonly.flags.writeable = False
    views.append(("read-only", readonly))
    if array.ndim >= 1:
        views += [("reversed", array[::-1]), ("step 2", array[::2]),
                  ("last axis reversed", array[..., ::-1]), ("transposed", array.T)]
        padded = np.zeros((array.shape[0] + 3,) + array.shape[1:], array.dtype)
        padded[1:1 + array.shape[0]] = array
        views.append(("offset view", padded[1:1 + array.shape[0]]))
        if array.shape[0] >= 1:
            views.append(("zero strides", np.broadcast_to(array[:1], (3,) + array.shape[1:])))
    if array.ndim >= 2:
        wide = np.zeros(array.shape[:-1] + (array.shape[-1] * 2 + 1,), array.dtype)
        wide[..., 1::2] = array
        views += [("column stride 2", wide[..., 1::2]), ("row-strided", wide[..., :array.shape[-1]])]
    return views


def check_numpy_layouts():
    import numpy as np
    from hypothesis import given, strategies as st
    from hypothesis.extra import numpy as hnp

    shapes = st.one_of(st.sampled_from([(28, 28), (784,), (2, 28, 28), (2, 784), (28, 28, 3)]),
                       st.tuples(st.integers(1, 50), st.integers(1, 50)))
    dtypes = st.one_of(st.just(np.dtype(np.uint8)), st.just(np.dtype(np.uint8)), _dtypes())

    @bounded()
    @given(st.tuples(dtypes, shapes).flatmap(lambda ds: _arrays(*ds)), st.booleans())
    def run(array, as_memoryview):
        for name, view in _layouts(array):
            if as_memoryview:
                try:
                    view = memoryview(view)
                except (TypeError, ValueError, BufferError):
                    continue  # datetime64 and friends export no buffer
                if view.ndim < 2:
                    continue  # a flat memoryview is a bytes-like object, not an array
            if array.dtype == np.uint8:
                shape = tuple(view.shape)
                agrees_with_bytes(view, shape, np.asarray(view).tobytes())
            elif array.dtype.kind == "f" and not as_memoryview:
                follows_the_float_rule(view)
            else:
                refused_everywhere(view)  # floats only as numpy arrays

    run()


def check_huge_but_cheap_arrays():
    import numpy as np

    # Broadcast (zero strides): huge shapes that cost no memory. Each is
    # refused by its shape before a byte is copied, or is small enough to run.
    for shape in [(1, 40000), (40000, 1), (32769, 32769), (0, 10 ** 9), (10 ** 9, 0), (10 ** 9, 28, 29),
                  (28, 28, 10 ** 6), (10 ** 5, 10 ** 5, 3), (1, 32768), (32768, 1), (300, 28, 28), (300, 784)]:
        for value in (0, 255):
            array = np.broadcast_to(np.uint8(value), shape)
            for name, got in every_entry_point(array).items():
                assert got[0] == "ok" or isinstance(got[1], ALLOWED), (shape, name)
    # Zero-size arrays of every rank.
    for shape in [(0,), (0, 0), (0, 28), (28, 0), (0, 28, 28), (0, 784), (0, 0, 0, 0)]:
        array = np.zeros(shape, np.uint8)
        got = every_entry_point(array)
        assert got["preprocess"][0] == "error" and got["classify"][0] == "error", shape
        if shape in ((0, 28, 28), (0, 784)):
            assert got["infer_batch"] == ("ok", []), shape


# --- buffers: bytes, bytearray, memoryviews, array.array


def check_buffers():
    import array
    from hypothesis import given, strategies as st

    lengths = st.one_of(st.sampled_from([0, 1, 783, 784, 785, 1568, 28 * 30]), st.integers(0, 3000))
    data = lengths.flatmap(lambda n: st.binary(min_size=n, max_size=n))
    typecodes = st.sampled_from("bBuhHiIlLqQfd")

    @bounded()
    @given(data, typecodes, st.integers(1, 60))
    def run(raw, typecode, width):
        values = [raw, bytearray(raw), memoryview(raw), memoryview(bytearray(raw))]
        if len(raw) % width == 0 and raw:
            values.append(memoryview(raw).cast("B", [len(raw) // width, width]))  # a 2-D buffer
        size = array.array(typecode).itemsize
        usable = raw[:len(raw) - len(raw) % size]
        wide = array.array(typecode, usable) if typecode != "u" else array.array("u", "x" * (len(usable) // size))
        values += [wide, memoryview(wide)]
        if size > 1 and usable:
            values.append(memoryview(usable).cast(typecode if typecode != "u" else "B"))
        for value in values:
            got = every_entry_point(value)
            view = memoryview(value)
            if view.format != "B" and view.nbytes:
                # Items of other kinds are never reinterpreted as pixels.
                for name in ("classify", "infer", "classify_batch"):
                    assert got[name][0] == "error" and isinstance(got[name][1], TypeError), (name, view.format)
            if view.ndim == 2 and view.format == "B":
                agrees_with_bytes(value, tuple(view.shape), view.tobytes())

    run()


# --- Pillow images of every mode


PIL_MODES = ["1", "L", "P", "RGB", "RGBA", "CMYK", "I", "F", "I;16", "I;16B", "I;16L", "LA", "La", "PA",
             "RGBX", "RGBa", "YCbCr", "HSV", "LAB"]


def check_pillow_images():
    from hypothesis import given, strategies as st
    from PIL import Image

    sizes = st.one_of(st.sampled_from([(28, 28), (0, 0), (0, 5), (5, 0), (1, 1)]),
                      st.tuples(st.integers(1, 60), st.integers(1, 60)))

    @bounded()
    @given(st.sampled_from(PIL_MODES), sizes, st.binary(min_size=0, max_size=3600), st.integers(0, 255))
    def run(mode, size, noise, level):
        gray = Image.new("L", size, level)
        if size[0] and size[1] and noise:
            gray.putdata([noise[i % len(noise)] for i in range(size[0] * size[1])])
        try:
            image = gray.convert(mode)
        except (ValueError, OSError):
            image = Image.new(mode, size)
        if image.mode == "L":
            agrees_with_bytes(image, (size[1], size[0]), image.tobytes())
        else:
            # Every mode is made 8-bit gray first (README "Pixel values"), or
            # refused everywhere alike.
            from digitinfer._convert import pillow_gray

            converted = outcome(pillow_gray, image)
            if converted[0] == "ok":
                agrees_with_bytes(image, (size[1], size[0]), converted[1][2])
            else:
                refused_everywhere(image, type(converted[1]))

    run()


# --- odd objects


class _Raises:
    @property
    def __array_interface__(self):
        raise RuntimeError("no interface today")


class _Path(os.PathLike):
    def __fspath__(self):
        return "/nonexistent/image.png"


def check_odd_objects():
    odd = [None, 0, 1, -1, 2 ** 70, 1.5, float("nan"), 1j, "", "x" * 784, b"", {}, {"a": 1}, set(), frozenset(),
           object(), Ellipsis, NotImplemented, print, type, range(784), [None], [], [[]], [[1, 2], [3]],
           [["a"] * 28] * 28, [b"ab"], [[0.5] * 28] * 28, [[-1] * 28] * 28, [[256] * 28] * 28,
           [[0] * 28] * 28 + [None], [list(range(28))] * 28, [[True] * 28] * 28, (1, 2), (1, 2, 3, 4, 5),
           (28, 28, None), (28, 28, "x" * 784), (28, 28, b"\0" * 783), (2 ** 40, 1, b"\0"), (-1, -1, b""),
           (28, 28, b"\xff" * 784, 2 ** 64), (28, 1, b"\0" * 28, 2 ** 64 + 28), (True, True, b"\0"),
           _Raises(), _Path(), iter([1, 2, 3])]
    for value in odd:
        for name, got in every_entry_point(value).items():
            if got[0] == "ok":
                assert not isinstance(value, (type(None), int, float, str, dict)), (value, name)


# --- objects with a bogus __array_interface__ or __array__


def check_bogus_array_interfaces():
    from hypothesis import given, strategies as st

    typestrs = st.sampled_from(["|u1", "<u1", "|i1", "|b1", "<f4", "<u2", "|V1", "|O", "", "u1", 5, None])
    shapes = st.one_of(st.sampled_from([(28, 28), (784,), (1, 784), (2, 28, 28), (), (0,), (-1, 28), (28, -28),
                                        (2 ** 62, 2 ** 62), (10 ** 9, 10 ** 9), [28, 28], "28x28", None,
                                        (28.0, 28), (1,) * 40]),
                       st.tuples(st.integers(-2, 100), st.integers(-2, 100)))
    payload = st.binary(min_size=0, max_size=2000)
    datas = st.one_of(
        st.sampled_from([(0, False), (1, True), (200, False), (2 ** 48, False), (-1, False), (2 ** 70, False),
                         None, 5, "str", (None, False), ()]),
        payload, payload.map(bytearray), payload.map(memoryview),
    )
    strides = st.one_of(st.none(), st.sampled_from([(28, 1), (1, 28), (-28, 1), (0, 0), (0, 1), (2 ** 40, 1),
                                                    (-(2 ** 40), 1), (28,), (28, 1, 1), "x", (1.0, 1)]),
                        st.tuples(st.integers(-100, 100), st.integers(-100, 100)))
    offsets = st.one_of(st.just(0), st.integers(-10, 3000), st.sampled_from([None, "0", 2 ** 70]))

    @bounded(EXAMPLES * 3)
    @given(typestrs, shapes, datas, strides, offsets, st.booleans())
    def run(typestr, shape, data, stride, offset, with_tobytes):
        interface = {"version": 3, "typestr": typestr, "shape": shape, "data": data}
        if stride is not None:
            interface["strides"] = stride
        if offset != 0:
            interface["offset"] = offset

        class Bogus:
            __array_interface__ = interface
            if with_tobytes:  # never trusted either
                def tobytes(self):
                    return b"abc"

        every_entry_point(Bogus())
        if isinstance(data, tuple):  # a raw address (or a tuple posing as one): never read
            refused_everywhere(Bogus(), (TypeError, ValueError))

    run()
    for value in (_Raises(),):
        refused_everywhere(value)

    class NotADict:
        __array_interface__ = [("typestr", "|u1")]

    refused_everywhere(NotADict())


def check_bogus_array_methods():
    import numpy as np
    from hypothesis import given, strategies as st

    returns = st.one_of(
        st.sampled_from([None, 5, "x", [[0] * 28] * 28, b"\0" * 784, "self", "raise", "recurse"]),
        _array_strategy(),
    )

    @bounded()
    @given(returns)
    def run(returned):
        class HasArray:
            def __array__(self, dtype=None, copy=None):
                if isinstance(returned, str) and returned == "self":
                    return self
                if isinstance(returned, str) and returned == "raise":
                    raise RuntimeError("cannot")
                if isinstance(returned, str) and returned == "recurse":
                    return np.asarray(self)
                return returned

        value = HasArray()
        got = every_entry_point(value)
        if isinstance(returned, np.ndarray) and returned.dtype == np.uint8:
            agrees_with_bytes(value, returned.shape, returned.tobytes())
        elif not isinstance(returned, np.ndarray):
            for name, result in got.items():
                assert result[0] == "error" and isinstance(result[1], TypeError), (returned, name, result)

    run()


# --- GrayImage and (width, height, data[, stride]) with any numbers


def check_gray_image_forms():
    import array
    from hypothesis import given, strategies as st

    sides = st.one_of(st.integers(-3, 80), st.sampled_from([0, 32768, 32769, 2 ** 32, 2 ** 64, True, 1.0, None]))
    strides = st.one_of(st.none(), st.integers(-3, 200), st.sampled_from([2 ** 31, 2 ** 63, 2 ** 64, 2 ** 64 + 3, 1.5]))
    datas = st.one_of(st.binary(max_size=4000), st.binary(max_size=4000).map(bytearray),
                      st.binary(max_size=400).map(lambda b: array.array("H", b[:len(b) // 2 * 2])),
                      st.sampled_from([None, "text", 5, [1, 2, 3]]))

    @bounded(EXAMPLES * 2)
    @given(sides, sides, datas, strides, st.booleans())
    def run(width, height, data, stride, as_gray_image):
        value = dgi.GrayImage(width, height, data, stride) if as_gray_image else (width, height, data, stride)
        for call in (dgi.preprocess, model.classify_image):
            got = outcome(call, value)
            if got[0] == "ok":
                # Accepted: the sizes were sound and the data long enough.
                assert type(width) is int and type(height) is int and 1 <= width <= 32768 and 1 <= height <= 32768
                step = width if stride is None else stride
                assert len(memoryview(data).cast("B")) >= (height - 1) * step + width

    run()


# --- Model() from anything


def check_model_sources():
    from hypothesis import given, strategies as st

    good = MNIST.read_bytes()
    damaged = st.tuples(st.integers(0, len(good) - 1), st.integers(0, 255)).map(
        lambda d: good[:d[0]] + bytes([d[1]]) + good[d[0] + 1:])
    truncated = st.integers(0, len(good)).map(lambda n: good[:n])
    sources = st.one_of(st.binary(max_size=300), damaged, truncated, truncated.map(bytearray),
                        truncated.map(memoryview), st.sampled_from([None, 5, 1.5, {}, [], [1, 2], object()]))

    @bounded()
    @given(sources)
    def run(source):
        got = outcome(dgi.Model, source)
        if got[0] == "ok":
            # A model that opens must also run, crash-free, on any input.
            for pixels in (bytes(784), b"\xff" * 784, bytes(range(256)) * 3 + bytes(16)):
                assert len(got[1].infer(pixels)) == got[1].class_count
                got[1].classify(pixels)
                got[1].classify_batch(pixels * 3, threads=2)
        elif not isinstance(source, (bytes, bytearray, memoryview)):
            assert isinstance(got[1], TypeError), (source, got)
        else:
            assert isinstance(got[1], dgi.ModelError), (got[1])

    run()


if __name__ == "__main__":
    import faulthandler

    faulthandler.enable()
    _child(sys.argv[1])
