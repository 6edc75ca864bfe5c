// Per-step values written by the host before each submission: the replayed command buffer
// reads positions and lengths from here rather than from recorded constants.
layout(std430, binding = STEP_BINDING) readonly buffer Step {
  uint n_past;   // tokens already in the KV cache before this step
  uint n_tokens; // new tokens in this step
} step;
