"""The installed wheel (run by test-wheel.sh, skipped from the checkout):
the package, its library and its models come from the environment it was
installed into, never from the source tree."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conftest import INSTALLED, REPO

pytestmark = pytest.mark.skipif(not INSTALLED, reason="tests an installed wheel (tools/python/test-wheel.sh)")


def inside(path, directory) -> bool:
    return Path(path).resolve().is_relative_to(Path(directory).resolve())


def test_package_library_and_models_come_from_the_environment(dgi):
    package = Path(dgi.__file__).parent
    assert inside(package, sys.prefix) and not inside(package, REPO), package
    assert dgi.bundled_library() is not None and inside(dgi.bundled_library(), package)
    assert dgi.library_path() == dgi.bundled_library()
    assert inside(dgi.default_model_path(), package)
    assert all(inside(p, package) for p in dgi.shipped_models().values())
    assert (package / "include" / "digitinfer.h").is_file() and (package / "py.typed").is_file()


def test_metadata_version_is_the_librarys(dgi):
    from importlib import metadata

    assert metadata.version("digitinfer") == dgi.__version__
    requires = metadata.requires("digitinfer") or []
    assert any(r.startswith("Pillow") and 'extra == "images"' in r for r in requires), requires
