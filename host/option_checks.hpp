#pragma once
// The checks every numeric and folder option of every command goes through, so that a bad
// value fails while the command line is parsed, before any model loads, with an error naming
// the option and what it expects ("--top-p: expected a number > 0 and <= 1, got 2"), and so
// that a new option gets the same checks and wording by using them.
#include <limits>

#include <CLI/CLI.hpp>

namespace rbee::host {

constexpr long double kNoLimit = std::numeric_limits<long double>::infinity();

// A finite number from min to max, both included (max may be kNoLimit; NaN and inf never pass).
CLI::Validator number_in(long double min, long double max);
// A finite number above min (excluded), at most max.
CLI::Validator number_above(long double min, long double max = kNoLimit);
// A whole number from min to max, both included (no fraction, no exponent); a value the
// option's type cannot hold fails its conversion, naming the option too, except above
// UINT64_MAX, which CLI11 saturates: uint64_t options pass UINT64_MAX as their max.
CLI::Validator integer_in(long double min, long double max);
// A folder that exists.
CLI::Validator existing_folder();

}  // namespace rbee::host
