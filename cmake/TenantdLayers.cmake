# tenantd_layer(): one static library per layer of src/, linked to the layers it may use, and one
# line per layer in ${TENANTD_LAYER_TABLE} for scripts/check_layers.py, which fails the build when a
# file includes a header from a layer it may not use (docs/decisions/0026-layer-targets.md).
#
#   tenantd_layer(<name>
#                 [DIRS <dir>...]        folders under src/ (default: <name>); not recursive
#                 [DEPS <layer>...]      layers it may include and links (PUBLIC)
#                 [LINKS <layer>...]     layers it links only for an ALLOW exception (PRIVATE)
#                 [ALLOW <header>...]    single headers of other layers it may include: known
#                                        violations, each explained where the layer is declared
#                 [SOURCES <file>...]    generated sources
#                 [WHEN <option>])       the layer exists only when <option> is ON
#
# A layer must be declared after the layers it uses: the table is a layering, so it cannot cycle.

set(TENANTD_LAYER_TABLE ${CMAKE_BINARY_DIR}/layers.txt)

function(tenantd_layer name)
  cmake_parse_arguments(PARSE_ARGV 1 L "" "WHEN" "DIRS;DEPS;LINKS;ALLOW;SOURCES")
  if(NOT L_DIRS)
    set(L_DIRS ${name})
  endif()
  get_property(declared GLOBAL PROPERTY TENANTD_DECLARED_LAYERS)
  foreach(dep IN LISTS L_DEPS L_LINKS)
    if(NOT dep IN_LIST declared)
      message(FATAL_ERROR "layer ${name}: ${dep} must be declared before it")
    endif()
  endforeach()
  # The checker knows every layer, enabled or not: an #include under #ifdef is still checked.
  list(JOIN L_DIRS "," dirs)
  list(JOIN L_DEPS "," deps)
  list(JOIN L_ALLOW "," allow)
  set_property(GLOBAL APPEND_STRING PROPERTY TENANTD_LAYER_LINES "${name}|${dirs}|${deps}|${allow}\n")
  set_property(GLOBAL APPEND PROPERTY TENANTD_DECLARED_LAYERS ${name})
  if(L_WHEN AND NOT ${L_WHEN})
    return()
  endif()

  set(sources ${L_SOURCES})
  foreach(dir IN LISTS L_DIRS)
    file(GLOB dir_sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/${dir}/*.cpp)
    list(APPEND sources ${dir_sources})
  endforeach()
  if(NOT TENANTD_GITOPS)
    list(FILTER sources EXCLUDE REGEX "/src/provision/gitops_[^/]*\\.cpp$")
  endif()
  list(FILTER sources EXCLUDE REGEX "/src/app/main\\.cpp$")

  set(target tenantd_${name})
  add_library(${target} STATIC ${sources})
  target_link_libraries(${target} PUBLIC tenantd_options)
  foreach(dep IN LISTS L_DEPS)
    if(TARGET tenantd_${dep})
      target_link_libraries(${target} PUBLIC tenantd_${dep})
    endif()
  endforeach()
  foreach(dep IN LISTS L_LINKS)
    if(TARGET tenantd_${dep})
      target_link_libraries(${target} PRIVATE tenantd_${dep})
    endif()
  endforeach()
  # Every build runs the include check first, whichever target it asks for.
  add_dependencies(${target} tenantd_layer_check)
  set_property(GLOBAL APPEND PROPERTY TENANTD_LAYER_TARGETS ${target})
endfunction()

# Writes the table (only when it changed) and runs scripts/check_layers.py over src/ whenever a
# source, the table or the script changes. Call it after the last tenantd_layer().
function(tenantd_layer_check)
  get_property(lines GLOBAL PROPERTY TENANTD_LAYER_LINES)
  file(CONFIGURE OUTPUT ${TENANTD_LAYER_TABLE} CONTENT "${lines}" @ONLY)
  file(GLOB_RECURSE all_sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/*.cpp ${CMAKE_SOURCE_DIR}/src/*.hpp
       ${CMAKE_SOURCE_DIR}/src/*.inc)
  set(stamp ${CMAKE_BINARY_DIR}/layers.checked)
  add_custom_command(
    OUTPUT ${stamp}
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/scripts/check_layers.py ${TENANTD_LAYER_TABLE}
            ${CMAKE_SOURCE_DIR}/src
    COMMAND ${CMAKE_COMMAND} -E touch ${stamp}
    DEPENDS ${all_sources} ${TENANTD_LAYER_TABLE} ${CMAKE_SOURCE_DIR}/scripts/check_layers.py
    COMMENT "Checking that every #include stays within its layer's dependencies")
  add_custom_target(tenantd_layer_check DEPENDS ${stamp})
endfunction()
