"""Reading whole numbers: dgi_read_number and what it answers."""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, Tuple

from . import _lib
from ._errors import Status, check
from ._images import _ink_flags, _scratch, image_argument
from ._types import Image

if TYPE_CHECKING:  # pragma: no cover
    from ._model import Model

#: Room for a long number on the first call; a longer one is read again
#: with room for exactly its count.
_FIRST_ROOM = 32


@dataclass(frozen=True)
class NumberDigit:
    """One digit of a number (dgi_number_digit)."""

    digit: int  # 0..9 (never "not a digit": those are dropped)
    confidence: float  # probabilities[digit]
    probabilities: Tuple[float, ...]  # one per digit class of the model
    box: Tuple[int, int, int, int]  # (x, y, width, height) in the input image
    split: bool  # cut from strokes touching a neighbour (DGI_DIGIT_SPLIT)
    pixels: bytes  # the 28x28 model input it was read from (784 bytes)


@dataclass(frozen=True)
class NumberReading:
    """A number read from an image: ``number`` is its digits as a string,
    in reading order, leading zeros kept ("0042"), gaps left out ("326 751"
    reads "326751"); ``digits`` has the details of each."""

    number: str
    digits: Tuple[NumberDigit, ...]

    def __str__(self) -> str:
        return self.number


def read_number(model: "Model", image: Image, ink: str = "auto", stride: Optional[int] = None) -> NumberReading:
    """dgi_read_number on ``image`` (any form preprocess() takes) with
    ``model``; see Model.read_number."""
    flags = _ink_flags(ink)
    img = image_argument(image, stride)
    lib = _lib.lib()
    record = ctypes.byref(model._record)
    size = int(lib.dgi_read_number_scratch_size(record, img.width, img.height))
    if size == 0:  # the sizes are out of range: the call says so
        size = 1
    scratch = _scratch(size)
    count = ctypes.c_size_t(0)
    room = _FIRST_ROOM
    while True:
        digits = (_lib.dgi_number_digit * room)()
        status = lib.dgi_read_number(record, img.pointer, img.width, img.height, img.stride, flags,
                                     scratch, size, digits, room, ctypes.byref(count))
        if status != Status.ERROR_TOO_MANY or count.value <= room:
            break
        room = count.value
    check(status, f"dgi_read_number ({img.width}x{img.height})")
    classes = min(model.class_count, 10)
    read = tuple(
        NumberDigit(
            digit=d.result.digit,
            confidence=d.result.confidence,
            probabilities=tuple(d.result.probabilities[:classes]),
            box=(d.x, d.y, d.width, d.height),
            split=bool(d.flags & _lib.DGI_DIGIT_SPLIT),
            pixels=bytes(d.pixels),
        )
        for d in digits[: count.value]
    )
    return NumberReading(number="".join(str(d.digit) for d in read), digits=read)
