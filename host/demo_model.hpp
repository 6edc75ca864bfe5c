#pragma once
#include <filesystem>

#include "options.hpp"

namespace rbee::host {

// rbee's demo model: a small Llama trained on fortune cookies (models/demo in the source tree,
// made by tools/demo-model/make.py). An executable of the build tree runs the source tree's; an
// install holds it in share/rbee/demo, found relative to the executable first (a relocated tree)
// and then under the install prefix. Throws, naming the places looked in, when none holds it.
std::filesystem::path demo_model();

// With no model given, the demo model, said in one line on stderr.
void use_demo_model_if_none(ModelArgs& args);

}  // namespace rbee::host
