#!/usr/bin/env bash
# Tests the CMake package of an installed libdigitinfer (tools/install.sh
# --prefix PREFIX, or an unpacked C SDK from tools/release.sh) the way a
# CMake user meets it: a project with find_package(digitinfer CONFIG
# REQUIRED) builds the example tools/examples/classify.c against
#   - digitinfer::digitinfer (the shared library),
#   - digitinfer::digitinfer with -DDIGITINFER_STATIC=ON (the archive),
#   - digitinfer::digitinfer_static (the archive, by target),
# runs each on the drawn seven and on models/samples/scan-9.pgm, checks
# which library each executable uses (the static ones: no NEEDED
# libdigitinfer), the package version against DGI_VERSION of the header,
# and that a copy of PREFIX moved elsewhere works as well (every path is
# relative to the config file). Ends with "N passed, M failed".
#
# Usage: tools/test-cmake.sh PREFIX
# Environment:
#   CMAKE       cmake (default: cmake on PATH; Debian: apt-get install cmake)
#   CC          C compiler CMake uses (default: CMake's choice, cc)
#   BUILD_DIR   where the test projects go (default: a temporary directory)
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=checks.sh
. "$repo/tools/checks.sh"
directory_argument "$@"
prefix=$directory
cmake=${CMAKE:-cmake}
command -v "$cmake" >/dev/null || die "cmake not found (Debian: apt-get install cmake); set CMAKE"
version=$("$repo/tools/version.sh")
so_name=libdigitinfer.so.$("$repo/tools/version.sh" --abi) || exit 1
[ -n "$version" ] || exit 1
if [ -n "${BUILD_DIR:-}" ]; then
  mkdir -p "$BUILD_DIR" && work=$(cd "$BUILD_DIR" && pwd)
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
model=$repo/models/mnist-int8.dgi
seven=$repo/tools/examples/seven.pgm
nine=$repo/models/samples/scan-9.pgm


echo "== $("$cmake" --version | head -1), package in $prefix/lib/cmake/digitinfer"
check "digitinfer-config.cmake installed" test -f "$prefix/lib/cmake/digitinfer/digitinfer-config.cmake"
check "digitinfer-config-version.cmake installed" test -f "$prefix/lib/cmake/digitinfer/digitinfer-config-version.cmake"

# The project: classify (the TARGET given), and the version CMake found.
project=$work/project
mkdir -p "$project"
cp "$repo/tools/examples/classify.c" "$project/"
cat >"$project/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.13)
project(classify C)
set(DIGITINFER_TARGET digitinfer::digitinfer CACHE STRING "the target classify links")
set(DIGITINFER_WANT "" CACHE STRING "the version find_package asks for")
find_package(digitinfer ${DIGITINFER_WANT} CONFIG REQUIRED)
message(STATUS "digitinfer_VERSION=${digitinfer_VERSION}")
add_executable(classify classify.c)
set_target_properties(classify PROPERTIES C_STANDARD 99 C_STANDARD_REQUIRED ON)
target_compile_options(classify PRIVATE -Wall -Wextra -pedantic -Werror)
target_link_libraries(classify PRIVATE ${DIGITINFER_TARGET})
CMAKE

# build NAME PREFIX CMAKE_ARGS...: configures and builds $work/NAME.
build() {
  local name=$1 at=$2
  shift 2
  rm -rf "$work/$name"
  "$cmake" -S "$project" -B "$work/$name" -DCMAKE_PREFIX_PATH="$at" -DCMAKE_BUILD_TYPE=Release "$@" \
    >"$work/$name.log" 2>&1 && "$cmake" --build "$work/$name" >>"$work/$name.log" 2>&1 ||
    { tail -n 15 "$work/$name.log"; return 1; }
}
reads() { # EXE IMAGE DIGIT
  local out
  out=$("$1" "$model" "$2" 2>&1) && grep -q "^digit $3 (confidence " <<<"$out" || { echo "  $out"; return 1; }
}
needed() { readelf -dW "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' '; }

# variant NAME LINKAGE PREFIX CMAKE_ARGS...
variant() {
  local name=$1 linkage=$2 at=$3
  shift 3
  echo "== $name: $*"
  if ! build "$name" "$at" "$@"; then
    fail "$name: configure and build"
    return
  fi
  pass "$name: configures and builds"
  local exe=$work/$name/classify deps
  deps=$(needed "$exe")
  if [ "$linkage" = shared ]; then
    check "$name: NEEDED $so_name ($deps)" grep -qF "$so_name " <<<"$deps"
    check "$name: runs with the library of $at" grep -qF "$so_name => $at/lib/$so_name" <<<"$(ldd "$exe")"
  else
    check "$name: no NEEDED libdigitinfer ($deps)" test -z "$(grep libdigitinfer <<<"$deps")"
    check "$name: holds the archive's code (dgi_classify)" grep -q ' T dgi_classify$' <<<"$(nm "$exe")"
  fi
  check "$name: reads seven.pgm as a 7" reads "$exe" "$seven" 7
  check "$name: reads models/samples/scan-9.pgm as a 9" reads "$exe" "$nine" 9
}

variant shared shared "$prefix"
check "find_package reports version $version" grep -q "digitinfer_VERSION=$version\$" "$work/shared.log"
variant static-option static "$prefix" -DDIGITINFER_STATIC=ON
variant static-target static "$prefix" -DDIGITINFER_TARGET=digitinfer::digitinfer_static

echo "== versions"
major=${version%%.*}
check "find_package(digitinfer $version) (exact) is found" build want-exact "$prefix" -DDIGITINFER_WANT="$version"
check "find_package(digitinfer $major.0) is found" build want-major "$prefix" -DDIGITINFER_WANT="$major.0"
if build want-next "$prefix" -DDIGITINFER_WANT="$((major + 1)).0" >/dev/null 2>&1; then
  fail "find_package(digitinfer $((major + 1)).0) accepted version $version"
else
  pass "find_package(digitinfer $((major + 1)).0) refuses version $version"
fi

echo "== the prefix moved elsewhere"
moved=$work/moved/digitinfer
mkdir -p "$moved"
cp -a "$prefix/include" "$prefix/lib" "$moved/"
variant moved-shared shared "$moved"
variant moved-static static "$moved" -DDIGITINFER_STATIC=ON

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
