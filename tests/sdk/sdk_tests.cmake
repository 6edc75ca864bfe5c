# Third-party plugins end to end (tests/sdk): the SDK as installed, an out-of-tree plugin built
# against it, and a plugin built from the frozen ABI 2.0 headers in this host.

# sdk_out_of_tree: install into a clean prefix, build sdk/examples/stablelm against it alone,
# install it into the user plugin folder, run it against transformers (about 30 s on lavapipe).
add_test(NAME sdk_out_of_tree
         COMMAND bash "${CMAKE_CURRENT_SOURCE_DIR}/sdk/out_of_tree.sh" "${CMAKE_BINARY_DIR}" "${PROJECT_SOURCE_DIR}"
                 "${RBEE_SHARED_FIXTURES}")
set_tests_properties(sdk_out_of_tree PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 600 ENVIRONMENT "XDG_RUNTIME_DIR=/tmp")

# The ABI 2.0 artefact: the StableLM plugin from tests/sdk/abi-2.0 (frozen headers and source).
add_library(test_plugin_abi_2_0 MODULE sdk/abi-2.0/stablelm.c)
target_include_directories(test_plugin_abi_2_0 PRIVATE sdk/abi-2.0/include)
target_link_libraries(test_plugin_abi_2_0 PRIVATE m)
set_target_properties(test_plugin_abi_2_0 PROPERTIES C_STANDARD 99 C_VISIBILITY_PRESET hidden
  OUTPUT_NAME rbee-plugin-stablelm PREFIX lib LIBRARY_OUTPUT_DIRECTORY "${RBEE_TEST_PLUGIN_DIR}/abi-2.0")
add_test(NAME sdk_abi_2_0_plugin
         COMMAND bash "${CMAKE_CURRENT_SOURCE_DIR}/sdk/abi_2_0.sh" $<TARGET_FILE:rbee> "${RBEE_TEST_PLUGIN_DIR}/abi-2.0"
                 "${RBEE_SHARED_FIXTURES}/tiny/stablelm")
set_tests_properties(sdk_abi_2_0_plugin PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300 ENVIRONMENT "XDG_RUNTIME_DIR=/tmp")
