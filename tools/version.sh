#!/bin/sh
# Prints the project's version: DGI_VERSION of include/digitinfer.h, the one
# place it is written (the library's dgi_version(), the tools' --version, the
# Python package, the CMake and pkg-config files and the release artifacts
# all report it). Fails if the header has no such line.
header=$(dirname "$0")/../include/digitinfer.h
version=$(sed -n 's/^#define DGI_VERSION "\([^"]*\)"$/\1/p' "$header")
if [ -z "$version" ]; then
  echo "version.sh: no #define DGI_VERSION \"...\" in $header" >&2
  exit 1
fi
echo "$version"
