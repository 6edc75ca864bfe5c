// rbee-plugin-scan PLUGIN.so: the child process in which rbee checks a plugin before trusting it.
#include "engine/discovery.hpp"

int main(int argc, char** argv) { return rbee::run_plugin_scanner(argc, argv); }
