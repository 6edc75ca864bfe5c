// A sharded Hugging Face folder: model.safetensors.index.json (the input) naming shards that
// exist (two small valid ones), are missing, or are the index itself.
#include <filesystem>

#include "formats/model_source.hpp"
#include "fuzz_input.hpp"
#include "util/format_error.hpp"

namespace {

// A valid safetensors file with one F32 tensor `name` of 2 values.
void write_shard(const std::filesystem::path& path, const std::string& name) {
  const std::string header = "{\"" + name + "\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
  const uint64_t n = header.size();
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(&n), 8);
  out << header << std::string(8, '\0');
}

const std::filesystem::path& folder() {
  static const auto dir = [] {
    auto d = rbee::fuzz::scratch_dir() / "sharded";
    std::filesystem::create_directories(d);
    std::ofstream(d / "config.json") << R"({"model_type": "llama", "architectures": ["LlamaForCausalLM"]})";
    write_shard(d / "model-00001-of-00002.safetensors", "a");
    write_shard(d / "model-00002-of-00002.safetensors", "b");
    return d;
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto dir = folder();
  std::ofstream(dir / "model.safetensors.index.json", std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), size);
  try {
    const auto source = rbee::ModelSource::open(dir);
    for (const auto& t : source->tensors()) (void)t.elements();
  } catch (const rbee::FormatError&) {
  }
  return 0;
}
