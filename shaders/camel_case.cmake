# rbee_camel_case(SNAKE OUT): "matvec_gated_texel" -> "MatvecGatedTexel", a table entry's C++
# name in the generated headers (weight_kernels.cmake, kernels.cmake, kv_kernels.cmake).
include_guard(GLOBAL)

function(rbee_camel_case snake out)
  string(REPLACE "_" ";" words "${snake}")
  set(camel "")
  foreach(word IN LISTS words)
    string(SUBSTRING "${word}" 0 1 first)
    string(SUBSTRING "${word}" 1 -1 rest)
    string(TOUPPER "${first}" first)
    string(APPEND camel "${first}${rest}")
  endforeach()
  set(${out} "${camel}" PARENT_SCOPE)
endfunction()
