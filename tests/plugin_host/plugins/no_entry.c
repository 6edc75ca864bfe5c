/* A shared library that is not a plugin: it exports something, but not rbee_entry. */
__attribute__((visibility("default"))) int rbee_not_a_plugin(void) { return 1; }
