"""The version of a source install (`pip install tools/python`): DGI_VERSION
of the checkout's include/digitinfer.h. The metadata are in pyproject.toml;
the wheel with the library inside is made by build-wheel.sh."""

import re
from pathlib import Path

from setuptools import setup

header = Path(__file__).resolve().parent.parent.parent / "include" / "digitinfer.h"
match = re.search(r'^#define DGI_VERSION "([^"]+)"$', header.read_text(), re.M) if header.is_file() else None
if match is None:
    raise SystemExit(
        f"digitinfer: cannot read DGI_VERSION from {header}: install from the repository's "
        "tools/python, or install the wheel made by tools/python/build-wheel.sh")
setup(version=match.group(1))
