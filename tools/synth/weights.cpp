#include "synth/weights.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "quant/quant.hpp"

namespace rbee::synth {

namespace {

uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

uint64_t fnv1a(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : s) h = (h ^ static_cast<uint8_t>(c)) * 0x100000001b3ull;
  return h;
}

constexpr float kStd = 0.02f;
constexpr uint64_t kChunkElements = 1u << 22;  // values produced per round of threads

void fill_row(const TensorPlan& t, uint64_t seed, uint64_t name_hash, uint64_t row, std::span<float> out) {
  switch (t.init) {
    case Init::Ones: std::fill(out.begin(), out.end(), 1.0f); return;
    case Init::Values: std::copy_n(t.values.begin() + row * out.size(), out.size(), out.begin()); return;
    case Init::Random: break;
  }
  uint64_t s = splitmix64(seed ^ splitmix64(name_hash + row));
  if (s == 0) s = 1;
  // Irwin-Hall: four 16-bit uniforms per 64-bit xorshift draw; mean 2, variance 1/3.
  const float scale = kStd * std::sqrt(3.0f) / 65536.0f;
  for (float& v : out) {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    const uint64_t r = s * 0x2545F4914F6CDD1Dull;
    const uint32_t sum = uint32_t(r & 0xffff) + uint32_t((r >> 16) & 0xffff) + uint32_t((r >> 32) & 0xffff) + uint32_t(r >> 48);
    v = (static_cast<float>(sum) - 131070.0f) * scale;
  }
}

}  // namespace

void encode_tensor(const TensorPlan& t, uint64_t seed, unsigned threads,
                   const std::function<void(std::span<const uint8_t>)>& sink) {
  const uint64_t n = t.row_length(), rows = t.rows();
  const uint64_t row_bytes = quant::bytes_for(t.type, n);
  const uint64_t name_hash = fnv1a(t.name);
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  const uint64_t chunk_rows = std::max<uint64_t>(1, kChunkElements / n);
  std::vector<uint8_t> bytes(std::min(rows, chunk_rows) * row_bytes);

  for (uint64_t first = 0; first < rows; first += chunk_rows) {
    const uint64_t count = std::min(chunk_rows, rows - first);
    const unsigned workers = static_cast<unsigned>(std::min<uint64_t>(threads, count));
    std::exception_ptr error;
    std::mutex error_mutex;
    auto work = [&](unsigned w) {
      try {
        std::vector<float> row(n);
        for (uint64_t r = w; r < count; r += workers) {
          fill_row(t, seed, name_hash, first + r, row);
          quant::quantize(t.type, row, std::span<uint8_t>(bytes.data() + r * row_bytes, row_bytes));
        }
      } catch (...) {
        std::lock_guard lock(error_mutex);
        error = std::current_exception();
      }
    };
    if (workers <= 1) {
      work(0);
    } else {
      std::vector<std::thread> pool;
      for (unsigned w = 1; w < workers; ++w) pool.emplace_back(work, w);
      work(0);
      for (auto& th : pool) th.join();
    }
    if (error) std::rethrow_exception(error);
    sink(std::span<const uint8_t>(bytes.data(), count * row_bytes));
  }
}

}  // namespace rbee::synth
