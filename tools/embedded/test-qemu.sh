#!/usr/bin/env bash
# Builds the runtime (Sources/DigitInfer) as Embedded Swift firmware for
# Cortex-M4 (m4: armv7em, QEMU mps2-an386; m4f: the same with the
# hard-float calling convention), Cortex-M3 (m3: armv7m, QEMU
# mps2-an385), Cortex-M0 code (m0: armv6m, run on the mps2-an385's M3) and
# 64-bit Arm (a53, a76: aarch64 code for the Cortex-A53 and Cortex-A76, on
# QEMU virt with those CPUs) and RISC-V (rv32: rv32imc code, an ESP32-C3-class
# core, on QEMU virt), runs each under QEMU with semihosting, and
# compares their output byte for byte with the same harness built for the
# host and linked with the host library from tools/install.sh. Also checks
# the golden lines against Tests/DigitInferTests/Golden, that the runtime
# links without any allocator, and prints the size/stack/instruction
# figures of tools/embedded/README.md. The cmsis-o2 and cmsis-os targets
# put the M4 runtime beside ARM's CMSIS-NN (built with arm-none-eabi-gcc
# -O2 or -Os from $CMSIS_NN, default ../shared/peers/cmsis-nn) in one
# firmware (cmsis-nn.c): both run every model, must give the same int8
# outputs, and are measured by the same probes.
#
# Usage: tools/embedded/test-qemu.sh [--build-dir DIR] [--targets "m4 m4f m3 m0 a53 a76 rv32 cmsis-o2 cmsis-os"]
# (the CMSIS-NN targets are in the default list when its sources are there)
# Needs: /opt/swift (or SWIFTC), qemu-system-arm (with qemu-system-aarch64),
# gcc-arm-none-eabi (libgcc for Cortex-M; CMSIS-NN), and for rv32
# qemu-system-misc (qemu-system-riscv32) and gcc-riscv64-unknown-elf (libgcc).
# For experiments: FW_SOURCES (default Sources/DigitInfer) and FW_SWIFTFLAGS
# (extra swiftc flags, e.g. "-Xcc -mfpu=none") change the firmware's runtime.
# Ends with "N passed, M failed"; exits non-zero on failure.
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
here=$repo/tools/embedded
build=$repo/.build-firmware
targets="m4 m4f m3 m0 a53 a76 rv32"
cmsis=${CMSIS_NN:-$repo/../shared/peers/cmsis-nn}
[ -f "$cmsis/Include/arm_nnfunctions.h" ] && targets="$targets cmsis-o2 cmsis-os"
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build=$2; shift 2 ;;
    --targets) targets=$2; shift 2 ;;
    -h | --help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "test-qemu.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

swiftc=${SWIFTC:-$(command -v swiftc || echo /opt/swift/usr/bin/swiftc)}
bin=$(dirname "$swiftc")
clang=$bin/clang
lld=$bin/ld.lld
nm=$bin/llvm-nm
for tool in "$swiftc" "$clang" "$lld" "$nm"; do
  [ -x "$tool" ] || { echo "test-qemu.sh: $tool not found" >&2; exit 2; }
done
for tool in qemu-system-arm qemu-system-aarch64 arm-none-eabi-gcc cc; do
  command -v "$tool" >/dev/null || { echo "test-qemu.sh: $tool not found (apt-get install qemu-system-arm gcc-arm-none-eabi)" >&2; exit 2; }
done
if [[ " $targets " == *" rv32 "* ]]; then
  for tool in qemu-system-riscv32 riscv64-unknown-elf-gcc; do
    command -v "$tool" >/dev/null || { echo "test-qemu.sh: $tool not found (apt-get install qemu-system-misc gcc-riscv64-unknown-elf)" >&2; exit 2; }
  done
fi

passed=0
failed=0
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

mkdir -p "$build" || exit 2
build=$(cd "$build" && pwd)
cd "$repo" || exit 2

# The inference API and the preprocessing API, for the size figures.
inference_roots="dgi_abi_version dgi_status_message dgi_model_open dgi_model_scratch_size dgi_classify dgi_infer dgi_model_get_info dgi_model_get_layer"
preprocess_roots="dgi_preprocess dgi_preprocess_scratch_size"
# What an allocator would be called; none may be referenced or defined.
allocator='^(malloc|calloc|realloc|free|posix_memalign|aligned_alloc|memalign|swift_allocObject|swift_slowAlloc|swift_allocBox|swift_initStackObject|swift_retain|swift_release|swift_deallocObject|swift_slowDealloc)$'

# ---- the host's answers ---------------------------------------------------
echo "==> host library and harness"
cc -O2 -I include -I Tests/c -o "$build/gen-data" "$here/gen-data.c" Tests/c/support.c || exit 1
# Pictures up to 128x129 pixels: about 60 of the 96 golden preprocessing cases.
"$build/gen-data" "$repo" 16512 "$build/fwdata.c" || exit 1
if [ ! -f "$build/host/lib/libdigitinfer.a" ] || [ -n "$(find Sources/DigitInfer Sources/DigitInferKernels include -newer "$build/host/lib/libdigitinfer.a" | head -1)" ]; then
  tools/install.sh --prefix "$build/host" --build-dir "$build/host-build" >"$build/host-install.log" 2>&1 ||
    { cat "$build/host-install.log"; echo "test-qemu.sh: tools/install.sh failed" >&2; exit 1; }
fi
# The host library holds the x86-64 kernel sets, which need more scratch.
cc -O2 -DMODEL_SCRATCH=131072 -I "$build/host/include" -I "$here" -o "$build/harness-host" "$here/harness.c" "$here/host.c" "$build/fwdata.c" \
  "$build/host/lib/libdigitinfer.a" || exit 1
"$build/harness-host" >"$build/host-output.txt"
status=$?
grep -v '^measure ' "$build/host-output.txt" >"$build/expected.txt"
[ $status -eq 0 ] && pass "host harness runs (exit 0)" || fail "host harness exits $status"

# The host's lines are the golden files' own lines.
sed -n 's/^golden \(tiny\.dgi\|reference\.dgi\) /\1 /p' "$build/expected.txt" >"$build/golden-from-host.txt"
if cmp -s "$build/golden-from-host.txt" Tests/DigitInferTests/Golden/expected.txt; then
  pass "host harness reproduces Golden/expected.txt ($(wc -l <"$build/golden-from-host.txt") lines)"
else
  fail "host harness differs from Golden/expected.txt"
  diff "$build/golden-from-host.txt" Tests/DigitInferTests/Golden/expected.txt | head -5
fi
sed -n 's/^preprocess //p' "$build/expected.txt" >"$build/preprocess-from-host.txt"
missing=$(grep -vxFf <(grep -v '^#' Tests/DigitInferTests/Golden/preprocess-expected.txt) "$build/preprocess-from-host.txt" | wc -l)
if [ -s "$build/preprocess-from-host.txt" ] && [ "$missing" -eq 0 ]; then
  pass "host harness reproduces $(wc -l <"$build/preprocess-from-host.txt") lines of Golden/preprocess-expected.txt"
else
  fail "$missing preprocessing lines differ from Golden/preprocess-expected.txt"
fi

# The DSP kernels' plain-C form against a direct convolution, on the shapes
# the golden models do not reach (an unpooled conv, odd sizes).
if "$clang" -std=c99 -O2 -Wall -Wextra -Werror -I Sources/DigitInferKernels -o "$build/dsp-kernels-host" \
  "$here/dsp-kernels-host.c" && "$build/dsp-kernels-host" >"$build/dsp-kernels.txt"; then
  pass "host: $(tail -n 1 "$build/dsp-kernels.txt")"
else
  fail "host: DSP kernels differ from the direct definition: $(head -n 3 "$build/dsp-kernels.txt" 2>/dev/null)"
fi

# ---- firmware -------------------------------------------------------------
# text/rodata/data/bss of an object or image, from its section headers.
sizes() {
  readelf -SW "$1" | awk '
    function hex(s,   i, v) { v = 0; for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return v }
    $0 ~ /\] / { sub(/^.*\] /, ""); name = $1; type = $2; flags = $7; size = hex($5)
      if (flags !~ /A/) next
      if (type == "NOBITS") bss += size
      else if (flags ~ /X/) text += size
      else if (flags ~ /W/) data += size
      else rodata += size }
    END { printf "text %d rodata %d data %d bss %d", text, rodata, data, bss }'
}

# CMSIS-NN's int8 kernels as a CMSIS-NN user builds them (arm-none-eabi-gcc,
# hard float, OPT), into DIR; the kernels' code alone into DIR/kernels.o.
build_cmsis() { # DIR OPT
  local dir=$1 opt=$2 f objs=()
  mkdir -p "$dir"
  for f in ConvolutionFunctions/arm_convolve_s8.c ConvolutionFunctions/arm_convolve_get_buffer_sizes_s8.c \
    ConvolutionFunctions/arm_nn_mat_mult_kernel_s8_s16.c ConvolutionFunctions/arm_nn_mat_mult_kernel_row_offset_s8_s16.c \
    PoolingFunctions/arm_max_pool_s8.c FullyConnectedFunctions/arm_fully_connected_per_channel_s8.c \
    FullyConnectedFunctions/arm_fully_connected_get_buffer_sizes_s8.c NNSupportFunctions/arm_nn_vec_mat_mult_t_per_ch_s8.c \
    NNSupportFunctions/arm_q7_to_q15_with_offset.c NNSupportFunctions/arm_s8_to_s16_unordered_with_offset.c \
    NNSupportFunctions/arm_nn_mat_mult_nt_t_s8.c; do
    arm-none-eabi-gcc "${cmsis_cflags[@]}" "$opt" -I "$cmsis/Include" -c "$cmsis/Source/$f" -o "$dir/$(basename "$f" .c).o" ||
      return 1
    objs+=("$dir/$(basename "$f" .c).o")
  done
  "$lld" -r --gc-sections -u arm_convolve_s8 -u arm_max_pool_s8 -u arm_fully_connected_per_channel_s8 \
    "${objs[@]}" -o "$dir/kernels.o"
}
cmsis_cflags=(-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -ffunction-sections -fdata-sections -Wall)

build_image() { # TARGET: builds $build/TARGET/firmware.elf and writes the QEMU command line to $dir/qemu
  local t=$1 dir=$build/$1 cflags=() arch ld_script libs=() cdefs=() mcpu qemu
  local harness=$here/harness.c runtime=$build/$1/DigitInfer.o peer=()
  mkdir -p "$dir"
  # (The runtime's object stays: build-lib.sh compiles it again when out of date.)
  find "$dir" -maxdepth 1 -name '*.o' ! -name DigitInfer.o -delete
  rm -f "$dir/firmware.elf" "$dir/output.txt"
  case "$t" in
    m4 | m4f | m3 | m0)
      arch=cortex-m ld_script=$here/mps2.ld
      local clang_target board float=(-mfloat-abi=soft)
      case "$t" in
        m4) clang_target=thumbv7em-none-eabi mcpu=cortex-m4 board=mps2-an386
          # Swift's armv7em default is a Cortex-M4F: FPU instructions, soft-float calls.
          cdefs=(-DFW_ENABLE_FPU) ;;
        # The hard-float calling convention, as most M4F firmware is built
        # (the release's lib/cortex-m4f).
        m4f) clang_target=thumbv7em-none-eabi mcpu=cortex-m4 board=mps2-an386 float=(-mfloat-abi=hard -mfpu=fpv4-sp-d16)
          cdefs=(-DFW_ENABLE_FPU) ;;
        # The M3's runtime: armv7m code through the armv7em module (build-lib.sh).
        m3) clang_target=thumbv7m-none-eabi mcpu=cortex-m3 board=mps2-an385 ;;
        m0) clang_target=thumbv6m-none-eabi mcpu=cortex-m0 board=mps2-an385 ;;
      esac
      cflags=(--target=$clang_target -mcpu=$mcpu -mthumb "${float[@]}")
      libs=("$(arm-none-eabi-gcc -print-libgcc-file-name -mcpu=$mcpu -mthumb "${float[@]}")") || return 1
      qemu="qemu-system-arm -M $board"
      ;;
    a53 | a76)
      # One AArch64 image per core, code generated for that core (-target-cpu).
      arch=aarch64 ld_script=$here/virt-aarch64.ld
      case "$t" in a53) mcpu=cortex-a53 ;; a76) mcpu=cortex-a76 ;; esac
      cflags=(--target=aarch64-none-elf -mcpu=$mcpu)
      # The microkernel sets pack each conv layer's weights: more scratch.
      cdefs=(-DMODEL_SCRATCH=131072)
      qemu="qemu-system-aarch64 -M virt -cpu $mcpu -m 256M -nic none"
      ;;
    rv32)
      # An ESP32-C3-class core: rv32imc, soft float, machine mode; libgcc
      # from gcc-riscv64-unknown-elf's rv32im multilib (no C extension in
      # the library, which any rv32imc core runs).
      arch=riscv ld_script=$here/virt-riscv.ld
      cflags=(--target=riscv32-none-elf -march=rv32imc -mabi=ilp32)
      libs=("$(riscv64-unknown-elf-gcc -march=rv32im -mabi=ilp32 -print-libgcc-file-name)") || return 1
      qemu="qemu-system-riscv32 -M virt -bios none -m 128M -nic none"
      ;;
    cmsis-o2 | cmsis-os)
      # The m4 target's runtime and start-up code; CMSIS-NN and the harness
      # that runs it (cmsis-nn.c, which needs newlib's string.h) from gcc.
      local opt=-O2
      [ "$t" = cmsis-os ] && opt=-Os
      arch=cortex-m ld_script=$here/mps2.ld mcpu=cortex-m4 qemu="qemu-system-arm -M mps2-an386"
      cflags=(--target=thumbv7em-none-eabi -mcpu=cortex-m4 -mthumb -mfloat-abi=soft)
      cdefs=(-DFW_ENABLE_FPU)
      libs=("$(arm-none-eabi-gcc -print-libgcc-file-name -mcpu=cortex-m4 -mthumb -mfloat-abi=soft)") || return 1
      runtime=$build/m4/DigitInfer.o harness=
      [ -f "$runtime" ] || { echo "$t needs the m4 target first" >&2; return 1; }
      build_cmsis "$dir/cmsis" "$opt" &&
        arm-none-eabi-gcc "${cmsis_cflags[@]}" -Os -Werror -DCMSIS_OPT="\"$opt\"" -I "$cmsis/Include" -I include \
          -I "$here" -c "$here/cmsis-nn.c" -o "$dir/harness.o" || return 1
      # The first layers of the reference and the shipped model, as models.
      python3 "$here/first-layer.py" Tests/DigitInferTests/Golden/reference.dgi "$dir/first-reference.dgi" &&
        python3 "$here/first-layer.py" models/mnist-int8.dgi "$dir/first-shipped.dgi" &&
        "$clang" --target=thumbv7em-none-eabi -DFIRST_REFERENCE="\"$dir/first-reference.dgi\"" \
          -DFIRST_SHIPPED="\"$dir/first-shipped.dgi\"" -c "$here/cmsis-data.S" -o "$dir/cmsis-data.o" || return 1
      peer=("$dir"/cmsis/arm_*.o "$dir/cmsis-data.o")
      ;;
    *) echo "unknown target $t" >&2; return 1 ;;
  esac
  echo "$qemu" >"$dir/qemu"
  if [ "$runtime" = "$dir/DigitInfer.o" ]; then
    SWIFTC=$swiftc "$here/build-lib.sh" "$t" "$runtime" || return 1
  fi
  cflags+=(-Os -ffunction-sections -fdata-sections -ffreestanding -fno-builtin -Wall -Werror -I include -I "$here"
    ${cdefs[@]+"${cdefs[@]}"})
  "$clang" "${cflags[@]}" -c "$here/firmware.c" -o "$dir/firmware.o" &&
    "$clang" "${cflags[@]}" -c "$here/$arch.c" -o "$dir/arch.o" &&
    "$clang" "${cflags[@]}" -c "$here/$arch.S" -o "$dir/arch-asm.o" &&
    { [ -z "$harness" ] || "$clang" "${cflags[@]}" -c "$harness" -o "$dir/harness.o"; } &&
    "$clang" "${cflags[@]}" -c "$build/fwdata.c" -o "$dir/fwdata.o" || return 1
  "$lld" --gc-sections -T "$ld_script" -Map "$dir/firmware.map" -o "$dir/firmware.elf" \
    "$dir/firmware.o" "$dir/arch.o" "$dir/arch-asm.o" "$dir/harness.o" "$dir/fwdata.o" "$runtime" \
    ${peer[@]+"${peer[@]}"} ${libs[@]+"${libs[@]}"} || return 1
  # The runtime alone: inference entry points, then with preprocessing.
  local roots=() r
  for r in $inference_roots; do roots+=(-u "$r"); done
  "$lld" -r --gc-sections "${roots[@]}" "$runtime" -o "$dir/runtime-inference.o" || return 1
  for r in $preprocess_roots; do roots+=(-u "$r"); done
  "$lld" -r --gc-sections "${roots[@]}" "$runtime" -o "$dir/runtime-all.o" || return 1
}

summary=$build/summary.txt
: >"$summary"
for t in $targets; do
  echo "==> firmware $t"
  if build_image "$t"; then
    pass "$t: firmware builds and links with ld.lld"
  else
    fail "$t: firmware build"
    continue
  fi
  dir=$build/$t
  # No allocator: nothing of the runtime refers to one, and the image (which
  # would not link if anything did) defines none.
  bad=$({ "$nm" -u "$dir/runtime-all.o"; "$nm" "$dir/firmware.elf"; } | awk '{ print $NF }' | grep -E "$allocator" | sort -u | tr '\n' ' ')
  if [ -z "$bad" ]; then
    pass "$t: no allocator symbol referenced or defined (runtime: $("$nm" -u "$dir/runtime-all.o" | awk '{print $NF}' | tr '\n' ' '))"
  else
    fail "$t: allocator symbols: $bad"
  fi
  qemu=$(cat "$dir/qemu")
  # Semihosting output to stdout (without a chardev, QEMU 7 writes it to
  # stderr); -icount shift=0: one instruction per virtual nanosecond, so
  # the timer counts instructions (SysTick: 40 per tick at the mps2 boards'
  # 25 MHz; the AArch64 generic timer: 16 per tick at 62.5 MHz).
  timeout 600 $qemu -nographic -monitor none -serial none \
    -chardev stdio,id=semihosting -semihosting-config enable=on,target=native,chardev=semihosting -icount shift=0 \
    -kernel "$dir/firmware.elf" >"$dir/output.txt" 2>"$dir/qemu.err"
  status=$?
  [ $status -eq 0 ] && pass "$t: runs on $qemu, exit 0" || { fail "$t: $qemu exits $status"; tail -n 5 "$dir/output.txt" "$dir/qemu.err"; }
  grep -v '^measure ' "$dir/output.txt" >"$dir/answers.txt"
  case "$t" in
    cmsis-*)
      # Every model, every golden input: CMSIS-NN's int8 outputs equal dgi_infer's.
      compared=$(grep -c ' 0 differ from dgi_infer$' "$dir/answers.txt")
      if [ "$compared" -eq 5 ] && grep -q '^done: 0 errors$' "$dir/answers.txt"; then
        pass "$t: CMSIS-NN and dgi_infer give the same int8 outputs ($(grep '^cmsis ' "$dir/answers.txt" | cut -d' ' -f2- | tr '\n' ' '))"
      else
        fail "$t: CMSIS-NN and dgi_infer differ"
        grep -E '^(cmsis|error|done)' "$dir/answers.txt" | head -10
      fi ;;
    *)
      if cmp -s "$dir/answers.txt" "$build/expected.txt"; then
        pass "$t: output equals the host's byte for byte ($(wc -l <"$dir/answers.txt") lines)"
      else
        fail "$t: output differs from the host's"
        diff "$dir/answers.txt" "$build/expected.txt" | head -10
      fi ;;
  esac
  {
    echo "== $t ($qemu)"
    echo "runtime, inference only: $(sizes "$dir/runtime-inference.o")"
    echo "runtime with preprocess: $(sizes "$dir/runtime-all.o")"
    [ -f "$dir/cmsis/kernels.o" ] && echo "CMSIS-NN kernels:        $(sizes "$dir/cmsis/kernels.o")"
    echo "whole image:             $(sizes "$dir/firmware.elf")"
    grep '^measure ' "$dir/output.txt"
  } | tee -a "$summary"
done

# ---- what fits a 64 KiB flash / 16 KiB RAM part -----------------------------
# example.c (open + classify one image) linked with board-64k16k.ld for the
# Cortex-M4: the link itself says whether a model fits; each one that does
# runs under QEMU and must give the digit that example.c built for the host
# (with the host library) gives. small-int8 and tiny.dgi must fit.
link_example() { # NAME MODEL_FILE SCRATCH
  local dir=$build/example-$1 m4=$build/m4 libgcc
  mkdir -p "$dir"
  libgcc=$(arm-none-eabi-gcc -print-libgcc-file-name -mcpu=cortex-m4 -mthumb -mfloat-abi=soft)
  "$clang" --target=thumbv7em-none-eabi -mcpu=cortex-m4 -mthumb -mfloat-abi=soft -Os -ffunction-sections \
    -fdata-sections -ffreestanding -fno-builtin -Wall -Werror -I include -I "$here" -DEXAMPLE_SCRATCH="$3" \
    -c "$here/example.c" -o "$dir/example.o" &&
    "$clang" --target=thumbv7em-none-eabi -mcpu=cortex-m4 -mthumb -DEXAMPLE_MODEL="\"$2\"" \
      -DEXAMPLE_IMAGES="\"$repo/Tests/DigitInferTests/Golden/inputs.bin\"" -DEXAMPLE_INDEX=0 \
      -c "$here/example-data.S" -o "$dir/example-data.o" &&
    "$lld" --gc-sections -T "$here/board-64k16k.ld" -o "$dir/example.elf" "$m4/firmware.o" "$m4/arch.o" "$m4/arch-asm.o" \
      "$dir/example.o" "$dir/example-data.o" "$m4/DigitInfer.o" "$libgcc" 2>"$dir/link.err" &&
    cc -O2 -I "$build/host/include" -I "$here" -DEXAMPLE_SCRATCH=131072 -DEXAMPLE_MODEL="\"$2\"" \
      -DEXAMPLE_IMAGES="\"$repo/Tests/DigitInferTests/Golden/inputs.bin\"" -DEXAMPLE_INDEX=0 -o "$dir/example-host" \
      "$here/example.c" "$here/host.c" "$here/example-data.S" "$build/host/lib/libdigitinfer.a"
}
if [[ " $targets " == *" m4 "* ]] && [ -f "$build/m4/firmware.elf" ]; then
  echo "==> example.c on a 64 KiB flash / 16 KiB RAM Cortex-M4"
  # Scratch: the m4 build's dgi_model_scratch_size (the two activation arenas).
  for model in "mnist-int8 models/mnist-int8.dgi 14400 may" "reference-int8 models/reference-int8.dgi 11520 may" \
    "small-int8 models/small-int8.dgi 5760 must" "tiny.dgi Tests/DigitInferTests/Golden/tiny.dgi 3920 must"; do
    set -- $model
    dir=$build/example-$1
    if ! link_example "$1" "$repo/$2" "$3"; then
      verdict="does not fit:$(sed -n "s/.*will not fit in region '\([A-Z]*\)': overflowed by \([0-9]*\) bytes.*/\1 \2/p" \
        "$dir/link.err" | awk '$2 > max[$1] { max[$1] = $2 } END { for (r in max) printf " %s overflowed by %d bytes;", r, max[r] }')"
      echo "$1: $verdict" | tee -a "$summary"
      [ "$4" = must ] && fail "example.c with $1 does not fit 64 KiB/16 KiB: $verdict $(grep -v 'will not fit' "$dir/link.err" | head -3)"
      continue
    fi
    echo "$1: fits ($(sizes "$dir/example.elf"))" | tee -a "$summary"
    timeout 60 qemu-system-arm -M mps2-an386 -nographic -monitor none -serial none \
      -chardev stdio,id=semihosting -semihosting-config enable=on,target=native,chardev=semihosting -icount shift=0 \
      -kernel "$dir/example.elf" >"$dir/output.txt" 2>&1
    status=$?
    want=$("$dir/example-host")
    grep -E '^example|^measure (dgi|stack)' "$dir/output.txt" | sed "s/^/$1: /" | tee -a "$summary"
    if [ $status -eq 0 ] && [ -n "$want" ] && grep -qxF "$want" "$dir/output.txt"; then
      pass "example.c in 64 KiB/16 KiB ($1) runs on QEMU and answers like the host (${want#example: })"
    else
      fail "example.c in 64 KiB/16 KiB ($1): exit $status, the host says '$want'"
    fi
  done
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
