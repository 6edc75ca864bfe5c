#include "plugin_host/scan_cache.hpp"

#include <fstream>
#include <system_error>

#include <unistd.h>

#include <spdlog/spdlog.h>

namespace rbee {

namespace {

constexpr int kFormat = 1;

// What tells a changed file from the one scanned; null when it cannot be read.
nlohmann::json stamp(const std::filesystem::path& file) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) return nullptr;
  const auto mtime = std::filesystem::last_write_time(file, ec);
  if (ec) return nullptr;
  return {{"size", size}, {"mtime", mtime.time_since_epoch().count()}};
}

}  // namespace

ScanCache ScanCache::read(const std::filesystem::path& file, const std::filesystem::path& scanner) {
  ScanCache cache;
  cache.file_ = file;
  cache.scanner_stamp_ = stamp(scanner);
  std::error_code ec;
  if (file.empty() || !std::filesystem::exists(file, ec)) return cache;
  try {
    std::ifstream in(file, std::ios::binary);
    const nlohmann::json j = nlohmann::json::parse(in);
    // Another scanner (an upgraded host) may judge plugins otherwise: its results do not count.
    if (j.at("format") != kFormat || j.at("scanner") != cache.scanner_stamp_) return cache;
    cache.plugins_ = j.at("plugins");
    if (!cache.plugins_.is_object()) throw std::runtime_error("\"plugins\" is not an object");
  } catch (const std::exception& e) {
    spdlog::warn("plugin scan cache {} is unreadable ({}); ignoring it and scanning the plugins again", file.string(),
                 e.what());
    cache.plugins_ = nlohmann::json::object();
  }
  return cache;
}

std::optional<ScanOutcome> ScanCache::find(const std::filesystem::path& plugin) const {
  const auto entry = plugins_.find(plugin.string());
  if (entry == plugins_.end() || !entry->is_object()) return std::nullopt;
  const nlohmann::json now = stamp(plugin);
  if (now.is_null() || entry->value("stamp", nlohmann::json()) != now) return std::nullopt;
  try {
    if (entry->contains("plugin")) return ScanOutcome{.plugin = plugin_info_from_json(plugin, entry->at("plugin"))};
    return ScanOutcome{.failure = entry->at("failure").get<std::string>()};
  } catch (const nlohmann::json::exception& e) {
    spdlog::warn("plugin scan cache {}: the entry of {} is unreadable ({}); scanning it again", file_.string(),
                 plugin.string(), e.what());
    return std::nullopt;
  }
}

void ScanCache::store(const std::filesystem::path& plugin, const ScanOutcome& outcome) {
  const nlohmann::json now = stamp(plugin);
  if (!outcome.lasting || now.is_null()) return;
  nlohmann::json entry = {{"stamp", now}};
  if (outcome.plugin) entry["plugin"] = to_json(*outcome.plugin);
  else entry["failure"] = outcome.failure;
  plugins_[plugin.string()] = std::move(entry);
  changed_ = true;
}

void ScanCache::write() const {
  if (!changed_ || file_.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(file_.parent_path(), ec);
  const auto temporary = file_.string() + "." + std::to_string(::getpid()) + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << nlohmann::json{{"format", kFormat}, {"scanner", scanner_stamp_}, {"plugins", plugins_}}.dump(
               1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (!out.flush()) {
      spdlog::debug("plugin scan cache {}: cannot write {}", file_.string(), temporary);
      std::filesystem::remove(temporary, ec);
      return;
    }
  }
  std::filesystem::rename(temporary, file_, ec);
  if (ec) {
    spdlog::debug("plugin scan cache {}: {}", file_.string(), ec.message());
    std::filesystem::remove(temporary, ec);
  }
}

}  // namespace rbee
