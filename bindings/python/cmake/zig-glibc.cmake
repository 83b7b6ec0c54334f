# Toolchain of the portable wheel (tools/build_wheel.sh): zig cc links against
# an older glibc than this machine's, so that the wheel runs there too.
#
# zig brings the C library's headers for that glibc; Debian's /usr/include
# comes after them (-idirafter), so that only the headers zig lacks, those of
# libuv, OpenSSL, wslay and msgpack-c, are read from there.
set(CMAKE_C_COMPILER ${CMAKE_CURRENT_LIST_DIR}/../tools/zig-cc)
set(CMAKE_C_FLAGS_INIT "-idirafter /usr/include -idirafter /usr/include/x86_64-linux-gnu")
# zig does not report Debian's multiarch folder: find_library needs it.
set(CMAKE_LIBRARY_ARCHITECTURE x86_64-linux-gnu)
