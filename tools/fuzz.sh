#!/usr/bin/env bash
# Runs a libFuzzer campaign on one target of tools/fuzz (see its README):
#   tools/fuzz.sh TARGET SECONDS JOBS [BUILD_DIR]
# TARGET: model, preprocess, read, image, idx, or all (each in turn, SECONDS each).
# JOBS: parallel fuzzing processes (libFuzzer -fork); 1 runs in-process.
# Starts from the committed seeds (tools/fuzz/seeds/TARGET) and the
# regression inputs; new corpus and crash inputs go to a working directory
# outside the repository ($FUZZ_WORK, default a new /tmp/digitinfer-fuzz.*),
# named at the end. Exits non-zero on any crash, timeout, out-of-memory or
# oracle disagreement (the harnesses abort on those). Extra libFuzzer flags:
# $FUZZ_FLAGS.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ $# -lt 3 ]; then
  sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
target=$1 seconds=$2 jobs=$3
build=${4:-$repo/.build-fuzz}
case "$target" in
  model | preprocess | read | image | idx) targets=("$target") ;;
  all) targets=(model preprocess read image idx) ;;
  *) echo "fuzz.sh: unknown target '$target' (model, preprocess, read, image, idx, all)" >&2; exit 2 ;;
esac
[[ "$seconds" =~ ^[0-9]+$ && "$jobs" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: SECONDS and JOBS are numbers" >&2; exit 2; }

"$repo/tools/fuzz/build.sh" --if-needed "$build" >&2
work=${FUZZ_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/digitinfer-fuzz.XXXXXX")}
mkdir -p "$work"
# shellcheck source=fuzz/limits.sh
. "$repo/tools/fuzz/limits.sh"

failed=0
for t in "${targets[@]}"; do
  dir=$work/$t
  mkdir -p "$dir/corpus" "$dir/crashes"
  seeds=$repo/tools/fuzz/seeds/$t
  if [ "$t" = idx ]; then
    # IDX seeds are drawn here, not committed (tools/fuzz/make_seeds.py --idx).
    seeds=$dir/seeds
    python3 "$repo/tools/fuzz/make_seeds.py" --idx "$seeds" || { echo "fuzz.sh: cannot draw the IDX seeds" >&2; exit 1; }
  fi
  corpora=("$dir/corpus" "$seeds")
  [ -d "$repo/tools/fuzz/regressions/$t" ] && corpora+=("$repo/tools/fuzz/regressions/$t")
  dict=()
  [ -f "$repo/tools/fuzz/dict/$t.dict" ] && dict=(-dict="$repo/tools/fuzz/dict/$t.dict")
  parallel=()
  [ "$jobs" -gt 1 ] && parallel=(-fork="$jobs")
  echo "==> fuzz-$t for ${seconds}s, $jobs job(s): $dir" >&2
  # shellcheck disable=SC2046 # fuzz_flags_for's words are separate flags
  set +e
  "$build/fuzz-$t" $(fuzz_flags_for "$t") ${dict[@]+"${dict[@]}"} ${parallel[@]+"${parallel[@]}"} \
    -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$dir/crashes/" ${FUZZ_FLAGS:-} \
    "${corpora[@]}" >"$dir/log" 2>&1
  rc=$?
  set -e
  crashes=$(find "$dir/crashes" -type f | wc -l)
  # Totals: in-process runs print final stats; fork mode a "#N: cov: ..." line per job.
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -1)
  [ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9]*\): cov:.*/\1/p' "$dir/log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log" | tail -1)
  [ -n "$rate" ] || rate=$(sed -n 's/.*exec\/s: \([0-9]*\).*/\1/p' "$dir/log" | tail -1)
  cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$dir/log" | tail -1 || true)  # none if a seed crashed
  if [ "$rc" -ne 0 ] || [ "$crashes" -gt 0 ]; then
    failed=1
    echo "fuzz-$t: FAILED (exit $rc, $crashes crash input(s) in $dir/crashes/); log: $dir/log" >&2
    grep -E 'ERROR: libFuzzer|ERROR: AddressSanitizer|runtime error|fuzz-[a-z]*: |Fatal error|==[0-9]*==ERROR' "$dir/log" | head -5 >&2 || true
  fi
  echo "fuzz-$t: ${execs:-?} executions, ${rate:-?} exec/s, ${cov:-cov: ?}, $crashes crash(es), corpus $(find "$dir/corpus" -type f | wc -l) files"
done
echo "==> work directory (corpus, crashes, logs): $work" >&2
exit $failed
