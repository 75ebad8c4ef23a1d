#!/bin/sh
# Measures `digitinfer-cli read` on whole numbers drawn from MNIST test
# digits: generates the set with make-numbers, reads it with --json, and
# prints markdown tables of sequence accuracy (tools/numbers/score.py).
#
#   tools/numbers/measure.sh [--count N] [--seed S] [--digits test|validation] [--model FILE] [--out DIR] [-- score.py options]
#
# Defaults: 3000 images, seed 1, MNIST test digits (--digits validation: the
# held-out part of the training set, for tuning the reader), the CLI's
# built-in model (--model: a .dgi file, e.g. a candidate), /tmp/digitinfer-numbers. The MNIST data is
# found as make-numbers finds it ($DIGITINFER_DATA, else ../shared/data).
# $DIGITINFER_CLI and $MAKE_NUMBERS name prebuilt executables; else both are
# built with `swift build -c release`. Example with the issue's targets:
#   tools/numbers/measure.sh --count 3000 -- --min-separated-4 0.98 --min-touching-4 0.90
set -eu
count=3000
seed=1
digits=test
model=
out=/tmp/digitinfer-numbers
while [ $# -gt 0 ]; do
  case "$1" in
    --count) count=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --digits) digits=$2; shift 2 ;;
    --model) model=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "measure.sh: unknown option $1" >&2; exit 64 ;;
  esac
done
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
if [ -z "${DIGITINFER_CLI:-}" ] || [ -z "${MAKE_NUMBERS:-}" ]; then
  swift build -c release --product make-numbers >&2
  swift build -c release --product digitinfer-cli >&2
  bin=$(swift build -c release --show-bin-path)
fi
cli=${DIGITINFER_CLI:-$bin/digitinfer-cli}
make_numbers=${MAKE_NUMBERS:-$bin/make-numbers}

rm -rf "$out"
"$make_numbers" --out "$out" --count "$count" --seed "$seed" --digits "$digits" >&2
# Exit status 1 means some image failed to read: those count as misses.
status=0
"$cli" read --json ${model:+--model "$model"} "$out" > "$out/answers.jsonl" 2> "$out/errors.txt" || status=$?
if [ "$status" -gt 1 ]; then cat "$out/errors.txt" >&2; exit "$status"; fi
echo "Command: tools/numbers/measure.sh --count $count --seed $seed --digits $digits${model:+ --model $model} ($("$cli" --version), model: ${model:-default})"
echo
python3 tools/numbers/score.py "$out/manifest.tsv" "$out/answers.jsonl" "$@"
