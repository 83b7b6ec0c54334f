#!/bin/sh
# Shows that tests/abi_check.sh (with abi/libsio.abignore) passes additions
# and fails everything else: it builds a stub library from the public header,
# takes it as the baseline, then builds stubs from edited copies of the header
# and expects each verdict.
#
#   tests/abi_check_selftest.sh
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
header=$root/abi/include/sio/sio.h
cc=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

# declared HEADER: the functions HEADER declares, one a line.
declared() {
  $cc -E -P -DSIO_CDEF -x c "$1" | tr '\n' ' ' | grep -oE '\bsio_[a-z0-9_]+ *\(' | tr -d '( ' | sort -u
}

# stub_lib HEADER_DIR OUT [NODE]: a libsio.so that defines every function of
# HEADER_DIR/sio.h with an empty body, exported as the real one is: the
# functions of the unedited header under LIBSIO_1.0, the others under NODE
# (default LIBSIO_1.1).
stub_lib() {
  dir=$1 out=$2 node=${3:-LIBSIO_1.1}
  {
    echo '#include "sio.h"'
    # One piece per ";" of the preprocessed header; those with a "(" are
    # prototypes (SIO_CDEF leaves out the system headers).
    $cc -E -P -DSIO_CDEF -x c "$dir/sio.h" | tr '\n' ' ' | tr ';' '\n' | grep 'sio_[a-z0-9_]* *(' |
      sed -E 's/^.*[{}] *//' | awk '{ if ($0 ~ /^ *void +sio_/) print $0 " {}"; else print $0 " { return 0; }" }'
  } > "$dir/stubs.c"
  declared "$dir/sio.h" > "$dir/declared"
  old=$(comm -12 "$tmp/base_declared" "$dir/declared" | sed 's/$/;/')
  new=$(comm -13 "$tmp/base_declared" "$dir/declared" | sed 's/$/;/')
  if [ "$node" = LIBSIO_1.0 ]; then
    old="$old $new" new=
  fi
  {
    echo "LIBSIO_1.0 { global: $old local: *; };"
    [ -z "$new" ] || echo "$node { global: $new } LIBSIO_1.0;"
  } > "$dir/libsio.map"
  $cc -shared -fPIC -g -O0 -DSIO_BUILDING -fvisibility=hidden -I"$dir" -o "$out" "$dir/stubs.c" \
      -Wl,--version-script="$dir/libsio.map" -Wl,-soname,libsio.so.1
}

# expect pass|fail LABEL SED_SCRIPT: the header edited by SED_SCRIPT must get
# that verdict against the unedited one.
expect() {
  verdict=$1 label=$2 script=$3 node=${4:-}
  dir=$tmp/$(echo "$label" | tr -c 'a-zA-Z0-9' '_')
  mkdir -p "$dir"
  sed -E "$script" "$header" > "$dir/sio.h"
  if cmp -s "$header" "$dir/sio.h"; then
    echo "FAIL $label: the edit changed nothing"; failed=$((failed + 1)); return
  fi
  stub_lib "$dir" "$dir/libsio.so" $node
  if SIO_ABI_BASELINE=$tmp/base.abi SIO_ABI_HEADERS=$dir sh "$root/tests/abi_check.sh" "$dir/libsio.so" > "$dir/log" 2>&1; then
    got=pass
  else
    got=fail
  fi
  if [ "$got" = "$verdict" ]; then
    echo "ok   $label: $got"; passed=$((passed + 1))
  else
    echo "FAIL $label: $got, expected $verdict"; sed 's/^/     /' "$dir/log"; failed=$((failed + 1))
  fi
}

declared "$header" > "$tmp/base_declared"
mkdir -p "$tmp/base"
cp "$header" "$tmp/base/sio.h"
stub_lib "$tmp/base" "$tmp/base/libsio.so"
SIO_ABI_BASELINE=$tmp/base.abi SIO_ABI_HEADERS=$tmp/base sh "$root/tests/abi_check.sh" --update "$tmp/base/libsio.so" > /dev/null

expect pass "unchanged header" 's/^(#define SIO_VERSION_PATCH) 0/\1 1/'
expect pass "field appended to sio_event" 's/^( *uint64_t count;.*)$/\1\n  int appended;/'
expect pass "field appended to sio_target" 's/^( *unsigned flags; *\/\* SIO_TARGET_.*)$/\1\n  const char *appended;/'
expect pass "field appended to sio_message" 's/^( *int timeout_ms;.*)$/\1\n  unsigned appended;/'
expect pass "function added" 's/^(SIO_EXTERN void sio_free\(void \*p\);)$/\1\nSIO_EXTERN int sio_added(int x);/'
expect fail "function added to LIBSIO_1.0" 's/^(SIO_EXTERN void sio_free\(void \*p\);)$/\1\nSIO_EXTERN int sio_added(int x);/' LIBSIO_1.0
expect fail "function removed" '/^SIO_EXTERN void sio_free\(void \*p\);$/d'
expect fail "parameter type changed" 's/^(SIO_EXTERN int sio_server_of\(sio_server \*srv, const char \*name,) unsigned flags\);$/\1 uint64_t flags);/'
expect fail "return type changed" 's/^SIO_EXTERN int (sio_server_port)/SIO_EXTERN long \1/'
expect fail "field inserted in the middle of sio_event" 's/^( *int type;.*)$/\1\n  int inserted;/'
expect fail "field of sio_event changed" 's/^( *)unsigned attempt;/\1uint64_t attempt;/'
expect fail "field inserted in the middle of sio_message" 's/^( *size_t args_len;.*)$/\1\n  int inserted;/'
expect fail "field appended to sio_buf" 's/^( *size_t len;)$/\1\n  int appended;/'

# A library without DWARF would show no type at all, so no type change.
strip -g -o "$tmp/nodebug.so" "$tmp/base/libsio.so"
if SIO_ABI_BASELINE=$tmp/base.abi SIO_ABI_HEADERS=$tmp/base sh "$root/tests/abi_check.sh" "$tmp/nodebug.so" > /dev/null 2>&1; then
  echo "FAIL library without debug information: pass, expected fail"; failed=$((failed + 1))
else
  echo "ok   library without debug information: fail"; passed=$((passed + 1))
fi

echo "abi_check_selftest: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
