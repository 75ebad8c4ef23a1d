"""Pixels in, pixels out: turning Python values into buffers for the C calls,
and dgi_preprocess.

Never imports numpy, so the package works without numpy installed: arrays
are read through the buffer protocol (numpy arrays, memoryviews) or, for
objects without it (Pillow images), through an ``__array_interface__`` whose
data is a buffer; never through a raw address an object reports.
"""

from __future__ import annotations

import ctypes
import sys
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional, Tuple

from . import _lib
from ._convert import float_array_to_uint8, pillow_gray
from ._errors import check
from ._types import BytesLike

if TYPE_CHECKING:  # pragma: no cover
    from ._types import Image

INPUT_SIZE = _lib.DGI_INPUT_SIZE
MAX_SIDE = _lib.DGI_PREPROCESS_MAX_SIDE

_INKS = {"auto": _lib.DGI_INK_AUTO, "dark": _lib.DGI_INK_DARK, "light": _lib.DGI_INK_LIGHT}
_INK_NAMES = {_lib.DGI_INK_DARK: "dark", _lib.DGI_INK_LIGHT: "light"}


@dataclass(frozen=True)
class GrayImage:
    """An 8-bit grayscale image of any size: row y starts at byte y * stride
    of ``data`` (stride defaults to width; bytes past each row's width are
    never read). ``data`` is any bytes-like object (bytes, bytearray,
    memoryview, array.array('B'), mmap) of at least (height - 1) * stride +
    width bytes. From Pillow: ``GrayImage(*img.size, img.convert("L").tobytes())``.
    """

    width: int
    height: int
    data: BytesLike
    stride: Optional[int] = None


@dataclass(frozen=True)
class PreprocessInfo:
    """What dgi_preprocess found (dgi_preprocess_info)."""

    ink: str  # "dark" or "light": the polarity used
    x: int  # the digit's bounding box in the input image
    y: int
    width: int
    height: int
    paper: int  # median of the border band, 0..255, in input units
    components: int  # ink components kept as the digit
    dropped: int  # ink components dropped as debris

    @property
    def box(self) -> Tuple[int, int, int, int]:
        """(x, y, width, height) of the digit in the input image."""
        return (self.x, self.y, self.width, self.height)


class _Array:
    """A validated uint8 array: its shape, and a memoryview of its pixels
    (format "B", any strides, kept alive with the object that owns them).
    ``ndarray`` is the numpy array itself when the pixels came from one."""

    __slots__ = ("shape", "view", "ndarray", "_gather")

    def __init__(self, shape: Tuple[int, ...], view: Optional[memoryview] = None, ndarray: Any = None,
                 gather: Any = None):
        self.shape, self.view, self.ndarray, self._gather = shape, view, ndarray, gather

    def tobytes(self) -> bytes:
        """The pixels in C order (row by row), whatever the strides. Callers
        check the shape first: copying is the one costly step."""
        return self.view.tobytes() if self.view is not None else self._gather()


# Bounds on what an __array_interface__ may describe before any byte of it
# is copied: the largest image has MAX_SIDE * MAX_SIDE = 2**30 pixels.
_MAX_DIMS = 32
_MAX_PIXELS = 2 ** 31
# The largest stride passed to the library (PTRDIFF_MAX on 64-bit machines).
_MAX_STRIDE = 2 ** (8 * ctypes.sizeof(ctypes.c_size_t) - 1) - 1


_FLOAT_HINT = ("float pixels are not converted implicitly: scale images in 0..1 with "
               "(a * 255).round().astype(numpy.uint8), and use a.round().astype(numpy.uint8) "
               "for values already in 0..255")
_INT_HINT = "convert it first, e.g. a.astype(numpy.uint8) if its values are in 0..255"


def _dtype_error(described: str, kind: str) -> TypeError:
    """The TypeError for pixels that are not uint8; ``kind`` is "f" (float),
    "i" (integer or bool) or "" (anything else)."""
    hint = {"f": _FLOAT_HINT, "i": _INT_HINT}.get(kind, "convert it to 8-bit grayscale (uint8) first")
    return TypeError(f"expected uint8 pixels, got {described}; {hint}")


def _format_kind(fmt: str) -> str:
    """The kind ("f", "i" or "") of a struct format (memoryview.format)."""
    letter = fmt.lstrip("@=<>!")
    if letter in ("e", "f", "d", "g"):
        return "f"
    if letter in ("?", "b", "h", "H", "i", "I", "l", "L", "q", "Q", "n", "N"):
        return "i"
    return ""


def _numpy_ndarray() -> Any:
    """numpy.ndarray if numpy is already imported (never imports it: the
    package works without numpy, and an array cannot exist before it)."""
    numpy = sys.modules.get("numpy")
    return getattr(numpy, "ndarray", None) if numpy is not None else None


def _is_pillow_image(value: Any) -> bool:
    return type(value).__module__.startswith("PIL.") and hasattr(value, "mode") and hasattr(value, "convert")


def _from_buffer(value: Any, view: memoryview, described: str) -> _Array:
    if view.format.lstrip("@=<>!") != "B":  # ctypes writes "<B"
        raise _dtype_error(described, _format_kind(view.format))
    ndarray_type = _numpy_ndarray()
    ndarray = value if ndarray_type is not None and isinstance(value, ndarray_type) else None
    return _Array(tuple(view.shape or ()), view, ndarray)


def _described(value: Any) -> str:
    dtype = getattr(value, "dtype", None) if _numpy_ndarray() is not None else None
    return f"dtype {dtype}" if dtype is not None else type(value).__name__


def _from_interface(value: Any, iface: Any) -> _Array:
    """An object that only describes itself with ``__array_interface__``
    (Pillow images do). Its ``data`` must be a buffer (bytes, ...): an integer
    there is a raw address, which nothing here can check, so it is refused
    rather than read (reading it is how a Pillow image used to crash Python:
    Pillow puts bytes there, and their first byte was taken as an address)."""
    name = type(value).__name__
    if not isinstance(iface, dict):
        raise TypeError(f"{name}.__array_interface__ is not a dict")
    typestr = iface.get("typestr")
    if not isinstance(typestr, str):
        raise TypeError(f"{name}.__array_interface__ has no typestr")
    if typestr not in ("|u1", "<u1", ">u1", "=u1"):
        kind = typestr[1:2] if len(typestr) >= 2 else ""
        raise _dtype_error(f"typestr {typestr!r}", "f" if kind == "f" else "i" if kind in ("i", "u", "b") else "")
    shape = iface.get("shape")
    if not isinstance(shape, tuple) or not all(type(n) is int and n >= 0 for n in shape):
        raise ValueError(f"{name}.__array_interface__ has no valid shape: {shape!r}")
    data = iface.get("data")
    if data is None or isinstance(data, tuple):
        raise TypeError(
            f"{name}.__array_interface__ gives a raw memory address, which cannot be checked; "
            "pass a numpy array, bytes, or a GrayImage instead")
    try:
        buffer = memoryview(data).cast("B")
    except (TypeError, ValueError, BufferError):
        raise TypeError(f"{name}.__array_interface__['data'] is not a contiguous buffer of bytes") from None
    offset = iface.get("offset", 0)
    strides = iface.get("strides")
    if type(offset) is not int or offset < 0:
        raise ValueError(f"{name}.__array_interface__ has a bad offset: {offset!r}")
    if strides is None:  # C order
        strides, step = [], 1
        for n in reversed(shape):
            strides.insert(0, step)
            step *= n
        strides = tuple(strides)
    elif not isinstance(strides, tuple) or len(strides) != len(shape) or not all(type(s) is int for s in strides):
        raise ValueError(f"{name}.__array_interface__ has bad strides: {strides!r}")
    count = 1
    for n in shape:
        count *= n
    if count == 0:
        return _Array(shape, memoryview(b""))
    if len(shape) > _MAX_DIMS or count > _MAX_PIXELS:
        raise ValueError(f"{name}.__array_interface__ describes a {shape} array: too large for pixels")
    # Every byte the interface describes must lie inside the buffer.
    low = offset + sum((n - 1) * s for n, s in zip(shape, strides) if s < 0)
    high = offset + sum((n - 1) * s for n, s in zip(shape, strides) if s > 0)
    if low < 0 or high >= len(buffer):
        raise ValueError(f"{name}.__array_interface__ describes bytes outside its data "
                         f"({len(buffer)} bytes)")
    return _Array(shape, gather=lambda: _gather(buffer, offset, shape, strides))


def _gather(buffer: memoryview, offset: int, shape: Tuple[int, ...], strides: Tuple[int, ...]) -> bytes:
    """The bytes at ``offset`` + sum(index * stride), in C order (checked bounds)."""
    if not shape:
        return bytes(buffer[offset:offset + 1])
    if len(shape) == 1:
        n, s = shape[0], strides[0]
        if s == 0:
            return bytes(buffer[offset:offset + 1]) * n
        stop = offset + n * s
        return bytes(buffer[offset:stop if stop >= 0 else None:s])
    return b"".join(_gather(buffer, offset + i * strides[0], shape[1:], strides[1:]) for i in range(shape[0]))


def _uint8_array(value: Any) -> Optional[_Array]:
    """``value`` as a validated uint8 array if it is array-like (a numpy
    array, an object with ``__array_interface__`` or ``__array__``, a Pillow
    image, a memoryview of 2 or more dimensions), None for anything else
    (bytes, lists, tuples, ...: the callers' other forms). Raises TypeError
    for array-likes that are not uint8 or cannot be checked.

    The pixels are always reached through the buffer protocol, which keeps
    the memory alive and describes it truthfully, never through an address
    an object reports about itself."""
    if isinstance(value, (bytes, bytearray, str, list, tuple, GrayImage)) or value is None:
        return None
    if isinstance(value, memoryview):
        return _from_buffer(value, value, f"format {value.format!r}") if value.ndim >= 2 else None
    ndarray_type = _numpy_ndarray()
    if ndarray_type is not None and isinstance(value, ndarray_type):
        if value.dtype.kind == "f":  # the float rule (README "Pixel values")
            value = float_array_to_uint8(value)
        try:
            view = memoryview(value)
        except (TypeError, ValueError, BufferError):  # datetime64, ...: no buffer export
            raise _dtype_error(_described(value), "") from None
        return _from_buffer(value, view, _described(value))
    if _is_pillow_image(value):
        if value.mode != "L":  # any other mode: to 8-bit gray by the documented rule
            width, height, data = pillow_gray(value)
            return _Array((height, width), memoryview(data))
        return _from_interface(value, value.__array_interface__)
    try:
        iface = value.__array_interface__
    except AttributeError:
        iface = None
    except Exception as error:  # a property that fails: not an array we can read
        raise TypeError(f"{type(value).__name__}.__array_interface__ failed: {error!r}") from None
    if iface is not None:
        return _from_interface(value, iface)
    array_method = getattr(type(value), "__array__", None)
    if array_method is None:
        return None
    try:
        array = value.__array__()
    except Exception as error:
        raise TypeError(f"{type(value).__name__}.__array__() failed: {error!r}") from None
    if ndarray_type is None or not isinstance(array, ndarray_type):
        raise TypeError(f"{type(value).__name__}.__array__() returned {type(array).__name__}, not a numpy array")
    return _uint8_array(array)


def _bytes_of(value: Any, what: str) -> bytes:
    """The bytes of a bytes-like object (any buffer of 1-byte items)."""
    if isinstance(value, bytes):
        return value
    try:
        view = memoryview(value)
    except TypeError:
        raise TypeError(f"{what}: expected a bytes-like object, got {type(value).__name__}") from None
    if view.format not in ("B", "c"):
        # Signed bytes (format 'b') would read -1 as 255: never reinterpreted.
        raise TypeError(f"{what}: expected a buffer of unsigned bytes, got format {view.format!r} "
                        f"({view.itemsize}-byte items)")
    return view.tobytes()


#: The shapes of one model input: the same 784 pixels in C order.
_INPUT_SHAPES = ((28, 28), (28, 28, 1), (1, 28, 28), (784,))


def model_input(pixels: Any) -> bytes:
    """The 784 bytes of a 28x28 model input, checked.

    Accepts 784 bytes (bytes, bytearray, memoryview, array.array('B')), a
    sequence of 28 rows of 28 ints in 0..255, a flat sequence of 784 such
    ints, or a uint8 or float array of shape (28, 28), (28, 28, 1),
    (1, 28, 28) or (784,) (numpy, anything with ``__array__``, a 2-D
    memoryview, a Pillow image of any mode; floats and Pillow modes by the
    rules of _convert.py).
    """
    array = _uint8_array(pixels)
    if array is not None:
        if array.shape not in _INPUT_SHAPES:
            hint = ("use classify_batch() for a batch of inputs"
                    if len(array.shape) >= 3 and array.shape[0] > 1 and array.shape[1:] in _INPUT_SHAPES
                    else "use classify_image()/preprocess() for images of other sizes")
            raise ValueError(
                f"a model input is a (28, 28), (28, 28, 1), (1, 28, 28) or (784,) array, "
                f"got shape {array.shape}; {hint}"
            )
        return array.tobytes()  # C order, whatever the strides
    if isinstance(pixels, (bytes, bytearray, memoryview)) or _is_buffer(pixels):
        data = _bytes_of(pixels, "pixels")
    elif isinstance(pixels, (list, tuple)):
        data = _bytes_from_rows(pixels)
    else:
        raise TypeError(
            "a model input is 784 bytes, 28 rows of 28 ints, 784 ints, or a uint8 array; "
            f"got {type(pixels).__name__}"
        )
    if len(data) != INPUT_SIZE:
        raise ValueError(
            f"a model input is 28x28 = 784 pixels, got {len(data)}; "
            "use classify_image()/preprocess() for images of other sizes"
        )
    return data


def batch_input(images: Any) -> Tuple[bytes, int]:
    """(the bytes, N) of N model inputs stored one after another, checked.

    Accepts a uint8 array of shape (N, 28, 28) or (N, 784), a bytes-like
    object of N * 784 bytes (bytes, bytearray, memoryview, array.array('B')),
    or a list or tuple of N model inputs in any form model_input() takes.
    """
    array = _uint8_array(images)
    if array is not None:
        shape = array.shape
        if len(shape) >= 2 and shape[1:] in ((28, 28), (28, 28, 1), (1, 28, 28), (784,)):
            return array.tobytes(), shape[0]  # C order, whatever the strides
        raise ValueError(
            "a batch of model inputs is an (N, 28, 28), (N, 28, 28, 1), (N, 1, 28, 28) or (N, 784) "
            f"array, got shape {shape}"
        )
    if isinstance(images, (list, tuple)):
        return b"".join(model_input(image) for image in images), len(images)
    if isinstance(images, (bytes, bytearray, memoryview)) or _is_buffer(images):
        data = _bytes_of(images, "images")
        if len(data) % INPUT_SIZE != 0:
            raise ValueError(
                f"a batch of model inputs is N * 784 bytes (28x28 each, one after another), "
                f"got {len(data)} bytes"
            )
        return data, len(data) // INPUT_SIZE
    raise TypeError(
        "a batch of model inputs is an (N, 28, 28) or (N, 784) uint8 array, N * 784 bytes, "
        f"or a list of model inputs; got {type(images).__name__}"
    )


def _is_buffer(value: Any) -> bool:
    if isinstance(value, (str, list, tuple)):
        return False
    try:
        memoryview(value)
    except TypeError:
        return False
    return True


def _row_bytes(row: Any) -> bytes:
    if not isinstance(row, (list, tuple, range)):
        try:
            view = memoryview(row)
        except TypeError:
            pass
        else:  # bytes, bytearray, a numpy row: its items must be bytes
            if view.itemsize != 1 or view.format not in ("B", "c"):
                raise TypeError(f"rows of pixels must hold unsigned bytes, got format {view.format!r}")
            return view.tobytes()
    try:
        return bytes(row)
    except ValueError:
        raise ValueError("pixel values must be integers in 0..255") from None
    except TypeError:
        raise TypeError(
            f"pixel values must be integers in 0..255, got a row of {type(row).__name__}"
        ) from None


def _bytes_from_rows(rows: Any) -> bytes:
    """A flat sequence of ints, or a sequence of equal-length rows."""
    if len(rows) == 0:
        return b""
    if isinstance(rows[0], int):
        return _row_bytes(rows)
    return b"".join(_row_bytes(row) for row in rows)


def _ink_flags(ink: Any) -> int:
    if not isinstance(ink, str) or ink not in _INKS:
        raise ValueError(f"ink must be 'auto', 'dark' or 'light', not {ink!r}")
    return _INKS[ink]


class _Image:
    """An image ready for dgi_preprocess: a pointer and the object that owns it."""

    __slots__ = ("pointer", "owner", "width", "height", "stride")

    def __init__(self, pointer: Any, owner: Any, width: int, height: int, stride: int):
        self.pointer, self.owner = pointer, owner
        self.width, self.height, self.stride = width, height, stride


def _check_size(width: Any, height: Any) -> None:
    for name, v in (("width", width), ("height", height)):
        if not isinstance(v, int) or isinstance(v, bool):
            raise TypeError(f"image {name} must be an int, got {type(v).__name__}")
        if not 1 <= v <= MAX_SIDE:
            raise ValueError(f"image {name} must be 1..{MAX_SIDE}, got {v}")


def _buffer_image(width: int, height: int, data: Any, stride: Optional[int]) -> _Image:
    _check_size(width, height)
    if stride is None:
        stride = width
    if not isinstance(stride, int) or isinstance(stride, bool):
        raise TypeError(f"stride must be an int, got {type(stride).__name__}")
    if stride < width:
        raise ValueError(f"stride {stride} is below the width {width}")
    if stride > _MAX_STRIDE:  # ctypes would silently wrap it to size_t
        raise ValueError(f"stride {stride} is above {_MAX_STRIDE}")
    need = (height - 1) * stride + width
    if isinstance(data, bytes):
        size, pointer, owner = len(data), data, data
    else:
        try:
            view = memoryview(data)
        except TypeError:
            raise TypeError(
                f"image data must be bytes-like, got {type(data).__name__}"
            ) from None
        if view.format not in ("B", "c") or not view.c_contiguous:
            raise TypeError("image data must be a contiguous buffer of unsigned bytes, "
                            f"got format {view.format!r}" + ("" if view.c_contiguous else ", not contiguous"))
        size = view.nbytes
        if size >= need and not view.readonly:
            # Writable buffers (bytearray, mmap, array): no copy.
            owner = pointer = (ctypes.c_uint8 * size).from_buffer(view)  # type: ignore[assignment]
        else:
            owner = pointer = view.tobytes()
    if size < need:
        raise ValueError(
            f"a {width}x{height} image with stride {stride} needs {need} bytes, got {size}"
        )
    return _Image(pointer, owner, width, height, stride)


def _array_image(array: _Array) -> _Image:
    shape = array.shape
    if len(shape) == 3 and shape[2] == 1:  # (height, width, 1): one channel
        shape = shape[:2]
        if array.ndarray is not None:
            array = _Array(shape, memoryview(array.ndarray[:, :, 0]), array.ndarray[:, :, 0])
        else:
            array = _Array(shape, array.view, None, array._gather)
    if len(shape) != 2:
        raise ValueError(
            f"an image is a 2-D (height, width) uint8 array, got shape {shape}; "
            "convert colour images to grayscale first"
        )
    height, width = shape
    _check_size(width, height)
    if array.ndarray is not None:
        # The base class's strides, as for the address below.
        row, column = _numpy_ndarray().strides.__get__(array.ndarray)
        if column == 1 and row >= width:
            # Rows of contiguous bytes at a positive stride (a C-contiguous
            # array or a view of one): read in place, no copy. The address is
            # numpy's own for an array it made (read through the base class,
            # which a subclass cannot override); `array` keeps it alive.
            ndarray = _numpy_ndarray()
            address = ndarray.__array_interface__.__get__(array.ndarray)["data"][0]
            return _Image(address, array, width, height, row)
    view = array.view
    if view is not None and view.c_contiguous and not view.readonly:
        # A writable buffer (bytearray-backed memoryview, ...): no copy.
        owner = (ctypes.c_uint8 * view.nbytes).from_buffer(view)
        return _Image(owner, (owner, array), width, height, width)
    data = array.tobytes()  # C order: columns strided, rows reversed, transposed...
    return _Image(data, data, width, height, width)


def image_argument(image: Any, stride: Optional[int] = None) -> _Image:
    """Any supported image form as a pointer + size + stride for the C call."""
    array = _uint8_array(image)
    if array is not None:
        if stride is not None:
            raise ValueError("stride is taken from the array's own strides; do not pass one")
        return _array_image(array)
    if isinstance(image, GrayImage):
        if stride is not None and image.stride is not None and stride != image.stride:
            raise ValueError("stride given twice, differently")
        return _buffer_image(image.width, image.height, image.data,
                             image.stride if image.stride is not None else stride)
    if isinstance(image, tuple) and len(image) in (3, 4):
        if len(image) == 4:
            if stride is not None:
                raise ValueError("stride given twice")
            stride = image[3]
        return _buffer_image(image[0], image[1], image[2], stride)
    if isinstance(image, list):
        if not image or isinstance(image[0], int):
            raise ValueError("an image given as a list must be a list of rows")
        width = len(image[0])
        if any(len(row) != width for row in image):
            raise ValueError("all rows of an image must have the same length")
        return _buffer_image(width, len(image), _bytes_from_rows(image), stride)
    raise TypeError(
        "an image is a 2-D uint8 array, a GrayImage, a (width, height, data[, stride]) "
        f"tuple or a list of rows; got {type(image).__name__}"
    )


_local = threading.local()


def _scratch(size: int) -> Any:
    # One buffer per thread, grown as needed (145 KiB at most by the header).
    buffer = getattr(_local, "scratch", None)
    if buffer is None or len(buffer) < size:
        buffer = ctypes.create_string_buffer(size)
        _local.scratch = buffer
    return buffer


def scratch_size(width: int, height: int) -> int:
    """dgi_preprocess_scratch_size(width, height): 0 if a side is 0 or too large."""
    if not (0 <= width <= 0xFFFFFFFF and 0 <= height <= 0xFFFFFFFF):
        return 0
    return int(_lib.lib().dgi_preprocess_scratch_size(width, height))


def preprocess(image: "Image", ink: str = "auto", stride: Optional[int] = None) -> Tuple[bytes, PreprocessInfo]:
    """Turns a grayscale image of any size into the model's 28x28 input.

    ``image``: a 2-D uint8 or float array (height, width) or (height,
    width, 1), any strides (row-strided numpy views are read in place,
    other layouts are copied), from numpy, ``__array__``, a 2-D memoryview
    or a Pillow image of any mode (made 8-bit gray: see _convert.py); a
    GrayImage; a tuple
    (width, height, data) or (width, height, data, stride); or a list of
    equal-length rows of ints 0..255. ``stride`` applies to the tuple form.
    ``ink``: "auto" (decide from the image), "dark" (pen on paper) or
    "light" (chalk on a board, MNIST itself).

    Returns (784 bytes, PreprocessInfo). Raises ValueError/TypeError for bad
    arguments, NoInkError when nothing in the image looks like a digit,
    ImageError if the library rejects the image.
    """
    flags = _ink_flags(ink)
    img = image_argument(image, stride)
    lib = _lib.lib()
    size = lib.dgi_preprocess_scratch_size(img.width, img.height)
    scratch = _scratch(size)
    pixels = (ctypes.c_uint8 * INPUT_SIZE)()
    info = _lib.dgi_preprocess_info()
    status = lib.dgi_preprocess(img.pointer, img.width, img.height, img.stride, flags,
                                scratch, size, pixels, ctypes.byref(info))
    check(status, f"dgi_preprocess ({img.width}x{img.height})")
    return bytes(pixels), PreprocessInfo(
        ink=_INK_NAMES.get(info.ink, str(info.ink)), x=info.x, y=info.y, width=info.width,
        height=info.height, paper=info.paper, components=info.components, dropped=info.dropped,
    )

