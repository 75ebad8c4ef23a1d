"""digitinfer: Python bindings for libdigitinfer, the int8 handwritten-digit
runtime (pure ctypes, no compiled extension; numpy optional).

    import digitinfer
    model = digitinfer.Model()          # the shipped model (or Model(path), Model(bytes))
    model.classify_file("seven.png")    # any image file Pillow reads (pip install 'digitinfer[images]')
    model.classify(pixels784)          # a 28x28 model input, as is
    model.classify_image(gray_image)   # any size: dgi_preprocess, then classify
    model.infer(pixels784)             # the raw int8 logits (bit-exact everywhere)
    model.classify_batch(images)       # N model inputs at once (dgi_classify_batch)
    model.read_number(gray_image)      # a whole number: .number "2026", .digits (dgi_read_number)
    model.read_number_file("2026.png")
    model.kernels                      # the kernel set it runs: "avx512vnni", ...
    digitinfer.supported_kernels()     # ["reference", "sse2", "avx2", ...]
    digitinfer.preprocess(gray_image, ink="auto")  # -> (784 bytes, PreprocessInfo)

The shared library is found through $DIGITINFER_LIBRARY, $DIGITINFER_PREFIX,
the copy bundled in the wheel, common prefixes, then the system's search path
(see load_library). ``digitinfer.__version__`` is the library's dgi_version().
"""

from typing import List

from ._errors import (
    DigitInferError,
    ImageError,
    KernelsError,
    ModelError,
    NoInkError,
    NotADigitError,
    Status,
    status_message,
)
from ._files import MissingDependencyError, default_model_path, shipped_models
from ._images import GrayImage, PreprocessInfo, preprocess, scratch_size as preprocess_scratch_size
from ._numbers import NumberDigit, NumberReading
from ._lib import ABI_VERSION, LibraryError, bundled_library, library_path, load_library
from ._model import (
    KERNEL_NAMES,
    Kernels,
    LayerInfo,
    LayerKind,
    Model,
    ModelInfo,
    Result,
    kernels_name,
    supported_kernels,
)

INPUT_WIDTH = 28
INPUT_HEIGHT = 28
INPUT_SIZE = 784


def __getattr__(name: str) -> str:
    # __version__ is the loaded library's dgi_version() (DGI_VERSION of
    # include/digitinfer.h, the project's one version), read on first use.
    if name == "__version__":
        from ._lib import version

        return version()
    raise AttributeError(f"module 'digitinfer' has no attribute {name!r}")


def __dir__() -> List[str]:
    return sorted(list(globals()) + ["__version__"])

__all__ = [
    "ABI_VERSION",
    "DigitInferError",
    "GrayImage",
    "ImageError",
    "INPUT_HEIGHT",
    "INPUT_SIZE",
    "INPUT_WIDTH",
    "KERNEL_NAMES",
    "Kernels",
    "KernelsError",
    "LayerInfo",
    "LayerKind",
    "LibraryError",
    "MissingDependencyError",
    "Model",
    "ModelError",
    "ModelInfo",
    "NoInkError",
    "NotADigitError",
    "NumberDigit",
    "NumberReading",
    "PreprocessInfo",
    "Result",
    "Status",
    "bundled_library",
    "default_model_path",
    "kernels_name",
    "library_path",
    "load_library",
    "preprocess",
    "preprocess_scratch_size",
    "shipped_models",
    "status_message",
    "supported_kernels",
]
