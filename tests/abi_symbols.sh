#!/bin/sh
# The shared library exports exactly the functions abi/include/sio/sio.h declares, each
# under the LIBSIO_0 version, and its SONAME is the ABI major.
set -eu
header=$1
lib=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grep -oE '\bsio_[a-z0-9_]+\(' "$header" | tr -d '(' | sort -u > "$tmp/declared"
nm -D --defined-only "$lib" | awk '$2 == "T" {print $3}' | sed 's/@.*//' | sort -u > "$tmp/exported"
if ! cmp -s "$tmp/declared" "$tmp/exported"; then
  echo "declared but not exported:"; comm -23 "$tmp/declared" "$tmp/exported"
  echo "exported but not declared:"; comm -13 "$tmp/declared" "$tmp/exported"
  exit 1
fi
unversioned=$(nm -D --defined-only "$lib" | awk '$2 == "T" && $3 !~ /@@LIBSIO_0$/ {print $3}')
[ -z "$unversioned" ] || { echo "exported without LIBSIO_0: $unversioned"; exit 1; }
readelf -d "$lib" | grep -q 'SONAME.*libsio\.so\.0' || { echo "SONAME is not libsio.so.0"; exit 1; }
echo "abi_symbols: $(wc -l < "$tmp/declared") functions, all exported and versioned"
