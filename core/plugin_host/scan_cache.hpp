#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>

#include <nlohmann/json.hpp>

#include "plugin_host/scan_outcome.hpp"

namespace rbee {

// Scan outcomes kept between runs in a JSON file, by plugin path, reused while the plugin's size
// and modification time, and the scanner's, are those seen at the scan. Only lasting outcomes
// are kept (a plugin that crashed stays skipped until its file changes).
class ScanCache {
 public:
  // An empty cache for an empty path or a missing file; a file that cannot be read or parsed is
  // ignored with a warning (it is rewritten after the scan).
  static ScanCache read(const std::filesystem::path& file, const std::filesystem::path& scanner);

  // The outcome stored for plugin, if its file is unchanged since.
  std::optional<ScanOutcome> find(const std::filesystem::path& plugin) const;
  void store(const std::filesystem::path& plugin, const ScanOutcome& outcome);
  // Writes the file if anything was stored, atomically (a temporary file renamed over it), so
  // that concurrent hosts never read half of it. A failure is only logged: the cache is a help.
  void write() const;

 private:
  std::filesystem::path file_;
  nlohmann::json scanner_stamp_;
  nlohmann::json plugins_ = nlohmann::json::object();
  bool changed_ = false;
};

}  // namespace rbee
