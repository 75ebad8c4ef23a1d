"""Pixels in, pixels out: turning Python values into buffers for the C calls,
and dgi_preprocess.

Never imports numpy: arrays are recognised by their ``__array_interface__``
(which numpy arrays carry), so the package works without numpy installed.
"""

from __future__ import annotations

import ctypes
import threading
from dataclasses import dataclass
from typing import Any, Optional, Tuple

from . import _lib
from ._errors import check

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
    data: Any
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


def _array_interface(value: Any) -> Optional[dict]:
    # numpy arrays (and other array libraries' arrays) describe themselves
    # here; plain buffers (bytes, memoryview) do not have it.
    if isinstance(value, (bytes, bytearray, memoryview)):
        return None
    try:
        return value.__array_interface__
    except AttributeError:
        return None


def _check_uint8_array(iface: dict) -> None:
    if iface.get("typestr") != "|u1":
        raise TypeError(
            f"expected an array of dtype uint8, got typestr {iface.get('typestr')!r}; "
            "convert it first, e.g. array.astype(numpy.uint8) (values 0..255)"
        )


def _bytes_of(value: Any, what: str) -> bytes:
    """The bytes of a bytes-like object (any buffer of 1-byte items)."""
    if isinstance(value, bytes):
        return value
    try:
        view = memoryview(value)
    except TypeError:
        raise TypeError(f"{what}: expected a bytes-like object, got {type(value).__name__}") from None
    if view.itemsize != 1:
        raise TypeError(f"{what}: expected a buffer of bytes, got items of {view.itemsize} bytes")
    return view.tobytes()


def model_input(pixels: Any) -> bytes:
    """The 784 bytes of a 28x28 model input, checked.

    Accepts 784 bytes (bytes, bytearray, memoryview, array.array('B')), a
    sequence of 28 rows of 28 ints in 0..255, a flat sequence of 784 such
    ints, or a uint8 array of shape (28, 28) or (784,).
    """
    iface = _array_interface(pixels)
    if iface is not None:
        _check_uint8_array(iface)
        shape = tuple(iface["shape"])
        if shape not in ((28, 28), (784,)):
            raise ValueError(
                f"a model input is a (28, 28) or (784,) uint8 array, got shape {shape}; "
                "use classify_image()/preprocess() for images of other sizes"
            )
        return pixels.tobytes()  # C order, whatever the strides
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
    iface = _array_interface(images)
    if iface is not None:
        _check_uint8_array(iface)
        shape = tuple(iface["shape"])
        if len(shape) == 3 and shape[1:] == (28, 28) or len(shape) == 2 and shape[1] == INPUT_SIZE:
            return images.tobytes(), shape[0]  # C order, whatever the strides
        raise ValueError(
            f"a batch of model inputs is an (N, 28, 28) or (N, 784) uint8 array, got shape {shape}"
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
        if view.itemsize != 1 or not view.c_contiguous:
            raise TypeError("image data must be a contiguous buffer of bytes")
        size = view.nbytes
        if size >= need and not view.readonly:
            # Writable buffers (bytearray, mmap, array): no copy.
            owner = (ctypes.c_uint8 * size).from_buffer(view)
            pointer = owner
        else:
            owner = pointer = view.tobytes()
    if size < need:
        raise ValueError(
            f"a {width}x{height} image with stride {stride} needs {need} bytes, got {size}"
        )
    return _Image(pointer, owner, width, height, stride)


def _array_image(array: Any, iface: dict) -> _Image:
    _check_uint8_array(iface)
    shape = tuple(iface["shape"])
    if len(shape) != 2:
        raise ValueError(
            f"an image is a 2-D (height, width) uint8 array, got shape {shape}; "
            "convert colour images to grayscale first"
        )
    height, width = shape
    _check_size(width, height)
    strides = iface.get("strides")
    address = iface["data"][0]
    if strides is None:  # C-contiguous
        return _Image(address, array, width, height, width)
    row, column = strides
    if column == 1 and row >= width:
        # Rows of contiguous bytes at a positive stride: a view, no copy.
        return _Image(address, array, width, height, row)
    data = array.tobytes()  # C order: columns strided, rows reversed, transposed...
    return _Image(data, data, width, height, width)


def image_argument(image: Any, stride: Optional[int] = None) -> _Image:
    """Any supported image form as a pointer + size + stride for the C call."""
    iface = _array_interface(image)
    if iface is not None:
        if stride is not None:
            raise ValueError("stride is taken from the array's own strides; do not pass one")
        return _array_image(image, iface)
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
    return _lib.lib().dgi_preprocess_scratch_size(width, height)


def preprocess(image: Any, ink: str = "auto", stride: Optional[int] = None) -> Tuple[bytes, PreprocessInfo]:
    """Turns a grayscale image of any size into the model's 28x28 input.

    ``image``: a 2-D uint8 array (height, width), any strides (row-strided
    views are read in place, other layouts are copied); a GrayImage; a tuple
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

