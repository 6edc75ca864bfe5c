#pragma once
#include <filesystem>
#include <string>

namespace rbee {

// The whole content of a regular file. Throws FormatError naming the file when it is missing,
// unreadable, or not a regular file (a FIFO is refused at once instead of waiting for a writer).
std::string read_regular_file(const std::filesystem::path& path);

}  // namespace rbee
