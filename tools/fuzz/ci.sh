#!/usr/bin/env bash
# The fuzzing checks for CI: tools/fuzz/ci.sh [TOTAL_SECONDS] [BUILD_DIR]
#  1. every committed regression input (tools/fuzz/regressions/TARGET/*) runs
#     once through its target: one check per target that has any;
#  2. the model fuzzer's oracle agrees with tools/format/dgi.py on the model
#     seeds and regression inputs (skipped without python3);
#  3. each target fuzzes for a bounded time, two at a time (2 cores): 2/5 of
#     TOTAL_SECONDS each (default $FUZZ_CI_SECONDS or 240), in three rounds
#     (about 1.2 x TOTAL_SECONDS of wall time): one check each.
# Ends with "fuzz: N passed, M failed"; exit status 1 if any failed.
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
total=${1:-${FUZZ_CI_SECONDS:-240}}
build=${2:-$repo/.build-fuzz}
[[ "$total" =~ ^[0-9]+$ ]] || { echo "ci.sh: TOTAL_SECONDS must be a number" >&2; exit 2; }
# shellcheck source=limits.sh
. "$repo/tools/fuzz/limits.sh"

passed=0 failed=0
pass() { passed=$((passed + 1)); echo "PASS $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

if ! "$repo/tools/fuzz/build.sh" --if-needed "$build"; then
  fail "build"
  echo "fuzz: $passed passed, $failed failed"
  exit 1
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/digitinfer-fuzz-ci.XXXXXX")
targets=(model preprocess read image idx)

# 1. Regression inputs: a libFuzzer binary given files runs each once.
for t in "${targets[@]}"; do
  dir=$repo/tools/fuzz/regressions/$t
  inputs=()
  [ -d "$dir" ] && while IFS= read -r f; do inputs+=("$f"); done < <(find "$dir" -type f ! -name '*.md' | sort)
  [ ${#inputs[@]} -gt 0 ] || continue
  # shellcheck disable=SC2046 # separate flags
  if "$build/fuzz-$t" $(fuzz_flags_for "$t") "${inputs[@]}" >"$work/regressions-$t.log" 2>&1; then
    pass "regressions/$t: ${#inputs[@]} input(s)"
  else
    fail "regressions/$t: see $work/regressions-$t.log"
    tail -20 "$work/regressions-$t.log"
  fi
done

# 2. The oracle against the other reader of the spec.
if command -v python3 >/dev/null; then
  models=("$repo/tools/fuzz/seeds/model")
  [ -d "$repo/tools/fuzz/regressions/model" ] && models+=("$repo/tools/fuzz/regressions/model")
  if python3 "$repo/tools/fuzz/check_oracle.py" "$build/oracle-cli" "${models[@]}" >"$work/oracle.log" 2>&1; then
    pass "oracle agrees with dgi.py: $(tail -1 "$work/oracle.log")"
  else
    fail "oracle disagrees with dgi.py: see $work/oracle.log"
    tail -20 "$work/oracle.log"
  fi
fi

# 3. Bounded fuzzing, two targets at a time.
each=$((total * 2 / 5))
run_pair() {
  local pids=() names=() i
  for t in "$@"; do
    FUZZ_WORK=$work "$repo/tools/fuzz.sh" "$t" "$each" 1 "$build" >"$work/fuzz-$t.summary" 2>"$work/fuzz-$t.stderr" &
    pids+=($!) names+=("$t")
  done
  for i in "${!pids[@]}"; do
    if wait "${pids[$i]}"; then
      pass "$(cat "$work/fuzz-${names[$i]}.summary")"
    else
      fail "$(cat "$work/fuzz-${names[$i]}.summary")"
      cat "$work/fuzz-${names[$i]}.stderr"
    fi
  done
}
run_pair model image
run_pair preprocess read
run_pair idx

echo "work directory: $work"
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
