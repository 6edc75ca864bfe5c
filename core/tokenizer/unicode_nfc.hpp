#pragma once
#include <string>
#include <string_view>

namespace rbee {

// Unicode Normalization Form C (canonical decomposition, then canonical composition), as
// Hugging Face's NFC normalizer applies it. Bytes that are not valid UTF-8 pass unchanged.
std::string to_nfc(std::string_view text);

}  // namespace rbee
