#!/usr/bin/env bash
# Builds the digitinfer wheel: the Python package with libdigitinfer, its
# header and the shipped models inside, so that `pip install` is all a user
# needs. Run `tools/python/build-wheel.sh --help` for usage.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: tools/python/build-wheel.sh --out DIR [--build-dir DIR] [--platform TAG]

Builds libdigitinfer (tools/install.sh into a temporary prefix), then writes
  DIR/digitinfer-<version>-py3-none-<TAG>.whl
holding digitinfer/*.py, py.typed, lib/libdigitinfer.so.2 (one library for
every x86-64 CPU: kernels chosen at run time), include/digitinfer.h and
models/{mnist,reference}-int8.{dgi,md}. <version> is DGI_VERSION of
include/digitinfer.h. The tag is py3-none (ctypes, no CPython extension)
plus the platform; `auditwheel show` must find the library consistent with
exactly that platform, else the wheel is deleted and the script fails.

Options:
  --out DIR         where the wheel goes (required; created if missing)
  --build-dir DIR   tools/install.sh's build directory (default: <repo>/.build-embedded);
                    auditwheel's virtual environment is kept there too (wheel-tools/)
  --platform TAG    default manylinux_2_17_x86_64 (the library needs glibc 2.14)
  -h, --help        show this help

Environment: SWIFTC and CC as for tools/install.sh; PYTHON (default python3,
3.11 or later, for make_wheel.py); SOURCE_DATE_EPOCH for the zip timestamps.
Test the result with tools/python/test-wheel.sh DIR/digitinfer-*.whl.
EOF
}

die() {
  echo "build-wheel.sh: error: $*" >&2
  exit 1
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=""
build_dir="$repo/.build-embedded"
platform=manylinux_2_17_x86_64
python=${PYTHON:-python3}
auditwheel_version=6.8.2

while [ $# -gt 0 ]; do
  case "$1" in
    --out) [ $# -ge 2 ] || die "--out needs a directory"; out=$2; shift 2 ;;
    --out=*) out=${1#*=}; shift ;;
    --build-dir) [ $# -ge 2 ] || die "--build-dir needs a directory"; build_dir=$2; shift 2 ;;
    --build-dir=*) build_dir=${1#*=}; shift ;;
    --platform) [ $# -ge 2 ] || die "--platform needs a tag"; platform=$2; shift 2 ;;
    --platform=*) platform=${1#*=}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
[ -n "$out" ] || die "--out DIR is required (see --help)"
case "$(uname -m)" in
  x86_64 | amd64) ;;
  *) die "the wheel is built for x86-64 Linux; this machine is $(uname -m)" ;;
esac
mkdir -p "$out" "$build_dir" || die "cannot create '$out' or '$build_dir'"
out=$(cd "$out" && pwd)
build_dir=$(cd "$build_dir" && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/digitinfer-wheel.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "==> libdigitinfer (tools/install.sh --build-dir $build_dir)"
"$repo/tools/install.sh" --prefix "$work/prefix" --build-dir "$build_dir" >"$work/install.log" 2>&1 ||
  { cat "$work/install.log" >&2; die "tools/install.sh failed"; }
tail -n 2 "$work/install.log"

echo "==> wheel"
wheel=$("$python" "$here/make_wheel.py" --prefix "$work/prefix" --platform "$platform" --out "$out") ||
  die "make_wheel.py failed"

# auditwheel, pinned, in a virtual environment of its own kept in the build
# directory (made once).
tools="$build_dir/wheel-tools"
if ! "$tools/bin/auditwheel" --version 2>/dev/null | grep -q "^auditwheel $auditwheel_version "; then
  echo "==> auditwheel $auditwheel_version (into $tools)"
  rm -rf "$tools"
  "$python" -m venv "$tools" || die "python3 -m venv failed"
  "$tools/bin/pip" install -q --disable-pip-version-check "auditwheel==$auditwheel_version" ||
    die "pip install auditwheel==$auditwheel_version failed"
fi
echo "==> auditwheel show"
"$tools/bin/auditwheel" show "$wheel" | tee "$work/show.txt" || { rm -f "$wheel"; die "auditwheel show failed"; }
report=$(tr -s ' \n' '  ' <"$work/show.txt")
consistent=$(sed -n 's/.*consistent with the following platform tag: "\([^"]*\)".*/\1/p' <<<"$report")
if [ "$consistent" != "$platform" ]; then
  rm -f "$wheel"
  die "auditwheel finds the library consistent with '${consistent:-nothing}', not the wheel's tag '$platform'"
fi
echo "==> $wheel ($(wc -c <"$wheel") bytes; auditwheel: $consistent)"
