#!/usr/bin/env bash
# Builds the release artifacts into dist/ (or --out DIR), from the current
# tree, by calling the project's own build scripts. Run `tools/release.sh
# --help` for the list; tools/test-release.sh DIST tests them the way users
# use them, on a PATH without Swift.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: tools/release.sh [--out DIR]

Writes, with VERSION = DGI_VERSION of include/digitinfer.h:
  digitinfer-VERSION-x86_64-linux-c-sdk.tar.gz
      include/, lib/ (libdigitinfer.a, .so.N + symlink, pkgconfig/ with a
      relocatable digitinfer.pc, cmake/digitinfer/), share/digitinfer/
      mnist-int8.dgi, share/doc/digitinfer/ (README.md, classify.c)
      (tools/install.sh --relocatable, build dir .build-embedded)
  digitinfer-cli-VERSION-x86_64-linux.tar.gz
      digitinfer-cli without Swift (tools/build-cli.sh)
  digitinfer-VERSION-py3-none-*.whl
      the Python package with the library inside (tools/python/build-wheel.sh)
  digitinfer-VERSION-web.tar.gz
      the page: index.html, app.js, bundle.js, both wasm modules, the model
      (tools/web/build.sh, build dir .build-web)
  digitinfer-VERSION-cortex-m.tar.gz
      libdigitinfer.a for Cortex-M4F (hard float), M4, M3 and M0, the header
      (tools/embedded/build-lib.sh, build dir .build-firmware)
  SHA256SUMS
Every tarball has one top directory named like it, a README.md, and the
LICENSE if the repository has one. A script another branch adds
(build-cli.sh, build-wheel.sh) that is not in this tree is skipped with a
message, and its artifact is missing.

Each build script compiles again only what is out of date (tools/cached.sh),
so after tools/test.sh this mostly packs. Nothing else is reused: the
artifacts and SHA256SUMS of an earlier run in DIR are removed first.

Options:
  --out DIR    where the artifacts go (default: <repo>/dist)
  -h, --help   show this help
Environment: SWIFTC as for tools/install.sh (default: swiftc on PATH, else
/opt/swift/usr/bin/swiftc).
EOF
}

die() {
  echo "release.sh: error: $*" >&2
  exit 1
}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$repo/dist
while [ $# -gt 0 ]; do
  case "$1" in
    --out) [ $# -ge 2 ] || die "--out needs a directory"; out=$2; shift 2 ;;
    --out=*) out=${1#*=}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
cd "$repo"
command -v swiftc >/dev/null || export PATH=/opt/swift/usr/bin:$PATH
swiftc=${SWIFTC:-$(command -v swiftc || true)}
[ -n "$swiftc" ] && [ -x "$swiftc" ] || die "Swift compiler not found; set SWIFTC or put swiftc on PATH"
bin=$(dirname "$swiftc")
# The firmware libraries are the runtime as shipped, not an experiment.
unset FW_SWIFTFLAGS FW_SOURCES MODEL
version=$(tools/version.sh)
so_name=libdigitinfer.so.$(tools/version.sh --abi) || exit 1
[ -n "$version" ] || exit 1
for tool in tar gzip sha256sum; do command -v "$tool" >/dev/null || die "$tool not found"; done

mkdir -p "$out" || die "cannot create '$out'"
out=$(cd "$out" && pwd)
[ "$out" != "$repo" ] || die "--out must not be the repository itself"
# Only this script's files: DIR may hold others.
rm -f "$out"/digitinfer-*.tar.gz "$out"/digitinfer-*.whl "$out/SHA256SUMS"
stage=$repo/.build-release
rm -rf "$stage"
mkdir -p "$stage"
license=$(find "$repo" -maxdepth 1 -type f \( -name 'LICENSE*' -o -name 'COPYING*' \) | sort | head -1)
# One timestamp for every file: the last commit's.
epoch=$(git log -1 --format=%ct 2>/dev/null || date +%s)
export SOURCE_DATE_EPOCH=$epoch
started=$SECONDS
step() { echo "==> [$((SECONDS - started))s] $*"; }

# pack NAME: $stage/NAME (with the LICENSE added) as $out/NAME.tar.gz.
pack() {
  local name=$1
  [ -z "$license" ] || cp "$license" "$stage/$name/"
  tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" -cf - "$name" |
    gzip -9n >"$out/$name.tar.gz"
}

# ---- the C SDK ---------------------------------------------------------------
sdk=digitinfer-$version-x86_64-linux-c-sdk
step "$sdk"
tools/install.sh --prefix "$stage/$sdk" --build-dir "$repo/.build-embedded" --relocatable
install -d "$stage/$sdk/share/digitinfer" "$stage/$sdk/share/doc/digitinfer"
install -m 644 models/mnist-int8.dgi "$stage/$sdk/share/digitinfer/"
install -m 644 tools/examples/classify.c "$stage/$sdk/share/doc/digitinfer/"
glibc=$(objdump -T "$stage/$sdk/lib/$so_name" | sed -n 's/.*GLIBC_\([0-9.]*\).*/\1/p' | sort -V | tail -1)
cat >"$stage/$sdk/README.md" <<EOF
# DigitInfer $version: C SDK for x86-64 Linux

libdigitinfer reads handwritten digits with int8 models (.dgi files): no
allocation, no dependency beyond libc (glibc $glibc or later). One library
for every x86-64 CPU: it picks SSE2, AVX2, AVX-VNNI or AVX-512 VNNI kernels
when a model is opened.

    include/digitinfer.h              the API (every function is dgi_*)
    lib/$so_name, .so       the shared library (exports only dgi_*)
    lib/libdigitinfer.a               the static library (needs only libc)
    lib/pkgconfig/digitinfer.pc       pkg-config (relocatable)
    lib/cmake/digitinfer/             CMake package (relocatable)
    share/digitinfer/mnist-int8.dgi   the trained model (99.56% on MNIST)
    share/doc/digitinfer/classify.c   the example: a PGM image in, a digit out

Unpack it anywhere (below, SDK is that directory); nothing to install.

CMake (3.11 or later):

    find_package(digitinfer $version CONFIG REQUIRED)
    target_link_libraries(app PRIVATE digitinfer::digitinfer)

    cmake -S . -B build -DCMAKE_PREFIX_PATH=SDK    # the shared library
    cmake -S . -B build -DCMAKE_PREFIX_PATH=SDK -DDIGITINFER_STATIC=ON
                                                   # digitinfer::digitinfer is the .a

The targets digitinfer::digitinfer_shared and digitinfer::digitinfer_static
name one library each.

pkg-config:

    export PKG_CONFIG_PATH=SDK/lib/pkgconfig
    cc classify.c \$(pkg-config --cflags --libs digitinfer) -Wl,-rpath,SDK/lib -o classify
    cc classify.c -Wl,-Bstatic \$(pkg-config --static --cflags --libs digitinfer) -Wl,-Bdynamic -o classify
    cc -static classify.c \$(pkg-config --static --cflags --libs digitinfer) -o classify

(the second links the .a and keeps libc shared; the third is fully static).
Then:

    ./classify SDK/share/digitinfer/mnist-int8.dgi digit.pgm
    digit 7 (confidence ...)

The image is an 8-bit binary PGM of any size, dark ink on light paper or
light on dark; dgi_preprocess makes the model's 28x28 input. The header
documents every function; the project's README has the rest.
EOF
install -m 644 "$stage/$sdk/README.md" "$stage/$sdk/share/doc/digitinfer/README.md"
pack "$sdk"

# ---- the command line ----------------------------------------------------------
cli=digitinfer-cli-$version-x86_64-linux
step "$cli"
if [ -x tools/build-cli.sh ]; then
  tools/build-cli.sh --out "$stage/$cli"
  [ -x "$stage/$cli/bin/digitinfer-cli" ] || die "tools/build-cli.sh wrote no bin/digitinfer-cli"
  if [ ! -f "$stage/$cli/README.txt" ] && [ ! -f "$stage/$cli/README.md" ]; then
    cat >"$stage/$cli/README.md" <<EOF
# digitinfer-cli $version for x86-64 Linux

Reads handwritten digits in photos, scans and drawings; needs only glibc.

    bin/digitinfer-cli photo.jpg scan.png drawing.pgm
    bin/digitinfer-cli --help

Put bin/ on PATH, share/man on MANPATH.
EOF
  fi
  pack "$cli"
else
  echo "release.sh: skipped $cli.tar.gz: tools/build-cli.sh is not in this tree" >&2
fi

# ---- the Python wheel ------------------------------------------------------------
step "the Python wheel"
if [ -x tools/python/build-wheel.sh ]; then
  tools/python/build-wheel.sh --out "$out" --build-dir "$repo/.build-embedded"
  ls "$out"/digitinfer-"$version"-*.whl >/dev/null 2>&1 || die "tools/python/build-wheel.sh wrote no digitinfer-$version-*.whl"
else
  echo "release.sh: skipped the wheel: tools/python/build-wheel.sh is not in this tree" >&2
fi

# ---- the web page ---------------------------------------------------------------
web=digitinfer-$version-web
step "$web"
SWIFTC=$swiftc tools/web/build.sh "$repo/.build-web"
mkdir -p "$stage/$web"
for f in index.html app.js bundle.js digitinfer.wasm digitinfer-simd.wasm mnist-int8.dgi; do
  install -m 644 "$repo/.build-web/$f" "$stage/$web/"
done
cat >"$stage/$web/README.md" <<EOF
# DigitInfer $version: the web page

A static page that reads digits drawn with mouse, pen or finger, with the
runtime compiled to WebAssembly (imports nothing, allocates nothing).

    index.html, app.js      the page
    digitinfer-simd.wasm    the runtime with wasm SIMD (every current browser)
    digitinfer.wasm         the runtime without SIMD (the page's fallback)
    mnist-int8.dgi          the model
    bundle.js               both modules and the model in base64, so that
                            index.html also works opened from disk (file://)

Open index.html in a browser, or serve the directory, e.g.

    python3 -m http.server --directory . 8000    # http://localhost:8000/

then fetch() loads the .wasm and the .dgi instead of bundle.js (any static
host works; serve .wasm as application/wasm). ?wasm=scalar forces the
module without SIMD. To use the runtime in your own page, see app.js: every
dgi_* function of the C API is an export, with web_alloc for buffers
(tools/web/README.md in the repository has the details).
EOF
pack "$web"

# ---- the Cortex-M libraries --------------------------------------------------------
cm=digitinfer-$version-cortex-m
step "$cm"
mkdir -p "$stage/$cm/include"
install -m 644 include/digitinfer.h "$stage/$cm/include/"
needs=""
for core in m4f m4 m3 m0; do
  SWIFTC=$swiftc tools/embedded/build-lib.sh "$core" "$repo/.build-firmware/$core/DigitInfer.o" \
    "$stage/$cm/lib/cortex-$core/libdigitinfer.a"
  needs+="    cortex-$core: $("$bin/llvm-nm" -u "$stage/$cm/lib/cortex-$core/libdigitinfer.a" | awk 'NF >= 2 { printf "%s ", $NF }')
"
done
cat >"$stage/$cm/README.md" <<EOF
# DigitInfer $version: static libraries for Cortex-M

The runtime (Embedded Swift, -Osize, one section per function) as a static
library per core, with include/digitinfer.h. No heap, no OS, no libc beyond
the memory functions; only the dgi_* functions of the header are global.
Pick the directory that matches how your firmware is compiled (GNU ld
refuses to mix float calling conventions):

| directory | core | built as (swiftc) | compile your code with |
| --- | --- | --- | --- |
| lib/cortex-m4f | Cortex-M4F (M4 with FPU), M7 | armv7em-none-none-eabi, -mfloat-abi=hard -mfpu=fpv4-sp-d16 | -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 |
| lib/cortex-m4 | Cortex-M4F, M7 | armv7em-none-none-eabi (FPU instructions, soft-float calls) | -mcpu=cortex-m4 -mthumb -mfloat-abi=softfp -mfpu=fpv4-sp-d16 (or -mfloat-abi=soft) |
| lib/cortex-m3 | Cortex-M3 (and M4 without FPU) | armv7m-none-none-eabi: ARMv7-M, no FPU | -mcpu=cortex-m3 -mthumb (-mfloat-abi=soft) |
| lib/cortex-m0 | Cortex-M0, M0+, M1 (and every core above) | armv6m-none-none-eabi: ARMv6-M, no FPU | -mcpu=cortex-m0 -mthumb (-mfloat-abi=soft) |

The M4 libraries use the FPU (single precision): enable CP10/CP11 before
calling them, as every M4F start-up code does. The libraries use 4-byte
enums, as the Arm EABI for Linux does; arm-none-eabi-gcc makes enums as
small as their values unless told -fno-short-enums, and dgi_layer_info has
an enum field: compile the code that includes digitinfer.h with
-fno-short-enums.

Link with --gc-sections, e.g. for a Cortex-M4F with hard float:

    arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -fno-short-enums -Os \\
      -ffunction-sections -fdata-sections -I include -c app.c
    arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 \\
      -T board.ld -Wl,--gc-sections app.o startup.o -L lib/cortex-m4f -ldigitinfer -lc -lgcc -o app.elf

What each library needs from the rest of the firmware (llvm-nm -u):

$needs
- __aeabi_memcpy, __aeabi_memset, __aeabi_memclr*: the C library (newlib
  has them: -lc) or your own memcpy/memset wrappers;
- the other __aeabi_* (64-bit division and shifts, float conversions):
  libgcc (-lgcc) or compiler-rt;
- __stack_chk_guard (a word) and __stack_chk_fail (a function that does not
  return): Swift turns stack protectors on; define them yourself, e.g.
  "unsigned long __stack_chk_guard = 0xdeadbeef;
  void __stack_chk_fail(void) { for (;;) {} }";
- __atomic_load_4, __atomic_store_4, __atomic_compare_exchange_4 (Cortex-M0
  only, which has no atomic instructions): with interrupts masked around a
  plain load, store or compare-and-swap, as the project's
  tools/embedded/cortex-m.S does.

Then, with the model in flash (any alignment):

    #include "digitinfer.h"
    extern const unsigned char model_dgi[], model_dgi_end[];
    static dgi_model model;                /* 1 KiB of RAM */
    static unsigned char scratch[14400];   /* >= dgi_model_scratch_size(&model) */

    dgi_model_open(&model, model_dgi, (size_t)(model_dgi_end - model_dgi));
    dgi_result r;
    dgi_classify(&model, pixels /* 28x28 */, scratch, sizeof scratch, &r);  /* r.digit */

About 11 KB of code for inference, 21 KB with dgi_preprocess (Cortex-M4).
tools/embedded/README.md in the repository has the figures per core and a
complete firmware for QEMU's mps2 boards.
EOF
pack "$cm"

# ---- checksums ----------------------------------------------------------------------
step "SHA256SUMS"
cd "$out"
shopt -s nullglob
artifacts=(digitinfer-*.tar.gz digitinfer-*.whl)
sha256sum "${artifacts[@]}" >SHA256SUMS
echo "==> [$((SECONDS - started))s] $out"
for f in "${artifacts[@]}" SHA256SUMS; do printf '  %-50s %9d bytes\n' "$f" "$(wc -c <"$f")"; done
