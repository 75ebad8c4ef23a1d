#!/usr/bin/env bash
# Tests an installed libdigitinfer (tools/install.sh --prefix PREFIX) the way
# a C user meets it: the library files and their symbol tables, then the C
# tests in Tests/c and the example tools/examples/classify.c, each built
# twice through pkg-config, against the shared library and against the
# static archive, with a plain C compiler. Ends with "N passed, M failed".
#
# Usage: tools/test-c.sh PREFIX     (PREFIX: an installation made by tools/install.sh)
# Environment:
#   CC          C compiler for the tests (default: cc)
#   CXX         C++ compiler to check that the example also compiles as C++ (default: g++)
#   BUILD_DIR   where test binaries go (default: <repo>/.build-embedded/c-tests)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=checks.sh
. "$repo/tools/checks.sh"
directory_argument "$@"
prefix=$directory
golden=$repo/Tests/DigitInferTests/Golden
build=${BUILD_DIR:-$repo/.build-embedded/c-tests}
cc=${CC:-cc}
cxx=${CXX:-g++}
command -v "$cc" >/dev/null || die "C compiler '$cc' not found; set CC"
command -v pkg-config >/dev/null || die "pkg-config not found"
for f in tiny.dgi reference.dgi inputs.bin expected.txt preprocess-expected.txt; do
  [ -f "$golden/$f" ] || die "golden file $golden/$f is missing"
done
mkdir -p "$build"

export PKG_CONFIG_PATH="$prefix/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
lib=$prefix/lib
# Named for the header's ABI version (tools/install.sh).
so_name=libdigitinfer.so.$("$repo/tools/version.sh" --abi) || exit 1
so=$lib/$so_name
# The shared library's size budget, with every x86-64 kernel set,
# preprocessing and the number reader (docs/PERFORMANCE.md, "Code size").
so_budget=98304
archive=$lib/libdigitinfer.a


echo "== installed files ($prefix)"
check "header installed, identical to include/digitinfer.h" cmp -s "$prefix/include/digitinfer.h" "$repo/include/digitinfer.h"
check "libdigitinfer.a installed" test -f "$archive"
check "$so_name installed" test -f "$so" -a ! -L "$so"
check "libdigitinfer.so -> $so_name" test "$(readlink "$lib/libdigitinfer.so" 2>/dev/null)" = "$so_name"
check "digitinfer.pc installed" test -f "$lib/pkgconfig/digitinfer.pc"
[ -f "$so" ] && [ -f "$archive" ] || { echo "$passed passed, $failed failed"; exit 1; }

echo "== pkg-config"
# words: pkg-config's output without its trailing blank.
words() { echo $*; }
check "pkg-config --cflags gives the include dir" test "$(words $(pkg-config --cflags digitinfer))" = "-I$prefix/include"
check "pkg-config --libs gives -L\${libdir} -ldigitinfer" test "$(words $(pkg-config --libs digitinfer))" = "-L$lib -ldigitinfer"
check "pkg-config knows digitinfer $(pkg-config --modversion digitinfer 2>/dev/null || true)" pkg-config --exists digitinfer

echo "== shared library symbols"
so_size=$(wc -c <"$so")
check "$so_name is $so_size bytes (at most $so_budget)" test "$so_size" -le "$so_budget"
check "SONAME is $so_name" test "$(readelf -dW "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')" = "$so_name"
needed=$(readelf -dW "$so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
check "NEEDED is only libc.so.6 (got: $needed)" test "$needed" = "libc.so.6 "
ldd_libs=$(ldd "$so" | awk '{ print $1 }' | grep -v -e '^linux-vdso' -e '^linux-gate' -e '^libc\.so' -e '^/lib.*/ld-linux' -e 'ld-linux' || true)
check "ldd lists only libc and the dynamic loader${ldd_libs:+ (also: $ldd_libs)}" test -z "$ldd_libs"

# The allocator and the Swift runtime, as symbol-name patterns.
forbidden='^(malloc|calloc|realloc|free|posix_memalign|aligned_alloc|memalign|valloc|pvalloc)(@.*)?$|swift_'
# Names without their symbol versions (memset@GLIBC_2.2.5 -> memset).
so_undefined=$(nm -D --undefined-only "$so" | awk '{ print $NF }' | sed 's/@.*//')
bad=$(echo "$so_undefined" | grep -E "$forbidden" || true)
check "no allocator or swift_ references in the .so${bad:+ (found: $bad)}" test -z "$bad"
libc=$(ldd "$so" | awk '$1 ~ /^libc\.so/ { print $3 }')
libc_defined=$(nm -D --defined-only "$libc" | awk '{ print $NF }' | sed 's/@.*//')
not_libc=""
for sym in $so_undefined; do
  grep -qxF "$sym" <<<"$libc_defined" || not_libc="$not_libc $sym"
done
check "every undefined symbol of the .so is defined by libc ($(echo $so_undefined))${not_libc:+; not in libc:$not_libc}" test -z "$not_libc"
exported=$(nm -D --defined-only "$so" | awk '$2 != "A" { print $3 }' | sed 's/@.*//' | sort)
declared=$(sed -n 's/^[a-z_0-9 ]*[ *]\(dgi_[a-z_0-9]*\)(.*/\1/p' "$repo/include/digitinfer.h" | sort)
check "the .so exports exactly the functions the header declares ($(echo $exported))" test "$exported" = "$declared"

echo "== static archive symbols"
a_all=$(nm "$archive" | awk 'NF >= 2 { print $NF }')
bad=$(echo "$a_all" | grep -E "$forbidden" || true)
check "no allocator or swift_ symbols in the .a${bad:+ (found: $bad)}" test -z "$bad"
a_undefined=$(nm --undefined-only "$archive" | awk 'NF >= 2 { print $NF }')
not_libc=""
for sym in $a_undefined; do
  grep -qxF "$sym" <<<"$libc_defined" || not_libc="$not_libc $sym"
done
check "every undefined symbol of the .a is defined by libc ($(echo $a_undefined))${not_libc:+; not in libc:$not_libc}" test -z "$not_libc"
a_globals=$(nm --defined-only --extern-only "$archive" | awk 'NF == 3 { print $3 }' | sort)
check "the .a defines exactly the functions the header declares" test "$a_globals" = "$declared"

# Builds Tests/c/NAME.c (plus support.c) against the shared library or the
# archive. The archive is selected with -Wl,-Bstatic: pkg-config prints
# Libs.private after Libs, so nothing in the .pc can make -ldigitinfer pick it.
cflags=(-std=c99 -Wall -Wextra -pedantic -Werror -O2 -g -pthread)
read -r -a pc_cflags <<<"$(pkg-config --cflags digitinfer)"
read -r -a pc_libs <<<"$(pkg-config --libs digitinfer)"
read -r -a pc_static_libs <<<"$(pkg-config --static --libs digitinfer)"
build_test() { # NAME LINKAGE
  local out=$build/$1-$2
  local libs=("${pc_libs[@]}" "-Wl,-rpath,$lib")
  [ "$2" = static ] && libs=(-Wl,-Bstatic "${pc_static_libs[@]}" -Wl,-Bdynamic)
  "$cc" "${cflags[@]}" "${pc_cflags[@]}" "$repo/Tests/c/$1.c" "$repo/Tests/c/support.c" \
    "${libs[@]}" -lm -o "$out"
}
# The binary really uses the library it was meant to: the installed .so, or
# the archive's code with no dependency on any libdigitinfer.so.
# (Outputs are captured before matching: under pipefail, grep -q closing
# the pipe early would make the producer's SIGPIPE fail the check.)
linked_as() { # BINARY LINKAGE
  local deps symbols
  if [ "$2" = shared ]; then
    deps=$(ldd "$1")
    grep -qF "$so_name => $so" <<<"$deps"
  else
    deps=$(readelf -dW "$1")
    symbols=$(nm "$1")
    ! grep -q 'NEEDED.*libdigitinfer' <<<"$deps" && grep -q ' T dgi_classify$' <<<"$symbols"
  fi
}
no_swift_runtime() {
  local deps
  deps=$(ldd "$1" 2>&1 || true)
  ! grep -qi swift <<<"$deps"
}

# Runs a test binary and adds the "N passed, M failed" of its last line.
run_counted() { # LABEL COMMAND...
  local label=$1 log=$build/last.log status=0 summary n m
  shift
  "$@" >"$log" 2>&1 || status=$?
  grep -v -E '^[a-z_]+: [0-9]+ passed, [0-9]+ failed$' "$log" | head -40 || true
  summary=$(tail -n 1 "$log")
  if [[ $summary =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    n=${BASH_REMATCH[1]}
    m=${BASH_REMATCH[2]}
    passed=$((passed + n))
    failed=$((failed + m))
    if [ "$status" -eq 0 ] && [ "$m" -eq 0 ]; then
      echo "ok    $label: $n passed"
    else
      [ "$m" -gt 0 ] || failed=$((failed + 1))
      echo "FAIL  $label: $n passed, $m failed, exit $status"
    fi
  else
    fail "$label: exit $status, no summary line (crashed?)"
  fi
}

for linkage in shared static; do
  echo "== C tests against the $linkage library"
  for t in test_no_heap test_api test_golden test_not_a_digit test_hostile test_threads test_preprocess test_read_number test_kernel_sets; do
    if build_test "$t" "$linkage"; then
      pass "$t ($linkage) compiles with ${cflags[*]}"
      check "$t ($linkage) uses the $linkage library" linked_as "$build/$t-$linkage" "$linkage"
      check "$t ($linkage) loads no Swift runtime" no_swift_runtime "$build/$t-$linkage"
      run_counted "$t ($linkage)" "$build/$t-$linkage" "$golden"
    else
      fail "$t ($linkage) does not compile"
    fi
  done
done

echo "== the example, tools/examples/classify.c"
example=$repo/tools/examples/classify.c
seven=$repo/tools/examples/seven.pgm
tail -c 784 "$seven" >"$build/seven.raw"
build_test expect_digit shared || fail "expect_digit does not compile"
message() { "$build/expect_digit-shared" --status-message "$1"; }
check "classify.c compiles as C++ ($cxx -x c++ -Wall -Wextra -Werror)" \
  "$cxx" -x c++ -Wall -Wextra -Werror -fsyntax-only "${pc_cflags[@]}" "$example"
check "classify.c builds against the .so via pkg-config" \
  "$cc" -std=c99 -Wall -Wextra -pedantic -Werror -O2 "$example" "${pc_cflags[@]}" "${pc_libs[@]}" \
  "-Wl,-rpath,$lib" -o "$build/classify-shared"
check "classify.c builds against the .a (-Wl,-Bstatic)" \
  "$cc" -std=c99 -Wall -Wextra -pedantic -Werror -O2 "$example" "${pc_cflags[@]}" \
  -Wl,-Bstatic "${pc_static_libs[@]}" -Wl,-Bdynamic -o "$build/classify-static"
# Fully static, as `cc -static app.c $(pkg-config --static --cflags --libs digitinfer)`.
check "classify.c links fully static with $cc -static, no Swift libraries" \
  "$cc" -static -std=c99 -Wall -Wextra -pedantic -Werror -O2 "$example" \
  $(pkg-config --static --cflags --libs digitinfer) -o "$build/classify-full-static"
# Any C toolchain: gcc and clang, as strict C99 and as C++ (the header's
# extern "C" guards), each linking the static archive and reading the seven.
for compiler in gcc clang g++ clang++; do
  command -v "$compiler" >/dev/null || { echo "skip  $compiler not installed"; continue; }
  case "$compiler" in
    *++) lang=(-x c++ -std=c++11) ;;
    *) lang=(-std=c99) ;;
  esac
  exe=$build/classify-matrix-${compiler//+/p}
  what="classify.c: $compiler ${lang[*]} -Wall -Wextra -pedantic -Werror, static archive"
  # -l flags, not files, follow the source: -x c++ does not reach them.
  if "$compiler" "${lang[@]}" -Wall -Wextra -pedantic -Werror -O2 "${pc_cflags[@]}" "$example" \
    -Wl,-Bstatic "${pc_static_libs[@]}" -Wl,-Bdynamic -o "$exe"; then
    pass "$what"
    check "classify built by $compiler reads the seven" sh -c '"$1" "$2" "$3" | grep -q "^digit 7 "' _ \
      "$exe" "$repo/models/mnist-int8.dgi" "$seven"
  else
    fail "$what"
  fi
done
check "classify-shared uses the installed .so" linked_as "$build/classify-shared" shared
check "classify-static contains the archive's code" linked_as "$build/classify-static" static
check "classify-full-static needs no shared library" test -z "$(readelf -dW "$build/classify-full-static" | grep NEEDED || true)"

# expect: LABEL WANT_EXIT GREP_PATTERN_OR_EMPTY STREAM COMMAND...
expect() {
  local label=$1 want=$2 pattern=$3 stream=$4 status=0 out err
  shift 4
  out=$("$@" 2>"$build/stderr") || status=$?
  err=$(cat "$build/stderr")
  local text=$out
  [ "$stream" = stderr ] && text=$err
  if [ "$status" -ne "$want" ]; then
    fail "$label: exit $status, expected $want (stdout: $out; stderr: $err)"
  elif [ -n "$pattern" ] && ! grep -qF -- "$pattern" <<<"$text"; then
    fail "$label: $stream lacks '$pattern' (stdout: $out; stderr: $err)"
  else
    pass "$label${out:+: $(echo $out)}"
  fi
}

truncated=$build/truncated.dgi
head -c 1000 "$golden/reference.dgi" >"$truncated"
head -c 100 "$build/seven.raw" >"$build/short.raw"
for model in reference.dgi tiny.dgi; do
  want=$("$build/expect_digit-shared" "$golden/$model" "$build/seven.raw") || die "expect_digit failed on $model"
  for variant in shared static full-static; do
    bin=$build/classify-$variant
    [ -x "$bin" ] || { fail "classify-$variant was not built"; continue; }
    expect "classify-$variant $model seven.pgm says digit $want" 0 "digit $want (confidence " stdout "$bin" "$golden/$model" "$seven"
    expect "classify-$variant $model seven.raw says digit $want" 0 "digit $want (confidence " stdout "$bin" "$golden/$model" "$build/seven.raw"
  done
done
# The README's quick start: the shipped, trained model reads the project's
# own drawing of a seven as a 7.
for variant in shared static full-static; do
  expect "classify-$variant: models/mnist-int8.dgi reads seven.pgm as 7 (README quick start)" 0 "digit 7 (confidence " \
    stdout "$build/classify-$variant" "$repo/models/mnist-int8.dgi" "$seven"
done
# Images of any size and polarity go through dgi_preprocess: digits drawn
# by Tests/c/draw_pgm.c (dark on light, uneven noisy paper; light on dark;
# 4-bit levels; a 1000x40 strip), read by the shipped model; and for the
# golden models the same answer as expect_digit, which preprocesses the
# raw pixels itself.
pgm_ok=1
build_test draw_pgm shared || { fail "draw_pgm does not compile"; pgm_ok=0; }
if [ "$pgm_ok" = 1 ]; then
  draw=$build/draw_pgm-shared
  "$draw" 200 150 7 "$build/dark7.pgm" && "$draw" --raw 200 150 7 "$build/dark7.raw" &&
    "$draw" --light 320 240 7 "$build/light7.pgm" && "$draw" --maxval 15 90 130 7 "$build/nibble7.pgm" &&
    "$draw" 1000 40 3 "$build/wide3.pgm" && "$draw" 120 90 -1 "$build/blank.pgm" || die "draw_pgm failed"
  printf 'P5\n40000 10\n255\n' >"$build/bad-huge.pgm"
  printf 'P5\n10 10\n65535\n' >"$build/bad-maxval.pgm"
  head -c 20000 "$build/dark7.pgm" >"$build/bad-cut.pgm"
  printf 'P5\n10 10 255' >"$build/bad-header.pgm"
  for variant in shared static full-static; do
    bin=$build/classify-$variant
    [ -x "$bin" ] || continue
    for case in "dark7.pgm dark 7" "light7.pgm light 7" "nibble7.pgm dark 7" "wide3.pgm dark 3"; do
      read -r file ink digit <<<"$case"
      expect "classify-$variant: mnist-int8.dgi reads $file ($ink ink) as $digit" 0 "digit $digit (confidence " \
        stdout "$bin" "$repo/models/mnist-int8.dgi" "$build/$file"
      expect "classify-$variant: $file is found to have $ink ink" 0 ", $ink ink, " \
        stdout "$bin" "$repo/models/mnist-int8.dgi" "$build/$file"
    done
  done
  for model in reference.dgi tiny.dgi; do
    want=$("$build/expect_digit-shared" "$golden/$model" "$build/dark7.raw" 200 150) || die "expect_digit failed on $model"
    for variant in shared static full-static; do
      [ -x "$build/classify-$variant" ] || continue
      expect "classify-$variant $model dark7.pgm (200x150) says digit $want" 0 "digit $want (confidence " \
        stdout "$build/classify-$variant" "$golden/$model" "$build/dark7.pgm"
    done
  done
fi
for variant in shared static full-static; do
  bin=$build/classify-$variant
  [ -x "$bin" ] || continue
  expect "classify-$variant: missing model -> exit 1" 1 "cannot read $build/missing.dgi" stderr "$bin" "$build/missing.dgi" "$seven"
  expect "classify-$variant: missing image -> exit 1" 1 "cannot read $build/missing.pgm" stderr "$bin" "$golden/reference.dgi" "$build/missing.pgm"
  expect "classify-$variant: truncated model -> exit 1" 1 "$(message 2)" stderr "$bin" "$truncated" "$seven"
  expect "classify-$variant: not a model -> exit 1" 1 "$(message 3)" stderr "$bin" "$seven" "$seven"
  expect "classify-$variant: 100-byte image -> exit 1" 1 "$(message 9)" stderr "$bin" "$golden/reference.dgi" "$build/short.raw"
  if [ "$pgm_ok" = 1 ]; then
    for bad in huge maxval cut header; do
      expect "classify-$variant: bad PGM ($bad) -> exit 1" 1 "$(message 9)" stderr "$bin" "$golden/reference.dgi" "$build/bad-$bad.pgm"
    done
    expect "classify-$variant: blank page -> exit 1, no digit" 1 "$(message 11)" stderr "$bin" "$repo/models/mnist-int8.dgi" "$build/blank.pgm"
  fi
  expect "classify-$variant: no arguments -> exit 1" 1 "usage:" stderr "$bin"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
