#!/usr/bin/env bash
# Tests the artifacts of tools/release.sh the way their READMEs say to use
# them, each unpacked into a fresh temporary directory, with no Swift on
# PATH (the script runs itself again under env -i, PATH=/usr/local/bin:
# /usr/bin:/bin):
#   - SHA256SUMS: sha256sum -c; every tarball: one top directory named like
#     it, a README.md, the LICENSE if the repository has one;
#   - the C SDK: the CMake package (tools/test-cmake.sh on the unpacked
#     tree), and share/doc/digitinfer/classify.c built with gcc through
#     pkg-config (PKG_CONFIG_PATH into the SDK) against the .so, the .a
#     (-Wl,-Bstatic) and fully static, each reading models/samples/scan-9.pgm
#     and tools/examples/seven.pgm with share/digitinfer/mnist-int8.dgi;
#   - the CLI: tools/test-cli-standalone.sh on the unpacked tree (--version
#     is DGI_VERSION, every models/samples/* image read as the digit in its
#     name with /opt/swift hidden, no Swift library needed, man page,
#     completions);
#   - the wheel: pip install into a fresh venv (no index), digitinfer.Model()
#     reads models/samples/scan-9.pgm as a 9, __version__ is DGI_VERSION;
#   - the web page: no build leftovers, then tools/web/test-browser.sh
#     --site on the unpacked page (headless Chromium);
#   - the Cortex-M libraries: only dgi_* global, then for each core a
#     firmware built with arm-none-eabi-gcc as the README says
#     (tools/embedded's start-up code and example.c, mps2.ld) against the
#     unpacked libdigitinfer.a, run under qemu-system-arm: it must give the
#     digit of Golden/expected.txt.
# A missing CLI or wheel is skipped while its build script is not in the
# tree, and fails once it is. Ends with "N passed, M failed".
#
# Usage: tools/test-release.sh DIST      (DIST: what tools/release.sh wrote)
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$repo/tools/checks.sh"
directory_argument "$@"
dist=$directory
if [ -z "${DIGITINFER_TEST_RELEASE_CLEAN:-}" ]; then
  exec env -i DIGITINFER_TEST_RELEASE_CLEAN=1 HOME="${TMPDIR:-/tmp}" TMPDIR="${TMPDIR:-/tmp}" LANG=C.UTF-8 \
    PATH=/usr/local/bin:/usr/bin:/bin "$0" "$dist"
fi

version=$("$repo/tools/version.sh")
so_name=libdigitinfer.so.$("$repo/tools/version.sh" --abi) || exit 1
[ -n "$version" ] || exit 1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
license=$(find "$repo" -maxdepth 1 -type f \( -name 'LICENSE*' -o -name 'COPYING*' \) | sort | head -1)
samples=$repo/models/samples
seven=$repo/tools/examples/seven.pgm
started=$SECONDS

skip() { echo "skip  $*"; }
# counted LABEL COMMAND...: runs a test script and adds its "N passed, M failed".
counted() {
  local label=$1 log=$work/counted.log status=0 n m
  shift
  "$@" >"$log" 2>&1 || status=$?
  grep -E '^(FAIL|skip)' "$log" | head -20
  if [[ $(tail -n 1 "$log") =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    n=${BASH_REMATCH[1]} m=${BASH_REMATCH[2]}
    passed=$((passed + n)) failed=$((failed + m))
    [ "$status" -eq 0 ] || [ "$m" -gt 0 ] || failed=$((failed + 1))
    echo "$( [ "$status" -eq 0 ] && echo "ok   " || echo "FAIL ") $label: $n passed, $m failed"
  else
    tail -n 10 "$log"
    fail "$label: exit $status, no summary line"
  fi
}
# unpack NAME.tar.gz: into a fresh directory; prints the top directory.
unpack() {
  local tarball=$dist/$1 into
  into=$(mktemp -d "$work/unpack.XXXXXX")
  tar -C "$into" -xzf "$tarball" || return 1
  echo "$into/${1%.tar.gz}"
}
# layout NAME DIR: the tarball's shape.
layout() {
  local name=$1 dir=$2
  check "$name: one top directory, ${name%.tar.gz}/" test "$(ls -A "$(dirname "$dir")")" = "$(basename "$dir")"
  check "$name: a README" test -s "$dir/README.md" -o -s "$dir/README.txt"
  if [ -n "$license" ]; then
    check "$name: $(basename "$license")" cmp -s "$license" "$dir/$(basename "$license")"
  fi
}
# reads EXE ARGS... DIGIT: classify.c's output starts with "digit DIGIT ".
reads() {
  local digit=${*: -1} out
  out=$("${@:1:$#-1}" 2>&1) && grep -q "^digit $digit (confidence " <<<"$out" || { echo "  got: $out"; return 1; }
}

echo "== $dist (version $version; PATH=$PATH)"
check "no swiftc on PATH" test -z "$(command -v swiftc)"
check "sha256sum -c SHA256SUMS" sh -c 'cd "$1" && sha256sum --quiet -c SHA256SUMS' _ "$dist"
listed=$(awk '{ print $2 }' "$dist/SHA256SUMS" 2>/dev/null | sed 's/^\*//' | sort | tr '\n' ' ')
present=$(cd "$dist" && find . -maxdepth 1 -type f \( -name 'digitinfer-*.tar.gz' -o -name 'digitinfer-*.whl' \) -printf '%f\n' | sort | tr '\n' ' ')
check "SHA256SUMS lists every artifact ($present)" test "$listed" = "$present"

# ---- the C SDK ----------------------------------------------------------------
name=digitinfer-$version-x86_64-linux-c-sdk.tar.gz
echo "== $name"
if [ -f "$dist/$name" ] && sdk=$(unpack "$name"); then
  layout "$name" "$sdk"
  for f in include/digitinfer.h lib/libdigitinfer.a "lib/$so_name" lib/pkgconfig/digitinfer.pc \
    lib/cmake/digitinfer/digitinfer-config.cmake lib/cmake/digitinfer/digitinfer-config-version.cmake \
    share/digitinfer/mnist-int8.dgi share/doc/digitinfer/README.md share/doc/digitinfer/classify.c; do
    check "$name: $f" test -f "$sdk/$f"
  done
  check "$name: lib/libdigitinfer.so -> $so_name" test "$(readlink "$sdk/lib/libdigitinfer.so")" = "$so_name"
  check "$name: the header is include/digitinfer.h" cmp -s "$sdk/include/digitinfer.h" "$repo/include/digitinfer.h"
  check "$name: the example is tools/examples/classify.c" cmp -s "$sdk/share/doc/digitinfer/classify.c" "$repo/tools/examples/classify.c"
  check "$name: the model is models/mnist-int8.dgi" cmp -s "$sdk/share/digitinfer/mnist-int8.dgi" "$repo/models/mnist-int8.dgi"
  check "$name: no build-machine path in the .pc or CMake files" \
    test -z "$(grep -l -e "$repo" -e /tmp/ "$sdk/lib/pkgconfig/digitinfer.pc" "$sdk"/lib/cmake/digitinfer/* || true)"

  echo "-- CMake (tools/test-cmake.sh on the unpacked SDK)"
  counted "CMake package" "$repo/tools/test-cmake.sh" "$sdk"

  echo "-- pkg-config and gcc"
  export PKG_CONFIG_PATH=$sdk/lib/pkgconfig
  check "pkg-config --modversion digitinfer is $version" test "$(pkg-config --modversion digitinfer 2>&1)" = "$version"
  example=$sdk/share/doc/digitinfer/classify.c model=$sdk/share/digitinfer/mnist-int8.dgi
  bin=$work/classify
  mkdir -p "$bin"
  # The README's three lines.
  build_shared() { gcc "$example" $(pkg-config --cflags --libs digitinfer) -Wl,-rpath,"$sdk/lib" -o "$bin/shared"; }
  build_static() { gcc "$example" -Wl,-Bstatic $(pkg-config --static --cflags --libs digitinfer) -Wl,-Bdynamic -o "$bin/static"; }
  build_full() { gcc -static "$example" $(pkg-config --static --cflags --libs digitinfer) -o "$bin/full-static"; }
  check "gcc classify.c \$(pkg-config --cflags --libs digitinfer): builds" build_shared
  check "gcc classify.c -Wl,-Bstatic \$(pkg-config --static --cflags --libs digitinfer) -Wl,-Bdynamic: builds" build_static
  check "gcc -static classify.c \$(pkg-config --static --cflags --libs digitinfer): builds" build_full
  needed() { readelf -dW "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' '; }
  [ -x "$bin/shared" ] && check "the shared build loads $sdk/lib/$so_name" \
    grep -qF "$so_name => $sdk/lib/$so_name" <<<"$(ldd "$bin/shared")"
  [ -x "$bin/static" ] && check "the static build needs no libdigitinfer ($(needed "$bin/static"))" \
    test -z "$(needed "$bin/static" | grep libdigitinfer)"
  [ -x "$bin/full-static" ] && check "the fully static build needs no shared library" test -z "$(needed "$bin/full-static")"
  for variant in shared static full-static; do
    [ -x "$bin/$variant" ] || continue
    check "classify ($variant) reads models/samples/scan-9.pgm as a 9" reads "$bin/$variant" "$model" "$samples/scan-9.pgm" 9
    check "classify ($variant) reads tools/examples/seven.pgm as a 7" reads "$bin/$variant" "$model" "$seven" 7
  done
  unset PKG_CONFIG_PATH
else
  fail "$name: missing or does not unpack"
fi

# ---- the command line --------------------------------------------------------------
name=digitinfer-cli-$version-x86_64-linux.tar.gz
echo "== $name"
if [ ! -f "$dist/$name" ] && [ ! -e "$repo/tools/build-cli.sh" ]; then
  skip "$name: tools/build-cli.sh is not in this tree yet"
elif [ -f "$dist/$name" ] && cli=$(unpack "$name"); then
  layout "$name" "$cli"
  # The executable with no Swift (NEEDED, RUNPATH, /opt/swift hidden), the
  # samples, --version, the man page and the completions.
  counted "the unpacked CLI (tools/test-cli-standalone.sh)" "$repo/tools/test-cli-standalone.sh" "$cli"
else
  fail "$name: missing (tools/build-cli.sh is in the tree) or does not unpack"
fi

# ---- the wheel -------------------------------------------------------------------------
echo "== the wheel"
wheel=$(find "$dist" -maxdepth 1 -name "digitinfer-$version-*.whl" | head -1)
if [ -z "$wheel" ] && [ ! -e "$repo/tools/python/build-wheel.sh" ]; then
  skip "the wheel: tools/python/build-wheel.sh is not in this tree yet"
elif [ -n "$wheel" ]; then
  venv=$work/venv
  if python3 -m venv "$venv" && "$venv/bin/pip" install -q --no-index --no-cache-dir "$wheel"; then
    pass "pip install $(basename "$wheel") into a fresh venv"
    # The image: a binary PGM, read here without Pillow.
    if out=$(cd "$work" && "$venv/bin/python" - "$samples/scan-9.pgm" "$version" <<'EOF' 2>&1
import re
import sys
import digitinfer

path, version = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
gap = rb"(?:\s|#[^\n]*\n)+"  # blanks and comments
header = re.match(rb"P5" + gap + rb"(\d+)" + gap + rb"(\d+)" + gap + rb"(\d+)\s", data)
width, height = int(header[1]), int(header[2])
pixels = data[header.end() : header.end() + width * height]
result = digitinfer.Model().classify_image((width, height, pixels))
print("digit", result.digit, "version", digitinfer.__version__, "from", digitinfer.__file__)
assert digitinfer.__version__ == version, digitinfer.__version__
assert result.digit == 9, result.digit
EOF
    ); then
      pass "the wheel: digitinfer.Model() reads scan-9.pgm as a 9, version $version ($out)"
    else
      fail "the wheel: $out"
    fi
  else
    fail "pip install $(basename "$wheel") into a fresh venv"
  fi
else
  fail "the wheel: no digitinfer-$version-*.whl (tools/python/build-wheel.sh is in the tree)"
fi

# ---- the web page -------------------------------------------------------------------------
name=digitinfer-$version-web.tar.gz
echo "== $name"
if [ -f "$dist/$name" ] && site=$(unpack "$name"); then
  layout "$name" "$site"
  for f in index.html app.js bundle.js digitinfer.wasm digitinfer-simd.wasm mnist-int8.dgi; do
    check "$name: $f" test -s "$site/$f"
  done
  check "$name: no build leftovers (obj/, *.o)" test -z "$(find "$site" -name '*.o' -o -name 'obj*' -type d)"
  counted "the unpacked page in headless Chromium (tools/web/test-browser.sh --site)" \
    env SCREENSHOT_DIR="$work" "$repo/tools/web/test-browser.sh" --site "$site"
else
  fail "$name: missing or does not unpack"
fi

# ---- the Cortex-M libraries ---------------------------------------------------------------
name=digitinfer-$version-cortex-m.tar.gz
echo "== $name"
if [ -f "$dist/$name" ] && cm=$(unpack "$name"); then
  layout "$name" "$cm"
  check "$name: the header is include/digitinfer.h" cmp -s "$cm/include/digitinfer.h" "$repo/include/digitinfer.h"
  declared=$(sed -n 's/^[a-z_0-9 ]*[ *]\(dgi_[a-z_0-9]*\)(.*/\1/p' "$repo/include/digitinfer.h" | sort | tr '\n' ' ')
  embedded=$repo/tools/embedded
  want=$(awk '$1 == "reference.dgi" && $2 == 0 { print $3 }' "$repo/Tests/DigitInferTests/Golden/expected.txt")
  for core in m4f m4 m3 m0; do
    lib=$cm/lib/cortex-$core
    require "cortex-$core: libdigitinfer.a" test -f "$lib/libdigitinfer.a" || continue
    check "cortex-$core: defines exactly the header's functions as globals" \
      test "$(arm-none-eabi-nm --defined-only --extern-only "$lib/libdigitinfer.a" | awk 'NF == 3 { print $3 }' | sort | tr '\n' ' ')" = "$declared"
    # As the README says: arm-none-eabi-gcc for the core, -L lib/cortex-CORE -ldigitinfer -lc -lgcc.
    case "$core" in
      m4f) flags=(-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -DFW_ENABLE_FPU) board=mps2-an386 ;;
      m4) flags=(-mcpu=cortex-m4 -mthumb -mfloat-abi=softfp -mfpu=fpv4-sp-d16 -DFW_ENABLE_FPU) board=mps2-an386 ;;
      m3) flags=(-mcpu=cortex-m3 -mthumb -mfloat-abi=soft) board=mps2-an385 ;;
      m0) flags=(-mcpu=cortex-m0 -mthumb -mfloat-abi=soft) board=mps2-an385 ;;
    esac
    fw=$work/firmware-$core
    mkdir -p "$fw"
    cflags=("${flags[@]}" -Os -fno-short-enums -ffunction-sections -fdata-sections -ffreestanding -fno-builtin -Wall
      -I "$cm/include" -I "$embedded" -DEXAMPLE_SCRATCH=14400)
    link() {
      local f
      for f in firmware.c cortex-m.c cortex-m.S example.c; do
        arm-none-eabi-gcc "${cflags[@]}" -c "$embedded/$f" -o "$fw/$f.o" || return 1
      done
      arm-none-eabi-gcc "${flags[@]}" -DEXAMPLE_MODEL="\"$repo/Tests/DigitInferTests/Golden/reference.dgi\"" \
        -DEXAMPLE_IMAGES="\"$repo/Tests/DigitInferTests/Golden/inputs.bin\"" -DEXAMPLE_INDEX=0 \
        -c "$embedded/example-data.S" -o "$fw/data.o" &&
        arm-none-eabi-gcc "${flags[@]}" -nostartfiles -T "$embedded/mps2.ld" -Wl,--gc-sections -o "$fw/example.elf" \
          "$fw"/*.c.o "$fw/cortex-m.S.o" "$fw/data.o" -L "$lib" -ldigitinfer -lc -lgcc 2>"$fw/link.err" ||
        { cat "$fw/link.err"; return 1; }
    }
    require "cortex-$core: example.c links with arm-none-eabi-gcc ${flags[*]} -L lib/cortex-$core -ldigitinfer" link || continue
    out=$(timeout 60 qemu-system-arm -M "$board" -nographic -monitor none -serial none \
      -chardev stdio,id=semihosting -semihosting-config enable=on,target=native,chardev=semihosting \
      -kernel "$fw/example.elf" 2>&1)
    check "cortex-$core: runs on qemu-system-arm -M $board: reference.dgi reads golden input 0 as a $want" \
      grep -qx "example: digit $want" <<<"$out"
  done
else
  fail "$name: missing or does not unpack"
fi

echo "== $((SECONDS - started)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
