"""Type aliases of the public signatures (for type checkers; nothing here
imports numpy or Pillow at run time)."""

from __future__ import annotations

import array
import os
from typing import TYPE_CHECKING, Any, Sequence, Tuple, Union

if TYPE_CHECKING:  # pragma: no cover
    import numpy
    import numpy.typing
    from PIL import Image as PILImage

    from ._images import GrayImage

    NDArray = numpy.typing.NDArray[Any]
    PILImageType = PILImage.Image
else:
    NDArray = "numpy.ndarray"
    PILImageType = "PIL.Image.Image"
    GrayImage = "GrayImage"

#: A file path.
StrPath = Union[str, "os.PathLike[str]"]

#: Bytes-like objects of 1-byte items.
BytesLike = Union[bytes, bytearray, memoryview, "array.array[int]"]

#: One 28x28 model input (classify, infer): 784 bytes, 28 rows of 28 ints,
#: 784 ints, a uint8 or float array of shape (28, 28), (28, 28, 1),
#: (1, 28, 28) or (784,), or a 28x28 Pillow image of any mode.
Pixels = Union[BytesLike, Sequence[int], Sequence[Sequence[int]], NDArray, PILImageType]

#: N model inputs (classify_batch, infer_batch): an (N, 28, 28),
#: (N, 28, 28, 1), (N, 1, 28, 28) or (N, 784) array, N * 784 bytes, or a
#: sequence of N inputs in any form of Pixels.
Batch = Union[BytesLike, NDArray, Sequence[Pixels]]

#: A grayscale image of any size (preprocess, classify_image).
Image = Union[NDArray, PILImageType, GrayImage, Tuple[int, int, BytesLike], Tuple[int, int, BytesLike, int],
              Sequence[Sequence[int]]]

#: Where a model comes from: a path, the file's bytes, or None (the shipped model).
ModelSource = Union[StrPath, BytesLike, None]
