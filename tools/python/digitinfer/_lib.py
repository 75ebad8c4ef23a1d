"""Finding and loading libdigitinfer, and its C declarations in ctypes.

Every struct and function below mirrors include/digitinfer.h exactly (field
order, widths, enums as C ``int``); tests/test_abi.py checks the struct
layouts against a C program compiled with the installed header.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
import threading
from typing import List, Optional

#: The ABI version this package is written for (DGI_ABI_VERSION in the header).
ABI_VERSION = 2

# Constants of the header.
DGI_INPUT_WIDTH = 28
DGI_INPUT_HEIGHT = 28
DGI_INPUT_SIZE = 784
DGI_MAX_CLASSES = 11  # ten digits and "not a digit"
DGI_DIGIT_COUNT = 10
DGI_CLASS_NOT_A_DIGIT = 10
DGI_NOT_A_DIGIT = -1
DGI_MAX_LAYERS = 16
DGI_MODEL_WORDS = 128
DGI_LAYER_RELU = 1
DGI_LAYER_SAME_PADDING = 2
DGI_INK_AUTO = 0
DGI_INK_DARK = 1
DGI_INK_LIGHT = 2
DGI_PREPROCESS_MAX_SIDE = 32768
# dgi_kernels.
DGI_KERNELS_AUTO = 0
DGI_KERNELS_REFERENCE = 1
DGI_KERNELS_BASELINE = 2
DGI_KERNELS_AVX2 = 3
DGI_KERNELS_AVX512VNNI = 4
DGI_KERNELS_AVXVNNI = 5
DGI_KERNELS_NEONDOT = 6
DGI_KERNELS_DSP = 7

# C enums (dgi_status, dgi_layer_kind, dgi_kernels) are passed and stored as C int.
c_enum = ctypes.c_int


def _of(ctype, *names: str) -> list:
    """Fields of one C type, in the header's order."""
    return [(name, ctype) for name in names]


class dgi_model(ctypes.Structure):
    _fields_ = [("opaque_", ctypes.c_uint64 * DGI_MODEL_WORDS)]


class dgi_result(ctypes.Structure):
    _fields_ = [
        ("digit", ctypes.c_int32),
        ("confidence", ctypes.c_float),
        ("probabilities", ctypes.c_float * DGI_DIGIT_COUNT),
        ("not_a_digit", ctypes.c_float),
        ("best_digit", ctypes.c_int32),
    ]


class dgi_model_info(ctypes.Structure):
    _fields_ = [
        *_of(ctypes.c_uint32, "format_major", "format_minor", "file_size", "checksum", "layer_count", "class_count"),
        *_of(ctypes.c_uint64, "parameter_count", "macs"),
        ("scratch_size", ctypes.c_size_t),
        *_of(ctypes.c_char_p, "name", "metadata"),
    ]


class dgi_layer_info(ctypes.Structure):
    _fields_ = [
        ("kind", c_enum),
        *_of(ctypes.c_uint32, "flags", "input_height", "input_width", "input_channels"),
        *_of(ctypes.c_uint32, "output_height", "output_width", "output_channels", "kernel_height", "kernel_width"),
        *_of(ctypes.c_int32, "input_zero_point", "output_zero_point"),
        ("output_scale", ctypes.c_float),
        *_of(ctypes.c_uint64, "parameter_count", "macs"),
    ]


class dgi_preprocess_info(ctypes.Structure):
    _fields_ = _of(ctypes.c_uint32, "ink", "x", "y", "width", "height", "paper", "components", "dropped")


DGI_DIGIT_SPLIT = 1


class dgi_number_digit(ctypes.Structure):
    _fields_ = [
        ("result", dgi_result),
        *_of(ctypes.c_uint32, "x", "y", "width", "height", "flags"),
        ("pixels", ctypes.c_uint8 * DGI_INPUT_SIZE),
    ]


#: Every struct of the header, by its C name (for the layout test).
STRUCTS = {
    "dgi_model": dgi_model,
    "dgi_result": dgi_result,
    "dgi_model_info": dgi_model_info,
    "dgi_layer_info": dgi_layer_info,
    "dgi_preprocess_info": dgi_preprocess_info,
    "dgi_number_digit": dgi_number_digit,
}

_P = ctypes.POINTER
# The grey image and the caller's scratch, as dgi_preprocess and
# dgi_read_number both take them.
_IMAGE_AND_SCRATCH = [
    ctypes.c_void_p,  # const uint8_t *image
    ctypes.c_uint32,  # width
    ctypes.c_uint32,  # height
    ctypes.c_size_t,  # stride
    ctypes.c_uint32,  # flags
    ctypes.c_void_p,  # void *scratch
    ctypes.c_size_t,  # scratch_size
]

# name: (restype, argtypes). Buffers the library only reads or fills byte-wise
# (model bytes, pixels, images, scratch) are declared c_void_p so that bytes,
# ctypes arrays and raw addresses (numpy) can all be passed without copies.
SIGNATURES = {
    "dgi_version": (ctypes.c_char_p, []),
    "dgi_abi_version": (ctypes.c_uint32, []),
    "dgi_status_message": (ctypes.c_char_p, [c_enum]),
    "dgi_model_open": (c_enum, [_P(dgi_model), ctypes.c_void_p, ctypes.c_size_t]),
    "dgi_model_scratch_size": (ctypes.c_size_t, [_P(dgi_model)]),
    "dgi_kernels_supported": (ctypes.c_uint32, []),
    "dgi_kernels_name": (ctypes.c_char_p, [c_enum]),
    "dgi_model_kernels": (c_enum, [_P(dgi_model)]),
    "dgi_model_set_kernels": (c_enum, [_P(dgi_model), c_enum]),
    "dgi_classify": (
        c_enum,
        [_P(dgi_model), ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t, _P(dgi_result)],
    ),
    "dgi_infer": (
        c_enum,
        [_P(dgi_model), ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t, _P(ctypes.c_int8)],
    ),
    "dgi_classify_batch": (
        c_enum,
        [_P(dgi_model), ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t,
         _P(dgi_result)],
    ),
    "dgi_infer_batch": (
        c_enum,
        [_P(dgi_model), ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t,
         _P(ctypes.c_int8)],
    ),
    "dgi_model_get_info": (c_enum, [_P(dgi_model), _P(dgi_model_info)]),
    "dgi_model_get_layer": (c_enum, [_P(dgi_model), ctypes.c_uint32, _P(dgi_layer_info)]),
    "dgi_preprocess_scratch_size": (ctypes.c_size_t, [ctypes.c_uint32, ctypes.c_uint32]),
    "dgi_preprocess": (
        c_enum,
        [
            *_IMAGE_AND_SCRATCH,
            ctypes.c_void_p,  # uint8_t pixels[784]
            _P(dgi_preprocess_info),  # info, may be NULL
        ],
    ),
    "dgi_read_number_scratch_size": (ctypes.c_size_t, [_P(dgi_model), ctypes.c_uint32, ctypes.c_uint32]),
    "dgi_read_number": (
        c_enum,
        [
            _P(dgi_model),
            *_IMAGE_AND_SCRATCH,
            _P(dgi_number_digit),  # digits, may be NULL when max_digits is 0
            ctypes.c_size_t,  # max_digits
            _P(ctypes.c_size_t),  # count
        ],
    ),
}


class LibraryError(OSError):
    """libdigitinfer could not be found or loaded, or its ABI does not match."""


def _file_names() -> List[str]:
    if sys.platform == "darwin":
        return [f"libdigitinfer.{ABI_VERSION}.dylib", "libdigitinfer.dylib"]
    if os.name == "nt":
        return ["digitinfer.dll", "libdigitinfer.dll"]
    # The library is named for its ABI version (tools/install.sh).
    return [f"libdigitinfer.so.{ABI_VERSION}", "libdigitinfer.so"]


def _prefix_candidates(prefix: str) -> List[str]:
    return [os.path.join(prefix, d, n) for d in ("lib", "lib64") for n in _file_names()]


#: Where a wheel keeps its own copy of the library (tools/python/build-wheel.sh).
BUNDLED_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib")


def bundled_library() -> Optional[str]:
    """The library inside the installed package (a wheel), or None for a
    source checkout or a `pip install tools/python`, which bundle none."""
    for name in _file_names():
        path = os.path.join(BUNDLED_DIR, name)
        if os.path.isfile(path):
            return path
    return None


def candidates() -> List[str]:
    """The paths and names tried, in order, when no explicit path is given.

    1. $DIGITINFER_LIBRARY (a path to the shared library), alone if set;
    2. $DIGITINFER_PREFIX/lib (an install made by tools/install.sh), alone if set;
    3. the library bundled in the package (digitinfer/lib/, in the wheel);
    4. the Python environment's prefix, /usr/local, /opt/homebrew, /usr;
    5. ctypes.util.find_library("digitinfer"), then the bare file names
       (the dynamic loader's own search: LD_LIBRARY_PATH, ldconfig cache).

    The two variables are explicit overrides (a library you built, under
    test); without them a wheel always loads its own copy.
    """
    library = os.environ.get("DIGITINFER_LIBRARY")
    if library:
        return [library]
    prefix = os.environ.get("DIGITINFER_PREFIX")
    if prefix:
        return _prefix_candidates(prefix)
    bundled = bundled_library()
    if bundled is not None:
        return [bundled]
    found = []
    for prefix in (sys.prefix, "/usr/local", "/opt/homebrew", "/usr"):
        found += [p for p in _prefix_candidates(prefix) if os.path.exists(p)]
    name = ctypes.util.find_library("digitinfer")
    if name:
        found.append(name)
    found += _file_names()
    # Keep the first occurrence of each.
    return list(dict.fromkeys(found))


_lock = threading.Lock()
_lib: Optional[ctypes.CDLL] = None
_path: Optional[str] = None


def _declare(lib: ctypes.CDLL) -> None:
    for name, (restype, argtypes) in SIGNATURES.items():
        function = getattr(lib, name)
        function.restype = restype
        function.argtypes = argtypes


def load_library(path: Optional[str] = None) -> ctypes.CDLL:
    """Loads libdigitinfer (once per process) and returns the ctypes handle.

    With ``path``, loads exactly that file (replacing nothing if a library
    is already loaded from another path: that raises LibraryError). Without,
    tries candidates() in order and raises LibraryError listing them all if
    none loads. The library's dgi_abi_version() must equal ABI_VERSION.
    """
    global _lib, _path
    with _lock:
        if _lib is not None:
            if path is not None and os.path.realpath(path) != os.path.realpath(_path or ""):
                raise LibraryError(
                    f"libdigitinfer is already loaded from {_path}; cannot switch to {path}"
                )
            return _lib
        tried = []
        for candidate in [path] if path is not None else candidates():
            try:
                lib = ctypes.CDLL(candidate)
            except OSError as error:
                tried.append(f"  {candidate}: {error}")
                continue
            try:
                _declare(lib)
            except AttributeError as error:
                tried.append(f"  {candidate}: not libdigitinfer ({error})")
                continue
            abi = lib.dgi_abi_version()
            if abi != ABI_VERSION:
                raise LibraryError(
                    f"{candidate} has ABI version {abi}, but this package is written for "
                    f"ABI version {ABI_VERSION}; install a matching libdigitinfer"
                )
            _lib, _path = lib, candidate
            return lib
        if path is None and bundled_library() is not None and not (
                os.environ.get("DIGITINFER_LIBRARY") or os.environ.get("DIGITINFER_PREFIX")):
            raise LibraryError("cannot load the library bundled with this package:\n" + "\n".join(tried))
        raise LibraryError(
            "cannot load libdigitinfer. This package bundles no library (installed from "
            "source, not from the wheel): install the wheel, which carries its own "
            "(tools/python/build-wheel.sh --out DIR; pip install DIR/digitinfer-*.whl), or "
            "build the library with `tools/install.sh --prefix DIR` and set "
            f"DIGITINFER_PREFIX=DIR or DIGITINFER_LIBRARY=DIR/lib/libdigitinfer.so.{ABI_VERSION}. "
            "Tried:\n" + "\n".join(tried)
        )


def library_path() -> Optional[str]:
    """The path or name libdigitinfer was loaded from, or None if not loaded yet."""
    return _path


def version() -> str:
    """dgi_version() of the loaded library: the project's one version string
    (DGI_VERSION of include/digitinfer.h), e.g. "1.1.0"."""
    raw = lib().dgi_version()
    return raw.decode("ascii", "replace") if raw else ""


def lib() -> ctypes.CDLL:
    """The loaded library, loading it on first use."""
    return _lib if _lib is not None else load_library()
