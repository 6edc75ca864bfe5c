# rbee_weight_kernels_header(OUT): writes OUT, the C++ view of the kernels that read weights
# (weight_kernels.hpp.in) from RBEE_WEIGHT_TYPES, RBEE_FLOAT_WEIGHT_TYPES and
# RBEE_WEIGHT_KERNELS (CMakeLists.txt), so that C++ names only variants the build makes.

include("${CMAKE_CURRENT_LIST_DIR}/camel_case.cmake")

function(rbee_weight_kernels_header out)
  set(WEIGHT_TYPES "")
  foreach(type IN LISTS RBEE_WEIGHT_TYPES)
    set(blocks true)
    if(type IN_LIST RBEE_FLOAT_WEIGHT_TYPES)
      set(blocks false)
    endif()
    string(APPEND WEIGHT_TYPES "  {\"${type}\", ${blocks}},\n")
  endforeach()
  set(KERNEL_ENUM "")
  set(KERNELS "")
  foreach(kernel IN LISTS RBEE_WEIGHT_KERNELS)
    string(REPLACE "|" ";" parts "${kernel}")
    list(GET parts 0 family)
    list(GET parts 3 types)
    rbee_camel_case(${family} enumerator)
    string(APPEND KERNEL_ENUM "  ${enumerator},\n")
    set(blocks_only false)
    if(types STREQUAL "blocks")
      set(blocks_only true)
    endif()
    string(APPEND KERNELS "  {\"${family}\", ${blocks_only}},\n")
  endforeach()
  # Rewritten only when its text changes: its includers rebuild only then.
  configure_file("${CMAKE_CURRENT_FUNCTION_LIST_DIR}/weight_kernels.hpp.in" "${out}" @ONLY)
endfunction()
