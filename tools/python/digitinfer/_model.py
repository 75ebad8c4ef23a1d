"""Model: an opened .dgi model, and what it answers."""

from __future__ import annotations

import ctypes
import enum
import os
import threading
import dataclasses
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Tuple, Union

from . import _lib
from ._errors import KernelsError, Status, check, status_message
from ._files import default_model_path, read_gray
from ._images import PreprocessInfo, batch_input, model_input, preprocess
from ._numbers import NumberReading, read_number
from ._types import Batch, Image, ModelSource, Pixels, StrPath

#: A kernel set: a name ("auto", "avx2", ...) or a Kernels value.
KernelsArg = Union[str, int]


class Kernels(enum.IntEnum):
    """dgi_kernels: the kernel sets (implementations of the layers) of the
    library. Every set computes the same integers; they differ in speed and
    in the instructions they need. The names (kernels_name) are those of
    $DIGITINFER_KERNELS: "reference", "sse2" (x86-64) or "portable"
    (elsewhere) for BASELINE, "avx2", "avx512vnni", "avxvnni", "neondot", "dsp"."""

    AUTO = 0  # the fastest set this CPU supports
    REFERENCE = 1  # the plain definitions, any CPU
    BASELINE = 2  # Swift SIMD: "sse2" on x86-64, "portable" elsewhere
    AVX2 = 3
    AVX512VNNI = 4
    AVXVNNI = 5  # 256-bit VNNI, for CPUs without AVX-512
    NEONDOT = 6  # AArch64 sdot (Armv8.2 dot product)
    DSP = 7  # Cortex-M smlad (DSP extension)


#: Every name a kernel set may have, on any platform ("auto": the fastest).
KERNEL_NAMES = ("auto", "reference", "sse2", "portable", "avx2", "avx512vnni", "avxvnni", "neondot", "dsp")


def kernels_name(kernels: int) -> str:
    """dgi_kernels_name(kernels): "reference", "sse2", ..., "auto" for
    Kernels.AUTO, "unknown" for a value outside the enum."""
    if not 0 <= int(kernels) <= 0x7FFFFFFF:
        return "unknown"
    return str(_lib.lib().dgi_kernels_name(int(kernels)).decode("ascii", "replace"))


def supported_kernels() -> List[str]:
    """The names of the kernel sets this library holds and this CPU runs
    (dgi_kernels_supported), in the order of the Kernels enum: e.g.
    ["reference", "sse2", "avx2", "avx512vnni", "avxvnni"]. "reference" is always
    there."""
    bits = _lib.lib().dgi_kernels_supported()
    return [kernels_name(k) for k in Kernels if k != Kernels.AUTO and bits & (1 << k)]


_UNSUPPORTED = "kernel set {!r} is not in this library or not run by this CPU"


def _kernels_value(kernels: KernelsArg) -> Kernels:
    """The dgi_kernels value of a name ("auto", "avx2", ...) or a Kernels;
    KernelsError for anything this library and CPU do not run."""
    supported = supported_kernels()
    listing = "supported here: " + ", ".join(["auto"] + supported)
    if isinstance(kernels, bool) or not isinstance(kernels, (str, int)):
        raise TypeError(f"kernels must be a name such as 'avx2' or a Kernels value, not {type(kernels).__name__}")
    if isinstance(kernels, int):
        try:
            value = Kernels(kernels)
        except ValueError:
            raise KernelsError(Status.ERROR_ARGUMENT, f"no kernel set has the value {kernels}",
                               listing=listing, supported=supported) from None
        if value == Kernels.AUTO or kernels_name(value) in supported:
            return value
        if kernels_name(value) == "unknown":  # a value this library does not know
            raise KernelsError(Status.ERROR_ARGUMENT, f"this library has no kernel set {value.name} ({int(value)})",
                               listing=listing, supported=supported)
        kernels = kernels_name(value)
    elif kernels == "auto":
        return Kernels.AUTO
    else:
        for value in Kernels:
            if value != Kernels.AUTO and kernels_name(value) == kernels and kernels in supported:
                return value
    if kernels in KERNEL_NAMES or kernels in [kernels_name(k) for k in Kernels if kernels_name(k) != "unknown"]:
        raise KernelsError(Status.ERROR_UNSUPPORTED, _UNSUPPORTED.format(kernels),
                           listing=listing, supported=supported)
    raise KernelsError(Status.ERROR_ARGUMENT,
                       f"unknown kernel set {kernels!r} (known: {', '.join(KERNEL_NAMES)})",
                       listing=listing, supported=supported)


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

    ``digit`` is the most probable digit, 0 to 9, or None when the model
    says the image is not a digit (only a model with that class does, see
    Model.has_not_a_digit): then ``not_a_digit`` is True, ``confidence`` is
    the probability of "not a digit", and ``best_digit`` the digit the image
    looks most like (with ``best_confidence``). Otherwise ``confidence`` is
    the digit's probability and ``best_digit`` equals ``digit``.

    ``probabilities`` has one entry per digit class of the model (10 for
    the usual models); with ``not_a_digit_probability`` (0 for a model
    without that class) they sum to 1. For classify_image(), ``pixels`` is
    the 28x28 input the model saw (784 bytes) and ``preprocess_info`` what
    dgi_preprocess found; both are None for classify().
    """

    digit: Optional[int]
    confidence: float
    probabilities: Tuple[float, ...]
    pixels: Optional[bytes] = None
    preprocess_info: Optional[PreprocessInfo] = None
    not_a_digit: bool = False
    not_a_digit_probability: float = 0.0
    best_digit: int = -1  # -1 (only when built by hand): taken from digit

    def __post_init__(self) -> None:
        if self.best_digit < 0 and self.digit is not None:
            object.__setattr__(self, "best_digit", self.digit)

    @property
    def best_confidence(self) -> float:
        """The probability of ``best_digit``."""
        if 0 <= self.best_digit < len(self.probabilities):
            return self.probabilities[self.best_digit]
        return 0.0

    @property
    def predicted_class(self) -> int:
        """The winning output: the digit, or 10 (DGI_CLASS_NOT_A_DIGIT)
        for "not a digit", e.g. to compare with labels using 10 for non-digits."""
        return _lib.DGI_CLASS_NOT_A_DIGIT if self.digit is None else self.digit

    @staticmethod
    def _from_c(r: Any, classes: int, pixels: Optional[bytes] = None,
                info: Optional[PreprocessInfo] = None) -> "Result":
        """From a dgi_result of a model of ``classes`` classes."""
        refused = r.digit == _lib.DGI_NOT_A_DIGIT
        return Result(
            digit=None if refused else int(r.digit),
            confidence=r.confidence,
            probabilities=tuple(r.probabilities[: min(classes, _lib.DGI_CLASS_NOT_A_DIGIT)]),
            pixels=pixels,
            preprocess_info=info,
            not_a_digit=refused,
            not_a_digit_probability=r.not_a_digit,
            best_digit=int(r.best_digit),
        )


def _check_threads(threads: Any) -> None:
    if isinstance(threads, bool) or not isinstance(threads, int):
        raise TypeError(f"threads must be an int, got {type(threads).__name__}")
    if threads < 1:
        raise ValueError(f"threads must be at least 1, got {threads}")


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

    ``Model()`` opens the shipped model (models/mnist-int8.dgi, bundled in
    the wheel; see default_model_path()).
    ``Model(source)``: ``source`` is a path (str or os.PathLike) or the
    model's bytes (bytes, bytearray, memoryview, any bytes-like object). The
    library reads the bytes in place for as long as the model is used: the
    Model keeps its own immutable ``bytes`` (the file's content, the bytes
    object given, or a copy of a mutable buffer), so later changes to the
    caller's buffer cannot affect it. Raises ModelError (with ``.status``
    DGI_ERROR_TRUNCATED, _MAGIC, _VERSION, _CHECKSUM, _MALFORMED or
    _UNSUPPORTED) if the library rejects the bytes.

    ``kernels`` forces a kernel set: a name ("reference", "sse2", "avx2",
    "avx512vnni", ... see supported_kernels()) or a Kernels value; "auto"
    is the fastest this CPU supports. Without it the model runs the library's
    choice: $DIGITINFER_KERNELS (x86-64) when it names a supported set, else
    the fastest. Raises KernelsError for a set this library or CPU lacks.
    Every set gives the same answers.

    A Model is immutable once opened and safe to share between threads: each
    thread gets its own scratch buffer, and ctypes releases the GIL while the
    C code runs, so threads classify in parallel (set_kernels() is the one
    exception: call it before sharing the model).
    """

    def __init__(self, source: ModelSource = None, kernels: Optional[KernelsArg] = None) -> None:
        if source is None:
            source = default_model_path()
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
        if kernels is not None:
            self.set_kernels(kernels)

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
    def has_not_a_digit(self) -> bool:
        """Whether the model has the "not a digit" class (11 classes), so that
        it can refuse an image (Result.digit None)."""
        return self._info.class_count > _lib.DGI_CLASS_NOT_A_DIGIT

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

    @property
    def kernels(self) -> str:
        """The name of the kernel set the model runs (dgi_model_kernels):
        "reference", "sse2", "avx2", "avx512vnni", ..."""
        return kernels_name(_lib.lib().dgi_model_kernels(ctypes.byref(self._record)))

    def set_kernels(self, kernels: KernelsArg) -> None:
        """Makes the model run kernel set ``kernels`` (a name or a Kernels
        value; "auto": the fastest this CPU supports), with
        dgi_model_set_kernels. Raises KernelsError (the model keeps its set)
        if this library or this CPU lacks it; supported_kernels() lists the
        ones it has. Not thread-safe: no other thread may use the model
        meanwhile."""
        value = _kernels_value(kernels)
        status = _lib.lib().dgi_model_set_kernels(ctypes.byref(self._record), int(value))
        if status != Status.OK:
            supported = supported_kernels()
            message = (_UNSUPPORTED.format(kernels) if status == Status.ERROR_UNSUPPORTED
                       else f"dgi_model_set_kernels: {status_message(status)}")
            raise KernelsError(status, message, listing="supported here: " + ", ".join(["auto"] + supported),
                               supported=supported)

    def __repr__(self) -> str:
        return (f"<digitinfer.Model {self.name!r}: {self.class_count} classes, "
                f"{len(self._layers)} layers, {self.parameter_count} parameters>")

    # --- running it -------------------------------------------------------------

    def _scratch(self) -> "ctypes.Array[ctypes.c_char]":
        buffer = getattr(self._local, "scratch", None)
        if buffer is None:
            buffer = ctypes.create_string_buffer(max(self._info.scratch_size, 1))
            self._local.scratch = buffer
        return buffer

    def infer(self, pixels: Pixels) -> List[int]:
        """The raw int8 outputs of the last layer (one per class, before
        softmax): the bit-exact, platform-independent answer.

        ``pixels`` is the 28x28 model input as is (0 = background, 255 = ink):
        784 bytes, 28 rows of 28 ints, 784 ints, or a (28, 28), (28, 28, 1),
        (1, 28, 28) or (784,) uint8 or float array (floats: see the README's
        float rule), or a 28x28 Pillow image of any mode. Never preprocessed; see classify_image() for other images.
        """
        data = model_input(pixels)
        logits = (ctypes.c_int8 * _lib.DGI_MAX_CLASSES)()
        scratch = self._scratch()
        check(_lib.lib().dgi_infer(ctypes.byref(self._record), data, scratch, len(scratch), logits),
              "dgi_infer")
        return list(logits[: self._info.class_count])

    def classify(self, pixels: Pixels) -> Result:
        """Classifies a 28x28 model input as is (no preprocessing), in any
        form infer() takes, 0 = background and 255 = ink, as in MNIST. Any other size
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
        return Result._from_c(result, self._info.class_count, pixels, info)

    def _run_batch(self, data: bytes, count: int, threads: int, output: Any, item_size: int,
                   function: Any, name: str) -> None:
        """Calls ``function`` (dgi_classify_batch or dgi_infer_batch) on the
        ``count`` images of ``data`` (784 bytes each), writing item i of
        ``output`` (a ctypes array of ``item_size``-byte items per image);
        with threads > 1, each thread a contiguous share and its own scratch."""
        if count == 0:
            return
        # The C calls read the bytes object in place (it outlives them).
        pixels = ctypes.cast(ctypes.c_char_p(data), ctypes.c_void_p).value
        assert pixels is not None
        results = ctypes.addressof(output)
        result_type = function.argtypes[-1]
        shares = min(threads, count)
        bounds = [count * i // shares for i in range(shares + 1)]
        statuses = [int(Status.OK)] * shares
        size = max(self._info.scratch_size, 1)

        def work(share: int) -> None:
            first, last = bounds[share], bounds[share + 1]
            scratch = self._scratch() if share == 0 else ctypes.create_string_buffer(size)
            statuses[share] = function(
                ctypes.byref(self._record), pixels + first * _lib.DGI_INPUT_SIZE, last - first,
                scratch, len(scratch), ctypes.cast(results + first * item_size, result_type))

        workers = [threading.Thread(target=work, args=(i,), name=f"{name}-{i}") for i in range(1, shares)]
        for worker in workers:
            worker.start()
        try:
            work(0)  # the calling thread takes the first share
        finally:
            for worker in workers:
                worker.join()
        for status in statuses:
            check(status, name)

    def infer_batch(self, images: Batch, threads: int = 1) -> List[List[int]]:
        """infer() for many model inputs at once, through dgi_infer_batch
        (faster per image: the weights are packed once per call). Returns
        one list of int8 logits per image, in order.

        ``images``: N model inputs, as an (N, 28, 28), (N, 28, 28, 1),
        (N, 1, 28, 28) or (N, 784) uint8 or float array, a bytes-like object of N * 784 bytes (the images one after
        another), or a list or tuple of N inputs in any form infer() takes.
        N may be 0. ``threads`` > 1 splits the images between that many
        threads, each with its own scratch buffer (ctypes releases the GIL
        during the C calls); the answers do not depend on it.
        """
        _check_threads(threads)
        data, count = batch_input(images)
        n = _lib.DGI_MAX_CLASSES  # logits per image
        logits = (ctypes.c_int8 * max(n * count, 1))()
        self._run_batch(data, count, threads, logits, n, _lib.lib().dgi_infer_batch, "dgi_infer_batch")
        classes = self._info.class_count
        return [list(logits[n * i:n * i + classes]) for i in range(count)]

    def classify_batch(self, images: Batch, threads: int = 1) -> List[Result]:
        """classify() for many model inputs at once, through
        dgi_classify_batch: the same Results as classify() on each image, in
        order, faster per image. ``images`` and ``threads`` as for
        infer_batch().
        """
        _check_threads(threads)
        data, count = batch_input(images)
        results = (_lib.dgi_result * max(count, 1))()
        self._run_batch(data, count, threads, results, ctypes.sizeof(_lib.dgi_result),
                        _lib.lib().dgi_classify_batch, "dgi_classify_batch")
        classes = self._info.class_count
        return [Result._from_c(r, classes) for r in results[:count]]

    def classify_image(self, image: Image, ink: str = "auto", stride: Optional[int] = None) -> Result:
        """Preprocesses a grayscale image of any size (a photo, scan or
        drawing, including 28x28 ones) with preprocess(image, ink, stride),
        then classifies the result. The Result carries the 28x28 pixels the
        model saw and the PreprocessInfo. Raises NoInkError for a blank image.
        """
        pixels, info = preprocess(image, ink=ink, stride=stride)
        return self._classify(pixels, pixels, info)


    def classify_file(self, path: StrPath, ink: str = "auto") -> Result:
        """Reads an image file (PNG, JPEG, PGM, GIF, ... whatever Pillow
        opens), makes it 8-bit gray (any mode: colour to luma, transparency
        onto paper, 16-bit and float by the README's rules), preprocesses it
        with dgi_preprocess and classifies it, as classify_image() does.

        Needs Pillow (``pip install 'digitinfer[images]'``): without it,
        raises MissingDependencyError (an ImportError). Raises
        FileNotFoundError / OSError for unreadable files, TypeError for paths
        that are not str or os.PathLike, NoInkError for a blank image.
        """
        width, height, data = read_gray(path)
        pixels, info = preprocess((width, height, data), ink=ink)
        return self._classify(pixels, pixels, info)

    def read_number(self, image: Image, ink: str = "auto", stride: Optional[int] = None) -> NumberReading:
        """Reads a handwritten number of one row (dgi_read_number): the
        digits left to right, each fitted to 28x28 as classify_image() fits
        one digit and classified; strokes of one digit are joined, specks
        dropped, gaps between groups ignored, touching digits split.

        ``image``, ``ink`` and ``stride`` as for preprocess(). Returns a
        NumberReading: ``.number`` (a str, leading zeros kept) and
        ``.digits`` (digit, confidence, box, split, pixels of each). Raises
        NoInkError when nothing stands out from the paper, NotADigitError
        (a NoInkError) when the model reads none of the ink as a digit,
        ImageError if the library rejects the image.
        """
        return read_number(self, image, ink=ink, stride=stride)

    def read_number_file(self, path: StrPath, ink: str = "auto") -> NumberReading:
        """Reads an image file (whatever Pillow opens, made 8-bit gray as for
        classify_file()) and the number in it, as read_number() does. Needs
        Pillow (``pip install 'digitinfer[images]'``)."""
        width, height, data = read_gray(path)
        return read_number(self, (width, height, data), ink=ink)

    def classify_files(self, paths: Iterable[StrPath], ink: str = "auto", threads: int = 1) -> List[Result]:
        """classify_file() for many files: each is read and preprocessed,
        then all are classified by one dgi_classify_batch call (split over
        ``threads``). The same Results as classify_file() on each, in order."""
        _check_threads(threads)
        prepared = []
        for path in paths:
            width, height, data = read_gray(path)
            prepared.append(preprocess((width, height, data), ink=ink))
        results = self.classify_batch(b"".join(p for p, _ in prepared), threads=threads)
        return [dataclasses.replace(r, pixels=p, preprocess_info=info) for r, (p, info) in zip(results, prepared)]
