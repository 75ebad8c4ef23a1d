"""Model: an opened .dgi model, and what it answers."""

from __future__ import annotations

import ctypes
import enum
import os
import threading
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple, Union

from . import _lib
from ._errors import check
from ._images import PreprocessInfo, model_input, preprocess


class LayerKind(enum.IntEnum):
    """dgi_layer_kind."""

    CONV2D = 1
    MAXPOOL2D = 2
    DENSE = 3
    FLATTEN = 4


@dataclass(frozen=True)
class LayerInfo:
    """One layer, from dgi_model_get_layer. Shapes are (height, width, channels)."""

    index: int
    kind: Union[LayerKind, int]
    flags: int
    input_shape: Tuple[int, int, int]
    output_shape: Tuple[int, int, int]
    kernel: Tuple[int, int]  # (height, width); (1, 1) for dense and flatten
    input_zero_point: int
    output_zero_point: int
    output_scale: float  # real value = output_scale * (q - output_zero_point)
    parameter_count: int
    macs: int

    @property
    def relu(self) -> bool:
        return bool(self.flags & _lib.DGI_LAYER_RELU)

    @property
    def same_padding(self) -> bool:
        return bool(self.flags & _lib.DGI_LAYER_SAME_PADDING)


@dataclass(frozen=True)
class ModelInfo:
    """dgi_model_get_info, with the strings decoded and the metadata parsed."""

    name: str
    metadata: Dict[str, str]  # the "key=value" lines; a line without '=' maps to ""
    metadata_text: str  # the lines as stored
    format_version: Tuple[int, int]  # (major, minor) of the file
    file_size: int
    checksum: int  # the file's CRC-32
    layer_count: int
    class_count: int
    parameter_count: int
    macs: int  # multiply-accumulates per image
    scratch_size: int  # bytes of working memory per inference


@dataclass(frozen=True)
class Result:
    """The answer for one image.

    ``probabilities`` has one entry per class of the model. For
    classify_image(), ``pixels`` is the 28x28 input the model saw (784 bytes)
    and ``preprocess_info`` what dgi_preprocess found; both are None for
    classify().
    """

    digit: int
    confidence: float
    probabilities: Tuple[float, ...]
    pixels: Optional[bytes] = None
    preprocess_info: Optional[PreprocessInfo] = None


def _parse_metadata(text: str) -> Dict[str, str]:
    result: Dict[str, str] = {}
    for line in text.splitlines():
        if not line:
            continue
        key, _, value = line.partition("=")
        result[key] = value
    return result


def _decode(raw: Optional[bytes]) -> str:
    return raw.decode("utf-8", "replace") if raw else ""


class Model:
    """An opened .dgi model.

    ``Model(source)``: ``source`` is a path (str or os.PathLike) or the
    model's bytes (bytes, bytearray, memoryview, any bytes-like object). The
    library reads the bytes in place for as long as the model is used: the
    Model keeps its own immutable ``bytes`` (the file's content, the bytes
    object given, or a copy of a mutable buffer), so later changes to the
    caller's buffer cannot affect it. Raises ModelError (with ``.status``
    DGI_ERROR_TRUNCATED, _MAGIC, _VERSION, _CHECKSUM, _MALFORMED or
    _UNSUPPORTED) if the library rejects the bytes.

    A Model is immutable once opened and safe to share between threads: each
    thread gets its own scratch buffer, and ctypes releases the GIL while the
    C code runs, so threads classify in parallel.
    """

    def __init__(self, source: Any):
        if isinstance(source, (str, os.PathLike)):
            with open(source, "rb") as f:
                data = f.read()
            origin = os.fspath(source)
        elif isinstance(source, bytes):
            data, origin = source, None
        else:
            try:
                view = memoryview(source)
            except TypeError:
                raise TypeError(
                    "Model() takes a path or the model's bytes, not "
                    f"{type(source).__name__}"
                ) from None
            data, origin = view.tobytes(), None
        lib = _lib.lib()
        record = _lib.dgi_model()
        # The library keeps pointers into `data`: it must live (and it does,
        # as self._data) for as long as `record` is used. CPython never moves
        # a bytes object, and bytes are immutable.
        check(lib.dgi_model_open(ctypes.byref(record), data, len(data)),
              f"cannot open model {origin}" if origin else "cannot open model")
        self._data = data
        self._record = record
        self._path = origin
        self._local = threading.local()
        info = _lib.dgi_model_info()
        check(lib.dgi_model_get_info(ctypes.byref(record), ctypes.byref(info)), "dgi_model_get_info")
        metadata_text = _decode(info.metadata)
        self._info = ModelInfo(
            name=_decode(info.name),
            metadata=_parse_metadata(metadata_text),
            metadata_text=metadata_text,
            format_version=(info.format_major, info.format_minor),
            file_size=info.file_size,
            checksum=info.checksum,
            layer_count=info.layer_count,
            class_count=info.class_count,
            parameter_count=info.parameter_count,
            macs=info.macs,
            scratch_size=info.scratch_size,
        )
        self._layers = tuple(self._layer(i) for i in range(info.layer_count))

    def _layer(self, index: int) -> LayerInfo:
        raw = _lib.dgi_layer_info()
        check(_lib.lib().dgi_model_get_layer(ctypes.byref(self._record), index, ctypes.byref(raw)),
              f"dgi_model_get_layer({index})")
        try:
            kind: Union[LayerKind, int] = LayerKind(raw.kind)
        except ValueError:
            kind = raw.kind
        return LayerInfo(
            index=index, kind=kind, flags=raw.flags,
            input_shape=(raw.input_height, raw.input_width, raw.input_channels),
            output_shape=(raw.output_height, raw.output_width, raw.output_channels),
            kernel=(raw.kernel_height, raw.kernel_width),
            input_zero_point=raw.input_zero_point, output_zero_point=raw.output_zero_point,
            output_scale=raw.output_scale, parameter_count=raw.parameter_count, macs=raw.macs,
        )

    # --- what the model is --------------------------------------------------

    @property
    def info(self) -> ModelInfo:
        return self._info

    @property
    def layers(self) -> List[LayerInfo]:
        return list(self._layers)

    @property
    def name(self) -> str:
        return self._info.name

    @property
    def metadata(self) -> Dict[str, str]:
        return dict(self._info.metadata)

    @property
    def format_version(self) -> Tuple[int, int]:
        return self._info.format_version

    @property
    def class_count(self) -> int:
        return self._info.class_count

    @property
    def parameter_count(self) -> int:
        return self._info.parameter_count

    @property
    def macs(self) -> int:
        return self._info.macs

    @property
    def scratch_size(self) -> int:
        return self._info.scratch_size

    @property
    def checksum(self) -> int:
        return self._info.checksum

    @property
    def path(self) -> Optional[str]:
        """The file the model was read from, or None if given as bytes."""
        return self._path

    @property
    def data(self) -> bytes:
        """The model bytes the library reads (immutable)."""
        return self._data

    def __repr__(self) -> str:
        return (f"<digitinfer.Model {self.name!r}: {self.class_count} classes, "
                f"{len(self._layers)} layers, {self.parameter_count} parameters>")

    # --- running it -------------------------------------------------------------

    def _scratch(self) -> Any:
        buffer = getattr(self._local, "scratch", None)
        if buffer is None:
            buffer = ctypes.create_string_buffer(max(self._info.scratch_size, 1))
            self._local.scratch = buffer
        return buffer

    def infer(self, pixels: Any) -> List[int]:
        """The raw int8 outputs of the last layer (one per class, before
        softmax): the bit-exact, platform-independent answer.

        ``pixels`` is the 28x28 model input as is (0 = background, 255 = ink):
        784 bytes, 28 rows of 28 ints, 784 ints, or a (28, 28) uint8 array.
        Never preprocessed; see classify_image() for other images.
        """
        data = model_input(pixels)
        logits = (ctypes.c_int8 * 10)()
        scratch = self._scratch()
        check(_lib.lib().dgi_infer(ctypes.byref(self._record), data, scratch, len(scratch), logits),
              "dgi_infer")
        return list(logits[: self._info.class_count])

    def classify(self, pixels: Any) -> Result:
        """Classifies a 28x28 model input as is (no preprocessing), like
        infer(): 784 bytes, 28 rows of 28 ints, 784 ints, or a (28, 28) uint8
        array, 0 = background and 255 = ink, as in MNIST. Any other size
        raises ValueError: photos, scans and drawings go to classify_image().
        """
        data = model_input(pixels)
        return self._classify(data)

    def _classify(self, data: bytes, pixels: Optional[bytes] = None,
                  info: Optional[PreprocessInfo] = None) -> Result:
        result = _lib.dgi_result()
        scratch = self._scratch()
        check(_lib.lib().dgi_classify(ctypes.byref(self._record), data, scratch, len(scratch),
                                      ctypes.byref(result)), "dgi_classify")
        return Result(
            digit=result.digit,
            confidence=result.confidence,
            probabilities=tuple(result.probabilities[: self._info.class_count]),
            pixels=pixels,
            preprocess_info=info,
        )

    def classify_image(self, image: Any, ink: str = "auto", stride: Optional[int] = None) -> Result:
        """Preprocesses a grayscale image of any size (a photo, scan or
        drawing, including 28x28 ones) with preprocess(image, ink, stride),
        then classifies the result. The Result carries the 28x28 pixels the
        model saw and the PreprocessInfo. Raises NoInkError for a blank image.
        """
        pixels, info = preprocess(image, ink=ink, stride=stride)
        return self._classify(pixels, pixels, info)

