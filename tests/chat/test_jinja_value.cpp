// Values to and from JSON: key order kept (ordered_json), Python's types kept apart.
#include <gtest/gtest.h>

#include "chat/jinja/python_format.hpp"
#include "chat/jinja/value.hpp"

namespace {

using rbee::chat::jinja::Value;
using nlohmann::ordered_json;

TEST(JinjaValue, JsonRoundTripKeepsOrderAndTypes) {
  const auto j = ordered_json::parse(R"({"z": 1, "a": [true, null, 2.5, "é"], "m": {"b": {}, "a": []}})");
  const Value v = Value::from_json(j);
  EXPECT_EQ(v.to_json().dump(), j.dump());
  EXPECT_TRUE(v.as_dict().find("z")->is_int());
  EXPECT_TRUE(v.as_dict().find("a")->as_list()[2].is_real());
  // Python's str() of the same value, as jinja2 prints it.
  EXPECT_EQ(rbee::chat::jinja::python::str(v), "{'z': 1, 'a': [True, None, 2.5, 'é'], 'm': {'b': {}, 'a': []}}");
}

TEST(JinjaValue, UndefinedIsNotJson) {
  EXPECT_THROW(Value().to_json(), std::exception);
}

}  // namespace
