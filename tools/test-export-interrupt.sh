#!/usr/bin/env bash
# export-model killed with SIGKILL at random moments (during training,
# checkpointing, calibration and writing), again and again, each run
# resuming from the checkpoint the last one left. After every kill the
# destination must hold a complete, consistent model group (the old one,
# the new one, or a new one whose journal the next run finishes) and a
# checkpoint that loads; the last run, left to finish, must have trained
# every epoch exactly once.
#
#   tools/test-export-interrupt.sh [RUNS]     (default 24; about 3 minutes)
#
# Ends with "interrupt: N passed, M failed" (one check per kill, plus the
# final run); exits non-zero on any failure.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
command -v swift >/dev/null || export PATH=/opt/swift/usr/bin:$PATH
runs=${1:-24}
epochs=4
swift build -c release --product export-model >/dev/null
tool=$repo/.build/release/export-model
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dest=$work/dest
mkdir "$dest"
# A small network on 1,000 images: each epoch ends with a checkpoint, so a
# run of a few seconds passes through every phase.
common=(--int8 --arch c4k5,p2,d10 --train-limit 1000 --calibration minmax --force --overwrite --seed 7
  --out "$dest/m.dgi")

passed=0
failed=0
check() { # check WHAT: the destination after a kill (or the end)
  if python3 - "$dest" "$1" <<'EOF'; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
import json, os, struct, sys
sys.path.insert(0, "tools/format")
import dgi

dest, what = sys.argv[1], sys.argv[2]
group = ["m.dgi", "m.md", "m.json", "m-training.svg"]
names = set(os.listdir(dest))
journal = ".m.dgi.journal" in names
problems = []
stray = names - set(group) - {"run.ckpt", ".m.dgi.journal"}
# Temporaries of the killed writer may remain until the next write; any
# other file is something the tool should never leave.
unexpected = [n for n in stray if not (n.startswith(".") and n.endswith(".tmp"))]
if unexpected:
    problems.append(f"unexpected files {sorted(unexpected)}")
present = [n for n in group if n in names]
if present and len(present) != len(group) and not journal:
    problems.append(f"incomplete group {present} and no journal")
if "m.dgi" in names:
    try:
        model = dgi.read(open(os.path.join(dest, "m.dgi"), "rb").read())
    except dgi.DgiError as e:
        problems.append(f"m.dgi does not open: {e}")
        model = None
    if model and not journal and "m.json" in names:
        card = json.load(open(os.path.join(dest, "m.json")))
        meta = dict(line.split("=", 1) for line in model.metadata.splitlines() if "=" in line)
        if meta.get("date") != card["date"]:
            problems.append(f"model of {meta.get('date')} beside card of {card['date']}")
        md = open(os.path.join(dest, "m.md")).read()
        if card["date"] not in md:
            problems.append("m.md is not the card of m.json")
        epochs = [e["epoch"] for e in card["epochs"]]
        if epochs != list(range(1, len(epochs) + 1)):
            problems.append(f"epochs {epochs}: resumed runs repeated or skipped epochs")
        if what == "final" and len(epochs) != int(os.environ["EPOCHS"]):
            problems.append(f"{len(epochs)} epochs in the final card")
if "run.ckpt" in names:
    data = open(os.path.join(dest, "run.ckpt"), "rb").read()
    try:
        assert data[:4] == b"DGCK"
        (n,) = struct.unpack_from("<I", data, 4)
        header = json.loads(data[8 : 8 + n])
        floats = sum(sum(g) for g in header["groups"])
        assert 8 + n + 4 * floats == len(data), "length"
    except Exception as e:
        problems.append(f"run.ckpt is damaged: {e!r}")
if what == "final" and (journal or stray):
    problems.append(f"a finished run left {sorted(stray | ({'.m.dgi.journal'} if journal else set()))}")
if problems:
    print(f"{what}: " + "; ".join(problems))
    sys.exit(1)
EOF
}
export EPOCHS=$epochs

# An old group at the destination, as a user would have.
"$tool" "${common[@]}" --epochs 1 >/dev/null
# How long a whole run takes here, to spread the kills over it.
start=$(date +%s%N)
"$tool" "${common[@]}" --epochs "$epochs" --checkpoint "$work/timing.ckpt" >/dev/null
full_ms=$((($(date +%s%N) - start) / 1000000))
echo "a whole run takes ${full_ms} ms; killing $runs runs at random moments"

declare -A phases=()
journals=0
for ((i = 1; i <= runs; i++)); do
  resume=()
  [ -e "$dest/run.ckpt" ] && resume=(--resume)
  "$tool" "${common[@]}" --epochs "$epochs" --checkpoint "$dest/run.ckpt" "${resume[@]}" >"$work/log" 2>&1 &
  pid=$!
  # A third of the kills anywhere in a run, a third in its first half
  # (training and checkpoints), a third within 8 ms of the test accuracy
  # line, which comes just before the model group is written (the writes
  # take a few milliseconds).
  case $((i % 3)) in
  0) delay=$((RANDOM % full_ms)) ;;
  1) delay=$((RANDOM % (full_ms / 2))) ;;
  2)
    while kill -0 "$pid" 2>/dev/null && ! grep -q "^test accuracy" "$work/log"; do sleep 0.01; done
    delay=$((RANDOM % 8))
    ;;
  esac
  sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
  kill -KILL "$pid" 2>/dev/null || true
  status=0
  wait "$pid" 2>/dev/null || status=$?
  # Where the kill landed, from what the run had printed.
  if [ "$status" = 0 ]; then
    phase="finished before the kill"
    # Train anew next time, so that later kills land in training too.
    rm -f "$dest/run.ckpt"
  elif [ "$status" = 137 ]; then
    if grep -q "^test accuracy" "$work/log"; then phase="killed while writing"
    elif grep -q "^epoch $epochs/" "$work/log"; then phase="killed while calibrating"
    elif grep -q "^epoch" "$work/log"; then phase="killed while training"
    else phase="killed while loading"; fi
  else
    echo "run $i failed by itself (status $status):"
    cat "$work/log"
    failed=$((failed + 1))
    continue
  fi
  phases[$phase]=$((${phases[$phase]:-0} + 1))
  check "run $i ($phase)"
  if [ -e "$dest/.m.dgi.journal" ]; then journals=$((journals + 1)); fi
done
for phase in "${!phases[@]}"; do echo "  ${phases[$phase]} runs: $phase"; done
echo "  $journals kills left a group half renamed, finished by the next run"

# Left alone, the last run finishes what the others began.
resume=()
[ -e "$dest/run.ckpt" ] && resume=(--resume)
if "$tool" "${common[@]}" --epochs "$epochs" --checkpoint "$dest/run.ckpt" "${resume[@]}" >"$work/log" 2>&1; then
  check final
  echo "  the last run finished"
else
  cat "$work/log"
  failed=$((failed + 1))
fi
echo "interrupt: $passed passed, $failed failed"
[ "$failed" = 0 ]
