"""The ctypes declarations against the C header: struct layouts, constants,
enum sizes and the library's ABI version."""

from __future__ import annotations

import ctypes
import re
import subprocess

from conftest import HERE, installed_include

# The sizes on the usual 64-bit ABIs (LP64, LLP64), from the header: the
# layout test below checks every field against the compiler's view.
EXPECTED_SIZES_64 = {
    "dgi_model": 1024,  # 128 uint64
    "dgi_result": 56,  # int32, float, float[10], float, int32
    "dgi_model_info": 64,  # 6 uint32, 2 uint64, size_t, 2 pointers
    "dgi_layer_info": 72,  # enum + 9 uint32, 2 int32, float, (pad), 2 uint64
    "dgi_preprocess_info": 32,  # 8 uint32
    "dgi_number_digit": 860,  # dgi_result, 5 uint32, 784 uint8
}


def c_layout(compile_c):
    program = compile_c("abi_layout", [HERE / "abi_layout.c"], [installed_include()])
    lines = subprocess.run([str(program)], check=True, capture_output=True, text=True).stdout
    # "name size align" or "name.field offset" or "const.NAME value"
    return dict(line.split(" ", 1) for line in lines.splitlines())


def test_struct_layouts_match_the_installed_header(dgi, compile_c):
    from digitinfer import _lib

    layout = c_layout(compile_c)
    checked = 0
    for name, struct in _lib.STRUCTS.items():
        size, align = (int(v) for v in layout[name].split())
        assert ctypes.sizeof(struct) == size, name
        assert ctypes.alignment(struct) == align, name
        for field, _ in struct._fields_:
            assert getattr(struct, field).offset == int(layout[f"{name}.{field}"]), f"{name}.{field}"
            checked += 1
        # No field of the C struct is missing from the ctypes one.
        c_fields = {k.split(".", 1)[1] for k in layout if k.startswith(name + ".")}
        assert c_fields == {f for f, _ in struct._fields_}, name
    assert checked == 1 + 5 + 11 + 15 + 8 + 7
    assert int(layout["enum.dgi_status"]) == ctypes.sizeof(_lib.c_enum)
    assert int(layout["enum.dgi_layer_kind"]) == ctypes.sizeof(_lib.c_enum)
    assert int(layout["enum.dgi_kernels"]) == ctypes.sizeof(_lib.c_enum)


def test_constants_match_the_installed_header(dgi, compile_c):
    from digitinfer import _lib

    layout = c_layout(compile_c)
    assert int(layout["const.DGI_ABI_VERSION"]) == dgi.ABI_VERSION
    for name in ("DGI_INPUT_SIZE", "DGI_MAX_CLASSES", "DGI_DIGIT_COUNT", "DGI_CLASS_NOT_A_DIGIT", "DGI_NOT_A_DIGIT", "DGI_MAX_LAYERS", "DGI_MODEL_WORDS", "DGI_LAYER_RELU",
                 "DGI_LAYER_SAME_PADDING", "DGI_INK_AUTO", "DGI_INK_DARK", "DGI_INK_LIGHT",
                 "DGI_PREPROCESS_MAX_SIDE"):
        assert getattr(_lib, name) == int(layout[f"const.{name}"]), name
    assert dgi.Status.ERROR_NO_INK == int(layout["const.DGI_ERROR_NO_INK"])
    assert dgi.Status.ERROR_TOO_MANY == int(layout["const.DGI_ERROR_TOO_MANY"])
    assert dgi.Status.ERROR_NOT_A_DIGIT == int(layout["const.DGI_ERROR_NOT_A_DIGIT"])
    assert _lib.DGI_DIGIT_SPLIT == int(layout["const.DGI_DIGIT_SPLIT"])
    assert dgi.LayerKind.FLATTEN == int(layout["const.DGI_LAYER_FLATTEN"])
    # Every dgi_kernels value of the header, and no other, in the Kernels
    # enum and as _lib constants (the values are read from the header's text,
    # checked against the compiler for two of them).
    header = (installed_include() / "digitinfer.h").read_text()
    body = re.search(r"typedef enum dgi_kernels \{(.*?)\} dgi_kernels;", header, re.S).group(1)
    in_header = {n: int(v) for n, v in re.findall(r"^\s*DGI_KERNELS_(\w+)\s*=\s*(\d+)", body, re.M)}
    assert in_header["AUTO"] == int(layout["const.DGI_KERNELS_AUTO"]) == 0
    assert in_header["REFERENCE"] == int(layout["const.DGI_KERNELS_REFERENCE"])
    assert in_header == {k.name: int(k) for k in dgi.Kernels}
    for name, value in in_header.items():
        assert getattr(_lib, f"DGI_KERNELS_{name}") == value, name


def test_expected_sizes_on_64_bit():
    from digitinfer import _lib

    if ctypes.sizeof(ctypes.c_void_p) != 8:
        return
    assert {name: ctypes.sizeof(s) for name, s in _lib.STRUCTS.items()} == EXPECTED_SIZES_64


def test_every_function_of_the_header_is_declared(dgi):
    from digitinfer import _lib

    header = (installed_include() / "digitinfer.h").read_text()
    declared = set(re.findall(r"^[A-Za-z0-9_ ]+?\**\s*\**(dgi_[a-z_]+)\(", header, re.M))
    assert declared == set(_lib.SIGNATURES)
    lib = _lib.lib()
    for name in _lib.SIGNATURES:
        assert getattr(lib, name).argtypes is not None, name


def test_abi_version_and_status_messages(dgi):
    from digitinfer import _lib

    assert _lib.lib().dgi_abi_version() == dgi.ABI_VERSION == 2
    messages = [dgi.status_message(s) for s in dgi.Status]
    assert all(messages) and len(set(messages)) == len(messages)
    assert dgi.status_message(9999)  # a generic text, not NULL
    assert dgi.library_path() is not None
