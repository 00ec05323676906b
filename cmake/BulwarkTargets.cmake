# One helper per target kind. Sources are always listed explicitly.
#
#   bulwark_library(NAME SOURCES ... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...])
#   bulwark_executable(NAME SOURCES ... [DEPS ...])
#   bulwark_test(NAME SOURCES ... [DEPS ...] [LABELS ...])
#
# Include paths are rooted at the repository: #include "agent/base/status.h".
function(bulwark_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE bulwark_flags ${ARG_PRIVATE_DEPS})
endfunction()

function(bulwark_executable name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE bulwark_flags ${ARG_DEPS})
endfunction()

function(bulwark_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE bulwark_flags ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    BULWARK_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    BULWARK_BINARY_DIR="${PROJECT_BINARY_DIR}")
  # One ctest entry per binary keeps the run fast; gtest prints per-case results.
  add_test(NAME ${name} COMMAND ${name})
  if(ARG_LABELS)
    set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}")
  endif()
endfunction()
