# find_package(RbeeSDK): the target rbee::sdk (the plugin headers, C99) and rbee_add_plugin().
# The package version is the plugin ABI's (rbee/version.h): `find_package(RbeeSDK 2.0)` accepts
# any 2.x SDK and refuses another major.
#
# RBEE_PLUGIN_INSTALL_DIR, where `cmake --install` puts the plugins of this project: by default
# the user plugin folder that rbee searches ($XDG_DATA_HOME/rbee/plugins, else
# ~/.local/share/rbee/plugins, read when the project is configured), so that installing needs no
# root; a relative folder is taken under CMAKE_INSTALL_PREFIX (a package of plugins uses
# lib/rbee/plugins).
include("${CMAKE_CURRENT_LIST_DIR}/RbeeSDKTargets.cmake")

if(NOT DEFINED RBEE_PLUGIN_INSTALL_DIR)
  if(IS_ABSOLUTE "$ENV{XDG_DATA_HOME}")
    set(rbee_user_plugin_dir "$ENV{XDG_DATA_HOME}/rbee/plugins")
  elseif(NOT "$ENV{HOME}" STREQUAL "")
    set(rbee_user_plugin_dir "$ENV{HOME}/.local/share/rbee/plugins")
  else()
    set(rbee_user_plugin_dir "lib/rbee/plugins")
  endif()
  set(RBEE_PLUGIN_INSTALL_DIR "${rbee_user_plugin_dir}" CACHE PATH
      "where cmake --install puts rbee plugins (default: the user plugin folder)")
  unset(rbee_user_plugin_dir)
endif()

include("${CMAKE_CURRENT_LIST_DIR}/RbeePlugin.cmake")
