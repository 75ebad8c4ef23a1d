"""Pixels that are not 8-bit gray, made 8-bit gray by one documented rule
(README "Pixel values"), or refused with a ValueError: never a silent
black image.

- Floats (numpy float arrays, Pillow mode "F"): every value must be finite
  and within [0, 255]. If the largest is at most 1.0 the image is taken as
  0..1 and scaled by 255; otherwise the values are taken as 0..255. Then
  each is rounded to the nearest integer (halves up).
- Pillow modes "I" and "I;16*" (integers): values within 0..255 are taken
  as they are (what Pillow's own convert() from 8-bit modes gives); if one is
  above 255 and all are within 0..65535, the image is 16-bit and is scaled by
  255/65535 (rounded), as digitinfer-cli reads 16-bit PNGs. Negative values
  or values above 65535: ValueError.
- Every other Pillow mode goes through Pillow's convert("L") (ITU-R 601
  luma, palettes looked up). Modes with transparency (RGBA, LA, PA, La,
  RGBa, P or RGB with a transparent colour) are composited onto paper chosen
  as digitinfer-cli chooses it: white under dark ink (alpha-weighted mean
  luminance at most mid-gray, or nothing opaque), black under light ink.

Never imports numpy or Pillow itself: they are used only when the value
given is one of theirs.
"""

from __future__ import annotations

import array
import math
import sys
from typing import TYPE_CHECKING, Iterable, Tuple

if TYPE_CHECKING:  # pragma: no cover
    import numpy
    from PIL import Image as PILImage

FLOAT_RULE = ("float pixels must be finite and within [0, 255]: values all within [0, 1] are "
              "scaled by 255, values within [0, 255] are rounded")


def float_bytes(values: Iterable[float], what: str) -> bytes:
    """Floats (any iterable) as 8-bit pixels by the float rule."""
    items = list(values)
    if not items:
        return b""
    for v in items:
        if not math.isfinite(v):
            raise ValueError(f"{what}: a pixel is {v}; {FLOAT_RULE}")
    low, high = min(items), max(items)
    if low < 0 or high > 255:
        raise ValueError(f"{what}: pixels range over [{low}, {high}]; {FLOAT_RULE}")
    scale = 255.0 if high <= 1.0 else 1.0
    return bytes(int(math.floor(v * scale + 0.5)) for v in items)


def float_array_to_uint8(a: "numpy.ndarray") -> "numpy.ndarray":
    """A numpy float array as a uint8 array of the same shape, by the float rule."""
    np = sys.modules["numpy"]
    what = f"dtype {a.dtype}"
    if a.size == 0:
        empty: "numpy.ndarray" = np.zeros(a.shape, np.uint8)
        return empty
    values = a.astype(np.float64)  # float16, big-endian, long double: one kind
    if not np.isfinite(values).all():
        raise ValueError(f"{what}: some pixels are NaN or infinite; {FLOAT_RULE}")
    low, high = float(values.min()), float(values.max())
    if low < 0 or high > 255:
        raise ValueError(f"{what}: pixels range over [{low}, {high}]; {FLOAT_RULE}")
    if high <= 1.0:
        values = values * 255.0
    result: "numpy.ndarray" = np.floor(values + 0.5).astype(np.uint8)
    return result


def _integer_bytes(values: "array.array[int]", what: str) -> bytes:
    if len(values) == 0:
        return b""
    low, high = min(values), max(values)
    if low < 0 or high > 65535:
        raise ValueError(f"{what}: pixels range over [{low}, {high}]; integer pixels must be within "
                         "0..255 (taken as is) or 0..65535 (16-bit, scaled by 255/65535)")
    if high <= 255:
        return bytes(values.tolist())
    return bytes((v * 255 + 32767) // 65535 for v in values)


_ALPHA_MODES = ("RGBA", "LA", "PA", "La", "RGBa")


def _composite(rgba: "PILImage.Image") -> "PILImage.Image":
    """An RGBA image as "L" on the paper digitinfer-cli would choose."""
    from PIL import Image, ImageChops, ImageStat

    luma = rgba.convert("RGB").convert("L")
    alpha = rgba.getchannel("A")
    opacity = ImageStat.Stat(alpha).sum[0]  # sum of alpha
    weighted = ImageStat.Stat(ImageChops.multiply(luma, alpha)).sum[0]  # sum of luma * alpha / 255
    paper = 255 if opacity == 0 or weighted * 255 <= 127.5 * opacity else 0
    return Image.composite(luma, Image.new("L", rgba.size, paper), alpha)


def pillow_gray(image: "PILImage.Image") -> Tuple[int, int, bytes]:
    """(width, height, 8-bit gray bytes) of a Pillow image of any mode."""
    from PIL import Image

    mode = image.mode
    width, height = image.size
    what = f"Pillow image of mode {mode!r}"
    if mode == "L":
        return width, height, image.tobytes()
    if mode == "F":
        return width, height, float_bytes(array.array("f", image.tobytes()), what)
    if mode == "I" or mode.startswith("I;16"):
        code = "i" if mode == "I" else "H"
        values = array.array(code, image.tobytes())
        big = mode.endswith("B") or (mode == "I;16N" and sys.byteorder == "big")
        if code == "H" and big != (sys.byteorder == "big"):
            values.byteswap()
        return width, height, _integer_bytes(values, what)
    if mode == "La":  # premultiplied: Pillow converts it to nothing, RGBa to RGBA
        l, a = image.split()
        image = Image.merge("RGBa", (l, l, l, a))
        mode = "RGBa"
    try:
        if mode in _ALPHA_MODES or "transparency" in image.info:
            gray = _composite(image.convert("RGBA"))
        else:
            try:
                gray = image.convert("L")
            except ValueError:  # LAB and the like: through RGB(A)
                gray = _composite(image.convert("RGBA"))
    except (ValueError, OSError) as error:
        raise TypeError(f"cannot convert a {what} to grayscale: {error}") from None
    return width, height, gray.tobytes()
