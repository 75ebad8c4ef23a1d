#!/usr/bin/env bash
# The runtime under sanitizers and valgrind (issue 11). Parts, each one
# stage or more, each counted once:
#
#   asan      the Swift tests (all suites but DigitInferTrainingTests) built
#             with AddressSanitizer, and UndefinedBehaviorSanitizer on the C
#             code they contain (x86 kernels, image shim), in one build;
#   ubsan     the same stage as asan (see below why they are one);
#   c         the C tests (Tests/c) against the runtime built as Embedded
#             Swift, exactly as tools/install.sh builds it, plus ASan, and
#             with UBSan on its C kernels; the tests themselves compiled with
#             clang -fsanitize=address,undefined;
#   tsan      Tests/c/test_threads.c against the Embedded Swift runtime, both
#             built with ThreadSanitizer (and, with SANITIZERS_SWIFT_TSAN=1,
#             the Swift ThreadTests under `swift test --sanitize=thread`);
#   valgrind  memcheck on the release digitinfer-cli: the sample images (text,
#             --json, the directory), every kernel set valgrind can run, and
#             the hostile corpus (--hostile DIR, else the output of
#             Tests/hostile/generate.py if it exists, else skipped).
#
# What `swift test --sanitize` supports on Linux (Swift 6.3): address and
# thread. `--sanitize=undefined` is refused by the Swift driver ("unsupported
# option '-sanitize=undefined' for target 'x86_64-unknown-linux-gnu'"); Swift
# code checks overflow, bounds and preconditions itself in -O builds anyway.
# What UBSan can check is the C code: the x86 kernels (a header the Swift
# compiler builds into DigitInfer) and CImageShim. -Xcc -fsanitize=undefined
# instruments it, and the ASan runtime carries the UBSan handlers, so UBSan
# rides along with the ASan build (a UBSan-only build would cost a second full
# build for the same checks).
#
# Time on 2 x86-64 cores, build directories empty but .build's release CLI
# already built (tools/test.sh builds it): 6 min 40 s in all; asan 290 s (of
# which 270 s build, 18 s tests), c 35 s, tsan 18 s, valgrind 58 s.
#
# Every sanitizer report fails its run: halt_on_error=1 (and C compiled with
# -fno-sanitize-recover=all), and a test binary that stops early has no
# summary line. Ends with one line "sanitizers: N passed, M failed"; exits
# non-zero on any failure. Run `tools/test-sanitizers.sh --help` for usage.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: tools/test-sanitizers.sh [--only asan|ubsan|tsan|c|valgrind]... [--hostile DIR]...

  --only PART     run only this part (repeatable; default: all of them)
  --hostile DIR   run valgrind digitinfer-cli on every file under DIR
                  (repeatable); without it, the output of
                  Tests/hostile/generate.py is used if that script exists
  -h, --help      show this help

Environment: SANITIZERS_SWIFT_TSAN=1 adds the Swift ThreadTests under
ThreadSanitizer to the tsan part (a second full build of the tests).

Build directories: .build-asan (Swift tests), .build-tsan (Swift ThreadTests),
.build-sanitizers (C runtime and tests), .build (the release digitinfer-cli,
shared with tools/test.sh).
EOF
}

die() {
  echo "test-sanitizers.sh: error: $*" >&2
  exit 2
}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
command -v swift >/dev/null || export PATH=/opt/swift/usr/bin:$PATH

parts=()
hostile_dirs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --only) [ $# -ge 2 ] || die "--only needs a part"; parts+=("$2"); shift 2 ;;
    --only=*) parts+=("${1#*=}"); shift ;;
    --hostile) [ $# -ge 2 ] || die "--hostile needs a directory"; hostile_dirs+=("$2"); shift 2 ;;
    --hostile=*) hostile_dirs+=("${1#*=}"); shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
for p in ${parts[@]+"${parts[@]}"}; do
  case "$p" in asan | ubsan | tsan | c | valgrind) ;; *) die "unknown part '$p' (asan, ubsan, tsan, c or valgrind)" ;; esac
done
for d in ${hostile_dirs[@]+"${hostile_dirs[@]}"}; do
  [ -d "$d" ] || die "--hostile: '$d' is not a directory"
done
[ ${#parts[@]} -gt 0 ] || parts=(asan c tsan valgrind)
wants() {
  local p
  for p in "${parts[@]}"; do
    [ "$p" = "$1" ] && return 0
    # asan and ubsan are one stage.
    [ "$1" = asan ] && [ "$p" = ubsan ] && return 0
  done
  return 1
}

swiftc=$(command -v swiftc)
bin=$(dirname "$swiftc")
clang=$bin/clang
swift_lib=$(cd "$bin/../lib/swift/linux" && pwd)
golden=$repo/Tests/DigitInferTests/Golden
work=$repo/.build-sanitizers
mkdir -p "$work"
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

# Every report stops the process with a non-zero status. Leaks: see each part.
export ASAN_OPTIONS=halt_on_error=1:abort_on_error=0:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
# A Swift process that traps runs the Swift runtime's backtracer, which reads
# other threads' stacks (ASan reports that as a stack-buffer-overflow in
# memserver_read) and leaves a swift-backtrace process holding the test's
# output open, so that `swift test` waited for it for good. Off: a trap
# simply ends the process, and the sanitizer's own report has the stack.
export SWIFT_BACKTRACE=enable=no

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok    $*"; }
fail() { failed=$((failed + 1)); echo "FAIL  $*"; }
# timed NAME COMMAND...: runs COMMAND and says how long it took.
timed() {
  local name=$1 start status=0
  shift
  start=$(date +%s)
  echo "==> $name"
  "$@" || status=$?
  echo "==> $name: $(($(date +%s) - start)) s"
  return $status
}

# ---------------------------------------------------------------------------
# 1. The Swift tests under ASan, with UBSan on their C code.
#
# Which suites: DigitInferTests (the runtime: golden vectors, hostile models,
# every kernel set against the reference, dgi_preprocess, threads),
# DigitInferImageTests (JPEG/PNG/Netpbm decoders and hostile images),
# DigitInferDataTests (IDX and gzip readers, malformed files),
# DigitInferCLITests (the CLI, itself built with ASan, as a subprocess: every
# report in it fails its test) and DigitInferReportTests (fast). Left out:
# DigitInferTrainingTests, which trains models for minutes (many more under
# ASan) and exercises float training code that no deployed model runs.
# Optimized (-c release), as tools/test.sh runs the tests: ASan works on
# optimized code and the suites run whole data sets.
#
# LeakSanitizer stays on: the CLI, run by DigitInferCLITests as a process of
# its own, fails its test if it leaks. Suppressed, because they are in the
# toolchain's libraries and not in this project: XCTest keeps its suite
# objects to the end; FoundationEssentials' readBytesFromFile (behind
# FileManager.contents(atPath:), which the CLI tests read the CLI's output
# files with) loses a 4 KiB buffer; Foundation's Process.run loses a weak
# reference side table. (A pattern is a substring; "$" would anchor its end,
# so the mangled name goes without its leading "$s".)
swift_asan() {
  local log=$logs/asan.log n
  cat >"$work/lsan.supp" <<'EOF'
leak:libXCTest.so
leak:readBytesFromFile
leak:10Foundation7ProcessC3run
EOF
  # The time limit (build and run) is a backstop against a hung run.
  if LSAN_OPTIONS=suppressions=$work/lsan.supp:print_suppressions=0 timeout --kill-after=30 3600 swift test -c release --scratch-path "$repo/.build-asan" \
    --sanitize=address -Xcc -fsanitize=undefined -Xcc -fno-sanitize-recover=all \
    --skip DigitInferTrainingTests 2>&1 | tee "$log"; then
    n=$(sed -n 's/.*Test run with \([0-9]*\) tests\{0,1\} in .* passed.*/\1/p' "$log" | tail -1)
    if [ -n "$n" ]; then
      pass "swift test under ASan+UBSan: $n tests"
      return 0
    fi
  fi
  grep -E 'ERROR: AddressSanitizer|runtime error:|SUMMARY:' "$log" | head -20 || true
  fail "swift test under ASan+UBSan"
  return 1
}
if wants asan; then timed "Swift tests under ASan+UBSan" swift_asan || true; fi

# ---------------------------------------------------------------------------
# 2 and 3. The C library as Embedded Swift, sanitized.
#
# embedded_runtime SANITIZER OUT: the object tools/install.sh builds (the same
# flags: Embedded Swift, -wmo -O, -no-allocations and DIGITINFER_NO_ALLOCATIONS), with the sanitizer; the
# C kernels get UBSan too under ASan. The tests link the object directly
# (install.sh's partial link and symbol stripping change no code).
embedded_runtime() {
  local sanitizer=$1 out=$2 cflags
  case "$sanitizer" in
    address) cflags=-fsanitize=address,undefined ;;
    thread) cflags=-fsanitize=thread ;;
  esac
  "$swiftc" -target x86_64-unknown-linux-gnu -enable-experimental-feature Embedded -wmo -parse-as-library -O -g \
    -sanitize="$sanitizer" -I include -I Sources/DigitInferKernels -module-name DigitInfer \
    -Xfrontend -no-allocations -Xfrontend -function-sections -D DIGITINFER_NO_ALLOCATIONS \
    -Xcc "$cflags" -Xcc -fno-sanitize-recover=all -Xcc -fPIC -Xcc -g \
    -c Sources/DigitInfer/*.swift -o "$out"
}

# c_test NAME SANITIZER OBJECT: Tests/c/NAME.c with support.c, as tools/test-c.sh
# compiles them, plus the sanitizer, linked with OBJECT.
c_test() {
  local name=$1 sanitizer=$2 object=$3 san
  case "$sanitizer" in
    address) san=(-fsanitize=address,undefined -fno-sanitize-recover=all) ;;
    # The toolchain's TSan runtime carries interceptors for libdispatch
    # (built for Swift) and, linked statically, needs libdispatch to link.
    thread) san=(-fsanitize=thread -L"$swift_lib" -ldispatch -lBlocksRuntime -Wl,-rpath,"$swift_lib") ;;
  esac
  "$clang" -std=c99 -Wall -Wextra -pedantic -Werror -O1 -g -fno-omit-frame-pointer -pthread "${san[@]}" \
    -fuse-ld=lld -I include "Tests/c/$name.c" Tests/c/support.c "$object" -lm -o "$work/$name-$sanitizer"
}

# run_c LABEL COMMAND...: a test binary; counts its "N passed, M failed".
run_c() {
  local label=$1 log=$logs/c-test.log status=0 start n m
  shift
  start=$(date +%s)
  "$@" >"$log" 2>&1 || status=$?
  if grep -q -E 'Sanitizer|runtime error:' "$log"; then
    grep -v -E '^[a-z_]+: [0-9]+ passed, [0-9]+ failed$' "$log" | head -60
    fail "$label: sanitizer report (exit $status)"
    return
  fi
  if [[ $(tail -n 1 "$log") =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    n=${BASH_REMATCH[1]}
    m=${BASH_REMATCH[2]}
    if [ "$status" -eq 0 ] && [ "$m" -eq 0 ]; then
      pass "$label: $n checks ($(($(date +%s) - start)) s)"
      return
    fi
  fi
  tail -40 "$log"
  fail "$label: exit $status"
}

c_asan() {
  local obj=$work/DigitInfer-asan.o t
  if ! embedded_runtime address "$obj"; then
    fail "the Embedded Swift runtime builds with -sanitize=address"
    return 1
  fi
  pass "the Embedded Swift runtime builds with -sanitize=address (UBSan on its C kernels)"
  # The library never allocates (test_no_heap), so LeakSanitizer could only
  # find the tests' own golden files, which they keep to the end.
  # test_threads: 200 rounds of its 8 threads, not 2000 (ASan's slowdown).
  local args
  for t in test_api test_golden test_hostile test_preprocess test_kernel_sets test_threads; do
    args=("$golden")
    [ "$t" = test_threads ] && args+=(reference.dgi 200)
    if c_test "$t" address "$obj"; then
      run_c "$t under ASan+UBSan" env ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0" "$work/$t-address" "${args[@]}"
    else
      fail "$t compiles with -fsanitize=address,undefined"
    fi
  done
  # Each kernel set this CPU runs, forced, on the golden vectors
  # (test_kernel_sets above compares them all on random networks).
  local flags sets=(reference sse2)
  flags=$(grep -m1 '^flags' /proc/cpuinfo || true)
  [[ " $flags " == *" avx2 "* ]] && sets+=(avx2)
  [[ " $flags " == *" avx_vnni "* ]] && sets+=(avxvnni)
  [[ " $flags " == *" avx512_vnni "* ]] && sets+=(avx512vnni)
  for k in "${sets[@]}"; do
    run_c "test_golden under ASan+UBSan, DIGITINFER_KERNELS=$k" \
      env DIGITINFER_KERNELS=$k ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0" "$work/test_golden-address" "$golden"
  done
  # test_no_heap is left out: it replaces malloc and free with its own
  # counting wrappers around glibc's allocator, and ASan must own the
  # allocator (its interceptors, shadow memory and quarantine): the two
  # cannot be linked into one program meaningfully. Its inputs (every API
  # call, dgi_preprocess on every size) are covered by the tests above.
  echo "skip  test_no_heap under ASan (it replaces the allocator that ASan owns)"
}
if wants c; then timed "C tests under ASan+UBSan (Embedded Swift runtime)" c_asan || true; fi

c_tsan() {
  local obj=$work/DigitInfer-tsan.o
  if ! embedded_runtime thread "$obj"; then
    fail "the Embedded Swift runtime builds with -sanitize=thread"
    return 1
  fi
  pass "the Embedded Swift runtime builds with -sanitize=thread"
  if c_test test_threads thread "$obj"; then
    # 8 threads on one model record; 200 rounds (not 2000) keep TSan's
    # slowdown in bounds and still overlap every pair of calls many times.
    run_c "test_threads under TSan (reference.dgi)" "$work/test_threads-thread" "$golden" reference.dgi 200
    run_c "test_threads under TSan (tiny.dgi)" "$work/test_threads-thread" "$golden" tiny.dgi 200
  else
    fail "test_threads compiles with -fsanitize=thread"
  fi
  # The Swift ThreadTests (the same entry points from
  # DispatchQueue.concurrentPerform) only with SANITIZERS_SWIFT_TSAN=1: they
  # pass without reports, but need a ThreadSanitizer build of every test
  # target (about 6 minutes on 2 busy cores), too much for every CI run.
  if [ "${SANITIZERS_SWIFT_TSAN:-0}" = 1 ]; then
    local log=$logs/tsan-swift.log
    if timeout --kill-after=30 3600 swift test -c release --scratch-path "$repo/.build-tsan" --sanitize=thread \
      --filter ThreadTests >"$log" 2>&1 && grep -q 'Test run with [0-9]* tests\{0,1\} in .* passed' "$log" &&
      ! grep -q 'ThreadSanitizer' "$log"; then
      pass "swift test --sanitize=thread --filter ThreadTests"
    else
      tail -60 "$log"
      fail "swift test --sanitize=thread --filter ThreadTests"
    fi
  else
    echo "skip  swift test --sanitize=thread --filter ThreadTests (set SANITIZERS_SWIFT_TSAN=1)"
  fi
}
if wants tsan; then timed "test_threads under TSan (Embedded Swift runtime)" c_tsan || true; fi

# ---------------------------------------------------------------------------
# 4. valgrind memcheck on the release digitinfer-cli.
#
# --error-exitcode=99 tells a memcheck error from the CLI's own statuses (1:
# an image could not be read; 2: the model could not); valgrind's closing
# "ERROR SUMMARY" line tells a run that valgrind finished from one it gave up
# on (its own exit status 1 would pass for the CLI's). Leaks: only definite
# ones are errors (the Swift runtime keeps metadata caches to the end).
# Valgrind emulates a Haswell-class CPU (no AVX-512, no AVX-VNNI), so the
# CLI picks AVX2 there; the reference and SSE2 sets are forced as well.
#
# Valgrind 3.19 cannot read the DWARF 5 that clang 21 writes ("unhandled
# dwarf2 abbrev form code 0x25 ... Possibly corrupted debuginfo file. I
# can't recover. Giving up."), so it runs a copy of the CLI without its debug
# sections: reports name functions, not lines. The copy finds
# models/mnist-int8.dgi in the current directory (the repository).
vg=(valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite
  --track-origins=yes)
cli=$work/digitinfer-cli

# vg_run LABEL ALLOWED_STATUSES COMMAND...: passes if the status is one of
# ALLOWED_STATUSES (e.g. "0" or "0 1 2") and valgrind found no error.
vg_run() {
  local label=$1 allowed=$2 status=0 log=$logs/vg.log start
  shift 2
  start=$(date +%s)
  rm -f "$log.vg"
  "${vg[@]}" --log-file="$log.vg" "$@" >"$log" 2>&1 || status=$?
  if [ "$status" -eq 99 ]; then
    cat "$log.vg"
    fail "$label: valgrind memcheck errors"
    return 1
  fi
  if ! grep -q 'ERROR SUMMARY: 0 errors' "$log.vg" 2>/dev/null; then
    cat "$log.vg" 2>/dev/null | head -30
    fail "$label: valgrind did not finish the run (exit $status)"
    return 1
  fi
  if [[ " $allowed " != *" $status "* ]]; then
    tail -20 "$log"
    fail "$label: exit $status, expected one of: $allowed"
    return 1
  fi
  pass "$label ($(($(date +%s) - start)) s)"
}

# vg_files LABEL FILE...: the CLI on many files at once (a batch of 100
# per run: valgrind's start-up costs seconds); a batch that fails is rerun
# one file at a time to name the file. Bad images are exit status 1.
vg_files() {
  local label=$1 batch f bad
  shift
  local files=("$@") i=0
  while [ $i -lt ${#files[@]} ]; do
    batch=("${files[@]:i:100}")
    if ! vg_run "$label: files $((i + 1))-$((i + ${#batch[@]})) of ${#files[@]}" "0 1" "$cli" "${batch[@]}"; then
      for f in "${batch[@]}"; do
        vg_run "$label: $f" "0 1" "$cli" "$f" >"$logs/one.log" || cat "$logs/one.log"
      done
    fi
    i=$((i + 100))
  done
  # Model files in the corpus go to --model too (inspect opens them the
  # same way; a second valgrind start-up each would add minutes).
  for f in "${files[@]}"; do
    case "$f" in
      *.dgi) vg_run "$label: --model $f" "0 1 2" "$cli" --model "$f" models/samples/scan-9.pgm ;;
    esac
  done
}

valgrind_cli() {
  local samples=(models/samples/*) corpus=() dir
  if ! command -v valgrind >/dev/null; then
    fail "valgrind is not installed (apt-get install valgrind)"
    return 1
  fi
  swift build -c release --product digitinfer-cli >/dev/null || { fail "digitinfer-cli builds (release)"; return 1; }
  objcopy --strip-debug "$repo/.build/release/digitinfer-cli" "$cli" || { fail "objcopy --strip-debug digitinfer-cli"; return 1; }
  vg_run "digitinfer-cli on the sample images" 0 "$cli" "${samples[@]}"
  vg_run "digitinfer-cli --json on the sample images" 0 "$cli" --json "${samples[@]}"
  vg_run "digitinfer-cli on models/samples/ (a directory)" 0 "$cli" models/samples/
  vg_run "digitinfer-cli --json --verbose on models/samples/" 0 "$cli" --json --verbose models/samples/
  for k in reference sse2; do
    DIGITINFER_KERNELS=$k vg_run "digitinfer-cli on the sample images, DIGITINFER_KERNELS=$k" 0 "$cli" "${samples[@]}"
  done
  vg_run "digitinfer-cli inspect --json" 0 "$cli" inspect --json models/mnist-int8.dgi
  vg_run "digitinfer-cli --model models/reference-int8.dgi" 0 "$cli" --model models/reference-int8.dgi "${samples[@]}"
  vg_run "digitinfer-cli on a missing file (exit 1)" 1 "$cli" "$work/missing.png"

  # The hostile corpus: --hostile DIR, else Tests/hostile/generate.py's
  # output (malformed models and images of every kind the tests know).
  local dirs=(${hostile_dirs[@]+"${hostile_dirs[@]}"})
  if [ ${#dirs[@]} -eq 0 ] && [ -f Tests/hostile/generate.py ]; then
    dir=$work/hostile-corpus
    rm -rf "$dir"
    mkdir -p "$dir"
    if python3 Tests/hostile/generate.py "$dir" >/dev/null; then
      dirs=("$dir")
    else
      fail "Tests/hostile/generate.py makes a corpus"
    fi
  fi
  if [ ${#dirs[@]} -eq 0 ]; then
    echo "skip  the hostile corpus: no --hostile DIR and no Tests/hostile/generate.py"
  fi
  for dir in ${dirs[@]+"${dirs[@]}"}; do
    mapfile -t corpus < <(find "$dir" -type f | sort)
    if [ ${#corpus[@]} -eq 0 ]; then
      fail "hostile corpus $dir: no files"
    else
      vg_files "hostile corpus $dir" "${corpus[@]}"
    fi
  done
}
if wants valgrind; then timed "valgrind memcheck on digitinfer-cli" valgrind_cli || true; fi

echo "sanitizers: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
