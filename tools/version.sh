#!/bin/sh
# Prints the project's version: DGI_VERSION of include/digitinfer.h, the one
# place it is written (the library's dgi_version(), the tools' --version, the
# Python package, the CMake and pkg-config files and the release artifacts
# all report it). Fails if the header has no such line.
#
# tools/version.sh --abi prints DGI_ABI_VERSION instead: the number in the
# shared library's name and soname (libdigitinfer.so.N), so that a program
# built against another ABI never loads this library.
header=$(dirname "$0")/../include/digitinfer.h
if [ "${1:-}" = --abi ]; then
  abi=$(sed -n 's/^#define DGI_ABI_VERSION \([0-9][0-9]*\)u$/\1/p' "$header")
  if [ -z "$abi" ]; then
    echo "version.sh: no #define DGI_ABI_VERSION Nu in $header" >&2
    exit 1
  fi
  echo "$abi"
  exit 0
fi
version=$(sed -n 's/^#define DGI_VERSION "\([^"]*\)"$/\1/p' "$header")
if [ -z "$version" ]; then
  echo "version.sh: no #define DGI_VERSION \"...\" in $header" >&2
  exit 1
fi
echo "$version"
