include("${CMAKE_CURRENT_LIST_DIR}/RbeeSDKTargets.cmake")
include("${CMAKE_CURRENT_LIST_DIR}/RbeePlugin.cmake")
