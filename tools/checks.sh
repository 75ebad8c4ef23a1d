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
