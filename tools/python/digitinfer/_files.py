"""Files: the shipped models and image files (through Pillow)."""

from __future__ import annotations

import os
from typing import Dict, Tuple

from ._convert import pillow_gray
from ._types import StrPath

_PACKAGE = os.path.dirname(os.path.abspath(__file__))
#: Where a wheel keeps the shipped models (tools/python/build-wheel.sh).
BUNDLED_MODELS = os.path.join(_PACKAGE, "models")
# A source checkout: tools/python/digitinfer -> the repository's models/.
_CHECKOUT_MODELS = os.path.normpath(os.path.join(_PACKAGE, os.pardir, os.pardir, os.pardir, "models"))

DEFAULT_MODEL = "mnist-int8"


class MissingDependencyError(ImportError):
    """An optional dependency (Pillow, for image files) is not installed."""


def shipped_models() -> Dict[str, str]:
    """{name: path} of the models that came with the package ("mnist-int8",
    "reference-int8"): the wheel's own copies, or, running from a source
    checkout, the repository's models/. Empty for a source install."""
    for directory in (BUNDLED_MODELS, _CHECKOUT_MODELS):
        if os.path.isdir(directory):
            found = {name[:-4]: os.path.join(directory, name)
                     for name in sorted(os.listdir(directory)) if name.endswith(".dgi")}
            if found:
                return found
    return {}


def default_model_path() -> str:
    """The path of the model Model() opens: the shipped mnist-int8.dgi."""
    path = shipped_models().get(DEFAULT_MODEL)
    if path is None:
        raise FileNotFoundError(
            "this digitinfer package has no shipped model (installed from source, not from the "
            "wheel): pass a path, e.g. Model('models/mnist-int8.dgi'), or install the wheel "
            "(tools/python/build-wheel.sh), which bundles it")
    return path


def read_gray(path: StrPath) -> Tuple[int, int, bytes]:
    """(width, height, 8-bit gray bytes) of an image file, decoded by Pillow."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"expected a file path (str or os.PathLike), got {type(path).__name__}")
    try:
        from PIL import Image
    except ImportError as error:
        raise MissingDependencyError(
            "reading image files needs Pillow: pip install 'digitinfer[images]' (or pip install Pillow); "
            "without it, decode the image yourself and pass the pixels to classify_image()") from error
    with Image.open(path) as image:
        image.load()
        return pillow_gray(image)
