# rbee_add_plugin(<name> SOURCES <files...>): a model-family plugin as a shared library that
# exports only the constant rbee_entry (everything else is hidden). In the rbee tree it lands in
# the build's plugin folder.
function(rbee_add_plugin name)
  cmake_parse_arguments(ARG "" "" "SOURCES" ${ARGN})
  add_library(${name} MODULE ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE rbee::sdk)
  set_target_properties(${name} PROPERTIES
    PREFIX "librbee-plugin-"
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(DEFINED RBEE_BUILD_PLUGIN_DIR)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${RBEE_BUILD_PLUGIN_DIR}")
  endif()
endfunction()
