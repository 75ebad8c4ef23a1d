#!/usr/bin/env bash
# Tests the wasm32 build of the runtime (tools/web/build.sh) without a
# browser:
#   - both modules (digitinfer.wasm, scalar; digitinfer-simd.wasm, wasm SIMD)
#     import nothing (so they cannot allocate, print or trap into a host),
#     export memory, every dgi_* function of the header and the page's web_*
#     helpers, and stay small;
#   - a WASI test harness (tools/web/harness/harness.c) linked from the same
#     objects runs under wasmkit, the WebAssembly runtime of the Swift
#     toolchain: the golden vectors bit for bit, the dgi_preprocess golden
#     lines, the shipped model on a sample scan and on drawn digits,
#     dgi_read_number on drawn numbers and its argument errors;
#   - app.js's struct offsets (dgi_result, dgi_preprocess_info,
#     dgi_number_digit) are the header's on wasm32 (the harness prints them);
#   - if node is installed, each module itself (not a re-link) on the
#     golden vectors through its exports, as the page calls it.
# Ends with "wasm: N passed, M failed"; exits non-zero on failure.
#
# Usage: tools/web/test-wasm.sh [BUILD_DIR]
#   BUILD_DIR  where to build (default: <repo>/.build-web, which test-browser.sh
#              and tools/release.sh also use; build.sh compiles only what is
#              out of date)
# Environment: SWIFTC as for build.sh; WASM_SIZE_LIMIT (bytes, default 65536);
#   PREPROCESS_STEP=k runs every k-th dgi_preprocess golden case (default 1: all).
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
web=$repo/tools/web
golden=$repo/Tests/DigitInferTests/Golden
swiftc=${SWIFTC:-$(command -v swiftc || echo /opt/swift/usr/bin/swiftc)}
bin=$(dirname "$swiftc")
limit=${WASM_SIZE_LIMIT:-65536}
step=${PREPROCESS_STEP:-1}

mkdir -p "${1:-$repo/.build-web}" && build=$(cd "${1:-$repo/.build-web}" && pwd)

# shellcheck source=checks.sh
. "$repo/tools/checks.sh"
finish() {
  echo "wasm: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
}

echo "== build (tools/web/build.sh $build)"
if ! SWIFTC=$swiftc "$web/build.sh" "$build"; then
  fail "tools/web/build.sh"
  finish
fi
pass "tools/web/build.sh"
want=$(
  sed -n 's/^[a-z][a-z0-9_ *]*[ *]\(dgi_[a-z_]*\)(.*/\1 func/p' "$repo/include/digitinfer.h"
  printf '%s\n' "memory memory" "web_alloc func" "web_mark func" "web_release func"
)
for module in digitinfer.wasm:wasm digitinfer-simd.wasm:wasmSimd; do
  wasm=$build/${module%%:*} key=${module#*:}
  echo "== ${module%%:*}"
  info() { python3 "$web/wasm_info.py" "$wasm" "$@"; }
  check "imports nothing" test -z "$(info --imports)"
  exports=$(info --exports)
  check "exports exactly memory, the header's dgi_* functions and web_alloc/web_mark/web_release" \
    test "$(echo "$exports" | sort)" = "$(echo "$want" | sort)"
  size=$(wc -c <"$wasm")
  check "size $size bytes <= $limit" test "$size" -le "$limit"
  check "bundle.js holds the module ($key)" grep -q "$key: \"$(base64 -w0 "$wasm" | head -c 64)" "$build/bundle.js"
done
check "bundle.js holds the model" grep -q "model: \"$(base64 -w0 "$repo/models/mnist-int8.dgi" | head -c 64)" "$build/bundle.js"

echo "== harness (WASI, wasmkit)"
h=$build.obj/harness
mkdir -p "$h"
if "$bin/clang" --target=wasm32 -O2 -nostdlib -ffreestanding -std=c23 -Wall -Wextra -Werror \
  -isystem "$web/harness/libc" -I "$repo/include" -I "$repo/Tests/c" \
  --embed-dir="$golden" --embed-dir="$repo/models" -DPREPROCESS_STEP="$step" \
  -c "$web/harness/harness.c" -o "$h/harness.o" &&
  "$bin/clang" --target=wasm32 -O2 -nostdlib -ffreestanding -Wno-everything \
    -isystem "$web/harness/libc" -I "$repo/include" -I "$repo/Tests/c" \
    -c "$repo/Tests/c/support.c" -o "$h/support.o" &&
  "$bin/wasm-ld" --gc-sections -z stack-size=262144 "$h/harness.o" "$h/support.o" \
    "$build.obj/scalar/runtime-shim.o" "$build.obj/scalar/DigitInfer.o" -o "$h/harness.wasm"; then
  pass "harness builds (support.c and the runtime objects, no libc)"
else
  fail "harness builds"
  finish
fi
check "the harness imports only WASI fd_write and proc_exit" test \
  "$(python3 "$web/wasm_info.py" "$h/harness.wasm" --imports | sort | tr '\n' ' ')" = \
  "wasi_snapshot_preview1.fd_write func wasi_snapshot_preview1.proc_exit func "

start=$(date +%s)
"$bin/wasmkit" run "$h/harness.wasm" >"$h/log" 2>&1
status=$?
cat "$h/log"
echo "(wasmkit: $(($(date +%s) - start)) s, exit status $status)"
read -r p f < <(sed -n 's/^wasm: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$h/log" | tail -1)
if [ -n "${p:-}" ]; then
  passed=$((passed + p))
  failed=$((failed + f))
  [ "$status" -eq 0 ] || [ "$f" -gt 0 ] || fail "harness exit status $status"
else
  fail "the harness did not finish (exit status $status)"
fi

# The struct layouts app.js reads (its constants) against the header's
# offsetof on wasm32 (the harness's "layout" lines).
while read -r _ name fields; do
  if [ "$name" = ABI ]; then
    check "app.js: ABI $fields, as the header" grep -q "^ *const ABI = $fields;" "$web/app.js"
    continue
  fi
  js=$(sed -n "s/^ *const $name = { \(.*\) };.*/\1/p" "$web/app.js" | tr -d ' ' | tr ',' '\n' | tr : = | sort)
  check "app.js: $name's offsets are the header's ($fields)" test "$js" = "$(echo "$fields" | tr ' ' '\n' | sort)"
done < <(grep '^layout ' "$h/log")

if command -v node >/dev/null; then
  # Both modules; node runs wasm SIMD, which wasmkit cannot.
  for module in digitinfer.wasm digitinfer-simd.wasm; do
    echo "== $module itself under node $(node --version)"
    if node "$web/harness/golden.mjs" "$build/$module" "$golden"; then
      pass "node: $module reproduces the golden vectors through its exports"
    else
      fail "node: $module on the golden vectors"
    fi
  done
else
  echo "(node not installed: the modules themselves are tested by tools/web/test-browser.sh)"
fi
finish
