#pragma once
#include <stdexcept>
#include <string>

namespace rbee::chat::jinja {

// Every failure of parsing or rendering; what() reads "<template>:<line>: <what failed>".
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A failure inside an expression before its template line is known; the evaluator adds the line.
class EvalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace rbee::chat::jinja
