# Cross-compiles the Windows agent on Linux with Debian's mingw-w64 (posix threading model).
# Fully static: libgcc, libstdc++ and winpthread are linked into every executable, so the
# binaries need no mingw DLL next to them.
#
#   cmake -S . -B build-mingw -G Ninja \
#     -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/mingw-w64.cmake \
#     -DBULWARK_MINGW_PREFIX=$(scripts/build-mingw-deps)
#
# BULWARK_MINGW_PREFIX is the static OpenSSL/libcurl/SQLite prefix built by
# scripts/build-mingw-deps (include/ and lib/); scripts/build-windows passes it.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(BULWARK_MINGW_HOST x86_64-w64-mingw32)

set(CMAKE_C_COMPILER ${BULWARK_MINGW_HOST}-gcc-posix)
set(CMAKE_CXX_COMPILER ${BULWARK_MINGW_HOST}-g++-posix)
set(CMAKE_RC_COMPILER ${BULWARK_MINGW_HOST}-windres)
set(CMAKE_AR ${BULWARK_MINGW_HOST}-gcc-ar-posix CACHE FILEPATH "mingw-w64 ar")
set(CMAKE_RANLIB ${BULWARK_MINGW_HOST}-gcc-ranlib-posix CACHE FILEPATH "mingw-w64 ranlib")

# Try-compile projects must see the prefix too.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES BULWARK_MINGW_PREFIX)
if(NOT BULWARK_MINGW_PREFIX)
  message(FATAL_ERROR "set -DBULWARK_MINGW_PREFIX=<prefix printed by scripts/build-mingw-deps>")
endif()
set(BULWARK_MINGW_PREFIX "${BULWARK_MINGW_PREFIX}" CACHE PATH
    "Static third-party prefix built by scripts/build-mingw-deps")

# Libraries and headers come only from the prefix and the mingw sysroot (zlib); programs
# (tools run at build time) come from the host.
set(CMAKE_FIND_ROOT_PATH ${BULWARK_MINGW_PREFIX} /usr/${BULWARK_MINGW_HOST})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# Prefer static archives (libfoo.a) over import libraries (libfoo.dll.a).
set(CMAKE_FIND_LIBRARY_SUFFIXES .a)

set(CMAKE_EXE_LINKER_FLAGS_INIT "-static -static-libgcc -static-libstdc++")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static-libgcc -static-libstdc++")
