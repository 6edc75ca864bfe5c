# rbee_kernels_header(OUT): writes OUT, the C++ view of the kernels that exist as one variant
# (kernels.hpp.in) from RBEE_KERNELS (CMakeLists.txt), so that C++ names only variants the build
# makes.
include("${CMAKE_CURRENT_LIST_DIR}/camel_case.cmake")

function(rbee_kernels_header out)
  set(KERNEL_ENUM "")
  set(KERNELS "")
  foreach(kernel IN LISTS RBEE_KERNELS)
    string(REPLACE "|" ";" parts "${kernel}")
    list(GET parts 0 name)
    rbee_camel_case(${name} enumerator)
    string(APPEND KERNEL_ENUM "  ${enumerator},\n")
    string(APPEND KERNELS "  \"${name}\",\n")
  endforeach()
  # Rewritten only when its text changes: its includers rebuild only then.
  configure_file("${CMAKE_CURRENT_FUNCTION_LIST_DIR}/kernels.hpp.in" "${out}" @ONLY)
endfunction()
