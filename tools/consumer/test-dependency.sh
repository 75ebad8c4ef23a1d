#!/usr/bin/env bash
# Checks that DigitInfer works as a versioned dependency of another package,
# as a user adds it: SwiftPM refuses `unsafeFlags` in such a dependency, so
# this fails if Package.swift ever gives the runtime a compiler flag again.
# It tags a copy of the repository's HEAD as 99.0.0 in a temporary git
# repository, builds tools/consumer/Example (which depends on it with
# `from: "99.0.0"`), and runs it: the fastest kernel set this CPU runs must
# be chosen with no flag or variable, and the safe Swift API (`Model`) must
# classify a drawn 7 and, through its preprocessing, the sample scan of a 9.
# Ends "N passed, M failed".
set -uo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
command -v swift >/dev/null || export PATH=/opt/swift/usr/bin:$PATH
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
check() { # MESSAGE COMMAND...
  local message=$1
  shift
  if "$@"; then echo "ok    $message"; passed=$((passed + 1)); else echo "FAIL  $message"; failed=$((failed + 1)); fi
}

# The dependency: HEAD of this repository (committed work only), tagged.
git -C "$repo" archive --format=tar --prefix=DigitInfer/ HEAD | tar -x -C "$work"
git -C "$work/DigitInfer" init -q && git -C "$work/DigitInfer" add -A &&
  git -C "$work/DigitInfer" -c user.name=test -c user.email=test@example.invalid commit -qm "release" &&
  git -C "$work/DigitInfer" tag 99.0.0
cp -r "$here/Example" "$work/Example"
sed -i "s|DIGITINFER_URL|file://$work/DigitInfer|" "$work/Example/Package.swift"

# SwiftPM only refuses flags in the products a dependent uses; keep every
# target free of them, so that any product can be a dependency.
check "Package.swift gives no target unsafe compiler flags" bash -c "! grep -q unsafeFlags '$repo/Package.swift'"
check "a package depending on DigitInfer by version resolves and builds (no unsafeFlags)" \
  swift build --package-path "$work/Example" -c release
out=$("$work/Example/.build/release/example" "$repo/models/mnist-int8.dgi" "$repo/models/samples/scan-9.pgm" 2>&1)
echo "$out"
best=avx2
grep -qw avx_vnni /proc/cpuinfo && best=avxvnni
grep -qw avx512_vnni /proc/cpuinfo && grep -qw avx512bw /proc/cpuinfo && best=avx512vnni
grep -qw avx2 /proc/cpuinfo || best=sse2
[ "$(uname -m)" = x86_64 ] || best=portable
check "it runs the fastest kernel set for this CPU ($best) with no flag or variable" \
  grep -q "^kernels $best$" <<<"$out"
check "it classifies a drawn 7 with Model.classify" grep -q "^digit 7$" <<<"$out"
check "it classifies models/samples/scan-9.pgm with Model.classify(gray:)" grep -q "^image 9$" <<<"$out"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
