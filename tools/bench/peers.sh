#!/usr/bin/env bash
# DigitInfer side by side with the peer runtimes (LiteRT int8 + XNNPACK,
# LiteRT builtin kernels, ONNX Runtime int8) on this machine, in one run:
# single-image latency on one pinned core, throughput on all cores, and
# optionally the agreement of a LiteRT model trained on MNIST with ours.
# The peers come from the kit in ../shared/peers (see its README.md), set up
# in /tmp/peers. Run `tools/bench/peers.sh --help` for usage.
set -euo pipefail

# ---------------------------------------------------------------- settings
# Our kernel sets, one table row each. "auto" leaves DIGITINFER_KERNELS unset
# (the runtime picks the best for this CPU); any other word is passed as
# DIGITINFER_KERNELS=word. A set the CLI refuses is skipped with a note.
KERNEL_SETS=${PEERS_KERNEL_SETS:-"auto sse2 avx2 avxvnni avx512vnni"}

# ONNX Runtime int8 models built by the kit, "file:label". The kit builds
# five int8 variants; these are the per-tensor ones in both formats (QDQ with
# u8 and s8 activations, QOperator). The fastest is the ratio reference.
ORT_VARIANTS=("model_qdq_u8s8.onnx:QDQ u8s8" "model_qdq_s8s8.onnx:QDQ s8s8" "model_qop_u8s8.onnx:QOperator u8s8")

# LiteRT throughput configurations, "batch instances threads-per-instance":
# the kit's README quotes 2 instances x batch 8; the others check that this
# is still the best here (bigger batches, or one instance with 2 threads).
LITERT_THR_CONFIGS=("1 2 1" "8 2 1" "32 2 1" "8 1 2" "32 1 2")

# Our throughput entry points, "label|digitinfer-cli arguments"; each must
# print one JSON object with images_per_second; --json --iterations N are
# appended. One the CLI refuses (an option it does not have yet) is skipped.
# bench --batch N (dgi_classify_batch) is the batch entry point; batch 8 is
# LiteRT's best configuration in the kit's README. The reference-int8 row
# runs the peers' network; the others the shipped model (1.5x the MACs).
OURS_THROUGHPUT=(
  "DigitInfer auto, reference-int8, 2 threads, batch 8 (bench --model models/reference-int8.dgi --threads 2 --batch 8)|bench --model models/reference-int8.dgi --threads 2 --batch 8"
  "DigitInfer auto, mnist-int8 (shipped), 2 threads (bench --threads 2)|bench --threads 2"
  "DigitInfer auto, mnist-int8 (shipped), 2 threads, batch 8 (bench --threads 2 --batch 8)|bench --threads 2 --batch 8"
)

PEERS=/tmp/peers                                  # the kit's scripts expect this place
MODELS=$PEERS/models_c16k5_p2_c32k5_p2_d64_d10    # reference architecture, built by setup.sh
PY=$PEERS/venv/bin/python
CPU_LOCK=${CPU_LOCK:-/tmp/cpu.lock}               # shared with everyone timing on this machine
BENCH_CPU=${BENCH_CPU:-1}                         # the core single-thread runs are pinned to

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
kit=${PEERS_KIT:-$repo/../shared/peers}

usage() {
  cat <<'EOF'
Usage: tools/bench/peers.sh [options]

Benchmarks DigitInfer against LiteRT (int8, XNNPACK and builtin kernels) and
ONNX Runtime (int8) on the reference architecture c16k5,p2,c32k5,p2,d64,d10
(1,083,008 MACs), and prints markdown tables:
  1. single image, one thread pinned to one core: median and p99 latency,
     MACs per cycle, share of the core's AVX-512 VNNI peak, ratios to
     LiteRT-XNNPACK and to ONNX Runtime; ours once per kernel set
     (DIGITINFER_KERNELS), on models/reference-int8.dgi and on the shipped
     models/mnist-int8.dgi;
  2. throughput on all cores: LiteRT's configurations (batch x instances x
     threads) against ours, images/s;
  3. with --agreement: LiteRT int8 trained on MNIST by the kit vs our
     models/reference-int8.dgi on the 10,000 MNIST test images.
Each figure is the median over the repetitions of each run's own median (or
p99); the runtimes take turns within each repetition. Timing runs hold
flock /tmp/cpu.lock and are pinned with taskset.

Options:
  --reps N            repetitions (default 5)
  --iters N           timed single-image runs per measurement (default 20000)
  --quick             smoke test: --reps 1 --iters 500
  --kernels "LIST"    our kernel sets (default: "auto sse2 avx2 avxvnni avx512vnni",
                      or $PEERS_KERNEL_SETS)
  --agreement         also run the agreement check (trains the kit's model
                      once, about 2-5 minutes, then reuses it)
  --retrain           train the agreement model again
  --epochs N          training epochs for the agreement model (default 8)
  --out FILE          also write the tables to FILE
  --raw FILE          also write every measurement (one line per run) to FILE
  --scratch-path DIR  swift build directory (default: $DIGITINFER_SCRATCH_PATH,
                      else <repo>/.build)
  --cli PATH          use this digitinfer-cli instead of building one
  -h, --help          show this help

Environment: DIGITINFER_SCRATCH_PATH, PEERS_KERNEL_SETS, MNIST_DIR (default
<repo>/../shared/data/mnist), PEERS_KIT (default <repo>/../shared/peers),
CPU_LOCK (default /tmp/cpu.lock), BENCH_CPU (default 1).
Peers: /tmp/peers, made by the kit's setup.sh, which this script runs when
/tmp/peers is not ready (3-5 minutes, needs PyPI).
EOF
}

die() { echo "peers.sh: error: $*" >&2; exit 1; }
note() { echo "peers.sh: $*" >&2; }

# ---------------------------------------------------------------- options
invocation="tools/bench/peers.sh${*:+ $*}"   # for the report's last line
reps=5
iters=20000
agreement=0
retrain=0
epochs=8
out_file=""
raw_file=""
scratch=${DIGITINFER_SCRATCH_PATH:-}
cli=""
is_count() { [[ $1 =~ ^[1-9][0-9]*$ ]]; }
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) [ $# -ge 2 ] && is_count "$2" || die "--reps needs a positive number"; reps=$2; shift 2 ;;
    --iters) [ $# -ge 2 ] && is_count "$2" || die "--iters needs a positive number"; iters=$2; shift 2 ;;
    --quick) reps=1; iters=500; shift ;;
    --kernels) [ $# -ge 2 ] || die "--kernels needs a list"; KERNEL_SETS=$2; shift 2 ;;
    --agreement) agreement=1; shift ;;
    --retrain) agreement=1; retrain=1; shift ;;
    --epochs) [ $# -ge 2 ] && is_count "$2" || die "--epochs needs a positive number"; epochs=$2; shift 2 ;;
    --out) [ $# -ge 2 ] || die "--out needs a file"; out_file=$2; shift 2 ;;
    --raw) [ $# -ge 2 ] || die "--raw needs a file"; raw_file=$2; shift 2 ;;
    --scratch-path) [ $# -ge 2 ] || die "--scratch-path needs a directory"; scratch=$2; shift 2 ;;
    --cli) [ $# -ge 2 ] || die "--cli needs a path"; cli=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
# digitinfer-cli bench refuses fewer than 100 iterations.
[ "$iters" -ge 100 ] || die "--iters must be at least 100"
read -r -a ksets <<<"$KERNEL_SETS"
[ ${#ksets[@]} -gt 0 ] || die "no kernel sets given"
for k in "${ksets[@]}"; do [[ $k =~ ^[A-Za-z0-9_.-]+$ ]] || die "bad kernel set name '$k'"; done
# Paths given relative to the caller's directory stay so after the cd below.
[ -z "$out_file" ] || { mkdir -p "$(dirname "$out_file")" && out_file=$(cd "$(dirname "$out_file")" && pwd)/$(basename "$out_file"); } ||
  die "cannot create the directory of --out $out_file"
[ -z "$raw_file" ] || { mkdir -p "$(dirname "$raw_file")" && raw_file=$(cd "$(dirname "$raw_file")" && pwd)/$(basename "$raw_file"); } ||
  die "cannot create the directory of --raw $raw_file"
[ -z "$scratch" ] || { mkdir -p "$scratch" && scratch=$(cd "$scratch" && pwd); } || die "cannot create --scratch-path $scratch"
if [ -n "$cli" ]; then
  [ -x "$cli" ] && [ -f "$cli" ] || die "--cli $cli: no such executable"
  cli=$(cd "$(dirname "$cli")" && pwd)/$(basename "$cli")
fi
mnist=${MNIST_DIR:-$repo/../shared/data/mnist}
warmup=$((iters / 10))

start_time=$SECONDS
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$repo"

# ---------------------------------------------------------------- prerequisites
for tool in flock taskset cc; do
  command -v "$tool" >/dev/null || die "'$tool' not found (flock and taskset: util-linux; cc: a C compiler)"
done
ncpu=$(nproc)
[ "$BENCH_CPU" -lt "$ncpu" ] || die "BENCH_CPU=$BENCH_CPU but this machine has $ncpu CPUs"
for f in models/reference-int8.dgi models/mnist-int8.dgi; do [ -f "$f" ] || die "$repo/$f is missing"; done

peers_ready() {
  [[ -x $PEERS/litert_c/bench_litert && -x $PEERS/ort_c/bench_ort && -x $PEERS/extra/litert_thr && -x $PY &&
     -f $MODELS/model_int8.tflite && -f $MODELS/model_qdq_u8s8.onnx ]]
}

# Sets up /tmp/peers with the kit's setup.sh, unless it is ready or being set
# up by someone else (two setups at once would overwrite each other's venv).
ensure_peers() {
  peers_ready && return 0
  local waited=0
  while pgrep -f 'peers/setup\.sh' >/dev/null; do
    [ $waited -eq 0 ] && note "waiting for a running setup.sh to finish"
    [ $waited -lt 1200 ] || die "setup.sh has been running for 20 minutes; see its log"
    sleep 10
    waited=$((waited + 10))
  done
  peers_ready && return 0
  [ -x "$kit/setup.sh" ] || die "/tmp/peers is not set up and the kit's setup.sh is not at $kit (set PEERS_KIT)"
  note "setting up the peer runtimes in /tmp/peers (3-5 minutes; log: $work/setup.log)"
  "$kit/setup.sh" >"$work/setup.log" 2>&1 || note "setup.sh failed; last lines:"$'\n'"$(tail -5 "$work/setup.log")"
  # onnxruntime's quantization pre-processing needs sympy, which recent
  # onnxruntime wheels no longer install; setup.sh's model build then stops
  # before the int8 .onnx files (its output goes to /dev/null). Add sympy and
  # build the models again.
  if ! peers_ready && [ -x "$PY" ] && ! "$PY" -c 'import sympy' 2>/dev/null; then
    note "installing sympy into /tmp/peers/venv and building the peer models again"
    "$PY" -m pip install -q sympy >>"$work/setup.log" 2>&1 || die "pip install sympy failed (see $work/setup.log)"
    (cd "$PEERS" && TF_CPP_MIN_LOG_LEVEL=2 "$PY" bench_peers.py build --arch c16k5,p2,c32k5,p2,d64,d10 --out "$MODELS") \
      >>"$work/setup.log" 2>&1 || { tail -20 "$work/setup.log" >&2; die "building the peer models failed"; }
  fi
  peers_ready || { tail -20 "$work/setup.log" >&2; die "/tmp/peers is still not ready after setup.sh"; }
}
ensure_peers

# Batch models for the LiteRT throughput runs (batch 1 is the kit's model).
batches=$(for c in "${LITERT_THR_CONFIGS[@]}"; do read -r b _ <<<"$c"; [ "$b" = 1 ] || echo "$b"; done | sort -un | tr '\n' ' ')
missing=""
for b in $batches; do [ -f "$PEERS/extra/models/model_int8_b$b.tflite" ] || missing+=" $b"; done
if [ -n "$missing" ]; then
  note "making LiteRT batch models:$missing"
  # nice: this is set-up, not a timing run; leave the cores to others first.
  nice -n 10 "$PY" "$PEERS/extra/make_tflite_extra.py" batch $missing >"$work/batch.log" 2>&1 ||
    { tail -20 "$work/batch.log" >&2; die "make_tflite_extra.py batch$missing failed"; }
fi

# ---------------------------------------------------------------- build
if [ -z "$cli" ]; then
  command -v swift >/dev/null || export PATH=/opt/swift/usr/bin:$PATH
  command -v swift >/dev/null || die "swift not found (put it on PATH, or give --cli)"
  scratch=${scratch:-$repo/.build}
  note "building digitinfer-cli (release) in $scratch"
  # nice: building is not timed, and someone else may be timing or compiling.
  nice -n 10 swift build -c release --product digitinfer-cli --scratch-path "$scratch" >"$work/build.log" 2>&1 ||
    { tail -30 "$work/build.log" >&2; die "swift build failed"; }
  cli=$scratch/release/digitinfer-cli
fi
[ -x "$cli" ] || die "digitinfer-cli not found at $cli"

# ---------------------------------------------------------------- helpers
# Runs a timing command alone (the lock) on the benchmark core.
pinned() { flock "$CPU_LOCK" taskset -c "$BENCH_CPU" "$@"; }

# json FILE KEY...: the keys' values from the last JSON line of FILE, one per
# line ("" for a missing key).
json() {
  "$PY" - "$@" <<'EOF'
import json, sys
lines = [l for l in open(sys.argv[1]).read().splitlines() if l.startswith("{")]
d = json.loads(lines[-1]) if lines else {}
for k in sys.argv[2:]:
    v = d.get(k, "")
    print(v if v is not None else "")
EOF
}

# median: of the numbers on standard input.
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) exit 1; print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# The core clock. vnni_peak measures it with a chain of dependent
# `add reg, imm`, which Intel cores since Golden Cove fold at rename (several
# per cycle), so it can read 12-18 GHz there. A chain of dependent imul
# (3 cycles on every current x86 core) cannot be folded.
cat >"$work/clock.c" <<'EOF'
#include <stdio.h>
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
int main(void) {
  double best = 0;
  for (int k = 0; k < 300; k++) {  /* best of many short samples misses preemptions */
    unsigned long x = 1, m = 3;
    double t = now();
    for (int i = 0; i < 10000; i++) __asm__ volatile(".rept 100\n\timul %1, %0\n\t.endr" : "+r"(x) : "r"(m));
    double ghz = 10000 * 100 * 3.0 / (now() - t) / 1e9;
    if (ghz > best) best = ghz;
  }
  printf("%.3f\n", best);
  return 0;
}
EOF
cc -O2 "$work/clock.c" -o "$work/clock" || die "cannot compile the clock probe with cc"

clock_samples=()      # GHz, dependent imul chain
peak_ns_samples=()    # int8 MACs per ns with vpdpbusd zmm
vnni_clock_samples=() # vnni_peak's own clock_ghz, reported only
measure_clock() {
  clock_samples+=("$(pinned "$work/clock")")
  if [ -x "$PEERS/extra/vnni_peak" ]; then
    pinned "$PEERS/extra/vnni_peak" >"$work/vnni.json" || die "vnni_peak failed"
    local g m
    { read -r g; read -r m; } < <(json "$work/vnni.json" clock_ghz int8_macs_per_cycle_vnni_zmm)
    [ -n "$g" ] && [ -n "$m" ] || die "vnni_peak printed no clock_ghz/int8_macs_per_cycle_vnni_zmm: $(cat "$work/vnni.json")"
    # Its per-cycle figure is per ns divided by its clock: take per ns back.
    peak_ns_samples+=("$(awk -v g="$g" -v m="$m" 'BEGIN { print g * m }')")
    vnni_clock_samples+=("$g")
  fi
}

# Work done by the other CPUs while a single-thread run holds the benchmark
# core. The lock keeps out other timing runs but not builds or tests; and
# on virtual machines whose CPUs share physical ones (on this project's, two
# busy CPUs each get about half the time) such load slows the pinned run.
cpu_times() { awk '/^cpu[0-9]/ { print $1, $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }
others_busy() { # BEFORE-FILE: busy share of the other CPUs since then
  cpu_times | awk -v me="cpu$BENCH_CPU" 'NR == FNR { b[$1] = $2; t[$1] = $3; next }
    $1 != me { busy += $2 - b[$1]; total += $3 - t[$1] } END { printf "%.3f\n", (total > 0) ? busy / total : 0 }' "$1" -
}

# ---------------------------------------------------------------- rows
# A row: ROW_LABEL[id], ROW_MACS[id]; run_row id fills $work/lat.tsv with
# "id <tab> median_us <tab> p99_us" per repetition.
declare -A ROW_LABEL ROW_MACS ROW_CMD ROW_KIND ROW_KSET ROW_NOTE
rows=()
ref_macs=$(json "$MODELS/build_report.json" macs 2>/dev/null || true)
ref_macs=${ref_macs:-1083008}
add_row() { # id kind label macs command...
  local id=$1
  rows+=("$id"); ROW_KIND[$id]=$2; ROW_LABEL[$id]=$3; ROW_MACS[$id]=$4; shift 4
  ROW_CMD[$id]=$(printf '%q ' "$@")
}
add_row litert_xnn litert "LiteRT int8 + XNNPACK" "$ref_macs" \
  "$PEERS/litert_c/bench_litert" "$MODELS/model_int8.tflite" "$iters" "$warmup" delegate
add_row litert_builtin litert "LiteRT int8 builtin kernels" "$ref_macs" \
  "$PEERS/litert_c/bench_litert" "$MODELS/model_int8.tflite" "$iters" "$warmup" builtin
ort_rows=()
for v in "${ORT_VARIANTS[@]}"; do
  file=${v%%:*}
  if [ -f "$MODELS/$file" ]; then
    add_row "ort_${file%.onnx}" ort "ONNX Runtime int8 ${v#*:}" "$ref_macs" "$PEERS/ort_c/bench_ort" "$MODELS/$file" "$iters" "$warmup"
    ort_rows+=("ort_${file%.onnx}")
  else
    note "skipping ONNX Runtime $file: not built by the kit"
  fi
done
[ ${#ort_rows[@]} -gt 0 ] || die "no ONNX Runtime int8 model in $MODELS"
for model in reference-int8 mnist-int8; do
  macs=$("$cli" bench --model "models/$model.dgi" --threads 1 --iterations 100 --json >"$work/probe.json" 2>"$work/probe.err" &&
    json "$work/probe.json" macs) || { cat "$work/probe.err" >&2; die "digitinfer-cli bench fails on models/$model.dgi"; }
  tag=$model; [ "$model" = mnist-int8 ] && tag="mnist-int8 (shipped)"
  for kset in "${ksets[@]}"; do
    add_row "ours_${kset}_$model" ours "DigitInfer $kset, $tag" "$macs" \
      "$cli" bench --model "models/$model.dgi" --threads 1 --json --iterations "$iters"
    ROW_KSET[ours_${kset}_$model]=$kset
  done
done
declare -A SKIPPED   # kernel set -> why

# run_row ID REP: one measurement, appended to lat.tsv; returns 1 when an
# optional row (a kernel set) fails.
run_row() {
  local id=$1 kind=${ROW_KIND[$1]} kset=${ROW_KSET[$1]:-} envcmd=()
  if [ "$kind" = ours ]; then
    [ -z "${SKIPPED[$kset]:-}" ] || return 1
    if [ "$kset" = auto ]; then envcmd=(env -u DIGITINFER_KERNELS); else envcmd=(env "DIGITINFER_KERNELS=$kset"); fi
  fi
  local cmd
  eval "cmd=(${ROW_CMD[$id]})"
  cpu_times >"$work/before"
  if ! pinned ${envcmd[@]+"${envcmd[@]}"} "${cmd[@]}" >"$work/run.json" 2>"$work/run.err"; then
    if [ "$kind" = ours ] && [ "$kset" != auto ]; then
      SKIPPED[$kset]=$(grep -v '^$' "$work/run.err" | head -1 | cut -c1-120)
      note "kernel set '$kset' skipped: digitinfer-cli failed with DIGITINFER_KERNELS=$kset: ${SKIPPED[$kset]}"
      return 1
    fi
    cat "$work/run.err" >&2
    die "${ROW_LABEL[$id]} failed: ${cmd[*]}"
  fi
  others_busy "$work/before" >>"$work/others.tsv"
  local med p99 ran
  if [ "$kind" = ours ]; then
    # Newer CLIs say which kernels ran. The runtime falls back to the best
    # set for a DIGITINFER_KERNELS it cannot run, so a different answer means
    # this CPU (or build) lacks the set: skip it like a failure.
    { read -r med; read -r p99; read -r ran; } < <(json "$work/run.json" latency_median_us latency_p99_us kernels)
    if [ -n "$ran" ] && [ "$kset" != auto ] && [ "$ran" != "$kset" ]; then
      SKIPPED[$kset]="DIGITINFER_KERNELS=$kset ran $ran: not available here"
      note "kernel set '$kset' skipped: ${SKIPPED[$kset]}"
      return 1
    fi
    [ -z "$ran" ] || ROW_NOTE[$id]=$ran
  else
    { read -r med; read -r p99; } < <(json "$work/run.json" median_us p99_us)
  fi
  [ -n "$med" ] && [ -n "$p99" ] || die "${ROW_LABEL[$id]}: no median/p99 in its output: $(head -c 300 "$work/run.json")"
  printf '%s\t%s\t%s\n' "$id" "$med" "$p99" >>"$work/lat.tsv"
}

# ---------------------------------------------------------------- measure
measure_clock
: >"$work/lat.tsv"
: >"$work/thr.tsv"
: >"$work/others.tsv"
n=${#rows[@]}
for ((r = 0; r < reps; r++)); do
  note "repetition $((r + 1))/$reps: single image, one thread (${n} rows)"
  # Each repetition starts one row further on, so that no runtime always
  # follows the same one (caches, clock ramps).
  for ((k = 0; k < n; k++)); do run_row "${rows[$(((k + r) % n))]}" || true; done
done

# Throughput: every configuration once per repetition, in turn.
thr_ids=()
declare -A THR_LABEL THR_CMD THR_KIND THR_SKIP
for c in "${LITERT_THR_CONFIGS[@]}"; do
  read -r b inst nt <<<"$c"
  model=$MODELS/model_int8.tflite
  [ "$b" = 1 ] || model=$PEERS/extra/models/model_int8_b$b.tflite
  runs=$(((iters + b - 1) / b))   # about --iters images per instance
  id="litert_b${b}_i${inst}_t$nt"
  thr_ids+=("$id"); THR_KIND[$id]=litert
  THR_LABEL[$id]="LiteRT XNNPACK, batch $b, $inst instance$([ "$inst" = 1 ] || echo s) x $nt thread$([ "$nt" = 1 ] || echo s)"
  THR_CMD[$id]=$(printf '%q ' "$PEERS/extra/litert_thr" "$model" "$inst" "$nt" "$runs" delegate)
done
i=0
for e in "${OURS_THROUGHPUT[@]}"; do
  id="ours_thr_$i"; i=$((i + 1))
  thr_ids+=("$id"); THR_KIND[$id]=ours; THR_LABEL[$id]=${e%%|*}
  THR_CMD[$id]="$(printf '%q ' "$cli") ${e#*|} --json --iterations $(printf '%q' "$iters")"
done
for ((r = 0; r < reps; r++)); do
  note "repetition $((r + 1))/$reps: throughput on all cores (${#thr_ids[@]} configurations)"
  m=${#thr_ids[@]}
  for ((k = 0; k < m; k++)); do
    id=${thr_ids[$(((k + r) % m))]}
    eval "cmd=(${THR_CMD[$id]})"
    envcmd=(); [ "${THR_KIND[$id]}" = ours ] && envcmd=(env -u DIGITINFER_KERNELS)
    [ -z "${THR_SKIP[$id]:-}" ] || continue
    # All cores: lock, no pinning (litert_thr pins its instances itself).
    if ! flock "$CPU_LOCK" ${envcmd[@]+"${envcmd[@]}"} "${cmd[@]}" >"$work/run.json" 2>"$work/run.err"; then
      if [ "${THR_KIND[$id]}" = ours ]; then
        THR_SKIP[$id]=$(grep -v '^$' "$work/run.err" | head -1 | cut -c1-120)
        note "skipping '${THR_LABEL[$id]}': ${THR_SKIP[$id]}"
        continue
      fi
      cat "$work/run.err" >&2
      die "${THR_LABEL[$id]} failed: ${cmd[*]}"
    fi
    if [ "${THR_KIND[$id]}" = ours ]; then
      { read -r ips; read -r frac; } < <(json "$work/run.json" images_per_second cpu_frac)
    else
      { read -r ips; read -r frac; } < <(json "$work/run.json" images_per_s cpu_frac)
    fi
    [ -n "$ips" ] || die "${THR_LABEL[$id]}: no images/s in its output: $(head -c 300 "$work/run.json")"
    printf '%s\t%s\t%s\n' "$id" "$ips" "${frac:-}" >>"$work/thr.tsv"
  done
done
measure_clock

# ---------------------------------------------------------------- tables
stat_of() { # tsv id column -> median over repetitions ("" when none)
  awk -F'\t' -v id="$2" -v c="$3" '$1 == id && $c != "" { print $c }' "$1" | median 2>/dev/null || true
}
clock=$(printf '%s\n' "${clock_samples[@]}" | median | awk '{ printf "%.2f", $1 }')
peak=""
if [ ${#peak_ns_samples[@]} -gt 0 ]; then
  peak_ns=$(printf '%s\n' "${peak_ns_samples[@]}" | median)
  peak=$(awk -v p="$peak_ns" -v g="$clock" 'BEGIN { printf "%.1f", p / g }')
fi

declare -A MED P99
for id in "${rows[@]}"; do MED[$id]=$(stat_of "$work/lat.tsv" "$id" 2); P99[$id]=$(stat_of "$work/lat.tsv" "$id" 3); done
xnn=${MED[litert_xnn]}
ort_best="" ort_best_id=""
for id in "${ort_rows[@]}"; do
  if [ -n "${MED[$id]}" ] && { [ -z "$ort_best" ] || awk -v a="${MED[$id]}" -v b="$ort_best" 'BEGIN { exit !(a < b) }'; }; then
    ort_best=${MED[$id]}; ort_best_id=$id
  fi
done

report=$work/report.md
{
  echo "## Single image, one thread (core $BENCH_CPU), median of $reps repetitions x $iters runs"
  echo
  echo "| runtime | median µs | p99 µs | MACs/cycle | % of VNNI peak | ÷ LiteRT-XNNPACK | ÷ ONNX Runtime |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  for id in "${rows[@]}"; do
    label=${ROW_LABEL[$id]}
    kset=${ROW_KSET[$id]:-}
    [ -z "${ROW_NOTE[$id]:-}" ] || [ "${ROW_NOTE[$id]}" = "$kset" ] || label=${label/"DigitInfer $kset,"/"DigitInfer $kset (${ROW_NOTE[$id]}),"}
    if [ -z "${MED[$id]}" ]; then
      echo "| $label | skipped: ${SKIPPED[$kset]:-no result} | | | | | |"
      continue
    fi
    awk -v l="$label" -v m="${MED[$id]}" -v p="${P99[$id]}" -v macs="${ROW_MACS[$id]}" -v g="$clock" \
      -v pk="$peak" -v x="$xnn" -v o="$ort_best" 'BEGIN {
        mpc = macs / (m * 1e3 * g)
        printf "| %s | %.2f | %.1f | %.1f | %s | %.2f | %.2f |\n", l, m, p, mpc,
          (pk == "" ? "n/a" : sprintf("%.1f %%", 100 * mpc / pk)), m / x, m / o }'
  done
  echo
  printf 'Clock %s GHz (dependent imul chain, core %s; start/end: %s). ' "$clock" "$BENCH_CPU" "$(IFS=/; echo "${clock_samples[*]}")"
  if [ -n "$peak" ]; then
    printf 'VNNI peak %s int8 MACs/cycle (vnni_peak: %s MACs/ns with vpdpbusd zmm, divided by that clock).\n' "$peak" "$(awk -v p="$peak_ns" 'BEGIN { printf "%.0f", p }')"
    vclock=$(printf '%s\n' "${vnni_clock_samples[@]}" | median | awk '{ printf "%.1f", $1 }')
    if awk -v a="$vclock" -v b="$clock" 'BEGIN { exit !(a > 1.1 * b || a < 0.9 * b) }'; then
      echo "vnni_peak's own clock_ghz ($vclock) is not the core clock here: this CPU folds its dependent add-immediate chain, so its per-cycle figures are off by that ratio; they are recomputed above."
    fi
  else
    echo "VNNI peak: n/a (no /tmp/peers/extra/vnni_peak: the kit skips it without an AVX-512 VNNI compiler target)."
  fi
  echo "MACs: ${ref_macs} for the reference architecture (peers and reference-int8.dgi), ${ROW_MACS[ours_${ksets[0]}_mnist-int8]} for mnist-int8.dgi (a bigger network: its ratios compare different work)."
  awk '{ s += $1; if ($1 > m) m = $1 } END { if (NR) printf "Other CPUs were %.0f %% busy during the single-thread runs (most in one run: %.0f %%): their load slows the pinned core where virtual CPUs share physical ones.\n", 100 * s / NR, 100 * m }' "$work/others.tsv"
  echo "Ratios are this row's median over LiteRT-XNNPACK's and over the fastest ONNX Runtime int8 variant's (${ROW_LABEL[$ort_best_id]}); above 1 is slower."
  if grep -q . <<<"${ROW_NOTE[*]:-}"; then
    echo "Our rows are labelled by the DIGITINFER_KERNELS value requested (after auto, in brackets, the set the runtime chose); a set that ran as another one is skipped."
  else
    echo "Our rows are labelled by the DIGITINFER_KERNELS value requested; this digitinfer-cli does not report which kernels ran, and may ignore the variable."
  fi
  echo
  echo "## Throughput, all $ncpu cores, median of $reps repetitions (about $iters images per instance or thread)"
  echo
  best_id="" best=""
  declare -A TMED TFRAC
  for id in "${thr_ids[@]}"; do
    TMED[$id]=$(stat_of "$work/thr.tsv" "$id" 2); TFRAC[$id]=$(stat_of "$work/thr.tsv" "$id" 3)
    if [ "${THR_KIND[$id]}" = litert ] && { [ -z "$best" ] || awk -v a="${TMED[$id]}" -v b="$best" 'BEGIN { exit !(a > b) }'; }; then
      best=${TMED[$id]}; best_id=$id
    fi
  done
  echo "| runtime, configuration | images/s | ÷ LiteRT best | CPU share |"
  echo "|---|---:|---:|---:|"
  for id in "${thr_ids[@]}"; do
    label=${THR_LABEL[$id]}
    [ "$id" != "$best_id" ] || label="**$label (best)**"
    if [ -z "${TMED[$id]}" ]; then
      echo "| $label | skipped: ${THR_SKIP[$id]:-no result} | | |"
      continue
    fi
    awk -v l="$label" -v v="${TMED[$id]}" -v b="$best" -v f="${TFRAC[$id]}" 'BEGIN {
      s = sprintf("%.0f", v); while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]($|,)/, ",&", s)
      printf "| %s | %s | %.2f | %s |\n", l, s, v / b, (f == "" ? "" : sprintf("%.0f %%", 100 * f)) }'
  done
  echo
  echo "CPU share: litert_thr's process CPU time over wall time and the cores it used; under 100 % means it did not have those cores to itself (other load, or virtual CPUs that share a physical one)."
} >"$report"
# Show (and keep) the timings now, so that a failure in the agreement step
# does not lose them.
cat "$report"
[ -z "$out_file" ] || cp "$report" "$out_file"
if [ -n "$raw_file" ]; then
  { printf 'table\tid\tvalue\tvalue2\n'
    sed 's/^/latency\t/' "$work/lat.tsv"    # id, median us, p99 us (one line per repetition)
    sed 's/^/throughput\t/' "$work/thr.tsv" # id, images/s, litert_thr cpu_frac
  } >"$raw_file"
fi

# ---------------------------------------------------------------- agreement
if [ "$agreement" = 1 ]; then
  for f in t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz; do
    [ -f "$mnist/$f" ] || die "MNIST file $mnist/$f is missing (set MNIST_DIR)"
  done
  mnist=$(cd "$mnist" && pwd)
  trained=$PEERS/extra/models/trained_int8.tflite
  keras_json=$PEERS/extra/models/trained_int8.keras.json
  # Trained once and kept in /tmp/peers; again when asked or for other epochs.
  if [ "$retrain" = 1 ] || [ ! -f "$trained" ] || ! grep -q "\"epochs\": $epochs}" "$keras_json" 2>/dev/null; then
    note "training the kit's reference architecture on MNIST ($epochs epochs, a few minutes)"
    rm -f "$trained" "$keras_json"
    # nice: training is not timed; it should not crowd out others' work.
    MNIST_DIR=$mnist nice -n 10 "$PY" "$PEERS/extra/make_tflite_extra.py" trained "$epochs" >"$work/train.log" 2>&1 ||
      { tail -20 "$work/train.log" >&2; die "make_tflite_extra.py trained $epochs failed"; }
    summary=$(grep '^{"keras_fp32_test_accuracy"' "$work/train.log" | tail -1 || true)
    [ -n "$summary" ] && [ -f "$trained" ] || { tail -20 "$work/train.log" >&2; die "make_tflite_extra.py trained gave no model or no accuracy"; }
    echo "${summary%\}}, \"epochs\": $epochs}" >"$keras_json"
  fi
  note "agreement on the 10,000 MNIST test images"
  # Our predictions: eval names each misclassified image <index>-true<label>-pred<digit>.png,
  # so the errors directory and the labels give every prediction.
  nice -n 10 "$cli" eval "$mnist/t10k-images-idx3-ubyte.gz" "$mnist/t10k-labels-idx1-ubyte.gz" \
    --model models/reference-int8.dgi --json --errors "$work/errors" >"$work/eval.json" 2>"$work/eval.err" ||
    { cat "$work/eval.err" >&2; die "digitinfer-cli eval failed"; }
  "$PY" "$here/peers_agree.py" --tflite "$trained" --mnist "$mnist" --ours-json "$work/eval.json" \
    --ours-errors "$work/errors" --keras-json "$keras_json" >"$work/agree.md" 2>"$work/agree.err" ||
    { cat "$work/agree.err" >&2; die "peers_agree.py failed"; }
  { echo; cat "$work/agree.md"; } | tee -a "$report"
fi

elapsed=$((SECONDS - start_time))
{ echo; echo "Run took $((elapsed / 60)) min $((elapsed % 60)) s: $invocation (--reps $reps --iters $iters); $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $ncpu CPUs."; } | tee -a "$report"
[ -z "$out_file" ] || cp "$report" "$out_file"
