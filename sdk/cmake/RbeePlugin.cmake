# rbee_add_plugin(<name> SOURCES <files...>): a model-family plugin, librbee-plugin-<name>.so, a
# shared library that exports only the constant rbee_entry: everything else is hidden (visibility
# presets, and a linker version script for what a preset cannot hide, such as C++ inline and
# template code). In the rbee tree it lands in the build's plugin folder. When
# RBEE_PLUGIN_INSTALL_DIR is set (RbeeSDKConfig.cmake sets it for a plugin built against an
# installed SDK), `cmake --install` copies the plugin there.
function(rbee_add_plugin name)
  set(version_script "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/rbee-plugin.map")
  cmake_parse_arguments(ARG "" "" "SOURCES" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "rbee_add_plugin(${name}): no SOURCES")
  endif()
  add_library(${name} MODULE ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE rbee::sdk)
  target_link_options(${name} PRIVATE "LINKER:--version-script=${version_script}")
  set_target_properties(${name} PROPERTIES
    PREFIX "librbee-plugin-"
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LINK_DEPENDS "${version_script}")
  if(DEFINED RBEE_BUILD_PLUGIN_DIR)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${RBEE_BUILD_PLUGIN_DIR}")
  endif()
  if(RBEE_PLUGIN_INSTALL_DIR)
    install(TARGETS ${name} LIBRARY DESTINATION "${RBEE_PLUGIN_INSTALL_DIR}")
  endif()
endfunction()
