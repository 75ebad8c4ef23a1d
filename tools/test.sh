#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it (.ci/run calls this script):
#   1. the Swift tests (runtime, writer, hostile input, golden vectors, data,
#      reports, training, and the shipped models against their cards);
#   2. the runtime's tests again with the AVX2 kernels (when this CPU has
#      AVX2) and with the portable SIMD kernels that Arm and WebAssembly use;
#   3. the C library built as Embedded Swift, installed to a temporary
#      prefix (for this CPU, and the portable baseline), then the C tests and
#      the example against it (tools/test-c.sh);
#   4. export-model on a small budget, and its errors on bad input;
#      the independent Python implementation of docs/FORMAT.md;
#   5. a short benchmark run, so the figures in the README stay reproducible.
# Ends with one line "total: N passed, M failed"; exits non-zero on failure.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
command -v swift >/dev/null || export PATH=/opt/swift/usr/bin:$PATH

passed=0
failed=0
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

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

record_swift() {
  local n
  n=$(swift_count "$1")
  if [ -n "$n" ]; then passed=$((passed + n)); else failed=$((failed + 1)); fi
}

if stage "swift test" "$logs/swift.log" swift test; then record_swift "$logs/swift.log"; else failed=$((failed + 1)); fi

if grep -qw avx2 /proc/cpuinfo 2>/dev/null && [ "${DIGITINFER_SKIP_AVX2:-0}" != 1 ]; then
  if stage "swift test (AVX2 kernels)" "$logs/avx2.log" \
    env DIGITINFER_CPU=avx2 swift test --scratch-path .build-avx2 --filter DigitInferTests; then
    record_swift "$logs/avx2.log"
  else
    failed=$((failed + 1))
  fi
fi

# The portable kernels are what Arm and WebAssembly run; test them here too.
if stage "swift test (portable kernels)" "$logs/portable.log" \
  env DIGITINFER_CPU=portable swift test --scratch-path .build-portable --filter DigitInferTests; then
  record_swift "$logs/portable.log"
else
  failed=$((failed + 1))
fi

# The C library as installed by default (--cpu auto: AVX2 kernels on an AVX2
# host) and, where that differs, the portable baseline build packagers ship.
levels=(auto)
grep -qw avx2 /proc/cpuinfo 2>/dev/null && levels+=(baseline)
for level in "${levels[@]}"; do
  prefix=$(mktemp -d)
  if stage "install the C library (--cpu $level)" "$logs/install.log" \
    tools/install.sh --prefix "$prefix" --cpu "$level" --build-dir "$repo/.build-embedded/$level" &&
    stage "C tests (--cpu $level)" "$logs/c.log" tools/test-c.sh "$prefix"; then
    read -r p f <<<"$(plain_count "$logs/c.log")"
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-1}))
  else
    failed=$((failed + 1))
  fi
  rm -rf "$prefix"
done

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
    test ! -e "$dir/x.dgi"
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

if stage "benchmark (short run)" "$logs/bench.log" \
  swift run -c release digitinfer-bench --iterations 3000; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
fi

echo "total: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
