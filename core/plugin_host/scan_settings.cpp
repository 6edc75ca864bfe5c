#include "plugin_host/scan_settings.hpp"

#include <cstdlib>
#include <string>
#include <system_error>

namespace rbee {

namespace {

constexpr const char* kScannerName = "rbee-plugin-scan";
constexpr std::chrono::milliseconds kDefaultTimeout{5000};

std::filesystem::path find_scanner() {
  if (const char* env = std::getenv("RBEE_PLUGIN_SCANNER"); env != nullptr && *env != '\0') return env;
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  const std::filesystem::path candidates[] = {
      ec ? std::filesystem::path() : self.parent_path() / kScannerName,
      ec ? std::filesystem::path() : self.parent_path().parent_path() / "libexec" / "rbee" / kScannerName,
      RBEE_BUILD_PLUGIN_SCANNER,
      RBEE_INSTALL_PLUGIN_SCANNER,
  };
  for (const auto& candidate : candidates)
    if (!candidate.empty() && std::filesystem::is_regular_file(candidate, ec)) return candidate;
  return RBEE_INSTALL_PLUGIN_SCANNER;  // absent: every scan then fails naming this path
}

std::chrono::milliseconds scan_timeout() {
  const char* env = std::getenv("RBEE_PLUGIN_SCAN_TIMEOUT_MS");
  if (env == nullptr) return kDefaultTimeout;
  char* end = nullptr;
  const long ms = std::strtol(env, &end, 10);
  return end != env && *end == '\0' && ms > 0 ? std::chrono::milliseconds(ms) : kDefaultTimeout;
}

std::filesystem::path default_cache_file() {
  // The XDG spec says to ignore a relative XDG_CACHE_HOME.
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg != nullptr && std::filesystem::path(xdg).is_absolute())
    return std::filesystem::path(xdg) / "rbee" / "plugin-scan.json";
  const char* home = std::getenv("HOME");
  if (home != nullptr && *home != '\0') return std::filesystem::path(home) / ".cache" / "rbee" / "plugin-scan.json";
  return {};
}

}  // namespace

ScanSettings ScanSettings::from_environment() {
  return {.scanner = find_scanner(), .timeout = scan_timeout(), .cache_file = default_cache_file()};
}

}  // namespace rbee
