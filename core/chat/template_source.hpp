#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "chat/chat_template.hpp"
#include "formats/model_source.hpp"

namespace rbee::chat {

// Where a model keeps its chat templates, as transformers and llama.cpp read them:
//   GGUF:      tokenizer.chat_template (the default) and tokenizer.chat_template.<name>;
//   HF folder: chat_template.jinja (the default) and additional_chat_templates/<name>.jinja, which
//              replace, as in transformers, tokenizer_config.json's chat_template (a string, or
//              a list of {"name", "template"} where "default" is the default).
// chat_template.json is a processor's file, which transformers' tokenizers do not read; nor does rbee.
// Special tokens: HF tokenizer_config.json (then special_tokens_map.json over it), GGUF
// tokenizer.ggml.<bos|eos|...>_token_id looked up in tokenizer.ggml.tokens.
// Malformed files throw FormatError naming the file and field.
// gpt-oss (GGUF general.architecture "gpt-oss", config.json model_type "gpt_oss"): the default
// template is rbee's harmony renderer (ChatTemplate::harmony), which writes the format as
// openai/harmony does, whether or not the model has a Jinja template of its own (gpt-oss's
// agrees with it except where tests/chat/test_harmony_template.cpp shows); named variants and
// --chat-template-file stay Jinja.

// The names of the model's templates, "default" for the default one; empty when it has none.
std::vector<std::string> chat_template_variants(const ModelSource& source);

// The variant transformers' get_chat_template picks: `requested` when given, else "tool_use"
// when the conversation has tools and the model has that template, else the default ("").
std::string choose_chat_template_variant(const ModelSource& source, const std::string& requested, bool with_tools);

// The model's template `variant` ("" for the default). Throws when there is none, saying where
// it looked and what is available.
ChatTemplate load_chat_template(const ModelSource& source, const std::string& variant = "");

// A template from a file (--chat-template-file), rendered with `source`'s special tokens or, when
// null, none.
ChatTemplate load_chat_template_file(const std::filesystem::path& file, const ModelSource* source);

}  // namespace rbee::chat
