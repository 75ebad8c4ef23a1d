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
# Ends with a summary (Swift tests, C and device checks, Python tests,
# other stages, and the stages that failed) and one line "total: N passed,
# M failed"; exits non-zero on failure.
#
#   tools/test.sh                  every stage, in order
#   tools/test.sh --list           the stages, one per line: name and what it runs
#   tools/test.sh --only c,python  only these stages (what they need, such as
#                                  the installed C library, is built first)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
command -v swift >/dev/null || export PATH=/opt/swift/usr/bin:$PATH

# The stages, in the order they run: name, then what it covers.
stage_list=(
  "swift|the Swift tests (swift test -c release): runtime, writer, hostile input, golden vectors, data, reports, training, the shipped models"
  "portable|the runtime's Swift tests with the portable SIMD kernels Arm and WebAssembly use"
  "c|the C library built as Embedded Swift and installed, then tools/test-c.sh with the kernels it picks and with SSE2"
  "python|the Python binding from the source tree (SSE2)"
  "consumer|DigitInfer as a versioned dependency of another package (tools/consumer)"
  "firmware|Cortex-M4/M3/M0, AArch64 and RISC-V firmware under QEMU, CMSIS-NN beside the M4, the M4 with DIGITINFER_SMALL (tools/embedded)"
  "aarch64|the C library for aarch64 Linux, its C tests under qemu-aarch64 (tools/test-aarch64-linux.sh)"
  "wasm|the runtime for wasm32 under wasmkit and node (tools/web/test-wasm.sh)"
  "browser|the web page in headless Chromium (tools/web/test-browser.sh)"
  "release|the release artifacts used without Swift (tools/release.sh, tools/test-release.sh), the wheel's tests in a fresh venv"
  "export|export-model on a small budget, and its errors on bad input"
  "format|the independent Python implementation of docs/FORMAT.md"
  "cli|digitinfer-cli on the samples and number samples, generated numbers, make-samples byte for byte, Semeion and optdigits floors"
  "bench|short benchmark runs"
  "reliability|the hostile corpus (C API, CLI, Python), export-model killed at random moments, fuzzing, sanitizers and valgrind"
)
known() { local s; for s in "${stage_list[@]}"; do [ "${s%%|*}" = "$1" ] && return 0; done; return 1; }

only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --list) for s in "${stage_list[@]}"; do printf '%-12s %s\n' "${s%%|*}" "${s#*|}"; done; exit 0 ;;
    --only) only=",${2:?--only needs a list of stages},"; shift 2 ;;
    --only=*) only=",${1#--only=},"; shift ;;
    -h | --help) sed -n '2,/^set -euo pipefail/{/^set/!p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "test.sh: unknown argument '$1' (try --list, --only STAGE,...)" >&2; exit 2 ;;
  esac
done
if [ -n "$only" ]; then
  IFS=, read -r -a wanted <<<"${only:1:${#only}-2}"
  for s in "${wanted[@]}"; do known "$s" || { echo "test.sh: no stage '$s' (tools/test.sh --list)" >&2; exit 2; }; done
fi
selected() { [ -z "$only" ] || [[ $only == *",$1,"* ]]; }

logs=$(mktemp -d)
prefix=$(mktemp -d)
dist=$(mktemp -d)
trap 'rm -rf "$logs" "$prefix" "$dist"' EXIT

# Tallies, by kind of count, and the steps that failed.
swift_passed=0
checks_passed=0
python_passed=0
steps_passed=0
failed=0
failures=()

# step KIND NAME LOG COMMAND...: runs COMMAND, keeping its output in LOG,
# and counts it by KIND: swift (the "Test run with N tests" line), checks
# (a closing "N passed, M failed" line), pytest ("N passed"), or one (a
# single pass). A failing command, or one whose count is missing, is a
# failure of this step.
step() {
  local kind=$1 name=$2 log=$3 n="" f=0
  shift 3
  echo "==> $name"
  if "$@" 2>&1 | tee "$log"; then
    case "$kind" in
      swift) n=$(sed -n 's/.*Test run with \([0-9]*\) tests\{0,1\} in .* passed.*/\1/p' "$log" | tail -1) ;;
      checks) read -r n f <<<"$(sed -n 's/^\([a-z]*: \)\{0,1\}\([0-9]*\) passed, \([0-9]*\) failed.*/\2 \3/p' "$log" | tail -1)" ;;
      pytest) n=$(sed -n 's/^\([0-9]*\) passed.*/\1/p' "$log" | tail -1) ;;
      one) n=1 ;;
    esac
    if [ -n "$n" ] && [ "${f:-0}" -eq 0 ]; then
      case "$kind" in
        swift) swift_passed=$((swift_passed + n)) ;;
        checks) checks_passed=$((checks_passed + n)) ;;
        pytest) python_passed=$((python_passed + n)) ;;
        one) steps_passed=$((steps_passed + 1)) ;;
      esac
      return 0
    fi
    echo "==> $name: no count of passed tests in its output"
  fi
  echo "==> $name FAILED"
  failed=$((failed + ${f:-0} + 1))
  failures+=("$name")
  return 1
}

# What several stages use, made once: the installed C library and the CLI.
# once NAME STEP-ARGS...: runs `step STEP-ARGS...` the first time and
# returns its result again on later calls.
declare -A made=()
once() {
  local name=$1
  shift
  if [ -z "${made[$name]:-}" ]; then
    made[$name]=0
    step "$@" || made[$name]=1
  fi
  return "${made[$name]}"
}
need_library() {
  once library one "install the C library" "$logs/install.log" \
    tools/install.sh --prefix "$prefix" --build-dir "$repo/.build-embedded"
}
cli=$repo/.build/release/digitinfer-cli
need_cli() {
  once cli one "build digitinfer-cli (release)" "$logs/cli-build.log" swift build -c release --product digitinfer-cli
}
data=${DIGITINFER_DATA:-$repo/../shared/data}

# Optimized, as users run it: the tests train small models and run whole
# datasets, and Package.swift sets no compiler flag to optimize debug builds
# (it would stop DigitInfer from being a versioned dependency). Overflow
# checks and preconditions stay on in -O builds.
stage_swift() { step swift "swift test" "$logs/swift.log" swift test -c release; }

# The portable kernels are what Arm and WebAssembly run; test them here too.
stage_portable() {
  step swift "swift test (portable kernels)" "$logs/portable.log" \
    env DIGITINFER_CPU=portable swift test -c release --scratch-path .build-portable --filter DigitInferTests
}

# The C library (one build for every CPU), then the C tests with the kernels
# it picks by itself and, forced, with the SSE2 baseline that CPUs without
# AVX get (the Swift tests run every kernel set this CPU has against the
# reference).
stage_c() {
  need_library || return 0
  local kernels
  for kernels in auto sse2; do
    step checks "C tests (DIGITINFER_KERNELS=$kernels)" "$logs/c-$kernels.log" \
      env DIGITINFER_KERNELS=$kernels tools/test-c.sh "$prefix" || true
  done
}

# The Python binding from the source tree against the SSE2 baseline (the
# wheel, in the release stage, runs it with the kernels the library picks).
stage_python() {
  need_library || return 0
  step pytest "Python binding (source tree, DIGITINFER_KERNELS=sse2)" "$logs/python.log" \
    env DIGITINFER_KERNELS=sse2 DIGITINFER_PREFIX="$prefix" python3 -m pytest -q -p no:cacheprovider tools/python || true
}

# DigitInfer as a versioned dependency of another package (SwiftPM refuses
# unsafeFlags there): it must build and pick its kernels with no flag.
stage_consumer() { step checks "DigitInfer as a versioned dependency" "$logs/consumer.log" tools/consumer/test-dependency.sh || true; }

# The runtime as Embedded Swift firmware for Cortex-M4, M3 and M0 under QEMU,
# compared byte for byte with the host library (tools/embedded/README.md);
# then the M4 again with DIGITINFER_SMALL, the reference kernels that fit
# small flash.
stage_firmware() {
  step checks "firmware under QEMU (Cortex-M4, M3, M0; AArch64 Cortex-A53, A76; RISC-V rv32imc; CMSIS-NN on the M4)" \
    "$logs/qemu.log" tools/embedded/test-qemu.sh || true
  step checks "firmware under QEMU (Cortex-M4, DIGITINFER_SMALL)" "$logs/qemu-small.log" \
    env FW_SWIFTFLAGS=-DDIGITINFER_SMALL tools/embedded/test-qemu.sh --build-dir "$repo/.build-firmware-small" --targets m4 || true
}

# The C library cross-built for 64-bit Arm Linux (Raspberry Pi class) and
# its C tests under qemu-aarch64 as a Cortex-A53 and a Cortex-A76.
stage_aarch64() {
  step checks "C library for aarch64 Linux (qemu-aarch64: Cortex-A53, A76)" "$logs/aarch64-linux.log" \
    tools/test-aarch64-linux.sh || true
}

# WebAssembly (tools/web): the runtime built for wasm32 and run under wasmkit
# against the golden vectors, then the web page in headless Chromium.
stage_wasm() { step checks "tools/web/test-wasm.sh" "$logs/wasm.log" tools/web/test-wasm.sh || true; }
stage_browser() { step checks "tools/web/test-browser.sh" "$logs/browser.log" tools/web/test-browser.sh || true; }

# The release artifacts (tools/release.sh): each unpacked into a fresh
# directory and used with no Swift on PATH as its README says (the C SDK
# through CMake and pkg-config, the standalone CLI, the wheel, the page in
# Chromium, firmware linked against the Cortex-M libraries under QEMU);
# then the wheel's own tests in a fresh venv, run from outside the tree.
stage_release() {
  step checks "release artifacts (tools/release.sh, tools/test-release.sh)" "$logs/release.log" \
    sh -c 'tools/release.sh --out "$1" && tools/test-release.sh "$1"' _ "$dist" || return 0
  step pytest "Python wheel in a fresh venv (tools/python/test-wheel.sh)" "$logs/wheel.log" \
    sh -c 'tools/python/test-wheel.sh "$1"/digitinfer-*.whl' _ "$dist" || true
}

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
stage_export() { step one "export-model (short run and bad input)" "$logs/export.log" export_model_smoke || true; }

stage_format() { step pytest "format spec (Python)" "$logs/py.log" python3 -m pytest -q -p no:cacheprovider tools/format || true; }

# digitinfer-cli from a release build, as the README uses it.
cli_samples() {
  local f want got
  for f in models/samples/*; do
    want=$(basename "$f" | sed 's/.*-\([0-9]\)\.[a-z]*$/\1/')
    got=$("$cli" "$f") || return 1
    echo "$got"
    case "$got" in "$f: $want "*) ;; *) echo "expected digit $want"; return 1 ;; esac
  done
}

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
SEMEION_FLOOR=93 OPTDIGITS_FLOOR=97
external_accuracy() {
  accuracy_at_least semeion semeion/semeion-images-idx3-ubyte.gz semeion/semeion-labels-idx1-ubyte.gz \
    "$SEMEION_FLOOR" &&
    accuracy_at_least "optdigits windep" optdigits_32x32/optdigits-windep-images-idx3-ubyte.gz \
      optdigits_32x32/optdigits-windep-labels-idx1-ubyte.gz "$OPTDIGITS_FLOOR"
}

stage_cli() {
  need_cli || return 0
  step one "digitinfer-cli on the sample images" "$logs/samples.log" cli_samples || true
  step one "digitinfer-cli read on the number samples" "$logs/numbers.log" cli_numbers || true
  # Numbers made of MNIST test digits (tools/numbers): a short run of the
  # measurement in docs/NUMBERS.md, with floors below its figures.
  step one "digitinfer-cli read on generated numbers (tools/numbers/measure.sh, 600 images)" "$logs/numbers-measure.log" \
    tools/numbers/measure.sh --count 600 --out "$logs/numbers" -- --min-separated-4 0.75 --min-touching-4 0.50 || true
  step one "make-samples redraws models/samples and models/numbers byte for byte" "$logs/make-samples.log" \
    samples_reproducible || true
  step one "accuracy on non-MNIST digits (semeion, optdigits windep)" "$logs/external.log" external_accuracy || true
}

stage_bench() {
  need_cli || return 0
  step one "benchmark, reference model (short run)" "$logs/bench.log" \
    "$cli" bench --model models/reference-int8.dgi --iterations 3000 || true
  step one "digitinfer-cli bench (short run)" "$logs/cli-bench.log" "$cli" bench --iterations 3000 || true
}

# Reliability (docs/RELIABILITY.md): malformed models and images through
# the C API, the CLI (one run among good images) and the Python binding;
# export-model killed at random moments and resumed; libFuzzer on the model
# reader (against an independent oracle), the preprocessing, number
# reading, the image decoders and the IDX reader, for about five minutes,
# after the committed
# regression inputs (tools/fuzz/README.md); the Swift tests under
# AddressSanitizer (UBSan on the C they build), the C tests against an
# ASan+UBSan build of the library, test_threads under ThreadSanitizer,
# valgrind on the CLI over the samples and the hostile corpus.
stage_reliability() {
  if need_library && need_cli; then
    step pytest "hostile corpus (C API, CLI, Python)" "$logs/hostile.log" \
      env DIGITINFER_PREFIX="$prefix" DIGITINFER_CLI="$cli" python3 -m pytest -q -p no:cacheprovider Tests/hostile || true
  fi
  step checks "export-model killed at random moments" "$logs/interrupt.log" tools/test-export-interrupt.sh || true
  step checks "fuzzing (model, preprocess, read, image, idx)" "$logs/fuzz.log" tools/fuzz/ci.sh || true
  step checks "sanitizers (ASan, UBSan, TSan, valgrind)" "$logs/sanitizers.log" tools/test-sanitizers.sh || true
}

for s in "${stage_list[@]}"; do
  name=${s%%|*}
  if selected "$name"; then "stage_$name" || true; fi
done

echo
echo "summary:"
printf '  %-26s %s passed\n' "Swift tests" "$swift_passed" "C and device checks" "$checks_passed" \
  "Python tests" "$python_passed" "other steps" "$steps_passed"
if [ "${#failures[@]}" -gt 0 ]; then
  echo "  failed:"
  printf '    %s\n' "${failures[@]}"
fi
echo "total: $((swift_passed + checks_passed + python_passed + steps_passed)) passed, $failed failed"
[ "$failed" -eq 0 ]
