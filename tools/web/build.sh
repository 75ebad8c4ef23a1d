#!/usr/bin/env bash
# Builds the runtime for the browser: Sources/DigitInfer as Embedded Swift
# for wasm32-unknown-none-wasm (-Osize), linked with tools/web/runtime-shim.c
# (the page's bump allocator and the 128-bit multiply LLVM calls) into
# modules that import nothing, then assembles the static page around them.
# Two modules, the same answers: the page runs the SIMD one where the
# browser validates wasm SIMD (every current browser), else the scalar one.
#
# Usage: tools/web/build.sh OUT_DIR
#
# OUT_DIR receives:
#   digitinfer.wasm       plain wasm32 (the features of LLVM's generic CPU,
#                         which wasmkit runs), built with DIGITINFER_SMALL:
#                         the reference kernels, the smallest module
#   digitinfer-simd.wasm  wasm SIMD (simd128) and the SIMD-style kernels the
#                         host uses, built with -O
#                         (each exports memory, every dgi_* function of the
#                         header, web_alloc / web_mark / web_release)
#   index.html, app.js, mnist-int8.dgi (a copy of models/mnist-int8.dgi)
#   bundle.js         both modules and the model in base64, so that
#                     index.html also works opened straight from disk
#                     (file://), where browsers refuse fetch()
#
# The compiled objects go beside it, not into it (OUT_DIR is the site, all
# of it published): OUT_DIR.obj/scalar and OUT_DIR.obj/simd hold each
# module's DigitInfer.o and runtime-shim.o (test-wasm.sh links its harness
# from OUT_DIR.obj/scalar).
#
# Environment:
#   SWIFTC      Swift compiler (default: swiftc on PATH, else /opt/swift/usr/bin/swiftc);
#               clang, wasm-ld and llvm-nm are taken from the same directory
#   MODEL       the model the page loads (default: models/mnist-int8.dgi)
set -euo pipefail

die() {
  echo "build.sh: error: $*" >&2
  exit 1
}

case "${1:-}" in
  -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  "") die "usage: tools/web/build.sh OUT_DIR" ;;
esac
[ $# -eq 1 ] || die "usage: tools/web/build.sh OUT_DIR"

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
web=$repo/tools/web
swiftc=${SWIFTC:-$(command -v swiftc || echo /opt/swift/usr/bin/swiftc)}
[ -x "$swiftc" ] || die "Swift compiler not found (tried '$swiftc'); set SWIFTC"
bin=$(dirname "$swiftc")
for tool in clang wasm-ld llvm-nm; do
  [ -x "$bin/$tool" ] || die "$bin/$tool not found (the Swift toolchain ships it)"
done
command -v python3 >/dev/null || die "python3 not found"
command -v base64 >/dev/null || die "base64 (coreutils) not found"
model=${MODEL:-$repo/models/mnist-int8.dgi}
[ -f "$model" ] || die "model '$model' not found"
mkdir -p "$1" || die "cannot create '$1'"
out=$(cd "$1" && pwd)
objects=$out.obj
# Builds before the objects moved out left them (and test-wasm.sh its
# harness) in the site.
for old in obj obj-simd harness; do
  if [ -f "$out/$old/DigitInfer.o" ] || [ -f "$out/$old/harness.o" ]; then rm -rf "${out:?}/$old"; fi
done
cd "$repo"

# build_module NAME OBJ_DIR SWIFT_FLAGS...: OUT_DIR/NAME from the runtime
# compiled with the given flags (an optimization level among them).
build_module() {
  local name=$1 obj=$2
  shift 2
  mkdir -p "$obj" || die "cannot create '$obj'"
  echo "==> $name: swiftc (Embedded Swift, wasm32-unknown-none-wasm) $*"
  # No -no-allocations here: on 32-bit targets it flags code that does not
  # allocate (64-bit division, shifts by variable amounts). The import list
  # below is the proof instead: a module that imports nothing cannot call an
  # allocator.
  # Compiled again only when a source, the header, the compiler or the flags
  # changed (tools/cached.sh): a kept OUT_DIR is rebuilt in seconds.
  "$repo/tools/cached.sh" "$obj/DigitInfer.o" Sources/DigitInfer Sources/DigitInferKernels include "$swiftc" -- \
    "$swiftc" -target wasm32-unknown-none-wasm -enable-experimental-feature Embedded -wmo -parse-as-library \
    "$@" -Xfrontend -disable-stack-protector -Xfrontend -function-sections \
    -I include -I Sources/DigitInferKernels -module-name DigitInfer -c Sources/DigitInfer/*.swift -o "$obj/DigitInfer.o" ||
    die "swiftc failed"
  "$bin/clang" --target=wasm32 -Os -nostdlib -ffreestanding -Wall -Wextra -Werror \
    -c "$web/runtime-shim.c" -o "$obj/runtime-shim.o" || die "clang failed"

  # The public API: every function the Swift object defines under dgi_.
  "$bin/llvm-nm" --defined-only "$obj/DigitInfer.o" | awk '$2 == "T" && $3 ~ /^dgi_/ { print $3 }' | sort >"$obj/exports.txt"
  [ -s "$obj/exports.txt" ] || die "the object defines no dgi_* functions"
  local header_api
  header_api=$(sed -n 's/^[a-z][a-z0-9_ *]*[ *]\(dgi_[a-z_]*\)(.*/\1/p' include/digitinfer.h | sort -u)
  [ "$header_api" = "$(cat "$obj/exports.txt")" ] ||
    die "the dgi_* functions of the object differ from include/digitinfer.h: $(echo $header_api) vs $(cat "$obj/exports.txt" | tr '\n' ' ')"

  local exports=() sym
  while read -r sym; do exports+=("--export=$sym"); done <"$obj/exports.txt"
  "$bin/wasm-ld" --no-entry --gc-sections --strip-all -z stack-size=65536 "${exports[@]}" \
    "$obj/runtime-shim.o" "$obj/DigitInfer.o" -o "$out/$name" || die "wasm-ld failed"
  local imports
  imports=$(python3 "$web/wasm_info.py" "$out/$name" --imports)
  [ -z "$imports" ] || die "$name imports something (it must import nothing): $imports"
}
# The scalar module is the smallest; the SIMD one is optimized for speed
# (-O: 2.8x faster than -Osize under node, 2 KB more) and multiplies with
# i32x4.dot_i16x8_s (Lanes.swift, DIGITINFER_WASM_SIMD: 2.6x more).
build_module digitinfer.wasm "$objects/scalar" -Osize -D DIGITINFER_SMALL
build_module digitinfer-simd.wasm "$objects/simd" -O -Xcc -msimd128 -D DIGITINFER_WASM_SIMD

echo "==> the page"
cp "$web/index.html" "$web/app.js" "$out/"
cp "$model" "$out/mnist-int8.dgi"
{
  echo "// Generated by tools/web/build.sh: both modules and the model in base64,"
  echo "// so that index.html works from file:// (where browsers refuse fetch())."
  printf 'window.DIGITINFER_BUNDLE = {\n  wasm: "'
  base64 -w0 "$out/digitinfer.wasm"
  printf '",\n  wasmSimd: "'
  base64 -w0 "$out/digitinfer-simd.wasm"
  printf '",\n  model: "'
  base64 -w0 "$out/mnist-int8.dgi"
  printf '"\n};\n'
} >"$out/bundle.js"

echo "==> built $out"
for f in digitinfer.wasm digitinfer-simd.wasm; do
  printf '  %-20s %7d bytes (%d gzipped), imports: none\n' "$f" "$(wc -c <"$out/$f")" "$(gzip -9c "$out/$f" | wc -c)"
done
printf '  exports: %s\n' "$(python3 "$web/wasm_info.py" "$out/digitinfer.wasm" --exports | awk '{ printf "%s%s", sep, $1; sep = " " }')"
for f in index.html app.js bundle.js mnist-int8.dgi; do
  printf '  %-20s %7d bytes\n' "$f" "$(wc -c <"$out/$f")"
done
