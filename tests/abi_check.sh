#!/bin/sh
# Compares the ABI of a built libsio.so with the committed baseline
# abi/libsio.abi (libabigail's abidiff; Debian package abigail-tools). Only
# additions pass: new functions, and fields appended to sio_event, sio_target
# and sio_message (abi/libsio.abignore). Anything else fails with abidiff's
# report. docs/abi-policy.md says when the baseline moves.
#
#   tests/abi_check.sh [LIBSIO_SO]            check (default: build/libsio.so)
#   tests/abi_check.sh --update [LIBSIO_SO]   rewrite the baseline from LIBSIO_SO
#
# The library needs its DWARF (RelWithDebInfo or Debug). SIO_ABI_BASELINE and
# SIO_ABI_HEADERS name another baseline and public header folder
# (tests/abi_check_selftest.sh uses them).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
baseline=${SIO_ABI_BASELINE:-$root/abi/libsio.abi}
headers=${SIO_ABI_HEADERS:-$root/abi/include/sio}
suppressions=$root/abi/libsio.abignore

update=0
if [ "${1:-}" = "--update" ]; then
  update=1
  shift
fi
lib=${1:-$root/build/libsio.so}

for tool in abidw abidiff; do
  command -v $tool >/dev/null || { echo "abi_check: $tool missing (Debian package abigail-tools)"; exit 1; }
done
[ -f "$lib" ] || { echo "abi_check: no library at $lib"; exit 1; }
# Without DWARF abidw and abidiff see only symbol names, and every type
# change would pass.
readelf -S "$lib" | grep -q '\.debug_info' ||
  { echo "abi_check: $lib has no debug information (build RelWithDebInfo or Debug)"; exit 1; }

if [ "$update" -eq 1 ]; then
  # Only what the header declares, without paths or DT_NEEDED of this
  # machine, so that the file changes only when the ABI does.
  abidw --headers-dir "$headers" --drop-private-types --exported-interfaces-only --no-corpus-path \
    --no-comp-dir-path --short-locs --no-elf-needed --out-file "$baseline.tmp" "$lib"
  sed -E "s,path='[^']*/([^/']+)',path='\\1',g" "$baseline.tmp" > "$baseline"
  rm -f "$baseline.tmp"
  echo "abi_check: wrote $baseline from $lib"
  exit 0
fi

[ -f "$baseline" ] || { echo "abi_check: no baseline $baseline (see docs/abi-policy.md)"; exit 1; }
fail() {
  echo "abi_check: $lib breaks the ABI of $baseline: $1"
  echo "abi_check: only additions are allowed within a major; see docs/abi-policy.md."
  exit 1
}

# Pass 1: every change but added functions and the appended fields the
# suppressions allow. Leaf mode, so that a change of a type reached only
# through a suppressed struct (sio_buf through sio_event) is still reported.
status=0
report=$(abidiff --leaf-changes-only --impacted-interfaces --no-added-syms --fail-no-debug-info \
  --headers-dir2 "$headers" --suppressions "$suppressions" "$baseline" "$lib" 2>&1) || status=$?
if [ "$status" -ne 0 ]; then
  printf '%s\n' "$report"
  fail "abidiff status $status"
fi

# Pass 2, unsuppressed: libabigail takes a struct with a field inserted at
# its end as suppressed even when its other fields changed too, so the
# reports of the suppressed structs may say nothing but their growth.
report=$(abidiff --leaf-changes-only --fail-no-debug-info --headers-dir2 "$headers" \
  "$baseline" "$lib" 2>&1) || true
grown=$(printf '%s\n' "$report" | awk '
  /^[^ ]/ { inside = ($0 ~ /^'\''struct (sio_event|sio_target|sio_message) at /); if (inside) head = $0; next }
  !inside || /^$/ { next }
  /^  type size changed from [0-9]+ to [0-9]+ \(in bits\)$/ { next }
  /^  [0-9]+ data member insertions?:$/ { next }
  /^    '\''.*'\'', at offset [0-9]+ \(in bits\)/ { next }
  { if (head != "") print head; head = ""; print }')
if [ -n "$grown" ]; then
  printf '%s\n' "$grown"
  fail "a size-first struct changed more than by appended fields"
fi

# An added function belongs to a new version node (abi/libsio.map): one of
# the baseline's would tell a host built against the new header that an old
# library has it.
added=$(printf '%s\n' "$report" | sed -n "s/^ *\[A\] 'function [^']*' *{\(.*\)}$/\1/p")
for sym in $added; do
  node=${sym#*@@}
  if grep -q "version='$node'" "$baseline"; then
    fail "the added function ${sym%%@*} is in $node, a version node of the baseline"
  fi
done
echo "abi_check: no incompatible change from $baseline${added:+; added: $(echo $added)}"
