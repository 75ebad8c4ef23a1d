"""Status codes and the exceptions that carry them."""

from __future__ import annotations

import enum
from typing import Iterable

from . import _lib


class Status(enum.IntEnum):
    """dgi_status, as in include/digitinfer.h."""

    OK = 0
    ERROR_ARGUMENT = 1
    ERROR_TRUNCATED = 2
    ERROR_MAGIC = 3
    ERROR_VERSION = 4
    ERROR_CHECKSUM = 5
    ERROR_MALFORMED = 6
    ERROR_UNSUPPORTED = 7
    ERROR_SCRATCH = 8
    ERROR_IMAGE = 9
    ERROR_NOT_OPEN = 10
    ERROR_NO_INK = 11
    ERROR_TOO_MANY = 12
    ERROR_NOT_A_DIGIT = 13


class DigitInferError(Exception):
    """A libdigitinfer function returned a status other than DGI_OK.

    ``status`` is the code (a Status when the library's value is known, else
    the int); ``message`` is the library's dgi_status_message() text.
    """

    def __init__(self, status: int, message: str, context: str = ""):
        try:
            status = Status(status)
        except ValueError:
            pass
        self.status = status
        self.message = message
        self.context = context
        name = f"DGI_{status.name}" if isinstance(status, Status) else f"status {int(status)}"
        super().__init__(f"{context}: {message} ({name})" if context else f"{message} ({name})")


class ModelError(DigitInferError):
    """The model bytes were rejected: truncated, not .dgi, another major
    version, a bad checksum, malformed or using an unsupported feature."""


class KernelsError(DigitInferError, ValueError):
    """The kernel set asked for (Model(kernels=...), Model.set_kernels) is
    not one this library holds and this CPU runs (``status``
    ERROR_UNSUPPORTED), or names no kernel set at all (ERROR_ARGUMENT).
    ``message`` says which; ``supported`` lists the names this library and
    CPU run. Also a ValueError: it is a bad argument."""

    def __init__(self, status: int, message: str, listing: str = "", supported: Iterable[str] = ()) -> None:
        super().__init__(status, message)
        self.supported = list(supported)
        if listing:
            self.args = (f"{self.args[0]}; {listing}",)


class ImageError(DigitInferError):
    """dgi_preprocess rejected the image (DGI_ERROR_IMAGE)."""


class NoInkError(ImageError):
    """dgi_preprocess found nothing that looks like a digit (DGI_ERROR_NO_INK):
    a blank or uniform image, or only specks."""


class NotADigitError(NoInkError):
    """read_number found ink, but the model read none of it as a digit
    (DGI_ERROR_NOT_A_DIGIT): letters, a scribble, a drawing. Only with a model
    that has the "not a digit" class. A NoInkError too: either way no number
    was found."""


_CLASSES = {
    Status.ERROR_TRUNCATED: ModelError,
    Status.ERROR_MAGIC: ModelError,
    Status.ERROR_VERSION: ModelError,
    Status.ERROR_CHECKSUM: ModelError,
    Status.ERROR_MALFORMED: ModelError,
    Status.ERROR_UNSUPPORTED: ModelError,
    Status.ERROR_NOT_OPEN: ModelError,
    Status.ERROR_IMAGE: ImageError,
    Status.ERROR_NO_INK: NoInkError,
    Status.ERROR_NOT_A_DIGIT: NotADigitError,
}


def status_message(status: int) -> str:
    """dgi_status_message(status): the library's English sentence for a code."""
    text = _lib.lib().dgi_status_message(int(status))
    return text.decode("utf-8", "replace") if text else ""


def check(status: int, context: str = "") -> None:
    """Raises the matching DigitInferError subclass unless status is DGI_OK."""
    if status != Status.OK:
        cls = _CLASSES.get(status, DigitInferError)  # type: ignore[call-overload]
        raise cls(status, status_message(status), context)
