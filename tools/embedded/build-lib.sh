#!/usr/bin/env bash
# Compiles the runtime (Sources/DigitInfer) as Embedded Swift for one of the
# bare-metal targets of tools/embedded, and optionally packs it as a static
# library for firmware. tools/embedded/test-qemu.sh links the object into
# its test images; tools/release.sh ships the archives of m4f, m4, m3, m0.
#
# Usage: tools/embedded/build-lib.sh TARGET OBJECT [ARCHIVE]
#   TARGET   m4  Cortex-M4(F): -target armv7em-none-none-eabi (Swift's
#                default for it: FPU instructions, soft-float calling
#                convention; the firmware enables CP10/CP11)
#            m4f Cortex-M4F with the hard-float calling convention (as
#                -mfloat-abi=hard -mfpu=fpv4-sp-d16 firmware is built)
#            m3  Cortex-M3: armv7m code, through the armv7em stdlib module
#                (the toolchain ships none for armv7m; see README.md)
#            m0  Cortex-M0/M0+ (armv6m)
#            a53, a76  aarch64-none-none-elf for that core (-target-cpu)
#            rv32  riscv32-none-none-eabi, rv32imc, ilp32
#   OBJECT   the runtime's object (-Osize, -function-sections); compiled
#            again only when a source, the header, the compiler or the
#            flags changed (tools/cached.sh)
#   ARCHIVE  also write this static library: the object linked with
#            --gc-sections from the dgi_* functions, every other symbol made
#            local (so that the runtime's Swift symbols cannot clash with
#            the application's), archived with llvm-ar
# Environment: SWIFTC (default: swiftc on PATH, else /opt/swift/usr/bin/swiftc);
#   FW_SOURCES (default Sources/DigitInfer) and FW_SWIFTFLAGS (extra swiftc
#   flags, e.g. "-D DIGITINFER_SMALL" or "-Xcc -mfpu=none"), for experiments.
set -euo pipefail

die() {
  echo "build-lib.sh: error: $*" >&2
  exit 1
}
case "${1:-}" in -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;; esac
[ $# -eq 2 ] || [ $# -eq 3 ] || die "usage: tools/embedded/build-lib.sh TARGET OBJECT [ARCHIVE]"
target=$1 object=$2 archive=${3:-}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
swiftc=${SWIFTC:-$(command -v swiftc || echo /opt/swift/usr/bin/swiftc)}
[ -x "$swiftc" ] || die "Swift compiler not found (tried '$swiftc'); set SWIFTC"
bin=$(dirname "$swiftc")
mkdir -p "$(dirname "$object")" || die "cannot create the directory of '$object'"
dir=$(cd "$(dirname "$object")" && pwd)
object=$dir/$(basename "$object")

swift_extra=()
case "$target" in
  m4) swift_target=armv7em-none-none-eabi ;;
  m4f) swift_target=armv7em-none-none-eabi swift_extra=(-Xcc -mfloat-abi=hard -Xcc -mfpu=fpv4-sp-d16) ;;
  m3)
    # The armv7em module is the same source for the same 32-bit ABI
    # (Embedded Swift compiles the stdlib's generic code into the client),
    # offered under the armv7m name; LLVM generates Cortex-M3 code.
    swift_target=armv7m-none-none-eabi
    mkdir -p "$dir/stdlib/Swift.swiftmodule"
    ln -sfn "$bin/../lib/swift/embedded/Swift.swiftmodule/armv7em-none-none-eabi.swiftmodule" \
      "$dir/stdlib/Swift.swiftmodule/armv7m-none-none-eabi.swiftmodule"
    swift_extra=(-I "$dir/stdlib") ;;
  m0) swift_target=armv6m-none-none-eabi ;;
  a53 | a76)
    swift_target=aarch64-none-none-elf
    case "$target" in a53) swift_extra=(-target-cpu cortex-a53) ;; a76) swift_extra=(-target-cpu cortex-a76) ;; esac ;;
  rv32) swift_target=riscv32-none-none-eabi swift_extra=(-Xcc -march=rv32imc -Xcc -mabi=ilp32) ;;
  *) die "unknown target '$target' (m4, m4f, m3, m0, a53, a76 or rv32)" ;;
esac

cd "$repo"
sources=${FW_SOURCES:-Sources/DigitInfer}
# shellcheck disable=SC2086 # FW_SWIFTFLAGS is a list of flags
"$repo/tools/cached.sh" "$object" "$sources" Sources/DigitInferKernels include "$swiftc" -- \
  "$swiftc" -target "$swift_target" ${swift_extra[@]+"${swift_extra[@]}"} -enable-experimental-feature Embedded -wmo \
  -parse-as-library -Osize -I include -I Sources/DigitInferKernels -module-name DigitInfer -Xfrontend -function-sections \
  ${FW_SWIFTFLAGS:-} -c "$sources"/*.swift -o "$object" || die "swiftc failed"
[ -n "$archive" ] || exit 0

mkdir -p "$(dirname "$archive")" || die "cannot create the directory of '$archive'"
"$bin/llvm-nm" --defined-only "$object" | awk '$2 == "T" && $3 ~ /^dgi_/ { print $3 }' | sort >"$object.exports"
[ -s "$object.exports" ] || die "the object defines no dgi_* functions"
roots=()
while read -r sym; do roots+=(-u "$sym"); done <"$object.exports"
lib=$dir/lib
mkdir -p "$lib"
"$bin/ld.lld" -r --gc-sections "${roots[@]}" "$object" -o "$lib/partial.o" &&
  "$bin/llvm-objcopy" --keep-global-symbols="$object.exports" --remove-section=.swift_modhash \
    "$lib/partial.o" "$lib/digitinfer.o" || die "partial link of '$object' failed"
rm -f "$archive"
"$bin/llvm-ar" rcs "$archive" "$lib/digitinfer.o" || die "llvm-ar failed"
