# rbee_kv_kernels(VARIANTS OUT): appends the KV cache's kernels to the list VARIANTS
# ("name|source|defines") and writes OUT, their C++ view (kv_kernels.hpp.in), both in one pass
# over RBEE_KV_TYPES and RBEE_KV_KERNELS (CMakeLists.txt), so that C++ names only variants the
# build makes.
include("${CMAKE_CURRENT_LIST_DIR}/camel_case.cmake")

function(rbee_kv_kernels variants out)
  set(families "")
  foreach(kernel IN LISTS RBEE_KV_KERNELS)
    string(REPLACE "|" ";" parts "${kernel}")
    list(GET parts 0 family)
    list(GET parts 1 source_${family})
    list(GET parts 2 options)
    string(REPLACE "," ";" options "${options}")
    set(words_${family} "")
    set(defines_${family} "")
    foreach(option IN LISTS options)  # word=define
      string(FIND "${option}" "=" eq)
      string(SUBSTRING "${option}" 0 ${eq} word)
      math(EXPR eq "${eq} + 1")
      string(SUBSTRING "${option}" ${eq} -1 define)
      list(APPEND words_${family} "${word}")
      list(APPEND defines_${family} "${define}")
    endforeach()
    set(names_${family} "")
    list(APPEND families ${family})
  endforeach()

  # Every variant: per cache type, per family, per set of its options (bits, the first option
  # the highest), in the order they have always been built.
  set(KV_TYPE_ENUM "")
  foreach(kv IN LISTS RBEE_KV_TYPES)
    string(TOUPPER "${kv}" kv_upper)
    string(APPEND KV_TYPE_ENUM "  ${kv_upper},\n")
    foreach(family IN LISTS families)
      list(LENGTH words_${family} n)
      math(EXPR last "(1 << ${n}) - 1")
      set(row "")
      foreach(chosen RANGE ${last})
        set(name "${family}")
        set(defines "KV_${kv_upper}")
        set(bit ${n})
        foreach(word define IN ZIP_LISTS words_${family} defines_${family})
          math(EXPR bit "${bit} - 1")
          math(EXPR picked "(${chosen} >> ${bit}) & 1")
          if(picked)
            string(APPEND name "_${word}")
            string(APPEND defines ",${define}")
          endif()
        endforeach()
        string(APPEND name "_${kv}")
        list(APPEND ${variants} "${name}|${source_${family}}|${defines}")
        list(APPEND row "\"${name}\"")
      endforeach()
      list(JOIN row ", " row)
      string(APPEND names_${family} "      {${row}},\n")
    endforeach()
  endforeach()

  # Per family, a struct naming one variant by its cache type and options.
  list(LENGTH RBEE_KV_TYPES n_types)
  set(KV_FAMILIES "")
  foreach(family IN LISTS families)
    rbee_camel_case(${family} type)
    list(LENGTH words_${family} n)
    math(EXPR n_sets "1 << ${n}")
    set(fields "")
    set(index "")
    set(bit ${n})
    foreach(word define IN ZIP_LISTS words_${family} defines_${family})
      math(EXPR bit "${bit} - 1")
      math(EXPR value "1 << ${bit}")
      string(APPEND fields "  bool ${word} = false;  // ${define}\n")
      if(index)
        string(APPEND index " | ")
      endif()
      string(APPEND index "(${word} ? ${value}u : 0u)")
    endforeach()
    if(NOT index)
      set(index "0u")
    endif()
    string(APPEND KV_FAMILIES
      "// ${source_${family}}: \"${family}_[<option>_]...<type>\", its options in the order below.\n"
      "struct ${type} {\n"
      "  KvType kv;\n"
      "${fields}"
      "  // Indexed by [kv][options, the first the highest bit].\n"
      "  static constexpr std::string_view kNames[${n_types}][${n_sets}] = {\n"
      "${names_${family}}"
      "  };\n"
      "  constexpr std::string_view name() const { return kNames[static_cast<std::size_t>(kv)][${index}]; }\n"
      "};\n\n")
  endforeach()
  set(${variants} "${${variants}}" PARENT_SCOPE)
  # Rewritten only when its text changes: its includers rebuild only then.
  configure_file("${CMAKE_CURRENT_FUNCTION_LIST_DIR}/kv_kernels.hpp.in" "${out}" @ONLY)
endfunction()
