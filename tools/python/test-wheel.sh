#!/usr/bin/env bash
# Tests a built wheel as a user gets it: installed into a fresh virtual
# environment, run from outside the source tree, in a clean environment.
# Run `tools/python/test-wheel.sh --help` for usage.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: tools/python/test-wheel.sh WHEEL [PYTEST_ARGS...]

1. python3 -m venv in a temporary directory; pip install WHEEL with the
   pinned test tools (pytest, hypothesis, numpy, Pillow, dask, distributed);
2. copies tools/python/tests there (source_tree.txt tells them where the
   checkout's test data are: golden files, models/samples, ../shared/data);
3. runs pytest with env -i: PATH is the venv, /usr/local/bin, /usr/bin and
   /bin only (no Swift), no DIGITINFER_* or PYTHONPATH variables, so the
   package, its library and models come from the wheel (checked:
   tests/test_wheel_install.py), and the Dask example runs over 3,000 PNGs of
   the MNIST training set (tests/test_dask_example.py);
4. before pytest, mypy --strict (2.4.1) type-checks tests/typed_usage.py
   against the installed package (its py.typed and signatures).

Extra arguments go to pytest (e.g. -k dask). Needs network access to PyPI
or a pip cache/find-links holding the pinned packages; CC for the tests that
build C helpers (cc on /usr/bin otherwise).
EOF
}

die() {
  echo "test-wheel.sh: error: $*" >&2
  exit 1
}

case "${1:-}" in
  -h | --help) usage; exit 0 ;;
  "") die "a wheel is required (see --help)" ;;
esac
wheel=$1
shift
[ -f "$wheel" ] || die "no such wheel: $wheel"
wheel=$(cd "$(dirname "$wheel")" && pwd)/$(basename "$wheel")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
python=${PYTHON:-python3}

work=$(mktemp -d "${TMPDIR:-/tmp}/digitinfer-test-wheel.XXXXXX")
trap 'rm -rf "$work"' EXIT
venv="$work/venv"

echo "==> RECORD of $(basename "$wheel")"
"$python" - "$wheel" <<'EOF' || die "the wheel's RECORD does not match its files"
import base64, hashlib, sys, zipfile
wheel = zipfile.ZipFile(sys.argv[1])
record = next(n for n in wheel.namelist() if n.endswith(".dist-info/RECORD"))
rows = [line.split(",") for line in wheel.read(record).decode().splitlines()]
assert {r[0] for r in rows} == set(wheel.namelist()), "RECORD lists other files than the wheel holds"
for path, digest, size in rows:
    if path != record:
        data = wheel.read(path)
        want = "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        assert (digest, int(size)) == (want, len(data)), path
print(f"  {len(rows) - 1} files, hashes and sizes match")
EOF

echo "==> venv and pip install $(basename "$wheel")"
"$python" -m venv "$venv" || die "python3 -m venv failed"
"$venv/bin/pip" install -q --disable-pip-version-check "$wheel" \
  "pytest==9.0.3" "hypothesis==6.155.2" "numpy==2.4.6" "Pillow==13.0.0" \
  "dask==2026.8.0" "distributed==2026.8.0" || die "pip install failed"

mkdir "$work/run"
cp -R "$here/tests" "$work/run/tests"
rm -rf "$work/run/tests/__pycache__"
echo "$repo" >"$work/run/tests/source_tree.txt"
cd "$work/run"

clean=(env -i "HOME=$work" "PATH=$venv/bin:/usr/local/bin:/usr/bin:/bin" "LANG=C.UTF-8" "TMPDIR=${TMPDIR:-/tmp}")
[ -n "${CC:-}" ] && clean+=("CC=$CC")

echo "==> the package is the installed one"
"${clean[@]}" "$venv/bin/python" - "$venv" "$repo" <<'EOF' || die "the package under test is not the wheel's"
import os, sys
import digitinfer
venv, repo = (os.path.realpath(p) for p in sys.argv[1:3])
package = os.path.realpath(os.path.dirname(digitinfer.__file__))
library = os.path.realpath(digitinfer.load_library()._name)
print(f"  digitinfer {digitinfer.__version__}: {package}\n  library: {library}")
assert package.startswith(venv + os.sep) and not package.startswith(repo + os.sep), package
assert library.startswith(package + os.sep), library
assert not any(k.startswith("DIGITINFER_") for k in os.environ), sorted(os.environ)
EOF

echo "==> mypy --strict over tests/typed_usage.py (the wheel's py.typed and signatures)"
"$venv/bin/pip" install -q --disable-pip-version-check "mypy==2.4.1" || die "pip install mypy failed"
"${clean[@]}" "$venv/bin/mypy" --strict --no-incremental tests/typed_usage.py

echo "==> pytest (from $work/run, env -i)"
"${clean[@]}" "$venv/bin/python" -m pytest -q -p no:cacheprovider -rs --durations=5 tests "$@"
