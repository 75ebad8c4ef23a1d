#!/usr/bin/env bash
# Builds libdigitinfer as Embedded Swift (no Swift runtime, no allocator)
# and installs a plain C library: static archive, shared object, header and
# pkg-config file. Run `tools/install.sh --help` for usage.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: tools/install.sh --prefix DIR [--build-dir DIR] [--optimize speed|size] [--target TRIPLE] [--relocatable]

Builds the runtime in Sources/DigitInfer as Embedded Swift and installs:
  DIR/include/digitinfer.h
  DIR/lib/libdigitinfer.a
  DIR/lib/libdigitinfer.so.N   (N = DGI_ABI_VERSION, also in the soname; exports only dgi_*)
  DIR/lib/libdigitinfer.so -> libdigitinfer.so.N
  DIR/lib/pkgconfig/digitinfer.pc
  DIR/lib/cmake/digitinfer/digitinfer-config.cmake, digitinfer-config-version.cmake

Options:
  --prefix DIR        installation prefix (required; created if missing)
  --build-dir DIR     where intermediate files go (default: <repo>/.build-embedded)
  --optimize MODE     speed (-O, the default) or size (-Osize)
  --target TRIPLE     x86_64-linux-gnu or aarch64-linux-gnu (default: this
                      machine's); another machine's is a cross build, made
                      with the toolchain's lld and llvm tools: e.g. for a
                      Raspberry Pi 3/4/5 from an x86-64 PC, --target
                      aarch64-linux-gnu (needs the aarch64 C library to link
                      against: apt-get install libc6-dev-arm64-cross)
  --relocatable       the pkg-config file finds the prefix from its own place
                      (${pcfiledir}/../..), so that DIR can be moved or packed
                      (tools/release.sh); the CMake files always do
  -h, --help          show this help

One library serves every CPU: on x86-64 it holds SSE2, AVX2, AVX-VNNI and
AVX-512 VNNI kernels and picks the fastest the CPU runs when a model is opened
(dgi_model_kernels says which); on aarch64, NEON and the sdot kernels, used
where the kernel reports the dot-product extension (Cortex-A55/A76 and later:
Raspberry Pi 5; the Pi 3 and 4 run NEON). To force one at run time, for tests
or comparisons: DIGITINFER_KERNELS=reference|sse2|avx2|avxvnni|avx512vnni
(x86-64), or dgi_model_set_kernels(). Answers are bit-identical with every set.

Environment:
  SWIFTC   Swift compiler (default: swiftc on PATH, else /opt/swift/usr/bin/swiftc)
  CC       linker driver for the shared library (default: the clang next to SWIFTC)

Then, with PKG_CONFIG_PATH=DIR/lib/pkgconfig:
  cc app.c $(pkg-config --cflags --libs digitinfer)          # links the .so
  cc app.c -Wl,-Bstatic $(pkg-config --static --cflags --libs digitinfer) -Wl,-Bdynamic
                                                             # links the .a, libc stays shared
  cc -static app.c $(pkg-config --static --cflags --libs digitinfer)
                                                             # fully static
Or with CMake (-DCMAKE_PREFIX_PATH=DIR):
  find_package(digitinfer CONFIG REQUIRED)
  target_link_libraries(app PRIVATE digitinfer::digitinfer)  # the .so; digitinfer::digitinfer_static
                                                             # links the .a (or -DDIGITINFER_STATIC=ON
                                                             # makes digitinfer::digitinfer the .a)
EOF
}

die() {
  echo "install.sh: error: $*" >&2
  exit 1
}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
prefix=""
build_dir="$repo/.build-embedded"
optimize=speed
target_arg=""
relocatable=0

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#*=}; shift ;;
    --build-dir) [ $# -ge 2 ] || die "--build-dir needs a directory"; build_dir=$2; shift 2 ;;
    --build-dir=*) build_dir=${1#*=}; shift ;;
    --optimize) [ $# -ge 2 ] || die "--optimize needs speed or size"; optimize=$2; shift 2 ;;
    --optimize=*) optimize=${1#*=}; shift ;;
    --target) [ $# -ge 2 ] || die "--target needs a triple"; target_arg=$2; shift 2 ;;
    --target=*) target_arg=${1#*=}; shift ;;
    --relocatable) relocatable=1; shift ;;
    --cpu | --cpu=*) die "--cpu is gone: kernels are chosen at run time (DIGITINFER_KERNELS forces a set; see --help)" ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
[ -n "$prefix" ] || die "--prefix DIR is required (see --help)"
case "$optimize" in
  speed) opt_flag=-O ;;
  size) opt_flag=-Osize ;;
  *) die "--optimize must be 'speed' or 'size', not '$optimize'" ;;
esac

case "$(uname -m)" in
  x86_64 | amd64) host=x86_64 ;;
  aarch64 | arm64) host=aarch64 ;;
  *) die "unsupported host architecture '$(uname -m)' (x86_64 or aarch64 expected)" ;;
esac
case "${target_arg:-$host-linux-gnu}" in
  x86_64-linux-gnu | x86_64-unknown-linux-gnu) arch=x86_64 ;;
  aarch64-linux-gnu | aarch64-unknown-linux-gnu) arch=aarch64 ;;
  *) die "unsupported --target '$target_arg' (x86_64-linux-gnu or aarch64-linux-gnu)" ;;
esac
target=$arch-unknown-linux-gnu
swiftc=${SWIFTC:-$(command -v swiftc || echo /opt/swift/usr/bin/swiftc)}
[ -x "$swiftc" ] || die "Swift compiler not found (tried '$swiftc'); set SWIFTC or put swiftc on PATH"
bin=$(dirname "$swiftc")
# The clang shipped with the toolchain, so that linker flags match the compiler.
cc=${CC:-$bin/clang}
command -v "$cc" >/dev/null || die "C compiler '$cc' not found; set CC"
swift_target=(-target "$target")
cc_target=()
if [ "$arch" = "$host" ]; then
  ar=ar ld=ld objcopy=objcopy nm=nm
  for tool in ar ld objcopy nm; do
    command -v "$tool" >/dev/null || die "'$tool' (binutils) not found"
  done
else
  # A cross build: the toolchain's own tools read every architecture.
  ar=$bin/llvm-ar ld=$bin/ld.lld objcopy=$bin/llvm-objcopy nm=$bin/llvm-nm
  for tool in "$ar" "$ld" "$objcopy" "$nm"; do
    [ -x "$tool" ] || die "'$tool' not found (a cross build needs the toolchain's lld and llvm tools)"
  done
  cc_target=(--target="$arch-linux-gnu" -fuse-ld=lld)
fi
# Embedded Swift needs the stdlib module for the target. x86-64 toolchains
# ship none for aarch64 Linux; the bare-metal aarch64 one is the same code
# for the same ABI (AAPCS64, ELF) and only the C kernels ask which system
# they run on (DIGITINFER_LINUX: the CPU's features from getauxval).
if [ ! -d "$bin/../lib/swift/embedded/Swift.swiftmodule/$target.swiftmodule" ] && [ "$arch" = aarch64 ]; then
  swift_target=(-target aarch64-none-none-elf -Xcc -DDIGITINFER_LINUX)
fi

mkdir -p "$build_dir" "$prefix" || die "cannot create '$build_dir' or '$prefix'"
build_dir=$(cd "$build_dir" && pwd)
prefix=$(cd "$prefix" && pwd)
cd "$repo"

# The x86 microkernels (Sources/DigitInferKernels) are C compiled by swiftc's
# clang; they never unwind, and leaving out their unwind tables keeps the
# library within its size budget (tools/test-c.sh, docs/PERFORMANCE.md).
# DIGITINFER_NO_ALLOCATIONS leaves out the Swift API (SwiftAPI.swift), which
# allocates; -no-allocations then proves that the C library does not.
sources=(Sources/DigitInfer/*.swift)
obj="$build_dir/DigitInfer.o"
echo "==> swiftc $opt_flag (Embedded Swift, ${swift_target[1]}): ${#sources[@]} files"
# Compiled again only when a source, the header or the compiler changed
# (tools/cached.sh): tools/release.sh packs what tools/test.sh just built.
"$repo/tools/cached.sh" "$obj" Sources/DigitInfer Sources/DigitInferKernels include "$swiftc" -- \
  "$swiftc" "${swift_target[@]}" -enable-experimental-feature Embedded -wmo -parse-as-library "$opt_flag" \
  -I include -I Sources/DigitInferKernels -module-name DigitInfer -Xfrontend -no-allocations -Xfrontend -function-sections \
  -D DIGITINFER_NO_ALLOCATIONS -Xcc -fno-asynchronous-unwind-tables \
  -Xcc -fPIC -c "${sources[@]}" -o "$obj" || die "swiftc failed"

# The public API: every global function the object defines under dgi_.
"$nm" --defined-only "$obj" | awk '$2 == "T" && $3 ~ /^dgi_/ { print $3 }' | sort >"$build_dir/exports.txt"
[ -s "$build_dir/exports.txt" ] || die "the object defines no dgi_* functions"

# Static archive: a partial link rooted at the dgi_* functions drops the
# unused weak Swift runtime stubs, then everything but the API is made local
# and unneeded symbols are stripped, so the archive neither exports nor
# references any swift_* name and cannot clash with an application's symbols.
roots=()
while read -r sym; do roots+=(-u "$sym"); done <"$build_dir/exports.txt"
"$ld" -r --gc-sections "${roots[@]}" "$obj" -o "$build_dir/digitinfer-partial.o"
"$objcopy" --keep-global-symbols="$build_dir/exports.txt" --strip-unneeded \
  --strip-symbol=_swift_exceptionPersonality --remove-section=.swift_modhash \
  "$build_dir/digitinfer-partial.o" "$build_dir/digitinfer.o"
rm -f "$build_dir/libdigitinfer.a"
"$ar" rcs "$build_dir/libdigitinfer.a" "$build_dir/digitinfer.o"

# Shared library, from the same cleaned object: the raw one also lists
# unreferenced undefined symbols (arc4random_buf, from the unused Hasher
# stubs) that would land in .dynsym and demand glibc 2.36. Only dgi_* are
# exported. No start files: the library has no constructors, and without
# crtbeginS.o the only undefined symbols are the libc functions it calls.
{
  echo "DIGITINFER_1 {"
  echo "  global:"
  sed 's/^/    /; s/$/;/' "$build_dir/exports.txt"
  echo "  local: *;"
  echo "};"
} >"$build_dir/digitinfer.map"
# lld (shipped with the toolchain) packs the read-write segment right after
# the code; the system linker starts it on a new page of the file when the
# code grows, which costs up to 4 KB of padding. A CC that cannot use lld
# links with its default linker.
ld_flag=-fuse-ld=lld
# The ABI version names the library, so that no program built against
# another ABI loads it (tools/version.sh --abi reads the header).
so_name=libdigitinfer.so.$(tools/version.sh --abi) || exit 1
echo 'int main(void) { return 0; }' >"$build_dir/probe.c"
"$cc" ${cc_target[@]+"${cc_target[@]}"} -fuse-ld=lld "$build_dir/probe.c" -o "$build_dir/probe" 2>/dev/null || ld_flag=
"$cc" ${cc_target[@]+"${cc_target[@]}"} -shared -nostartfiles $ld_flag -o "$build_dir/$so_name" "$build_dir/digitinfer.o" \
  -Wl,--gc-sections -Wl,--version-script="$build_dir/digitinfer.map" \
  -Wl,-soname,"$so_name" -Wl,-z,noexecstack -Wl,-z,relro -Wl,-z,now -s ||
  die "linking $so_name failed"

echo "==> installing into $prefix"
install -d "$prefix/include" "$prefix/lib/pkgconfig"
install -m 644 include/digitinfer.h "$prefix/include/digitinfer.h"
install -m 644 "$build_dir/libdigitinfer.a" "$prefix/lib/libdigitinfer.a"
install -m 755 "$build_dir/$so_name" "$prefix/lib/$so_name"
ln -sfn "$so_name" "$prefix/lib/libdigitinfer.so"

version=$(tools/version.sh)
[ -n "$version" ] || exit 1
pc_prefix=$prefix
[ "$relocatable" = 1 ] && pc_prefix='${pcfiledir}/../..'
# Libs.private is empty: the library needs nothing beyond libc. Because
# pkg-config prints Libs.private after Libs, it cannot turn -ldigitinfer into
# the archive; choose the archive at link time with -static or -Wl,-Bstatic.
cat >"$prefix/lib/pkgconfig/digitinfer.pc" <<EOF
# Shared:  cc app.c \$(pkg-config --cflags --libs digitinfer)
# Static:  cc app.c -Wl,-Bstatic \$(pkg-config --static --cflags --libs digitinfer) -Wl,-Bdynamic
#      or  cc -static app.c \$(pkg-config --static --cflags --libs digitinfer)
prefix=$pc_prefix
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: digitinfer
Description: Allocation-free int8 inference for MNIST digit models (.dgi)
Version: $version
Libs: -L\${libdir} -ldigitinfer
Libs.private:
Cflags: -I\${includedir}
EOF

# CMake package: find_package(digitinfer CONFIG) finds it under
# CMAKE_PREFIX_PATH. Every path is relative to the config file, so the
# installed tree can be moved or packed.
cmake_dir=$prefix/lib/cmake/digitinfer
install -d "$cmake_dir"
cat >"$cmake_dir/digitinfer-config.cmake" <<'EOF'
# CMake package of libdigitinfer (written by tools/install.sh).
#   find_package(digitinfer CONFIG REQUIRED)
#   target_link_libraries(app PRIVATE digitinfer::digitinfer)
# Targets:
#   digitinfer::digitinfer_shared  lib/@SO_NAME@
#   digitinfer::digitinfer_static  lib/libdigitinfer.a (needs nothing but libc)
#   digitinfer::digitinfer         the shared one; the static one when the
#                                  cache variable DIGITINFER_STATIC is ON
#                                  (cmake -DDIGITINFER_STATIC=ON)
# Each carries the include directory (digitinfer.h). Paths are relative to
# this file: the installed tree can be moved.
get_filename_component(_digitinfer_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
option(DIGITINFER_STATIC "digitinfer::digitinfer links libdigitinfer.a instead of libdigitinfer.so" OFF)
foreach(_digitinfer_file include/digitinfer.h lib/@SO_NAME@ lib/libdigitinfer.a)
  if(NOT EXISTS "${_digitinfer_prefix}/${_digitinfer_file}")
    set(digitinfer_FOUND FALSE)
    set(digitinfer_NOT_FOUND_MESSAGE "${_digitinfer_prefix}/${_digitinfer_file} is missing")
    return()
  endif()
endforeach()
if(NOT TARGET digitinfer::digitinfer)
  add_library(digitinfer::digitinfer_shared SHARED IMPORTED)
  set_target_properties(digitinfer::digitinfer_shared PROPERTIES
    IMPORTED_LOCATION "${_digitinfer_prefix}/lib/@SO_NAME@"
    IMPORTED_SONAME "@SO_NAME@"
    INTERFACE_INCLUDE_DIRECTORIES "${_digitinfer_prefix}/include")
  add_library(digitinfer::digitinfer_static STATIC IMPORTED)
  set_target_properties(digitinfer::digitinfer_static PROPERTIES
    IMPORTED_LOCATION "${_digitinfer_prefix}/lib/libdigitinfer.a"
    IMPORTED_LINK_INTERFACE_LANGUAGES "C"
    INTERFACE_INCLUDE_DIRECTORIES "${_digitinfer_prefix}/include")
  add_library(digitinfer::digitinfer INTERFACE IMPORTED)
  if(DIGITINFER_STATIC)
    set_target_properties(digitinfer::digitinfer PROPERTIES INTERFACE_LINK_LIBRARIES digitinfer::digitinfer_static)
  else()
    set_target_properties(digitinfer::digitinfer PROPERTIES INTERFACE_LINK_LIBRARIES digitinfer::digitinfer_shared)
  endif()
endif()
unset(_digitinfer_file)
unset(_digitinfer_prefix)
EOF
sed -i "s/@SO_NAME@/$so_name/g" "$cmake_dir/digitinfer-config.cmake"
# Compatible: the same major version, at least the one asked for; a 64-bit build.
cat >"$cmake_dir/digitinfer-config-version.cmake" <<EOF
# Version of the libdigitinfer CMake package (written by tools/install.sh).
set(PACKAGE_VERSION "$version")
if(PACKAGE_FIND_VERSION AND (PACKAGE_VERSION VERSION_LESS PACKAGE_FIND_VERSION
    OR NOT PACKAGE_FIND_VERSION_MAJOR STREQUAL "${version%%.*}"))
  set(PACKAGE_VERSION_COMPATIBLE FALSE)
else()
  set(PACKAGE_VERSION_COMPATIBLE TRUE)
  if(PACKAGE_FIND_VERSION STREQUAL PACKAGE_VERSION)
    set(PACKAGE_VERSION_EXACT TRUE)
  endif()
endif()
if(CMAKE_SIZEOF_VOID_P AND NOT CMAKE_SIZEOF_VOID_P STREQUAL "8")
  set(PACKAGE_VERSION "\${PACKAGE_VERSION} ($arch, 64-bit)")
  set(PACKAGE_VERSION_UNSUITABLE TRUE)
endif()
EOF

so_size=$(wc -c <"$prefix/lib/$so_name")
a_size=$(wc -c <"$prefix/lib/libdigitinfer.a")
echo "==> installed ($opt_flag)"
printf '  %-40s %7d bytes\n' "$prefix/lib/$so_name" "$so_size" \
  "$prefix/lib/libdigitinfer.a" "$a_size"
