#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it (.ci/run calls this script):
#   1. the Swift tests (runtime, writer, hostile input, golden vectors, data,
#      reports, training, and the shipped models against their cards);
#      every kernel set this CPU runs is checked against the reference;
#   2. the runtime's tests again with the portable SIMD kernels that Arm and
#      WebAssembly use;
#      a package that depends on DigitInfer by version (tools/consumer);
#   3. the C library built as Embedded Swift, installed to a temporary
#      prefix, then (with the kernels it picks and with SSE2) the C tests and
#      the example against it with gcc and clang, as C and C++
#      (tools/test-c.sh), and the Python binding from the source tree
#      (tools/python);
#      the C library cross-built for aarch64 Linux, its C tests under
#      qemu-aarch64 (tools/test-aarch64-linux.sh);
#      firmware for Cortex-M4/M3/M0, AArch64 and RISC-V under QEMU, beside
#      CMSIS-NN on the M4 (tools/embedded); the
#      runtime built for wasm32 under wasmkit, and the web page in
#      headless Chromium (tools/web);
#      the release artifacts (tools/release.sh), each unpacked and used
#      with no Swift on PATH (tools/test-release.sh), and the Python wheel's
#      tests in a fresh venv (tools/python/test-wheel.sh);
#   4. export-model on a small budget, and its errors on bad input;
#      the independent Python implementation of docs/FORMAT.md;
#   5. digitinfer-cli as a user runs it: the README's first command on every
#      sample image, the samples redrawn by make-samples byte for byte, and
#      the accuracy on the non-MNIST digit sets through dgi_preprocess;
#   6. short benchmark runs, so the figures in the README stay reproducible;
#   7. reliability (docs/RELIABILITY.md): the hostile corpus through the C
#      API, the CLI and Python; export-model killed at random moments;
#      libFuzzer on every reader of untrusted bytes; the sanitizers and
#      valgrind (tools/test-sanitizers.sh).
# Ends with one line "total: N passed, M failed"; exits non-zero on failure.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
command -v swift >/dev/null || export PATH=/opt/swift/usr/bin:$PATH

passed=0
failed=0
logs=$(mktemp -d)
prefix=$(mktemp -d)
dist=$(mktemp -d)
trap 'rm -rf "$logs" "$prefix" "$dist"' EXIT

# stage NAME LOG COMMAND...: runs COMMAND, keeping its output in LOG.
stage() {
  local name=$1 log=$2
  shift 2
  echo "==> $name"
  if "$@" 2>&1 | tee "$log"; then return 0; fi
  echo "==> $name FAILED"
  return 1
}

# Counts from the runners' own closing lines.
swift_count() { sed -n 's/.*Test run with \([0-9]*\) tests\{0,1\} in .* passed.*/\1/p' "$1" | tail -1; }
plain_count() { sed -n 's/^\([a-z]*: \)\{0,1\}\([0-9]*\) passed, \([0-9]*\) failed.*/\2 \3/p' "$1" | tail -1; }
pytest_count() { sed -n 's/^\([0-9]*\) passed.*/\1/p' "$1" | tail -1; }

# counted NAME LOG COMMAND...: a stage whose output ends "N passed, M failed".
counted() {
  local log=$2 p f
  if stage "$@"; then
    read -r p f <<<"$(plain_count "$log")"
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-1}))
  else
    failed=$((failed + 1))
  fi
}

record_swift() {
  local n
  n=$(swift_count "$1")
  if [ -n "$n" ]; then passed=$((passed + n)); else failed=$((failed + 1)); fi
}

# Optimized, as users run it: the tests train small models and run whole
# datasets, and Package.swift sets no compiler flag to optimize debug builds
# (it would stop DigitInfer from being a versioned dependency). Overflow
# checks and preconditions stay on in -O builds.
if stage "swift test" "$logs/swift.log" swift test -c release; then record_swift "$logs/swift.log"; else failed=$((failed + 1)); fi

# The portable kernels are what Arm and WebAssembly run; test them here too.
if stage "swift test (portable kernels)" "$logs/portable.log" \
  env DIGITINFER_CPU=portable swift test -c release --scratch-path .build-portable --filter DigitInferTests; then
  record_swift "$logs/portable.log"
else
  failed=$((failed + 1))
fi

# The C library (one build for every CPU), then the C tests and the Python
# binding against it with the kernels it picks by itself and, forced, with
# the SSE2 baseline that CPUs without AVX get (the Swift tests above run
# every kernel set this CPU has against the reference).
if stage "install the C library" "$logs/install.log" \
  tools/install.sh --prefix "$prefix" --build-dir "$repo/.build-embedded"; then
  for kernels in auto sse2; do
    if stage "C tests (DIGITINFER_KERNELS=$kernels)" "$logs/c.log" env DIGITINFER_KERNELS=$kernels tools/test-c.sh "$prefix"; then
      read -r p f <<<"$(plain_count "$logs/c.log")"
      passed=$((passed + ${p:-0}))
      failed=$((failed + ${f:-1}))
    else
      failed=$((failed + 1))
    fi
  done
  # The Python binding from the source tree against the SSE2 baseline (the
  # wheel below runs it with the kernels the library picks).
  if stage "Python binding (source tree, DIGITINFER_KERNELS=sse2)" "$logs/python.log" \
    env DIGITINFER_KERNELS=sse2 DIGITINFER_PREFIX="$prefix" python3 -m pytest -q -p no:cacheprovider tools/python; then
    n=$(pytest_count "$logs/python.log")
    if [ -n "$n" ]; then passed=$((passed + n)); else failed=$((failed + 1)); fi
  else
    failed=$((failed + 1))
  fi
else
  failed=$((failed + 1))
fi

# DigitInfer as a versioned dependency of another package (SwiftPM refuses
# unsafeFlags there): it must build and pick its kernels with no flag.
counted "DigitInfer as a versioned dependency" "$logs/consumer.log" tools/consumer/test-dependency.sh

# The runtime as Embedded Swift firmware for Cortex-M4, M3 and M0 under QEMU,
# compared byte for byte with the host library (tools/embedded/README.md);
# then the M4 again with DIGITINFER_SMALL, the reference kernels that fit
# small flash.
counted "firmware under QEMU (Cortex-M4, M3, M0; AArch64 Cortex-A53, A76; RISC-V rv32imc; CMSIS-NN on the M4)" "$logs/qemu.log" tools/embedded/test-qemu.sh
counted "firmware under QEMU (Cortex-M4, DIGITINFER_SMALL)" "$logs/qemu-small.log" \
  env FW_SWIFTFLAGS=-DDIGITINFER_SMALL tools/embedded/test-qemu.sh --build-dir "$repo/.build-firmware-small" --targets m4

# The C library cross-built for 64-bit Arm Linux (Raspberry Pi class) and
# its C tests under qemu-aarch64 as a Cortex-A53 and a Cortex-A76.
counted "C library for aarch64 Linux (qemu-aarch64: Cortex-A53, A76)" "$logs/aarch64-linux.log" tools/test-aarch64-linux.sh

# WebAssembly (tools/web): the runtime built for wasm32 and run under wasmkit
# against the golden vectors, then the web page in headless Chromium.
counted "tools/web/test-wasm.sh" "$logs/wasm.log" tools/web/test-wasm.sh
counted "tools/web/test-browser.sh" "$logs/browser.log" tools/web/test-browser.sh

# The release artifacts (tools/release.sh): each unpacked into a fresh
# directory and used with no Swift on PATH as its README says (the C SDK
# through CMake and pkg-config, the standalone CLI, the wheel, the page in
# Chromium, firmware linked against the Cortex-M libraries under QEMU);
# then the wheel's own tests in a fresh venv, run from outside the tree.
counted "release artifacts (tools/release.sh, tools/test-release.sh)" "$logs/release.log" \
  sh -c 'tools/release.sh --out "$1" && tools/test-release.sh "$1"' _ "$dist"
if stage "Python wheel in a fresh venv (tools/python/test-wheel.sh)" "$logs/wheel.log" \
  sh -c 'tools/python/test-wheel.sh "$1"/digitinfer-*.whl' _ "$dist"; then
  n=$(pytest_count "$logs/wheel.log")
  if [ -n "$n" ]; then passed=$((passed + n)); else failed=$((failed + 1)); fi
else
  failed=$((failed + 1))
fi

# export-model as a user runs it, on a small budget: it must train, export,
# write the model card, and fail clearly on bad input.
export_model_smoke() {
  local dir
  dir=$(mktemp -d)
  swift build -c release --product export-model >/dev/null &&
    .build/release/export-model --int8 --epochs 1 --train-limit 3000 --calibration minmax --force \
      --out "$dir/smoke.dgi" &&
    test -s "$dir/smoke.dgi" -a -s "$dir/smoke.md" -a -s "$dir/smoke.json" -a -s "$dir/smoke-training.svg" &&
    ! .build/release/export-model --out "$dir/x.dgi" 2>"$dir/err" && grep -q -- "--int8" "$dir/err" &&
    ! .build/release/export-model --int8 --arch c3k99,d10 --out "$dir/x.dgi" 2>"$dir/err" && grep -qi "conv" "$dir/err" &&
    ! .build/release/export-model --int8 --data /nonexistent --out "$dir/x.dgi" 2>"$dir/err" && grep -qi "mnist" "$dir/err" &&
    test ! -e "$dir/x.dgi" &&
    # An output that is not a regular file is refused before any training,
    # and left as it was; so is a directory that cannot be made.
    mkfifo "$dir/fifo.dgi" &&
    ! timeout 60 .build/release/export-model --int8 --out "$dir/fifo.dgi" >"$dir/out" 2>"$dir/err" &&
    grep -q "not a regular file" "$dir/err" && ! grep -q "MNIST from" "$dir/out" && test -p "$dir/fifo.dgi" &&
    touch "$dir/file" && ! timeout 60 .build/release/export-model --int8 --out "$dir/file/x.dgi" >"$dir/out" 2>"$dir/err" &&
    grep -q "cannot create the directory" "$dir/err" && ! grep -q "MNIST from" "$dir/out"
  local status=$?
  rm -rf "$dir"
  return $status
}
if stage "export-model (short run and bad input)" "$logs/export.log" export_model_smoke; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
fi

if stage "format spec (Python)" "$logs/py.log" python3 -m pytest -q tools/format; then
  passed=$((passed + $(pytest_count "$logs/py.log")))
else
  failed=$((failed + 1))
fi

# digitinfer-cli from a release build, as the README uses it.
cli=$repo/.build/release/digitinfer-cli
data=${DIGITINFER_DATA:-$repo/../shared/data}
cli_samples() {
  local f want got
  swift build -c release --product digitinfer-cli >/dev/null || return 1
  for f in models/samples/*; do
    want=$(basename "$f" | sed 's/.*-\([0-9]\)\.[a-z]*$/\1/')
    got=$("$cli" "$f") || return 1
    echo "$got"
    case "$got" in "$f: $want "*) ;; *) echo "expected digit $want"; return 1 ;; esac
  done
}
if stage "digitinfer-cli on the sample images" "$logs/samples.log" cli_samples; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
fi

# Whole numbers (dgi_read_number): each drawn sample's number is the last
# part of its file name.
cli_numbers() {
  local f want got
  for f in models/numbers/*; do
    want=${f##*-}
    want=${want%.*}
    got=$("$cli" read "$f") || return 1
    echo "$got"
    case "$got" in "$f: $want "*) ;; *) echo "expected $want"; return 1 ;; esac
  done
}
if stage "digitinfer-cli read on the number samples" "$logs/numbers.log" cli_numbers; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
fi

# Numbers made of MNIST test digits (tools/numbers): a short run of the
# measurement in docs/NUMBERS.md, with floors below its figures.
if stage "digitinfer-cli read on generated numbers (tools/numbers/measure.sh, 600 images)" "$logs/numbers-measure.log" \
  tools/numbers/measure.sh --count 600 --out "$(mktemp -d)/numbers" -- --min-separated-4 0.75 --min-touching-4 0.40; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
fi

samples_reproducible() {
  local dir f kind status=0
  dir=$(mktemp -d)
  swift run -c release make-samples --out "$dir/samples" --numbers-out "$dir/numbers" >/dev/null || status=1
  for kind in samples numbers; do
    for f in models/$kind/*; do
      cmp "$f" "$dir/$kind/$(basename "$f")" || status=1
    done
    [ "$(ls "$dir/$kind" | wc -l)" -eq "$(ls models/$kind | wc -l)" ] || status=1
  done
  rm -rf "$dir"
  return $status
}
if stage "make-samples redraws models/samples and models/numbers byte for byte" "$logs/make-samples.log" samples_reproducible; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
fi

# Digits that are not MNIST, from their native sizes through dgi_preprocess
# (never trained on). The floors are the figures in the README, rounded down.
# accuracy_at_least NAME IMAGES LABELS PERCENT
accuracy_at_least() {
  local json accuracy
  json=$("$cli" eval --preprocess --json "$data/external/$2" "$data/external/$3") || return 1
  accuracy=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["accuracy"])' "$json") || return 1
  echo "$1: accuracy $accuracy (floor $4%)"
  python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) * 100 >= float(sys.argv[2]) else 1)' "$accuracy" "$4"
}
external_accuracy() {
  accuracy_at_least semeion semeion/semeion-images-idx3-ubyte.gz semeion/semeion-labels-idx1-ubyte.gz \
    "$SEMEION_FLOOR" &&
    accuracy_at_least "optdigits windep" optdigits_32x32/optdigits-windep-images-idx3-ubyte.gz \
      optdigits_32x32/optdigits-windep-labels-idx1-ubyte.gz "$OPTDIGITS_FLOOR"
}
SEMEION_FLOOR=93 OPTDIGITS_FLOOR=97
if stage "accuracy on non-MNIST digits (semeion, optdigits windep)" "$logs/external.log" external_accuracy; then
  passed=$((passed + 2))
else
  failed=$((failed + 1))
fi

if stage "benchmark, reference model (short run)" "$logs/bench.log" \
  "$cli" bench --model models/reference-int8.dgi --iterations 3000; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
fi

if stage "digitinfer-cli bench (short run)" "$logs/cli-bench.log" "$cli" bench --iterations 3000; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
fi

# Reliability (docs/RELIABILITY.md): malformed models and images through
# the C API, the CLI (one run among good images) and the Python binding;
# export-model killed at random moments and resumed.
if stage "hostile corpus (C API, CLI, Python)" "$logs/hostile.log" \
  env DIGITINFER_PREFIX="$prefix" DIGITINFER_CLI="$cli" python3 -m pytest -q -p no:cacheprovider Tests/hostile; then
  n=$(pytest_count "$logs/hostile.log")
  if [ -n "$n" ]; then passed=$((passed + n)); else failed=$((failed + 1)); fi
else
  failed=$((failed + 1))
fi
counted "export-model killed at random moments" "$logs/interrupt.log" tools/test-export-interrupt.sh
# libFuzzer on the model reader (against an independent oracle), the
# preprocessing, the image decoders and the IDX reader, for about four
# minutes, after the committed regression inputs (tools/fuzz/README.md).
counted "fuzzing (model, preprocess, image, idx)" "$logs/fuzz.log" tools/fuzz/ci.sh
# The Swift tests under AddressSanitizer (UBSan on the C they build), the C
# tests against an ASan+UBSan build of the library, test_threads under
# ThreadSanitizer, valgrind on the CLI over the samples and the hostile corpus.
counted "sanitizers (ASan, UBSan, TSan, valgrind)" "$logs/sanitizers.log" tools/test-sanitizers.sh

echo "total: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
