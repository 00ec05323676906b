# Shared compile flags live on one INTERFACE target that every Bulwark target links.
add_library(bulwark_flags INTERFACE)
if(MSVC)
  # The native Windows build (docs/building-on-windows.md): the closest MSVC equivalents.
  target_compile_options(bulwark_flags INTERFACE /W4 /permissive- /utf-8 /Zc:__cplusplus /EHsc
                                                 /bigobj)
  target_compile_definitions(bulwark_flags INTERFACE NOMINMAX _WIN32_WINNT=0x0A00)
  if(BULWARK_WERROR)
    target_compile_options(bulwark_flags INTERFACE /WX)
  endif()
else()
  target_compile_options(bulwark_flags INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
    -Woverloaded-virtual -Wconversion -Wsign-conversion -Wformat=2
    -Wimplicit-fallthrough)
  if(BULWARK_WERROR)
    target_compile_options(bulwark_flags INTERFACE -Werror)
  endif()
  if(BULWARK_LINE_TABLES_ONLY)
    # After the build type's -g on the command line, so it wins.
    target_compile_options(bulwark_flags INTERFACE -g1)
  endif()
endif()
target_compile_definitions(bulwark_flags INTERFACE
  BULWARK_VERSION="${PROJECT_VERSION}"
  # Boost.JSON and Boost.Asio are used from headers only where possible.
  BOOST_ALL_NO_LIB)
if(BULWARK_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "BULWARK_FUZZ needs clang (CXX=clang++)")
  endif()
  # Coverage instrumentation for every library; fuzz targets add -fsanitize=fuzzer at link.
  target_compile_options(bulwark_flags INTERFACE -fsanitize=fuzzer-no-link)
  set(BULWARK_SANITIZE ON)
endif()
if(BULWARK_SANITIZE)
  set(_san -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_compile_options(bulwark_flags INTERFACE ${_san})
  target_link_options(bulwark_flags INTERFACE ${_san})
endif()

# Third-party headers are included as SYSTEM so their warnings never fail our build.
