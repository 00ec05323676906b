# Every third-party dependency is found here, once, from Debian's packages, and wrapped
# in a bulwark::dep_* INTERFACE target so module CMakeLists never call find_package.
#
# Cross-compiling for Windows (cmake/toolchains/mingw-w64.cmake) the same targets exist, with
# the same names: Boost and spdlog header-only from the host's headers, OpenSSL, libcurl and
# SQLite static from the prefix built by scripts/build-mingw-deps, zlib from the mingw sysroot.
# libpq, systemd, cryptsetup and Google Benchmark do not exist there.
#
# Built natively with MSVC (CMakePresets.json "windows-msvc", docs/building-on-windows.md),
# every dependency comes from vcpkg's manifest (vcpkg.json) through its CMake config packages.
if(WIN32 AND MSVC)
  find_package(Boost 1.81 REQUIRED COMPONENTS json program_options)
  find_package(Threads REQUIRED)
  find_package(OpenSSL 3 REQUIRED)
  find_package(CURL CONFIG REQUIRED)
  find_package(unofficial-sqlite3 CONFIG REQUIRED)
  find_package(spdlog CONFIG REQUIRED)
  find_package(ZLIB REQUIRED)
  add_library(bulwark_dep_boost_json INTERFACE)
  target_link_libraries(bulwark_dep_boost_json INTERFACE Boost::json)
  add_library(bulwark_dep_boost_po INTERFACE)
  target_link_libraries(bulwark_dep_boost_po INTERFACE Boost::program_options)
  add_library(bulwark_dep_beast INTERFACE)
  target_link_libraries(bulwark_dep_beast INTERFACE Boost::headers Threads::Threads
                                                    OpenSSL::SSL OpenSSL::Crypto)
  target_compile_definitions(bulwark_dep_beast INTERFACE BOOST_ASIO_NO_DEPRECATED)
  add_library(bulwark_dep_spdlog INTERFACE)
  target_link_libraries(bulwark_dep_spdlog INTERFACE spdlog::spdlog)
  add_library(bulwark_dep_openssl INTERFACE)
  target_link_libraries(bulwark_dep_openssl INTERFACE OpenSSL::SSL OpenSSL::Crypto)
  add_library(bulwark_dep_sqlite INTERFACE)
  target_link_libraries(bulwark_dep_sqlite INTERFACE unofficial::sqlite3::sqlite3)
  add_library(bulwark_dep_zlib INTERFACE)
  target_link_libraries(bulwark_dep_zlib INTERFACE ZLIB::ZLIB)
  add_library(bulwark_dep_curl INTERFACE)
  target_link_libraries(bulwark_dep_curl INTERFACE CURL::libcurl)
  if(BULWARK_BUILD_TESTS)
    find_package(GTest CONFIG REQUIRED)
  endif()
  return()
endif()
if(WIN32)
  if(NOT MINGW OR NOT BULWARK_MINGW_PREFIX)
    message(FATAL_ERROR "the Windows build is cross-compiled with mingw-w64: configure with "
                        "-DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/mingw-w64.cmake "
                        "-DBULWARK_MINGW_PREFIX=<prefix> (scripts/build-windows does both)")
  endif()

  # Header-only libraries come from the host's /usr/include. That directory cannot be put on
  # the include path as a whole (its libc headers would shadow mingw's), so only the library
  # folders are linked into a build-tree directory that is.
  set(_host_headers ${CMAKE_BINARY_DIR}/host-headers)
  file(MAKE_DIRECTORY ${_host_headers})
  foreach(_dir boost spdlog fmt)
    if(NOT IS_DIRECTORY /usr/include/${_dir})
      message(FATAL_ERROR "/usr/include/${_dir} is missing: install the Linux -dev package")
    endif()
    if(NOT EXISTS ${_host_headers}/${_dir})
      file(CREATE_LINK /usr/include/${_dir} ${_host_headers}/${_dir} SYMBOLIC)
    endif()
  endforeach()

  add_library(bulwark_dep_boost_headers INTERFACE)
  target_include_directories(bulwark_dep_boost_headers SYSTEM INTERFACE ${_host_headers})
  target_compile_definitions(bulwark_dep_boost_headers INTERFACE BOOST_ALL_NO_LIB)

  # Boost.JSON header-only: its implementation is compiled once, in boost_json_src.cc.
  add_library(bulwark_boost_json_impl STATIC ${PROJECT_SOURCE_DIR}/platform/windows/boost_json_src.cc)
  target_link_libraries(bulwark_boost_json_impl PUBLIC bulwark_dep_boost_headers)
  add_library(bulwark_dep_boost_json INTERFACE)
  target_link_libraries(bulwark_dep_boost_json INTERFACE bulwark_boost_json_impl)
  # Boost.ProgramOptions is not header-only: its sources (Debian's boost source package, same
  # version as the host headers; scripts/lib/mingw.sh mingw_boost_po_src fetches them) are
  # compiled here into a static library, without the project's warning flags.
  # Without -DBULWARK_MINGW_BOOST_PO_SRC the folder mingw_boost_po_src uses in the cache is
  # tried: <cache>/mingw-w64/boost-program-options/<version of /usr/include/boost>/src.
  if(NOT BULWARK_MINGW_BOOST_PO_SRC)
    file(STRINGS /usr/include/boost/version.hpp _boost_version_line
         REGEX "^#define BOOST_VERSION [0-9]+")
    string(REGEX REPLACE ".* ([0-9]+)$" "\\1" _boost_version "${_boost_version_line}")
    math(EXPR _boost_major "${_boost_version} / 100000")
    math(EXPR _boost_minor "${_boost_version} / 100 % 1000")
    math(EXPR _boost_patch "${_boost_version} % 100")
    if(DEFINED ENV{BULWARK_CACHE_DIR})
      set(_bulwark_cache $ENV{BULWARK_CACHE_DIR})
    else()
      set(_bulwark_cache $ENV{HOME}/.cache/bulwark)
    endif()
    set(_boost_po_guess
        ${_bulwark_cache}/mingw-w64/boost-program-options/${_boost_major}.${_boost_minor}.${_boost_patch}/src)
    if(EXISTS ${_boost_po_guess}/cmdline.cpp)
      set(BULWARK_MINGW_BOOST_PO_SRC ${_boost_po_guess})
    endif()
  endif()
  set(BULWARK_MINGW_BOOST_PO_SRC "${BULWARK_MINGW_BOOST_PO_SRC}" CACHE PATH
      "libs/program_options/src of the Boost sources matching /usr/include/boost")
  if(NOT BULWARK_MINGW_BOOST_PO_SRC OR NOT EXISTS ${BULWARK_MINGW_BOOST_PO_SRC}/cmdline.cpp)
    message(FATAL_ERROR "Boost.ProgramOptions sources not found: configure with "
                        "-DBULWARK_MINGW_BOOST_PO_SRC=<dir> (scripts/build-windows passes the "
                        "folder scripts/lib/mingw.sh mingw_boost_po_src prints)")
  endif()
  add_library(bulwark_boost_po_impl STATIC
    ${BULWARK_MINGW_BOOST_PO_SRC}/cmdline.cpp
    ${BULWARK_MINGW_BOOST_PO_SRC}/config_file.cpp
    ${BULWARK_MINGW_BOOST_PO_SRC}/convert.cpp
    ${BULWARK_MINGW_BOOST_PO_SRC}/options_description.cpp
    ${BULWARK_MINGW_BOOST_PO_SRC}/parsers.cpp
    ${BULWARK_MINGW_BOOST_PO_SRC}/positional_options.cpp
    ${BULWARK_MINGW_BOOST_PO_SRC}/split.cpp
    ${BULWARK_MINGW_BOOST_PO_SRC}/utf8_codecvt_facet.cpp
    ${BULWARK_MINGW_BOOST_PO_SRC}/value_semantic.cpp
    ${BULWARK_MINGW_BOOST_PO_SRC}/variables_map.cpp
    ${BULWARK_MINGW_BOOST_PO_SRC}/winmain.cpp)
  target_link_libraries(bulwark_boost_po_impl PUBLIC bulwark_dep_boost_headers)
  set_target_properties(bulwark_boost_po_impl PROPERTIES CXX_STANDARD 20 CXX_EXTENSIONS OFF)
  add_library(bulwark_dep_boost_po INTERFACE)
  target_link_libraries(bulwark_dep_boost_po INTERFACE bulwark_boost_po_impl)

  find_package(Threads REQUIRED)
  add_library(bulwark_dep_beast INTERFACE)
  target_link_libraries(bulwark_dep_beast INTERFACE bulwark_dep_boost_headers Threads::Threads)
  target_compile_definitions(bulwark_dep_beast INTERFACE BOOST_ASIO_NO_DEPRECATED)

  add_library(bulwark_dep_spdlog INTERFACE)
  target_link_libraries(bulwark_dep_spdlog INTERFACE bulwark_dep_boost_headers)
  target_compile_definitions(bulwark_dep_spdlog INTERFACE SPDLOG_HEADER_ONLY FMT_HEADER_ONLY)

  # Static archives from the prefix (CMAKE_FIND_ROOT_PATH, set by the toolchain).
  function(_bulwark_mingw_lib var name)
    find_library(${var} NAMES lib${name}.a REQUIRED)
  endfunction()
  find_path(BULWARK_MINGW_INCLUDE_DIR openssl/ssl.h REQUIRED)
  _bulwark_mingw_lib(BULWARK_MINGW_SSL ssl)
  _bulwark_mingw_lib(BULWARK_MINGW_CRYPTO crypto)
  _bulwark_mingw_lib(BULWARK_MINGW_CURL curl)
  _bulwark_mingw_lib(BULWARK_MINGW_SQLITE sqlite3)
  _bulwark_mingw_lib(BULWARK_MINGW_ZLIB z)
  find_path(BULWARK_MINGW_ZLIB_INCLUDE_DIR zlib.h REQUIRED)

  add_library(bulwark_dep_zlib INTERFACE)
  target_include_directories(bulwark_dep_zlib SYSTEM INTERFACE ${BULWARK_MINGW_ZLIB_INCLUDE_DIR})
  target_link_libraries(bulwark_dep_zlib INTERFACE ${BULWARK_MINGW_ZLIB})

  add_library(bulwark_dep_openssl INTERFACE)
  target_include_directories(bulwark_dep_openssl SYSTEM INTERFACE ${BULWARK_MINGW_INCLUDE_DIR})
  target_link_libraries(bulwark_dep_openssl INTERFACE
    ${BULWARK_MINGW_SSL} ${BULWARK_MINGW_CRYPTO} ws2_32 gdi32 crypt32 bcrypt advapi32 user32)
  target_link_libraries(bulwark_dep_beast INTERFACE bulwark_dep_openssl)

  add_library(bulwark_dep_sqlite INTERFACE)
  target_include_directories(bulwark_dep_sqlite SYSTEM INTERFACE ${BULWARK_MINGW_INCLUDE_DIR})
  target_link_libraries(bulwark_dep_sqlite INTERFACE ${BULWARK_MINGW_SQLITE})

  add_library(bulwark_dep_curl INTERFACE)
  target_include_directories(bulwark_dep_curl SYSTEM INTERFACE ${BULWARK_MINGW_INCLUDE_DIR})
  target_compile_definitions(bulwark_dep_curl INTERFACE CURL_STATICLIB)
  target_link_libraries(bulwark_dep_curl INTERFACE
    ${BULWARK_MINGW_CURL} bulwark_dep_openssl bulwark_dep_zlib ws2_32 crypt32 bcrypt advapi32)

  # GoogleTest from Debian's sources (libgtest-dev/libgmock-dev ship /usr/src/googletest), built
  # with the cross compiler; the GTest:: names match FindGTest's on Linux.
  if(BULWARK_BUILD_TESTS)
    set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
    set(gtest_force_shared_crt OFF CACHE BOOL "" FORCE)
    add_subdirectory(/usr/src/googletest ${CMAKE_BINARY_DIR}/googletest EXCLUDE_FROM_ALL)
    foreach(_gtest gtest gtest_main gmock gmock_main)
      if(NOT TARGET GTest::${_gtest})  # googletest >= 1.11 defines these aliases itself
        add_library(GTest::${_gtest} ALIAS ${_gtest})
      endif()
    endforeach()
  endif()
  return()
endif()

find_package(PkgConfig REQUIRED)

find_package(Boost 1.81 REQUIRED COMPONENTS json program_options)
add_library(bulwark_dep_boost_json INTERFACE)
target_link_libraries(bulwark_dep_boost_json INTERFACE Boost::json)
add_library(bulwark_dep_boost_po INTERFACE)
target_link_libraries(bulwark_dep_boost_po INTERFACE Boost::program_options)

# Boost.Beast and Asio are header-only; they need threads and OpenSSL (added below).
find_package(Threads REQUIRED)
add_library(bulwark_dep_beast INTERFACE)
target_link_libraries(bulwark_dep_beast INTERFACE Boost::headers Threads::Threads)
# Keep Asio's deprecated interfaces out.
target_compile_definitions(bulwark_dep_beast INTERFACE BOOST_ASIO_NO_DEPRECATED)

find_package(spdlog REQUIRED)
add_library(bulwark_dep_spdlog INTERFACE)
target_link_libraries(bulwark_dep_spdlog INTERFACE spdlog::spdlog)

find_package(OpenSSL 3 REQUIRED)
add_library(bulwark_dep_openssl INTERFACE)
target_link_libraries(bulwark_dep_openssl INTERFACE OpenSSL::SSL OpenSSL::Crypto)
target_link_libraries(bulwark_dep_beast INTERFACE OpenSSL::SSL OpenSSL::Crypto)

find_package(SQLite3 REQUIRED)
add_library(bulwark_dep_sqlite INTERFACE)
target_link_libraries(bulwark_dep_sqlite INTERFACE SQLite::SQLite3)

find_package(ZLIB REQUIRED)
add_library(bulwark_dep_zlib INTERFACE)
target_link_libraries(bulwark_dep_zlib INTERFACE ZLIB::ZLIB)

pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)
add_library(bulwark_dep_pq INTERFACE)
target_link_libraries(bulwark_dep_pq INTERFACE PkgConfig::LIBPQ)

find_package(CURL REQUIRED)
add_library(bulwark_dep_curl INTERFACE)
target_link_libraries(bulwark_dep_curl INTERFACE CURL::libcurl)

if(NOT WIN32)
  # sd_notify (Type=notify, watchdog) for the agent service.
  pkg_check_modules(LIBSYSTEMD REQUIRED IMPORTED_TARGET libsystemd)
  add_library(bulwark_dep_systemd INTERFACE)
  target_link_libraries(bulwark_dep_systemd INTERFACE PkgConfig::LIBSYSTEMD)
  pkg_check_modules(CRYPTSETUP REQUIRED IMPORTED_TARGET libcryptsetup>=2.4)
  add_library(bulwark_dep_cryptsetup INTERFACE)
  target_link_libraries(bulwark_dep_cryptsetup INTERFACE PkgConfig::CRYPTSETUP)
endif()

if(BULWARK_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(BULWARK_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
