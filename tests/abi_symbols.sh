#!/bin/sh
# The shared library exports exactly the functions abi/include/sio/sio.h
# declares, each under the version node abi/libsio.map lists it in (LIBSIO_1.0
# for the 1.0 functions), the map names every function (no wildcard), and the
# SONAME is libsio.so.<major of the header>.
#
#   tests/abi_symbols.sh HEADER LIBSIO_SO MAP
set -eu
header=$1
lib=$2
map=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The header preprocessed (comments and macros gone): what is left that looks
# like a call is a prototype.
${CC:-cc} -E -P -DSIO_CDEF -x c "$header" | tr '\n' ' ' |
  grep -oE '\bsio_[a-z0-9_]+ *\(' | tr -d '( ' | sort -u > "$tmp/declared"
major=$(${CC:-cc} -E -P -DSIO_CDEF -dM -x c "$header" | awk '$2 == "SIO_VERSION_MAJOR" {print $3}')

# "name node" for each function the map lists; a wildcard in a global list
# would export whatever the objects make visible.
sed 's,/\*.*\*/,,; s,/\*.*,,; s,^ \*.*,,' "$map" | awk '
  /^[A-Za-z0-9_.]+ *\{/ { node = $1; scope = "" }
  /global:/ { scope = "global" }
  /local:/ { scope = "local" }
  scope == "global" && /\*/ { print "WILDCARD " node }
  scope == "global" { for (i = 1; i <= NF; i++) if ($i ~ /^sio_[a-z0-9_]+;$/) { sub(/;$/, "", $i); print $i " " node } }
' | sort -u > "$tmp/mapped"
if grep -q '^WILDCARD' "$tmp/mapped"; then
  echo "abi_symbols: a global list of $map has a wildcard"; exit 1
fi
bad_nodes=$(awk -v m="$major" '$2 !~ "^LIBSIO_" m "\\.[0-9]+$" {print $2}' "$tmp/mapped" | sort -u)
[ -z "$bad_nodes" ] || { echo "abi_symbols: nodes not named LIBSIO_$major.<minor>: $bad_nodes"; exit 1; }

# "name node" for each symbol the library defines in its dynamic table (the
# version nodes themselves appear as ABS symbols and are left out).
readelf -W --dyn-syms "$lib" | awk '
  $1 ~ /^[0-9]+:$/ && $7 != "UND" && $7 != "ABS" && ($5 == "GLOBAL" || $5 == "WEAK") {
    name = $8; node = "(none)"
    if (index(name, "@@")) { node = substr(name, index(name, "@@") + 2); name = substr(name, 1, index(name, "@@") - 1) }
    else if (index(name, "@")) { node = "(hidden " substr(name, index(name, "@") + 1) ")"; name = substr(name, 1, index(name, "@") - 1) }
    print name " " node
  }' | sort -u > "$tmp/exported"

cut -d' ' -f1 "$tmp/exported" > "$tmp/exported_names"
if ! cmp -s "$tmp/declared" "$tmp/exported_names"; then
  echo "declared but not exported:"; comm -23 "$tmp/declared" "$tmp/exported_names"
  echo "exported but not declared:"; comm -13 "$tmp/declared" "$tmp/exported_names"
  exit 1
fi
if ! cmp -s "$tmp/mapped" "$tmp/exported"; then
  echo "abi_symbols: exports whose version is not the one $map gives (- map, + library):"
  diff "$tmp/mapped" "$tmp/exported" | grep '^[<>]' | sed 's/^</-/; s/^>/+/'
  exit 1
fi
soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
[ "$soname" = "libsio.so.$major" ] || { echo "abi_symbols: SONAME is '$soname', not libsio.so.$major"; exit 1; }
echo "abi_symbols: $(wc -l < "$tmp/declared") functions exported under $(cut -d' ' -f2 "$tmp/exported" | sort -u | tr '\n' ' ')as $soname"
