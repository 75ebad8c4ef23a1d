#!/usr/bin/env bash
# Builds digitinfer-cli to run on a Linux machine without Swift, and writes
# it as a prefix tree. Run `tools/build-cli.sh --help`.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: tools/build-cli.sh --out DIR [--scratch-path DIR] [--shared-image-libs] [--no-strip]

Builds release digitinfer-cli with the Swift standard library and
Foundation linked statically (--static-swift-stdlib), and libjpeg, libpng
and zlib linked statically too, so that the executable needs only glibc and
the GCC runtime and runs on a Linux machine without Swift. (export-model is
not included: training is for people who build the package.) Writes:
  DIR/bin/digitinfer-cli
  DIR/share/man/man1/digitinfer-cli.1
  DIR/share/bash-completion/completions/digitinfer-cli
  DIR/share/zsh/site-functions/_digitinfer-cli
  DIR/share/fish/vendor_completions.d/digitinfer-cli.fish
  DIR/share/digitinfer/mnist-int8.dgi (+ .md, .json: its model card; the
      default model of DIR/bin/digitinfer-cli, which also has a built-in copy)
  DIR/README.txt

Options:
  --out DIR            the prefix to write (required; created if missing;
                       files of an earlier run are replaced)
  --scratch-path DIR   SwiftPM build directory (default: <repo>/.build-cli)
  --shared-image-libs  link libjpeg, libpng and zlib as shared libraries
                       (the machine then needs libjpeg62-turbo, libpng16-16
                       and zlib1g, or its distribution's equivalents)
  --no-strip           keep the symbols and debug information (about 75 MB
                       instead of about 58 MB)
  -h, --help           show this help

Needs the Swift toolchain (swift on PATH, else /opt/swift/usr/bin) and, for
the static image libraries, libjpeg-dev, libpng-dev and zlib1g-dev (their .a
files). The man page comes from swift-argument-parser's generate-manual
tool (what its plugin runs), built in the same scratch directory and run on
the static executable; completions from `digitinfer-cli --generate-completion-script SHELL`.
tools/test-cli-standalone.sh DIR checks the result.
EOF
}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=""
scratch=$repo/.build-cli
static_image_libs=1
strip=(-s)
while [ $# -gt 0 ]; do
  case $1 in
  --out) out=${2:?--out needs a directory}; shift 2 ;;
  --scratch-path) scratch=${2:?--scratch-path needs a directory}; shift 2 ;;
  --shared-image-libs) static_image_libs=0; shift ;;
  --no-strip) strip=(); shift ;;
  -h | --help) usage; exit 0 ;;
  *) echo "build-cli.sh: unknown argument $1 (see --help)" >&2; exit 64 ;;
  esac
done
[ -n "$out" ] || { echo "build-cli.sh: --out DIR is required (see --help)" >&2; exit 64; }
command -v swift >/dev/null || export PATH=/opt/swift/usr/bin:$PATH
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$repo"

products=(digitinfer-cli)
link=()
if [ "$static_image_libs" = 1 ]; then
  # SwiftPM links -ljpeg -lpng16 -lz, with the -L directories pkg-config
  # gives for libjpeg and libpng first. A directory holding only the three
  # .a files, named by .pc files of our own found first through
  # PKG_CONFIG_PATH, makes the
  # linker take the archives; libpng needs zlib, so -lz comes after it.
  libs=$scratch/static-libs
  mkdir -p "$libs/pkgconfig"
  for pc in "libjpeg:-ljpeg" "libpng16:-lpng16 -lz -lm"; do
    printf 'Name: %s\nDescription: static, for tools/build-cli.sh\nVersion: 0\nLibs: -L%s %s\nCflags:\n' \
      "${pc%%:*}" "$libs" "${pc#*:}" >"$libs/pkgconfig/${pc%%:*}.pc"
  done
  export PKG_CONFIG_PATH=$libs/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
  for name in libjpeg.a libpng16.a libz.a; do
    found=""
    for dir in "/usr/lib/$(uname -m)-linux-gnu" /usr/lib64 /usr/lib /usr/local/lib; do
      if [ -f "$dir/$name" ]; then found=$dir/$name; break; fi
    done
    [ -n "$found" ] || { echo "build-cli.sh: no $name (apt-get install libjpeg-dev libpng-dev zlib1g-dev, or --shared-image-libs)" >&2; exit 1; }
    ln -sf "$found" "$libs/$name"
  done
  link=(-Xlinker -L"$libs" -Xlinker -lz -Xlinker -lm)
fi

start=$(date +%s)
# SwiftPM reuses a scratch directory's build plan when only
# --static-swift-stdlib differs; a new plan each time keeps the build static.
rm -f "$scratch/release.yaml"
for product in "${products[@]}"; do
  swift build -c release --static-swift-stdlib --scratch-path "$scratch" --product "$product" ${link[@]+"${link[@]}"}
done
bin=$(swift build -c release --scratch-path "$scratch" --show-bin-path)
for product in "${products[@]}"; do
  if readelf -d "$bin/$product" | grep -q "libswiftCore"; then
    echo "build-cli.sh: $bin/$product still links the Swift libraries dynamically" >&2
    exit 1
  fi
done
echo "built in $(($(date +%s) - start)) s"

# Man pages: generate-manual (swift-argument-parser's tool, what its plugin
# runs) reads each executable's --experimental-dump-help. Built in the same
# scratch directory with the same flags, it adds only its own two modules.
# Dated by the last commit, so that the same sources give the same pages.
swift build -c release --static-swift-stdlib --scratch-path "$scratch" --product generate-manual ${link[@]+"${link[@]}"}
date=$(git log -1 --format=%cs 2>/dev/null || date -u +%F)
mkdir -p "$out/share/man/man1" "$scratch/man"
for product in "${products[@]}"; do
  "$bin/generate-manual" "$bin/$product" --date "$date" --output-directory "$scratch/man"
  # The help's blank lines are paragraph breaks (.Pp) to mdoc, not warnings.
  sed 's/^$/.Pp/' "$scratch/man/$product.1" >"$out/share/man/man1/$product.1"
done

mkdir -p "$out/bin" "$out/share/man/man1" "$out/share/bash-completion/completions" \
  "$out/share/zsh/site-functions" "$out/share/fish/vendor_completions.d" "$out/share/digitinfer"
for product in "${products[@]}"; do
  install -m 755 ${strip[@]+"${strip[@]}"} "$bin/$product" "$out/bin/$product"
  "$out/bin/$product" --generate-completion-script bash >"$out/share/bash-completion/completions/$product"
  "$out/bin/$product" --generate-completion-script zsh >"$out/share/zsh/site-functions/_$product"
  "$out/bin/$product" --generate-completion-script fish >"$out/share/fish/vendor_completions.d/$product.fish"
done
for ext in dgi md json; do install -m 644 "models/mnist-int8.$ext" "$out/share/digitinfer/"; done

version=$("$out/bin/digitinfer-cli" --version)
# The newest glibc and libstdc++ symbol versions the executables use.
newest() { objdump -T "$out"/bin/* 2>/dev/null | grep -o "$1[0-9.]*" | sort -Vu | tail -1; }
glibc=$(newest GLIBC_2)
glibcxx=$(newest GLIBCXX_3)
cat >"$out/README.txt" <<EOF
DigitInfer $version: digitinfer-cli for Linux ($(uname -m)).

The executables need only glibc (${glibc:-GLIBC_?} symbols: glibc ${glibc#GLIBC_} or newer)
and the GCC runtime (libstdc++.so.6 with ${glibcxx:-GLIBCXX_?}, libgcc_s.so.1), which
Debian 12, Ubuntu 22.04 and later distributions have: no Swift,
$( [ "$static_image_libs" = 1 ] && echo "no libjpeg, libpng or zlib." || echo "but libjpeg, libpng16 and zlib (libjpeg62-turbo libpng16-16 zlib1g).")

  bin/digitinfer-cli photo.jpg        the digit in an image (JPEG, PNG, PGM/PBM)
  bin/digitinfer-cli --help           classify, eval, inspect, bench

digitinfer-cli uses share/digitinfer/mnist-int8.dgi beside its bin/ (or the
copy built into it). To install, copy this tree to a prefix, e.g.
  cp -r bin share /usr/local/
then \`man digitinfer-cli\` works and bash, zsh and fish complete its options
(share/bash-completion, share/zsh/site-functions, share/fish). In place:
  man -l share/man/man1/digitinfer-cli.1
  source share/bash-completion/completions/digitinfer-cli
EOF
echo "wrote $out: $(du -sh "$out/bin/digitinfer-cli" | cut -f1) digitinfer-cli"
