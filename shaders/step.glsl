// Per-step values written by the host before each submission (dispatch::StepLayout): the
// replayed command buffer reads the batch's layout from here rather than from recorded
// constants. A batch is runs ("segments") of consecutive tokens, each run appending to one
// sequence's cache slot at consecutive positions. Words: a header, then per token its
// position and slot, per segment its first token and count, per output row the token row it
// takes.
layout(std430, binding = STEP_BINDING) readonly buffer Step {
  uint n_tokens;   // tokens in this step
  uint n_segments; // runs of one sequence
  uint n_outputs;  // rows output_rows gathers
  uint reserved;
  uint words[];
} step;

uint token_position(uint t) { return step.words[2u * t]; }
uint token_slot(uint t) { return step.words[2u * t + 1u]; }
uint segment_first(uint i) { return step.words[2u * step.n_tokens + 2u * i]; }
uint segment_count(uint i) { return step.words[2u * step.n_tokens + 2u * i + 1u]; }
uint output_row(uint i) { return step.words[4u * step.n_tokens + i]; }
