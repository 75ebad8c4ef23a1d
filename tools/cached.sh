#!/usr/bin/env bash
# Runs a build command only when its output is out of date, so that scripts
# run one after another (tools/test.sh, then tools/release.sh) share one
# compilation and none of them can pick up a stale one.
#
# Usage: tools/cached.sh OUTPUT INPUT... -- COMMAND [ARG...]
#
# OUTPUT is up to date, and COMMAND is not run, when OUTPUT exists, the
# command line is the one that made it (kept in OUTPUT.cmd) and no INPUT (a
# file, or a directory: every file under it) is newer than OUTPUT. Otherwise
# OUTPUT and OUTPUT.cmd are removed, COMMAND runs and, if it succeeds,
# OUTPUT takes the time COMMAND started and OUTPUT.cmd is written. Exits
# with COMMAND's status.
set -uo pipefail

[ $# -ge 3 ] || { echo "usage: tools/cached.sh OUTPUT INPUT... -- COMMAND [ARG...]" >&2; exit 2; }
out=$1
shift
inputs=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do inputs+=("$1"); shift; done
[ "${1:-}" = -- ] && [ $# -ge 2 ] || { echo "tools/cached.sh: no command after --" >&2; exit 2; }
shift
cmd=$(printf '%q ' "$@")

# (A missing INPUT makes find fail: out of date.)
if [ -f "$out" ] && [ -f "$out.cmd" ] && [ "$(cat "$out.cmd")" = "$cmd" ] &&
  newer=$(find "${inputs[@]}" -newer "$out" -print -quit 2>/dev/null) && [ -z "$newer" ]; then
  echo "==> $(basename "$out") is up to date"
  exit 0
fi
rm -f "$out" "$out.cmd"
# OUTPUT gets the time the command started: an INPUT edited while it ran
# is newer, and makes the next run compile again.
: >"$out.start"
"$@" || { status=$?; rm -f "$out.start"; exit "$status"; }
[ -f "$out" ] || { rm -f "$out.start"; echo "tools/cached.sh: the command wrote no $out" >&2; exit 1; }
touch -c -r "$out.start" "$out" && rm -f "$out.start" && printf '%s' "$cmd" >"$out.cmd"
