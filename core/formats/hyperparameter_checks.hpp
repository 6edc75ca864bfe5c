#pragma once

namespace rbee {

class ModelSource;

// Checks the hyperparameters a model's metadata states against what they must agree with, so
// a file whose metadata contradicts its tensors is refused instead of run (or shown) wrongly:
//  - the token embedding's width and rows against the embedding length and vocabulary size;
//  - the first layer's dense down projection against the feed-forward length;
//  - the router's rows against the expert count; experts (and expert groups) used per token
//    against how many there are;
//  - norm epsilons, the RoPE base and a RoPE scaling factor: finite and > 0.
// Only what the file states is checked; plugins read (and require) the rest. Throws FormatError
// naming the file (config.json for a folder), the metadata key and both values.
void check_hyperparameters(const ModelSource& source);

}  // namespace rbee
