#include "demo_model.hpp"

#include <cstdio>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace rbee::host {
namespace {

constexpr const char* kDemoFile = "rbee-demo-q8_0.gguf";

// The folders to look in, in order (RBEE_* come from host/CMakeLists.txt): an executable of
// the build tree runs the source tree's model, an installed one its own.
std::vector<std::filesystem::path> demo_folders() {
  std::vector<std::filesystem::path> folders;
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const std::filesystem::path from_build = self.lexically_relative(RBEE_BUILD_DIR);
    if (!from_build.empty() && *from_build.begin() != "..") folders.emplace_back(RBEE_SOURCE_DEMO_DIR);
    folders.push_back((self.parent_path() / RBEE_DEMO_DIR_FROM_BINDIR).lexically_normal());
  }
  if (folders.empty() || folders.back() != RBEE_INSTALL_DEMO_DIR) folders.emplace_back(RBEE_INSTALL_DEMO_DIR);
  return folders;
}

}  // namespace

std::filesystem::path demo_model() {
  std::string looked;
  for (const auto& folder : demo_folders()) {
    const std::filesystem::path file = folder / kDemoFile;
    if (std::filesystem::is_regular_file(file)) return file;
    looked += (looked.empty() ? "" : ", ") + folder.string();
  }
  throw std::runtime_error(std::string("no model given, and the demo model ") + kDemoFile + " is in none of " + looked +
                           " (give a GGUF file or a Hugging Face folder)");
}

void use_demo_model_if_none(ModelArgs& args) {
  if (!args.path.empty()) return;
  args.path = demo_model().string();
  std::fprintf(stderr, "rbee: no model given: using the demo model, a tiny Llama trained on fortune cookies (%s)\n",
               args.path.c_str());
}

}  // namespace rbee::host
