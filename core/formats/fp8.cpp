#include "formats/fp8.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstring>
#include <exception>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "util/float_convert.hpp"  // f32_to_bf16, f32_to_f16
#include "util/half.hpp"

namespace rbee::fp8 {

namespace {

using nlohmann::json;

std::array<float, 256> make_e4m3_table() {
  std::array<float, 256> t{};
  for (unsigned c = 0; c < 256; ++c) {
    const unsigned exp = (c >> 3) & 0xfu, mant = c & 7u;
    float v;
    if (exp == 0xf && mant == 7) {
      v = std::numeric_limits<float>::quiet_NaN();
    } else if (exp == 0) {
      v = std::ldexp(float(mant), -9);  // subnormal: mant/8 * 2^(1-7)
    } else {
      v = std::ldexp(float(8 + mant), int(exp) - 10);  // (1 + mant/8) * 2^(exp-7)
    }
    t[c] = (c & 0x80u) ? -v : v;
  }
  return t;
}

// The product rounded to float, but to odd where it is inexact (the sticky bit kept), so that
// rounding it again to a type of fewer than 23 fraction bits is the correct rounding of the
// exact product. v has 4 significant bits and s at most 24, so the double product is exact.
float mul_round_odd(float v, float s) {
  const double exact = double(v) * double(s);
  float p = float(exact);
  if (double(p) != exact && !std::isnan(exact)) {
    uint32_t bits = std::bit_cast<uint32_t>(p);
    if (std::fabs(double(p)) > std::fabs(exact)) bits -= 1;  // toward zero: truncation
    p = std::bit_cast<float>(bits | 1u);
  }
  return p;
}

std::string shape_text(std::span<const uint64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

constexpr const char* kScaleSuffix = "_scale_inv";

}  // namespace

const std::array<float, 256>& e4m3_table() {
  static const std::array<float, 256> table = make_e4m3_table();
  return table;
}

float BlockScaled::scale(uint64_t block_row, uint64_t block_col) const {
  const uint64_t i = block_row * scale_cols() + block_col;
  if (scale_type == DType::F32) {
    float f;
    std::memcpy(&f, scales + 4 * i, 4);
    return f;
  }
  uint16_t h;
  std::memcpy(&h, scales + 2 * i, 2);
  return scale_type == DType::BF16 ? bf16_to_f32(h) : f16_to_f32(h);
}

uint64_t row_bytes(DType type, uint64_t cols) {
  const auto traits = dtype_traits(uint32_t(type));
  if (!traits || cols % traits->block_elems) return 0;
  return cols / traits->block_elems * traits->block_bytes;
}

void convert_rows(const BlockScaled& w, uint64_t row_begin, uint64_t row_end, DType type,
                  const SourceOptions::Encoder& encode, uint8_t* dst) {
  const auto& table = e4m3_table();
  const uint64_t bytes_per_row = row_bytes(type, w.cols);
  const uint64_t ncb = w.scale_cols();
  const bool half = type == DType::BF16 || type == DType::F16;
  // Per block of columns, the converted value of each of the 256 codes under its scale: one
  // lookup per weight. Rebuilt when the rows enter the next block of rows.
  std::vector<uint16_t> half_tab(half ? ncb * 256 : 0);
  std::vector<float> float_tab(half ? 0 : ncb * 256);
  std::vector<float> row(half || type == DType::F32 ? 0 : w.cols);
  uint64_t tab_block = UINT64_MAX;
  for (uint64_t r = row_begin; r < row_end; ++r) {
    if (r / w.block_rows != tab_block) {
      tab_block = r / w.block_rows;
      for (uint64_t cb = 0; cb < ncb; ++cb) {
        const float s = w.scale(tab_block, cb);
        for (unsigned c = 0; c < 256; ++c) {
          if (type == DType::BF16)
            half_tab[cb * 256 + c] = quant::f32_to_bf16(mul_round_odd(table[c], s));
          else if (type == DType::F16)
            half_tab[cb * 256 + c] = quant::f32_to_f16(mul_round_odd(table[c], s));
          else
            float_tab[cb * 256 + c] = float(double(table[c]) * double(s));
        }
      }
    }
    const uint8_t* codes = w.codes + r * w.cols;
    uint8_t* out = dst + (r - row_begin) * bytes_per_row;
    for (uint64_t cb = 0, c0 = 0; cb < ncb; ++cb, c0 += w.block_cols) {
      const uint64_t c1 = std::min(c0 + w.block_cols, w.cols);
      if (half) {
        const uint16_t* tab = half_tab.data() + cb * 256;
        auto* o = reinterpret_cast<uint16_t*>(out);  // dst rows are 2-byte aligned
        for (uint64_t c = c0; c < c1; ++c) o[c] = tab[codes[c]];
      } else {
        const float* tab = float_tab.data() + cb * 256;
        float* o = type == DType::F32 ? reinterpret_cast<float*>(out) : row.data();
        for (uint64_t c = c0; c < c1; ++c) o[c] = tab[codes[c]];
      }
    }
    if (!half && type != DType::F32) encode(type, row, std::span<uint8_t>(out, bytes_per_row));
  }
}

std::vector<float> dequantize(const BlockScaled& w) {
  std::vector<float> out(w.rows * w.cols);
  convert_rows(w, 0, w.rows, DType::F32, {}, reinterpret_cast<uint8_t*>(out.data()));
  return out;
}

ConvertStats convert_weights(std::vector<TensorView>& tensors, const std::vector<std::string>& files,
                             const nlohmann::json& config, const SourceOptions& options,
                             std::vector<std::unique_ptr<uint8_t[]>>& owned) {
  ConvertStats stats;
  const size_t suffix = std::strlen(kScaleSuffix);
  auto is_scale = [&](const std::string& name) {
    return name.size() > suffix && name.compare(name.size() - suffix, suffix, kScaleSuffix) == 0;
  };
  const bool any = std::any_of(tensors.begin(), tensors.end(), [&](const TensorView& t) {
    return t.dtype == DType::F8_E4M3 || is_scale(t.name);
  });
  if (!any) return stats;
  const auto start = std::chrono::steady_clock::now();
  auto file_of = [&](size_t i) { return i < files.size() ? files[i] : std::string("safetensors"); };

  // config.json's quantization_config, as DeepSeek-V3 writes it:
  // {"quant_method": "fp8", "fmt": "e4m3", "weight_block_size": [128, 128], ...}.
  uint64_t block_rows = 128, block_cols = 128;
  const std::string config_where = "config.json: quantization_config";
  if (const auto q = config.find("quantization_config"); q != config.end() && q->is_object()) {
    const auto method = q->find("quant_method");
    if (method != q->end() && *method == "fp8") {
      if (const auto fmt = q->find("fmt"); fmt != q->end() && *fmt != "e4m3")
        throw FormatError(config_where + ".fmt is " + fmt->dump() + "; only \"e4m3\" FP8 weights are supported");
      if (const auto b = q->find("weight_block_size"); b != q->end()) {
        if (!b->is_array() || b->size() != 2 || !(*b)[0].is_number_unsigned() ||
            !(*b)[1].is_number_unsigned() || (*b)[0] == 0 || (*b)[1] == 0 || (*b)[0] > (1u << 20) ||
            (*b)[1] > (1u << 20))
          throw FormatError(config_where + ".weight_block_size is " + b->dump() +
                            "; expected [rows, columns] of a block, e.g. [128, 128]");
        block_rows = (*b)[0].get<uint64_t>();
        block_cols = (*b)[1].get<uint64_t>();
      }
    }
  }

  std::map<std::string_view, size_t> by_name;
  for (size_t i = 0; i < tensors.size(); ++i) by_name.emplace(tensors[i].name, i);

  DType type = options.fp8_type;
  const bool plain = type == DType::F32 || type == DType::F16 || type == DType::BF16;
  if (!plain && (!options.encode || !dtype_traits(uint32_t(type))))
    throw FormatError("cannot convert FP8 weights to " + std::string(dtype_name(type)) +
                      (options.encode ? ": unknown type" : ": no encoder given for a block type"));

  struct Job {
    size_t tensor;
    BlockScaled w;
    DType type;
    uint8_t* dst;
  };
  std::vector<Job> jobs;
  std::set<size_t> scale_tensors;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const TensorView& t = tensors[i];
    const std::string scale_name = t.name + kScaleSuffix;
    const auto it = by_name.find(scale_name);
    if (t.dtype != DType::F8_E4M3) {
      continue;
    }
    const std::string where = file_of(i) + ": tensor '" + t.name + "' (F8_E4M3 " + shape_text(t.shape) + ")";
    if (t.shape.size() != 2)
      throw FormatError(where + ": only 2-D FP8 weights [out, in] with block scales are supported");
    BlockScaled w;
    w.codes = t.data;
    w.rows = t.shape[0];
    w.cols = t.shape[1];
    w.block_rows = block_rows;
    w.block_cols = block_cols;
    const std::vector<uint64_t> want{w.scale_rows(), w.scale_cols()};
    const std::string expected = "F32 or BF16 " + shape_text(want) + " (one scale per " +
                                 std::to_string(block_rows) + "x" + std::to_string(block_cols) + " block)";
    if (it == by_name.end())
      throw FormatError(where + ": its block scales '" + scale_name + "' are missing; expected " + expected);
    const TensorView& s = tensors[it->second];
    const std::string swhere = file_of(it->second) + ": tensor '" + scale_name + "', the block scales of '" + t.name + "'";
    if (s.dtype != DType::F32 && s.dtype != DType::BF16 && s.dtype != DType::F16)
      throw FormatError(swhere + ", is " + std::string(dtype_name(s.dtype)) + "; expected " + expected);
    if (s.shape != want)
      throw FormatError(swhere + ", has shape " + shape_text(s.shape) + "; expected " + expected);
    const uint64_t scale_bytes = want[0] * want[1] * (s.dtype == DType::F32 ? 4 : 2);
    if (s.nbytes != scale_bytes || t.nbytes != w.rows * w.cols)
      throw FormatError(swhere + ": byte sizes do not match the shapes");
    w.scales = s.data;
    w.scale_type = s.dtype;
    scale_tensors.insert(it->second);

    DType out = type;
    if (row_bytes(out, w.cols) == 0) {
      out = DType::BF16;
      ++stats.fallback_bf16;
    }
    // A NaN or infinite scale would turn every weight of its block, then the logits, into NaN.
    for (uint64_t rb = 0; rb < want[0]; ++rb)
      for (uint64_t cb = 0; cb < want[1]; ++cb) {
        const float scale = w.scale(rb, cb);
        if (!std::isfinite(scale))
          throw FormatError(swhere + ": scale [" + std::to_string(rb) + ", " + std::to_string(cb) + "] is " +
                            std::to_string(scale) + ", expected a finite number");
        if (out == DType::F16 && !(std::fabs(scale) * 448.f < 65504.f))
          throw FormatError(swhere + ": scale " + std::to_string(scale) +
                            " takes FP8 values past the F16 range; convert to bf16 instead");
      }
    const uint64_t nbytes = w.rows * row_bytes(out, w.cols);
    owned.push_back(std::make_unique_for_overwrite<uint8_t[]>(std::max<uint64_t>(nbytes, 1)));
    jobs.push_back({i, w, out, owned.back().get()});
    stats.fp8_bytes += t.nbytes + s.nbytes;
    stats.out_bytes += nbytes;
  }
  // A scale with no FP8 weight to scale would be silently ignored: refuse it.
  for (size_t i = 0; i < tensors.size(); ++i) {
    const std::string& name = tensors[i].name;
    const size_t n = suffix;
    if (!is_scale(name) || scale_tensors.count(i)) continue;
    const auto w = by_name.find(std::string_view(name).substr(0, name.size() - n));
    if (w != by_name.end() && tensors[w->second].dtype == DType::F8_E4M3) continue;
    throw FormatError(file_of(i) + ": tensor '" + name + "' looks like FP8 block scales, but '" +
                      name.substr(0, name.size() - n) + "' is " +
                      (w == by_name.end() ? std::string("missing")
                                          : std::string(dtype_name(tensors[w->second].dtype))) +
                      ", not an F8_E4M3 weight");
  }

  // Work items of one block of rows each, shared by the threads.
  struct Item {
    size_t job;
    uint64_t row_begin, row_end;
  };
  std::vector<Item> items;
  for (size_t j = 0; j < jobs.size(); ++j)
    for (uint64_t r = 0; r < jobs[j].w.rows; r += block_rows)
      items.push_back({j, r, std::min(r + block_rows, jobs[j].w.rows)});
  unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  threads = unsigned(std::min<uint64_t>(threads, std::max<size_t>(items.size(), 1)));
  std::atomic<size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&] {
    for (size_t k; (k = next.fetch_add(1)) < items.size();) {
      const Item& it = items[k];
      const Job& job = jobs[it.job];
      try {
        convert_rows(job.w, it.row_begin, it.row_end, job.type, options.encode,
                     job.dst + it.row_begin * row_bytes(job.type, job.w.cols));
      } catch (...) {
        std::lock_guard lock(error_mutex);
        if (!error) error = std::current_exception();
        next = items.size();
      }
    }
  };
  {
    std::vector<std::jthread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
  }
  if (error) std::rethrow_exception(error);

  for (const Job& job : jobs) {
    TensorView& t = tensors[job.tensor];
    t.dtype = job.type;
    t.nbytes = job.w.rows * row_bytes(job.type, job.w.cols);
    t.data = t.nbytes ? job.dst : nullptr;
  }
  std::vector<TensorView> kept;
  kept.reserve(tensors.size() - scale_tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i)
    if (!scale_tensors.count(i)) kept.push_back(std::move(tensors[i]));
  tensors = std::move(kept);
  stats.weights = jobs.size();
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return stats;
}

}  // namespace rbee::fp8
