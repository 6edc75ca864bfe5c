#include "chat/harmony/tool_sections.hpp"

#include <algorithm>
#include <sstream>

#include "chat/harmony/typescript_schema.hpp"

namespace rbee::chat::harmony {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string namespace_section(const ToolNamespace& ns) {
  std::vector<std::string> parts{"## " + ns.name + "\n"};
  for (const std::string& line : lines_of(ns.description)) parts.push_back(ns.tools.empty() ? line : "// " + line);
  if (!ns.tools.empty()) {
    parts.push_back("namespace " + ns.name + " {\n");
    for (const ToolDescription& tool : ns.tools) {
      for (const std::string& line : lines_of(tool.description)) parts.push_back("// " + line);
      if (tool.parameters.is_null())
        parts.push_back("type " + tool.name + " = () => any;\n");
      else
        parts.push_back("type " + tool.name + " = (_: " + typescript_type(tool.parameters) + ") => any;\n");
    }
    parts.push_back("} // namespace " + ns.name);
  }
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "\n" : "") + parts[i];
  return out;
}

}  // namespace

std::string render_tools_section(const std::vector<ToolNamespace>& namespaces) {
  std::vector<const ToolNamespace*> sorted;
  for (const ToolNamespace& ns : namespaces) sorted.push_back(&ns);
  std::ranges::stable_sort(sorted, {}, &ToolNamespace::name);
  std::string out = "# Tools";
  for (const ToolNamespace* ns : sorted) out += "\n\n" + namespace_section(*ns);
  return out;
}

ToolNamespace browser_tool() {
  using nlohmann::ordered_json;
  const auto number_default = [](int value) { return ordered_json{{"type", "number"}, {"default", value}}; };
  const ordered_json string_type = {{"type", "string"}};
  return {
      "browser",
      "Tool for browsing.\n"
      "The `cursor` appears in brackets before each browsing display: `[{cursor}]`.\n"
      "Cite information from the tool using the following format:\n"
      "`\xE3\x80\x90{cursor}\xE2\x80\xA0L{line_start}(-L{line_end})?\xE3\x80\x91`, for example: "
      "`\xE3\x80\x90" "6\xE2\x80\xA0L9-L11\xE3\x80\x91` or `\xE3\x80\x90" "8\xE2\x80\xA0L3\xE3\x80\x91`.\n"
      "Do not quote more than 10 words directly from the tool output.\n"
      "sources=web (default: web)",
      {
          {"search",
           "Searches for information related to `query` and displays `topn` results.",
           {{"type", "object"},
            {"properties", {{"query", string_type}, {"topn", number_default(10)}, {"source", string_type}}},
            {"required", ordered_json::array({"query"})}}},
          {"open",
           "Opens the link `id` from the page indicated by `cursor` starting at line number `loc`, showing "
           "`num_lines` lines.\n"
           "Valid link ids are displayed with the formatting: `\xE3\x80\x90{id}\xE2\x80\xA0.*\xE3\x80\x91`.\n"
           "If `cursor` is not provided, the most recent page is implied.\n"
           "If `id` is a string, it is treated as a fully qualified URL associated with `source`.\n"
           "If `loc` is not provided, the viewport will be positioned at the beginning of the document or "
           "centered on the most relevant passage, if available.\n"
           "Use this function without `id` to scroll to a new location of an opened page.",
           {{"type", "object"},
            {"properties",
             {{"id", {{"type", ordered_json::array({"number", "string"})}, {"default", -1}}},
              {"cursor", number_default(-1)},
              {"loc", number_default(-1)},
              {"num_lines", number_default(-1)},
              {"view_source", {{"type", "boolean"}, {"default", false}}},
              {"source", string_type}}}}},
          {"find",
           "Finds exact matches of `pattern` in the current page, or the page given by `cursor`.",
           {{"type", "object"},
            {"properties", {{"pattern", string_type}, {"cursor", number_default(-1)}}},
            {"required", ordered_json::array({"pattern"})}}},
      },
  };
}

ToolNamespace python_tool() {
  return {
      "python",
      "Use this tool to execute Python code in your chain of thought. The code will not be shown to the user. "
      "This tool should be used for internal reasoning, but not for code that is intended to be visible to the "
      "user (e.g. when creating plots, tables, or files).\n\n"
      "When you send a message containing Python code to python, it will be executed in a stateful Jupyter "
      "notebook environment. python will respond with the output of the execution or time out after 120.0 "
      "seconds. The drive at '/mnt/data' can be used to save and persist user files. Internet access for this "
      "session is UNKNOWN. Depends on the cluster.",
      {},
  };
}

}  // namespace rbee::chat::harmony
