#pragma once
#include <stdexcept>

namespace rbee {

// Thrown for any malformed or unsupported model file. The message names the file, the field
// and what was expected.
class FormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace rbee
