#!/usr/bin/env bash
# The C library for 64-bit Arm Linux (Raspberry Pi 3/4/5 class), built the
# way the README says and tested as a C user there would: tools/install.sh
# --target aarch64-linux-gnu (a cross build from x86-64, a native one on
# aarch64), then the C tests of Tests/c and the example built with
# aarch64-linux-gnu-gcc and run under qemu-aarch64 (user mode) as a
# Cortex-A53 (Pi 3: no dot product, NEON kernels) and a Cortex-A76 (Pi 5:
# sdot kernels, found through getauxval). On an aarch64 machine the tests
# run natively instead, on whatever CPU it has.
#
# Usage: tools/test-aarch64-linux.sh [--build-dir DIR]
# Needs (on x86-64): apt-get install qemu-user gcc-aarch64-linux-gnu
# (which brings libc6-dev-arm64-cross). test_threads is left to the host
# runs (tools/test-c.sh): under emulation it takes minutes.
# Ends with "N passed, M failed"; exits non-zero on failure.
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$repo/.build-aarch64-linux
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build=$2; shift 2 ;;
    -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "test-aarch64-linux.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
golden=$repo/Tests/DigitInferTests/Golden

if [ "$(uname -m)" = aarch64 ]; then
  cc=${CC:-cc}
  cpus="native"
else
  cc=${CC:-aarch64-linux-gnu-gcc}
  cpus="cortex-a53 cortex-a76"
  sysroot=/usr/aarch64-linux-gnu
  command -v qemu-aarch64 >/dev/null && command -v "$cc" >/dev/null && [ -d "$sysroot/lib" ] || {
    echo "test-aarch64-linux.sh: needs qemu-aarch64 and $cc (apt-get install qemu-user gcc-aarch64-linux-gnu)" >&2
    exit 2
  }
fi
# run CPU PROGRAM ARGS...
run() {
  local cpu=$1
  shift
  if [ "$cpu" = native ]; then "$@"; else qemu-aarch64 -L "$sysroot" -cpu "$cpu" "$@"; fi
}

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok    $*"; }
fail() { failed=$((failed + 1)); echo "FAIL  $*"; }

mkdir -p "$build" || exit 2
prefix=$build/prefix
if ! "$repo/tools/install.sh" --target aarch64-linux-gnu --prefix "$prefix" --build-dir "$build/lib" >"$build/install.log" 2>&1; then
  cat "$build/install.log"
  fail "tools/install.sh --target aarch64-linux-gnu"
  echo "$passed passed, $failed failed"
  exit 1
fi
so_name=libdigitinfer.so.$("$repo/tools/version.sh" --abi) || exit 1
so=$prefix/lib/$so_name
if readelf -h "$so" 2>/dev/null | grep -q 'Machine: *AArch64'; then
  pass "tools/install.sh --target aarch64-linux-gnu: $(wc -c <"$so") byte .so, $(wc -c <"$prefix/lib/libdigitinfer.a") byte .a"
else
  fail "$so_name is not an aarch64 library: $(readelf -h "$so" 2>&1 | grep Machine)"
fi

# build NAME LINKAGE: Tests/c/NAME.c against the .so or the .a.
build_test() {
  local libs=(-L"$prefix/lib" -ldigitinfer -Wl,-rpath,"$prefix/lib")
  [ "$2" = static ] && libs=(-Wl,-Bstatic -L"$prefix/lib" -ldigitinfer -Wl,-Bdynamic)
  "$cc" -std=c99 -Wall -Wextra -pedantic -Werror -O2 -pthread -I "$prefix/include" "$repo/Tests/c/$1.c" \
    "$repo/Tests/c/support.c" "${libs[@]}" -lm -o "$build/$1-$2"
}
# counted LABEL CPU PROGRAM ARGS...: adds the program's "N passed, M failed".
counted() {
  local label=$1 cpu=$2 log=$build/last.log status=0
  shift 2
  run "$cpu" "$@" >"$log" 2>&1 || status=$?
  if [[ $(tail -n 1 "$log") =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]] && [ "$status" -eq 0 ] && [ "${BASH_REMATCH[2]}" -eq 0 ]; then
    passed=$((passed + BASH_REMATCH[1]))
    echo "ok    $label on $cpu: ${BASH_REMATCH[1]} passed"
  else
    grep -v ' passed, ' "$log" | head -20
    fail "$label on $cpu: exit $status, $(tail -n 1 "$log")"
  fi
}

for t in test_golden test_api test_not_a_digit test_hostile test_preprocess test_read_number test_no_heap test_kernel_sets expect_digit; do
  build_test "$t" shared || fail "$t does not build against the .so"
done
for t in test_golden test_api; do
  build_test "$t" static || fail "$t does not build against the .a"
done
example=$build/classify
"$cc" -std=c99 -Wall -Wextra -pedantic -Werror -O2 -I "$prefix/include" "$repo/tools/examples/classify.c" \
  -L"$prefix/lib" -ldigitinfer -Wl,-rpath,"$prefix/lib" -o "$example" || fail "classify.c does not build"

for cpu in $cpus; do
  echo "== $cpu"
  # The kernels the library picks: sdot where the CPU has it (the A76).
  want=portable
  [ "$cpu" = cortex-a76 ] && want=neondot
  got=$(run "$cpu" "$build/expect_digit-shared" --kernels "$repo/models/mnist-int8.dgi")
  if [ "$cpu" = native ] || [ "$got" = "$want" ]; then
    pass "$cpu: the library picks the $got kernels"
  else
    fail "$cpu: the library picks '$got', expected $want"
  fi
  for t in test_golden test_api test_not_a_digit test_hostile test_preprocess test_read_number test_no_heap test_kernel_sets; do
    counted "$t (shared)" "$cpu" "$build/$t-shared" "$golden"
  done
  for t in test_golden test_api; do
    counted "$t (static)" "$cpu" "$build/$t-static" "$golden"
  done
  answer=$(run "$cpu" "$example" "$repo/models/mnist-int8.dgi" "$repo/models/samples/scan-9.pgm" 2>&1)
  if grep -qx 'digit 9 (confidence [0-9.]*%)' <<<"$answer"; then
    pass "$cpu: classify.c reads models/samples/scan-9.pgm as 9 ($(tail -n 1 <<<"$answer"))"
  else
    fail "$cpu: classify.c on scan-9.pgm says '$answer'"
  fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
