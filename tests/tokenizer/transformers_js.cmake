# `rbee tokenize` / `rbee detokenize` against transformers.js on released tokenizer files
# (tests/npm/compare_tokenizers.cjs). Skipped (77) where node or tests/npm/node_modules is absent;
# the npm packages come from `npm ci --prefix tests/npm`.
find_program(RBEE_NODE node)
if(RBEE_NODE)
  add_test(NAME tokenizer_transformers_js
           COMMAND "${RBEE_NODE}" "${CMAKE_CURRENT_LIST_DIR}/../npm/compare_tokenizers.cjs" $<TARGET_FILE:rbee>)
else()
  add_test(NAME tokenizer_transformers_js COMMAND sh -c "echo 'SKIP: node is not installed'; exit 77")
endif()
set_tests_properties(tokenizer_transformers_js PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 600)
