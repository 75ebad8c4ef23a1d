"""Shared fixtures. The tests run against an installed libdigitinfer:

    tools/install.sh --prefix /tmp/prefix
    DIGITINFER_LIBRARY=/tmp/prefix/lib/libdigitinfer.so.2 python3 -m pytest -q tools/python
    # or DIGITINFER_PREFIX=/tmp/prefix

Without either variable every test is skipped (so that a plain `pytest` in
the repository does not fail on a machine without the library). The package
is imported from this checkout (tools/python), installed or not.

tools/python/test-wheel.sh runs the same tests against an installed wheel
instead: copied out of the tree, with source_tree.txt beside them (_paths.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from _paths import HERE, INSTALLED, PACKAGE_ROOT, REPO, child_env  # noqa: F401

GOLDEN = REPO / "Tests" / "DigitInferTests" / "Golden"
MODELS = REPO / "models"

if PACKAGE_ROOT is not None and str(PACKAGE_ROOT) not in sys.path:
    sys.path.insert(0, str(PACKAGE_ROOT))

CONFIGURED = INSTALLED or bool(os.environ.get("DIGITINFER_LIBRARY") or os.environ.get("DIGITINFER_PREFIX"))
SKIP_REASON = (
    "set DIGITINFER_LIBRARY=PREFIX/lib/libdigitinfer.so.N (N: the ABI version) or DIGITINFER_PREFIX=PREFIX "
    "(an install made by tools/install.sh --prefix PREFIX) to test the Python binding"
)


def pytest_configure(config):
    config.addinivalue_line("markers", "dask: the Dask example (needs dask and distributed; test-wheel.sh installs them)")


def pytest_collection_modifyitems(config, items):
    if CONFIGURED:
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if str(Path(str(getattr(item, "path", item.fspath))).resolve()).startswith(str(HERE)):
            item.add_marker(skip)


def installed_include() -> Path:
    """The include directory of the install under test (the header it was
    installed with; the wheel's own copy), else the checkout's include/."""
    prefix = os.environ.get("DIGITINFER_PREFIX")
    if prefix:
        candidates = [Path(prefix) / "include"]
    elif not os.environ.get("DIGITINFER_LIBRARY"):
        import digitinfer

        candidates = [Path(digitinfer.__file__).resolve().parent / "include"]
    else:
        library = Path(os.environ.get("DIGITINFER_LIBRARY", "."))
        candidates = [library.resolve().parent.parent / "include"]
    for candidate in candidates:
        if (candidate / "digitinfer.h").is_file():
            return candidate
    return REPO / "include"


def c_compiler():
    for name in (os.environ.get("CC"), "cc", "gcc", "clang"):
        if name and shutil.which(name):
            return name
    return None


@pytest.fixture(scope="session")
def compile_c(tmp_path_factory):
    """compile_c(name, sources, include_dirs, flags) -> path of the built file;
    skips the test if no C compiler is available."""
    cc = c_compiler()
    if cc is None:
        pytest.skip("no C compiler (set CC) to build the test helpers")
    out = tmp_path_factory.mktemp("c-helpers")

    def build(name, sources, include_dirs=(), flags=()):
        program = out / name
        command = [cc, "-std=c99", "-O1", *flags, "-o", str(program)]
        command += [f"-I{d}" for d in include_dirs] + [str(s) for s in sources]
        subprocess.run(command, check=True)
        return program

    return build


@pytest.fixture(scope="session")
def dgi():
    import digitinfer

    digitinfer.load_library()
    return digitinfer


@pytest.fixture(scope="session")
def mnist(dgi):
    return dgi.Model(MODELS / "mnist-int8.dgi")


def read_pgm(path: Path):
    """(width, height, pixels) of a binary PGM (P5, maxval 255)."""
    data = path.read_bytes()
    fields, position = [], 0
    while len(fields) < 4:
        while data[position:position + 1].isspace():
            position += 1
        if data[position:position + 1] == b"#":
            position = data.index(b"\n", position) + 1
            continue
        end = position
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[position:end])
        position = end
    magic, width, height, maxval = fields[0], int(fields[1]), int(fields[2]), int(fields[3])
    assert magic == b"P5" and maxval == 255
    pixels = data[position + 1:position + 1 + width * height]
    assert len(pixels) == width * height
    return width, height, pixels
