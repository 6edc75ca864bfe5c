// elementwise: add / mul (same shape, a 1-row weight broadcast over rows, a column broadcast
// over columns), scale, softcap, the
// unary activations and gated units, on element counts that are not multiples of the
// workgroup, including one past 65535 workgroups (the grid-stride loop).
#include "ops/op_harness.hpp"

namespace rbee::test {
namespace {

double act(rbee_unary_op op, double v) {
  switch (op) {
    case RBEE_UNARY_SILU: return v / (1 + std::exp(-v));
    case RBEE_UNARY_GELU: return 0.5 * v * (1 + std::erf(v / std::sqrt(2.0)));
    case RBEE_UNARY_GELU_TANH: return 0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v)));
    case RBEE_UNARY_RELU: return v > 0 ? v : 0;
    case RBEE_UNARY_SIGMOID: return 1 / (1 + std::exp(-v));
  }
  return 0;
}

const char* act_name(rbee_unary_op op) {
  const char* n[] = {"silu", "gelu", "gelu_tanh", "relu", "sigmoid"};
  return n[op];
}

struct Shape {
  uint32_t rows, cols;
};
const Shape kShapes[] = {{1, 1}, {7, 65}, {9, 1000}, {64, 3}};

std::string shape_name(Shape s) { return std::to_string(s.rows) + "x" + std::to_string(s.cols); }

// Two inputs a, b of one shape, from F32 tables.
struct Inputs {
  OpHarness h;
  std::vector<float> a, b;
  Inputs(Shape s, float lo = -4.0f, float hi = 4.0f) {
    a = h.source().add("a", DType::F32, {s.rows, s.cols}, random_values(size_t(s.rows) * s.cols, 1 + s.cols, lo, hi));
    b = h.source().add("b", DType::F32, {s.rows, s.cols}, random_values(size_t(s.rows) * s.cols, 2 + s.cols, lo, hi));
  }
};

TEST(Elementwise, AddAndMulSameShape) {
  for (Shape s : kShapes)
    for (rbee_binary_op op : {RBEE_BINARY_ADD, RBEE_BINARY_MUL}) {
      Inputs in(s);
      std::vector<float> got = in.h.eval(s.rows, [&](const rbee_graph_api& api, rbee_graph* g) {
        return api.binary(g, in.h.input(g, "a"), in.h.input(g, "b"), op);
      });
      std::vector<double> want;
      for (size_t i = 0; i < in.a.size(); ++i) want.push_back(op == RBEE_BINARY_ADD ? in.a[i] + in.b[i] : in.a[i] * in.b[i]);  // float, exact
      EXPECT_TRUE(all_near(got, want, 0, 0)) << shape_name(s) << (op == RBEE_BINARY_ADD ? " add" : " mul");
    }
}

TEST(Elementwise, AddAndMulBroadcastOneRowWeight) {
  for (Shape s : kShapes)
    for (DType t : {DType::F32, DType::F16, DType::BF16})
      for (rbee_binary_op op : {RBEE_BINARY_ADD, RBEE_BINARY_MUL}) {
        Inputs in(s);
        std::vector<float> w = in.h.source().add("w", t, {s.cols}, random_values(s.cols, 9 + s.cols));
        std::vector<float> got = in.h.eval(s.rows, [&](const rbee_graph_api& api, rbee_graph* g) {
          return api.binary(g, in.h.input(g, "a"), api.weight(g, "w"), op);
        });
        std::vector<double> want;
        for (size_t i = 0; i < in.a.size(); ++i) {
          float wi = w[i % s.cols];  // float arithmetic: the result must match bit for bit
          want.push_back(op == RBEE_BINARY_ADD ? in.a[i] + wi : in.a[i] * wi);
        }
        EXPECT_TRUE(all_near(got, want, 0, 0)) << shape_name(s) << " type " << int(t) << (op == RBEE_BINARY_ADD ? " add" : " mul");
      }
}

// Qwen2-MoE's shared expert scaled per token by a gate: b [rows, 1] over a's columns.
TEST(Elementwise, AddAndMulBroadcastOneColumn) {
  for (Shape s : kShapes)
    for (rbee_binary_op op : {RBEE_BINARY_ADD, RBEE_BINARY_MUL}) {
      Inputs in(s);
      std::vector<float> col = in.h.source().add("col", DType::F32, {s.rows, 1}, random_values(s.rows, 7 + s.rows));
      std::vector<float> got = in.h.eval(s.rows, [&](const rbee_graph_api& api, rbee_graph* g) {
        return api.binary(g, in.h.input(g, "a"), in.h.input(g, "col"), op);
      });
      std::vector<double> want;
      for (size_t i = 0; i < in.a.size(); ++i) {
        float ci = col[i / s.cols];
        want.push_back(op == RBEE_BINARY_ADD ? in.a[i] + ci : in.a[i] * ci);
      }
      EXPECT_TRUE(all_near(got, want, 0, 0)) << shape_name(s) << (op == RBEE_BINARY_ADD ? " add" : " mul");
    }
}

TEST(Elementwise, Scale) {
  for (Shape s : kShapes) {
    Inputs in(s);
    std::vector<float> got = in.h.eval(s.rows, [&](const rbee_graph_api& api, rbee_graph* g) {
      return api.scale(g, in.h.input(g, "a"), -0.375f);
    });
    std::vector<double> want;
    for (float x : in.a) want.push_back(x * -0.375f);
    EXPECT_TRUE(all_near(got, want, 0, 0)) << shape_name(s);
  }
}

TEST(Elementwise, Softcap) {
  for (Shape s : kShapes) {
    Inputs in(s, -120.0f, 120.0f);  // well past the cap and near zero
    std::vector<float> got = in.h.eval(s.rows, [&](const rbee_graph_api& api, rbee_graph* g) {
      return api.softcap(g, in.h.input(g, "a"), 30.0f);
    });
    std::vector<double> want;
    for (float x : in.a) want.push_back(30.0 * std::tanh(x / 30.0));
    EXPECT_TRUE(all_near(got, want, 1e-5, 1e-6)) << shape_name(s);
  }
}

TEST(Elementwise, ScaleBeyondMaxWorkgroups) {
  // 3 x 1,400,000 = 4.2M floats > 65535 workgroups x 64 lanes (CPU device).
  Shape s{3, 1400000};
  OpHarness h;
  std::vector<float> a = h.source().add("a", DType::F32, {s.rows, s.cols}, random_values(size_t(s.rows) * s.cols, 4));
  std::vector<float> got = h.eval(s.rows, [&](const rbee_graph_api& api, rbee_graph* g) {
    return api.scale(g, h.input(g, "a"), 2.0f);
  });
  std::vector<double> want;
  for (float x : a) want.push_back(x * 2.0f);
  EXPECT_TRUE(all_near(got, want, 0, 0));
}

TEST(Elementwise, UnaryActivations) {
  for (Shape s : kShapes)
    for (rbee_unary_op op : {RBEE_UNARY_SILU, RBEE_UNARY_GELU, RBEE_UNARY_GELU_TANH, RBEE_UNARY_RELU, RBEE_UNARY_SIGMOID}) {
      Inputs in(s, -8.0f, 8.0f);
      std::vector<float> got = in.h.eval(s.rows, [&](const rbee_graph_api& api, rbee_graph* g) {
        return api.unary(g, in.h.input(g, "a"), op);
      });
      std::vector<double> want;
      for (float x : in.a) want.push_back(act(op, x));
      EXPECT_TRUE(all_near(got, want, 2e-6, 1e-5)) << shape_name(s) << " " << act_name(op);
    }
}

TEST(Elementwise, GatedUnits) {
  for (Shape s : kShapes)
    for (rbee_unary_op op : {RBEE_UNARY_SILU, RBEE_UNARY_GELU, RBEE_UNARY_GELU_TANH, RBEE_UNARY_RELU, RBEE_UNARY_SIGMOID}) {
      Inputs in(s, -8.0f, 8.0f);
      std::vector<float> got = in.h.eval(s.rows, [&](const rbee_graph_api& api, rbee_graph* g) {
        return api.gated(g, in.h.input(g, "a"), in.h.input(g, "b"), op);
      });
      std::vector<double> want;
      for (size_t i = 0; i < in.a.size(); ++i) want.push_back(act(op, in.a[i]) * in.b[i]);
      EXPECT_TRUE(all_near(got, want, 2e-5, 1e-5)) << shape_name(s) << " gated " << act_name(op);
    }
}

}  // namespace
}  // namespace rbee::test
