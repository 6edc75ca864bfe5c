#include "util/read_file.hpp"

#include "util/mapped_file.hpp"

namespace rbee {

// Through MappedFile, so that every file a reader opens gets the same checks.
std::string read_regular_file(const std::filesystem::path& path) {
  const MappedFile file = MappedFile::open(path);
  if (file.size() == 0) return {};
  return std::string(reinterpret_cast<const char*>(file.data()), file.size());
}

}  // namespace rbee
