#pragma once
#include <cstdint>
#include <vector>

namespace rbee {

struct Candidate {
  int32_t id;
  float logit;
  float p = 0;  // probability, filled by softmax()
};

// Fills p from the logits divided by temperature (> 0).
void softmax(std::vector<Candidate>& c, float temperature = 1.0f);
// Sorts best first (equal logits: lower id first) and keeps the k best; k <= 0 keeps all.
// top_p() and min_p() expect this order. None of the filters leaves fewer than one candidate.
void top_k(std::vector<Candidate>& c, int32_t k);
// Keeps the shortest prefix whose probability mass reaches p; p >= 1 keeps all.
void top_p(std::vector<Candidate>& c, float p);
// Keeps the tokens at least min_p times as likely as the most likely one; min_p <= 0 keeps all.
void min_p(std::vector<Candidate>& c, float min_p);

}  // namespace rbee
