# Every third-party dependency is found here, once, from Debian's packages, and wrapped
# in a bulwark::dep_* INTERFACE target so module CMakeLists never call find_package.
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
