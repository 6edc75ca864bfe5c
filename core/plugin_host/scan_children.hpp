#pragma once
#include <filesystem>
#include <vector>

#include "plugin_host/scan_outcome.hpp"
#include "plugin_host/scan_settings.hpp"

namespace rbee {

// Scans each file with settings.scanner in a child process of its own (a few at a time), killing
// one that runs past settings.timeout. A crash, hang, exit or refusal of the plugin becomes the
// outcome's failure, naming the call it happened in. Outcomes are in the order of files.
std::vector<ScanOutcome> scan_in_children(const std::vector<std::filesystem::path>& files, const ScanSettings& settings);

}  // namespace rbee
