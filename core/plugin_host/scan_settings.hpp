#pragma once
#include <chrono>
#include <filesystem>

namespace rbee {

// How plugins are scanned before any is loaded into the host's own process.
struct ScanSettings {
  std::filesystem::path scanner;       // the rbee-plugin-scan executable
  std::chrono::milliseconds timeout;   // a plugin that takes longer is killed and skipped as hung
  std::filesystem::path cache_file;    // scan results by file; empty: no cache

  // The scanner: $RBEE_PLUGIN_SCANNER, else rbee-plugin-scan beside the running executable or
  // in its ../libexec/rbee, else the build tree's, else the installed one. The timeout:
  // $RBEE_PLUGIN_SCAN_TIMEOUT_MS, else 5 s. The cache: $XDG_CACHE_HOME/rbee/plugin-scan.json,
  // else ~/.cache/rbee/plugin-scan.json.
  static ScanSettings from_environment();
};

}  // namespace rbee
