#!/usr/bin/env python3
"""Writes the digitinfer wheel: the package of tools/python/digitinfer with
an installed libdigitinfer, its header and the shipped models inside.
Called by build-wheel.sh (which builds the library and checks the wheel
with auditwheel); standard library only, Python 3.11+ (tomllib).

The metadata come from tools/python/pyproject.toml, the version from
DGI_VERSION in include/digitinfer.h (the project's one version string).
The wheel is reproducible: fixed timestamps ($SOURCE_DATE_EPOCH, else
1980-01-01), sorted entries.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import re
import sys
import tomllib
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent  # tools/python
REPO = HERE.parent.parent
PACKAGE = HERE / "digitinfer"
MODELS = ("mnist-int8", "reference-int8")


def header_version(header: Path) -> str:
    match = re.search(r'^#define DGI_VERSION "([0-9]+\.[0-9]+\.[0-9]+)"$', header.read_text(), re.M)
    if match is None:
        sys.exit(f"make_wheel.py: no DGI_VERSION \"X.Y.Z\" in {header}")
    return match.group(1)


def header_abi(header: Path) -> int:
    """DGI_ABI_VERSION: the N of libdigitinfer.so.N (tools/install.sh)."""
    match = re.search(r"^#define DGI_ABI_VERSION ([0-9]+)u$", header.read_text(), re.M)
    if match is None:
        sys.exit(f"make_wheel.py: no DGI_ABI_VERSION Nu in {header}")
    return int(match.group(1))


def metadata(project: dict, version: str) -> str:
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {project['name']}",
        f"Version: {version}",
        f"Summary: {project['description']}",
        f"Requires-Python: {project['requires-python']}",
    ]
    lines += [f"Classifier: {c}" for c in project.get("classifiers", [])]
    lines += [f"Requires-Dist: {d}" for d in project.get("dependencies", [])]
    for extra, requirements in project.get("optional-dependencies", {}).items():
        lines.append(f"Provides-Extra: {extra}")
        lines += [f'Requires-Dist: {r}; extra == "{extra}"' for r in requirements]
    lines.append("Description-Content-Type: text/markdown")
    return "\n".join(lines) + "\n\n" + (HERE / project["readme"]).read_text()


def record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prefix", required=True, type=Path, help="an install made by tools/install.sh")
    parser.add_argument("--platform", required=True, help="the platform tag, e.g. manylinux_2_17_x86_64")
    parser.add_argument("--out", required=True, type=Path, help="directory for the .whl")
    args = parser.parse_args()

    project = tomllib.loads((HERE / "pyproject.toml").read_text())["project"]
    version = header_version(REPO / "include" / "digitinfer.h")
    installed = header_version(args.prefix / "include" / "digitinfer.h")
    if installed != version:
        sys.exit(f"make_wheel.py: {args.prefix} was installed from version {installed}, the checkout is {version}")
    name = project["name"]
    tag = f"py3-none-{args.platform}"
    dist_info = f"{name}-{version}.dist-info"

    # (path in the wheel, source file, executable)
    files = []
    for source in sorted(PACKAGE.iterdir()):
        if source.suffix == ".py" or source.name == "py.typed":
            files.append((f"digitinfer/{source.name}", source, False))
    so_name = f"libdigitinfer.so.{header_abi(REPO / 'include' / 'digitinfer.h')}"
    files.append((f"digitinfer/lib/{so_name}", args.prefix / "lib" / so_name, True))
    files.append(("digitinfer/include/digitinfer.h", args.prefix / "include" / "digitinfer.h", False))
    for model in MODELS:
        for suffix in (".dgi", ".md"):
            files.append((f"digitinfer/models/{model}{suffix}", REPO / "models" / f"{model}{suffix}", False))

    wheel_text = f"Wheel-Version: 1.0\nGenerator: digitinfer make_wheel.py\nRoot-Is-Purelib: false\nTag: {tag}\n"
    generated = [
        (f"{dist_info}/METADATA", metadata(project, version).encode()),
        (f"{dist_info}/WHEEL", wheel_text.encode()),
        (f"{dist_info}/top_level.txt", b"digitinfer\n"),
    ]
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "315532800"))
    import time

    stamp = time.gmtime(max(epoch, 315532800))[:6]
    args.out.mkdir(parents=True, exist_ok=True)
    wheel = args.out / f"{name}-{version}-{tag}.whl"
    records = []
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        def add(path: str, data: bytes, executable: bool = False) -> None:
            info = zipfile.ZipInfo(path, date_time=stamp)
            info.external_attr = (0o100755 if executable else 0o100644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
            records.append(record_line(path, data))

        for path, source, executable in files:
            add(path, source.read_bytes(), executable)
        for path, data in generated:
            add(path, data)
        records.append(f"{dist_info}/RECORD,,")
        add_record = zipfile.ZipInfo(f"{dist_info}/RECORD", date_time=stamp)
        add_record.external_attr = 0o100644 << 16
        add_record.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(add_record, "\n".join(records) + "\n")
    print(wheel)


if __name__ == "__main__":
    main()
