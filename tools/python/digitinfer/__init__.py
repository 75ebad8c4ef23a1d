"""digitinfer: Python bindings for libdigitinfer, the int8 handwritten-digit
runtime (pure ctypes, no compiled extension; numpy optional).

    import digitinfer
    model = digitinfer.Model("models/mnist-int8.dgi")
    model.classify(pixels784)          # a 28x28 model input, as is
    model.classify_image(gray_image)   # any size: dgi_preprocess, then classify
    model.infer(pixels784)             # the raw int8 logits (bit-exact everywhere)
    model.classify_batch(images)       # N model inputs at once (dgi_classify_batch)
    model.kernels                      # the kernel set it runs: "avx512vnni", ...
    digitinfer.supported_kernels()     # ["reference", "sse2", "avx2", ...]
    digitinfer.preprocess(gray_image, ink="auto")  # -> (784 bytes, PreprocessInfo)

The shared library is found through $DIGITINFER_LIBRARY, $DIGITINFER_PREFIX,
common prefixes, then the system's search path (see load_library).
"""

from ._errors import DigitInferError, ImageError, KernelsError, ModelError, NoInkError, Status, status_message
from ._images import GrayImage, PreprocessInfo, preprocess, scratch_size as preprocess_scratch_size
from ._lib import ABI_VERSION, LibraryError, library_path, load_library
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

__version__ = "1.0.0"

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
    "Model",
    "ModelError",
    "ModelInfo",
    "NoInkError",
    "PreprocessInfo",
    "Result",
    "Status",
    "kernels_name",
    "library_path",
    "load_library",
    "preprocess",
    "preprocess_scratch_size",
    "status_message",
    "supported_kernels",
]
