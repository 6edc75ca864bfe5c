// rbee-plugin-scan PLUGIN.so: the child process in which rbee checks a plugin before trusting it.
#include "engine/discovery.hpp"

#if defined(__SANITIZE_ADDRESS__)
// Under AddressSanitizer a plugin's own crash must still end the scanner by its signal, as in a
// release build (rbee reads the signal to say how the plugin died), not turn into ASan's report.
extern "C" const char* __asan_default_options() { return "handle_segv=0:handle_sigbus=0:handle_sigfpe=0"; }
#endif

int main(int argc, char** argv) { return rbee::run_plugin_scanner(argc, argv); }
