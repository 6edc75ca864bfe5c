#include "formats/model_source.hpp"

#include <system_error>

#include "formats/gguf.hpp"
#include "formats/safetensors.hpp"

namespace rbee {

const TensorView* ModelSource::tensor(std::string_view name) const {
  const auto it = index_.find(name);
  return it == index_.end() ? nullptr : &tensors()[it->second];
}

void ModelSource::index_tensors() {
  const auto& all = tensors();
  index_.clear();
  for (size_t i = 0; i < all.size(); ++i) {
    if (!index_.emplace(all[i].name, i).second)
      throw FormatError(path().string() + ": tensor '" + all[i].name + "' appears twice");
  }
}

std::unique_ptr<ModelSource> ModelSource::open(const std::filesystem::path& path,
                                               const SourceOptions& options) {
  std::error_code ec;
  const auto st = std::filesystem::status(path, ec);
  if (st.type() == std::filesystem::file_type::not_found)
    throw FormatError(path.string() + ": no such file or folder");
  if (ec) throw FormatError(path.string() + ": cannot access: " + ec.message());

  if (std::filesystem::is_directory(st)) return std::make_unique<SafetensorsSource>(path, options);
  if (path.extension() == ".safetensors") {
    throw FormatError(path.string() +
                      ": a safetensors file needs the config.json beside it; pass the folder " +
                      path.parent_path().string() + " instead");
  }
  return std::make_unique<GgufSource>(path);
}

}  // namespace rbee
