#include "option_checks.hpp"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <sstream>

namespace rbee::host {
namespace {

struct Bounds {
  long double min, max;
  bool min_excluded = false;
  bool integer = false;
};

std::string text(long double v) {
  std::ostringstream s;
  s.precision(20);  // whole uint64 values print exactly
  s << v;
  return s.str();
}

// "a number > 0 and <= 1", "an integer >= 0", "an integer from 1 to 1024": for the help and errors.
std::string describe(const Bounds& b) {
  std::string what = b.integer ? "an integer" : "a number";
  const std::string low = (b.min_excluded ? "> " : ">= ") + text(b.min);
  if (b.max == kNoLimit) return what + " " + low;
  if (b.min_excluded) return what + " " + low + " and <= " + text(b.max);
  return what + " from " + text(b.min) + " to " + text(b.max);
}

// The value of `input` when it is a finite number (a whole one where b.integer) within b.
bool accepts(const Bounds& b, const std::string& input) {
  if (input.empty() || std::isspace(static_cast<unsigned char>(input[0]))) return false;
  if (b.integer && input.find_first_not_of("+-0123456789") != std::string::npos) return false;
  char* end = nullptr;
  errno = 0;
  const long double v = std::strtold(input.c_str(), &end);
  if (*end != '\0' || errno == ERANGE || !std::isfinite(v)) return false;
  return (b.min_excluded ? v > b.min : v >= b.min) && v <= b.max;
}

CLI::Validator numbers(const Bounds& b) {
  const std::string expected = describe(b);
  return CLI::Validator(
      [b, expected](std::string& input) {
        return accepts(b, input) ? std::string() : "expected " + expected + ", got " + input;
      },
      expected);
}

}  // namespace

CLI::Validator number_in(long double min, long double max) { return numbers({min, max}); }

CLI::Validator number_above(long double min, long double max) { return numbers({min, max, true}); }

CLI::Validator integer_in(long double min, long double max) { return numbers({min, max, false, true}); }

CLI::Validator existing_folder() {
  return CLI::Validator(
      [](std::string& input) {
        std::error_code ec;
        if (std::filesystem::is_directory(input, ec)) return std::string();
        return "expected an existing folder, got " + input +
               (std::filesystem::exists(input, ec) ? " (not a folder)" : " (no such folder)");
      },
      "an existing folder");
}

}  // namespace rbee::host
