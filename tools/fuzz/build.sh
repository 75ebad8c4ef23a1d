#!/usr/bin/env bash
# Builds the libFuzzer targets of tools/fuzz into BUILD_DIR (default
# <repo>/.build-fuzz): fuzz-model, fuzz-preprocess, fuzz-read, fuzz-image, fuzz-idx.
# The Swift code under test is compiled with -sanitize=fuzzer,address so that
# coverage guidance and ASan reach inside it, not only into the harnesses;
# the C harnesses and the C image shim add UBSan. Also oracle-cli, the
# oracle alone without sanitizers, for check_oracle.py.
# Usage: build.sh [--if-needed] [BUILD_DIR]
#   --if-needed  do nothing when every binary is newer than every source
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if_needed=0
if [ "${1:-}" = --if-needed ]; then
  if_needed=1
  shift
fi
out=${1:-$repo/.build-fuzz}
mkdir -p "$out"
out=$(cd "$out" && pwd)
targets=(fuzz-model fuzz-preprocess fuzz-read fuzz-image fuzz-idx oracle-cli)
if [ $if_needed = 1 ]; then
  stale=0
  for t in "${targets[@]}"; do
    if [ ! -x "$out/$t" ] || [ -n "$(find "$repo/Sources" "$repo/include" "$repo/tools/fuzz/harness" \
      "$repo/tools/fuzz/build.sh" -newer "$out/$t" -type f -print -quit)" ]; then
      stale=1
    fi
  done
  [ $stale = 1 ] || exit 0
fi
swiftc=${SWIFTC:-$(command -v swiftc || echo /opt/swift/usr/bin/swiftc)}
cc=${CC:-$(dirname "$swiftc")/clang}
cd "$repo"

# -O: fuzzing wants executions per second; -g: readable stack traces.
swift_flags=(-sanitize=fuzzer,address -O -g -parse-as-library -wmo)
c_flags=(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -O1 -g -Wall -Wextra -std=gnu11)
obj=$out/obj mods=$out/modules
mkdir -p "$obj" "$mods"

step() { echo "==> $*"; }

# The runtime, exactly the sources that ship; also a Swift module for the
# Swift harnesses that run the CLI's preprocessing.
step "swiftc DigitInfer (runtime)"
"$swiftc" "${swift_flags[@]}" -module-name DigitInfer -I include -I Sources/DigitInferKernels \
  -emit-module -emit-module-path "$mods/DigitInfer.swiftmodule" \
  -c Sources/DigitInfer/*.swift -o "$obj/DigitInfer.o"

# A module map for CImageShim, which SwiftPM would otherwise synthesize.
cat >"$mods/CImageShim.modulemap" <<MAP
module CImageShim {
  header "$repo/Sources/CImageShim/include/CImageShim.h"
  export *
}
MAP

step "clang CImageShim"
shim_objs=()
for f in Sources/CImageShim/*.c; do
  o=$obj/shim-$(basename "$f" .c).o
  "$cc" "${c_flags[@]}" -Wno-unused-parameter -I Sources/CImageShim/include -I Sources/CImageShim -c "$f" -o "$o"
  shim_objs+=("$o")
done

step "swiftc DigitInferImage"
"$swiftc" "${swift_flags[@]}" -module-name DigitInferImage -Xcc -fmodule-map-file="$mods/CImageShim.modulemap" \
  -I Sources/CJPEG -I Sources/CPNG \
  -emit-module -emit-module-path "$mods/DigitInferImage.swiftmodule" \
  -c Sources/DigitInferImage/*.swift -o "$obj/DigitInferImage.o"

step "swiftc DigitInferSupport"
"$swiftc" "${swift_flags[@]}" -module-name DigitInferSupport \
  -emit-module -emit-module-path "$mods/DigitInferSupport.swiftmodule" \
  -c Sources/DigitInferSupport/*.swift -o "$obj/DigitInferSupport.o"

# The IDX harness is compiled into the DigitInferData module itself so that
# it reaches IDX's internal readers with a fuzzing-sized byte limit.
step "swiftc DigitInferData + IDX harness"
"$swiftc" "${swift_flags[@]}" -module-name DigitInferData -I Sources/CZlib -I "$mods" \
  -c Sources/DigitInferData/*.swift tools/fuzz/harness/idx.swift -o "$obj/DigitInferData.o"

step "swiftc image harness"
"$swiftc" "${swift_flags[@]}" -module-name FuzzImage -I "$mods" -I include -I Sources/DigitInferKernels \
  -Xcc -fmodule-map-file="$mods/CImageShim.modulemap" -I Sources/CJPEG -I Sources/CPNG \
  -c tools/fuzz/harness/image.swift -o "$obj/FuzzImage.o"

step "clang C harnesses and oracle"
for f in model mutate preprocess read_number oracle guard; do
  # -O2 after c_flags' -O1: the oracle's loops are most of an execution.
  # FUZZ_REPO: where read_number finds the shipped model.
  "$cc" "${c_flags[@]}" $([ $f = oracle ] && echo -O2) -DFUZZ_REPO="\"$repo\"" -I include -I tools/fuzz/harness \
    -c "tools/fuzz/harness/$f.c" -o "$obj/$f.o"
done

# swiftc links: it adds the Swift runtime and libFuzzer's main. The ASan
# runtime carries UBSan's handlers for the C objects.
link() {
  local name=$1
  shift
  step "link $name"
  # lld: gold warns about every ASan helper symbol.
  "$swiftc" -use-ld=lld -sanitize=fuzzer,address "$@" -o "$out/$name"
}
link fuzz-model "$obj/model.o" "$obj/mutate.o" "$obj/oracle.o" "$obj/guard.o" "$obj/DigitInfer.o"
link fuzz-preprocess "$obj/preprocess.o" "$obj/guard.o" "$obj/DigitInfer.o"
link fuzz-read "$obj/read_number.o" "$obj/guard.o" "$obj/DigitInfer.o"
link fuzz-image "$obj/FuzzImage.o" "$obj/DigitInferImage.o" "${shim_objs[@]}" "$obj/DigitInfer.o" -ljpeg -lpng
link fuzz-idx "$obj/DigitInferData.o" "$obj/DigitInferSupport.o" -lz
step "cc oracle-cli"
"$cc" -O2 -g -Wall -Wextra -std=gnu11 -I tools/fuzz/harness tools/fuzz/harness/oracle_cli.c tools/fuzz/harness/oracle.c \
  -o "$out/oracle-cli"
echo "==> built in $out: ${targets[*]}"
