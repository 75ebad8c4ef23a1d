# Sourced by the shell test scripts: one counter of passed and failed checks
# and the lines they print ("ok    WHAT" / "FAIL  WHAT"), which tools/test.sh
# sums from each script's closing "N passed, M failed".
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok    $*"; }
fail() { failed=$((failed + 1)); echo "FAIL  $*"; }
# check WHAT COMMAND...: one check (a failure is counted, not returned).
check() {
  local what=$1
  shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}
# require WHAT COMMAND...: a check whose failure is also returned, for the
# checks the next ones need (`require ... || continue`).
require() {
  local what=$1
  shift
  if "$@"; then pass "$what"; else fail "$what"; return 1; fi
}
# die MESSAGE: a usage or setup error of the script (exit 2, nothing counted).
die() {
  echo "$(basename "$0"): error: $*" >&2
  exit 2
}
# directory_argument "$@": --help prints the script's header comment (from
# line 2 to its `set` line); otherwise the one argument must be a directory,
# which `directory` holds as an absolute path.
directory_argument() {
  case "${1:-}" in
    -h | --help) sed -n '2,/^set -/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  esac
  [ $# -eq 1 ] || die "usage: tools/$(basename "$0") DIRECTORY (--help for more)"
  [ -d "$1" ] || die "'$1' is not a directory"
  directory=$(cd "$1" && pwd)
}
