#!/usr/bin/env bash
# Checks a prefix tree written by tools/build-cli.sh: the executables need
# no Swift (no RUNPATH into the toolchain, only C-library-level NEEDED
# entries, and they read the sample digits right with /opt/swift hidden),
# --version and --help, the man pages, the completion scripts.
#
#   tools/test-cli-standalone.sh DIR
#
# ALLOW_IMAGE_LIBS=1 accepts libjpeg, libpng and zlib as shared libraries
# (a build with --shared-image-libs). Ends with "N passed, M failed";
# exits non-zero on any failure.
set -uo pipefail
dir=${1:?usage: tools/test-cli-standalone.sh DIR}
dir=$(cd "$dir" && pwd)
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cli=$dir/bin/digitinfer-cli
passed=0
failed=0
skipped=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

check() { # check NAME COMMAND...: one check, its output kept for a failure
  local name=$1
  shift
  if "$@" >"$work/log" 2>&1; then
    passed=$((passed + 1))
    echo "ok    $name"
  else
    failed=$((failed + 1))
    echo "FAIL  $name"
    sed 's/^/      /' "$work/log" | head -20
  fi
}
skip() { skipped=$((skipped + 1)); echo "skip  $1"; }

# Shared libraries the executables may need: the C library's own, and the
# GCC runtime that every Linux has (C++ support of the static Foundation).
allowed='^(libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|librt\.so\.1|libutil\.so\.1|ld-linux-[a-z0-9_-]+\.so\.[0-9]|libstdc\+\+\.so\.6|libgcc_s\.so\.1)$'
[ "${ALLOW_IMAGE_LIBS:-0}" = 1 ] && allowed="${allowed%)\$}|libjpeg\\.so\\.[0-9]+|libpng16\\.so\\.16|libz\\.so\\.1)\$"

linkage() { # linkage EXE: no RPATH/RUNPATH but $ORIGIN, NEEDED only allowed libraries
  readelf -d "$1" >"$work/dynamic"
  grep -E "\((RPATH|RUNPATH|NEEDED)\)" "$work/dynamic"
  ! grep -E "\((RPATH|RUNPATH)\)" "$work/dynamic" | grep -vF 'Library runpath: [$ORIGIN]' || return 1
  sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' "$work/dynamic" >"$work/needed"
  echo "NEEDED: $(tr '\n' ' ' <"$work/needed")"
  [ -s "$work/needed" ] && ! grep -vE "$allowed" "$work/needed"
}

samples() { # samples RUNNER...: the CLI, started by RUNNER, reads models/samples right
  local image digit
  (cd / && "$@" "$cli" "$repo"/models/samples/*) >"$work/out" || { cat "$work/out"; return 1; }
  cat "$work/out"
  for image in "$repo"/models/samples/*; do
    digit=${image##*-}
    digit=${digit%%.*}
    grep -qF "$image: $digit (" "$work/out" || { echo "wrong or missing answer for $image (expected $digit)"; return 1; }
  done
}

clean_env() { env -i PATH=/usr/bin:/bin "$@"; }

no_swift_loaded() { # the dynamic loader opens nothing of /opt/swift
  (cd / && env -i PATH=/usr/bin:/bin LD_DEBUG=libs "$cli" "$repo/models/samples/scan-9.pgm") >"$work/ld" 2>&1 || { tail "$work/ld"; return 1; }
  grep -c "calling init" "$work/ld"
  ! grep -m5 -i "swift" "$work/ld"
}

# /opt/swift (and the build directories of the repository) replaced by empty
# directories in a mount namespace of its own.
hidden() {
  local hide="mount -t tmpfs none /opt/swift"
  for d in "$repo/.build" "$repo/.build-cli"; do [ -d "$d" ] && hide="$hide && mount -t tmpfs none $d"; done
  unshare -rm sh -c "$hide"' && test -z "$(ls /opt/swift)" && exec "$@"' sh "$@"
}

version_matches() { # VERSION of EXE is DGI_VERSION of the header
  local expected
  expected=$("$repo/tools/version.sh")
  echo "$1 --version: $("$1" --version), header: $expected"
  [ -n "$expected" ] && [ "$(clean_env "$1" --version)" = "$expected" ]
}

help_works() { clean_env "$1" --help >"$work/help" && head -3 "$work/help" && grep -q "^USAGE: " "$work/help"; }

installed_model() { # the default model is the installed copy
  (cd / && clean_env "$cli" inspect) >"$work/inspect" || return 1
  head -2 "$work/inspect"
  grep -q "^model  *$dir/share/digitinfer/mnist-int8.dgi$" "$work/inspect" &&
    cmp "$dir/share/digitinfer/mnist-int8.dgi" "$repo/models/mnist-int8.dgi"
}

man_page() { # man_page NAME: non-empty, a title (.TH, or mdoc's .Dt), renders
  local page=$dir/share/man/man1/$1.1
  test -s "$page" && grep -qE '^\.(TH|Dt) ' "$page" || { echo "$page: empty or no .TH/.Dt"; return 1; }
  if command -v man >/dev/null; then
    MANPAGER=cat MANWIDTH=80 man -l "$page" 2>"$work/warn" >"$work/rendered" || return 1
  elif command -v groff >/dev/null; then
    groff -man -Tutf8 -ww "$page" 2>"$work/warn" >"$work/rendered" || return 1
  else
    echo "(no man or groff: the source only)"
    return 0
  fi
  head -3 "$work/rendered"
  grep -q "$1" "$work/rendered" && grep -qi "usage\|synopsis" "$work/rendered" && ! grep . "$work/warn"
}

completion() { # completion SHELL FILE: non-empty, parses
  test -s "$2" || { echo "$2 is empty"; return 1; }
  "$1" -n "$2"
}

for exe in "$cli"; do
  name=${exe##*/}
  check "$name is in bin/" test -x "$exe"
  check "$name: no RUNPATH, NEEDED only the C library" linkage "$exe"
  check "$name --version is DGI_VERSION" version_matches "$exe"
  check "$name --help" help_works "$exe"
  check "$name.1 renders" man_page "$name"
  check "$name bash completion" completion bash "$dir/share/bash-completion/completions/$name"
  for shell in zsh fish; do
    file=$dir/share/zsh/site-functions/_$name
    [ $shell = fish ] && file=$dir/share/fish/vendor_completions.d/$name.fish
    if command -v $shell >/dev/null; then
      check "$name $shell completion" completion $shell "$file"
    else
      check "$name $shell completion is not empty" test -s "$file"
      skip "$name $shell completion parses ($shell not installed)"
    fi
  done
done
check "bash completion loads and completes" bash -c \
  "source '$dir/share/bash-completion/completions/digitinfer-cli' && complete -p digitinfer-cli"
check "samples read right in an empty environment" samples clean_env
check "LD_DEBUG: nothing of Swift loaded" no_swift_loaded
check "default model: share/digitinfer/mnist-int8.dgi" installed_model
if unshare -rm true 2>/dev/null && [ -d /opt/swift ]; then
  check "samples read right with /opt/swift hidden" samples hidden env -i PATH=/usr/bin:/bin
else
  skip "samples with /opt/swift hidden (no unshare -rm here, or no /opt/swift)"
fi
check "README.txt" test -s "$dir/README.txt"
echo "size: $(du -h "$cli" | cut -f1) digitinfer-cli"

[ "$skipped" = 0 ] || echo "$skipped skipped"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
