#include "chat/harmony/typescript_schema.hpp"

#include <algorithm>

namespace rbee::chat::harmony {
namespace {

using nlohmann::ordered_json;

const ordered_json* member(const ordered_json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

const std::string* string_member(const ordered_json& object, const char* key) {
  const ordered_json* value = member(object, key);
  return value && value->is_string() ? &value->get_ref<const std::string&>() : nullptr;
}

bool is_enum(const ordered_json& schema) {
  const ordered_json* values = member(schema, "enum");
  return values && values->is_array() && !values->empty();
}

bool is_nullable(const ordered_json& schema) {
  const ordered_json* nullable = member(schema, "nullable");
  return nullable && nullable->is_boolean() && nullable->get<bool>();
}

// "default: ..." as harmony comments it: a string quoted unless the schema is an enum.
std::string default_comment(const ordered_json& schema, const ordered_json& value) {
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    return is_enum(schema) ? "default: " + text : "default: \"" + text + "\"";
  }
  return "default: " + value.dump();
}

std::string with_null(const ordered_json& schema, std::string type) {
  if (is_nullable(schema) && type.find("null") == std::string::npos) type += " | null";
  return type;
}

std::string join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? separator : "") + parts[i];
  return out;
}

// A oneOf at the top of a schema: each alternative on its own line.
std::string one_of_type(const ordered_json& variants, const std::string& indent) {
  std::string out;
  for (const ordered_json& variant : variants) {
    out += "\n" + indent + " | " + with_null(variant, typescript_type(variant, indent + "   "));
    std::vector<std::string> comments;
    if (const std::string* description = string_member(variant, "description")) comments.push_back(*description);
    if (const ordered_json* value = member(variant, "default")) comments.push_back(default_comment(variant, *value));
    if (!comments.empty()) out += " // " + join(comments, " ");
  }
  return out;
}

// A property whose schema is a oneOf: its comments above it, one alternative a line below.
std::string one_of_property(const std::string& key, const ordered_json& property, const ordered_json& variants,
                            bool required, const std::string& indent) {
  std::string out;
  const std::string* description = string_member(property, "description");
  const std::string* first_description =
      variants.empty() ? nullptr : string_member(variants.front(), "description");
  const bool description_above = description && !(first_description && *first_description == *description);
  if (description_above) out += indent + "// " + *description + "\n";
  if (const ordered_json* value = member(property, "default")) out += indent + "// " + default_comment(property, *value) + "\n";
  out += indent + key + (required ? "" : "?") + ":\n";
  for (size_t i = 0; i < variants.size(); ++i) {
    const ordered_json& variant = variants[i];
    out += indent + " | " + with_null(variant, typescript_type(variant, indent + "   "));
    std::vector<std::string> comments;
    const std::string* variant_description = string_member(variant, "description");
    if (!(i == 0 && description_above) && variant_description && !(description && *variant_description == *description))
      comments.push_back(*variant_description);
    if (const ordered_json* value = member(variant, "default")) comments.push_back(default_comment(variant, *value));
    if (!comments.empty()) out += " // " + join(comments, " ");
    out += "\n";
  }
  return out + indent + ",\n";
}

std::string object_type(const ordered_json& schema, const std::string& indent) {
  std::string out;
  if (const std::string* description = string_member(schema, "description")) out += indent + "// " + *description + "\n";
  out += "{\n";
  const ordered_json* properties = member(schema, "properties");
  if (properties && properties->is_object()) {
    std::vector<std::string> required;
    if (const ordered_json* names = member(schema, "required"); names && names->is_array())
      for (const ordered_json& name : *names)
        if (name.is_string()) required.push_back(name.get<std::string>());
    for (const auto& [key, property] : properties->items()) {
      const bool is_required = std::ranges::find(required, key) != required.end();
      if (const std::string* title = string_member(property, "title")) out += indent + "// " + *title + "\n" + indent + "//\n";
      const ordered_json* variants = member(property, "oneOf");
      if (!variants)
        if (const std::string* description = string_member(property, "description")) out += indent + "// " + *description + "\n";
      if (const ordered_json* examples = member(property, "examples"); examples && examples->is_array() && !examples->empty()) {
        out += indent + "// Examples:\n";
        for (const ordered_json& example : *examples)
          if (example.is_string()) out += indent + "// - \"" + example.get<std::string>() + "\"\n";
      }
      if (variants && variants->is_array()) {
        out += one_of_property(key, property, *variants, is_required, indent);
        continue;
      }
      out += indent + key + (is_required ? "" : "?") + ": " + with_null(property, typescript_type(property, indent + "    ")) + ",";
      if (const ordered_json* value = member(property, "default"); value && !variants)
        out += " // " + default_comment(property, *value);
      out += "\n";
    }
  }
  return out + indent + "}";
}

}  // namespace

std::string typescript_type(const ordered_json& schema, const std::string& indent) {
  if (const ordered_json* variants = member(schema, "oneOf"); variants && variants->is_array())
    return one_of_type(*variants, indent);
  const ordered_json* type = member(schema, "type");
  if (type && type->is_array()) {
    std::vector<std::string> names;
    for (const ordered_json& name : *type)
      if (name.is_string()) names.push_back(name == "integer" ? "number" : name.get<std::string>());
    if (!names.empty()) return join(names, " | ");
  }
  if (!type || !type->is_string()) return "any";
  const std::string& name = type->get_ref<const std::string&>();
  if (name == "object") return object_type(schema, indent);
  if (name == "string") {
    std::vector<std::string> values;
    if (is_enum(schema))
      for (const ordered_json& value : schema["enum"])
        if (value.is_string()) values.push_back("\"" + value.get<std::string>() + "\"");
    return values.empty() ? "string" : join(values, " | ");
  }
  if (name == "number" || name == "integer") return "number";
  if (name == "boolean") return "boolean";
  if (name == "array") {
    const ordered_json* items = member(schema, "items");
    return items ? typescript_type(*items, indent) + "[]" : "Array<any>";
  }
  return "any";
}

}  // namespace rbee::chat::harmony
