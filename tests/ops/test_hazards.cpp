// Barriers only where a dispatch or copy must wait: HazardTracker on its own, and what it makes
// of a small llama's pass. (That no hazard is left unbarriered is the synchronization
// validation of the vulkan_validation_* tests.)
#include "graph/hazards.hpp"
#include "ops/op_harness.hpp"
#include "ops/small_llama.hpp"

namespace rbee::test {
namespace {

using Access = HazardTracker::Access;

VkBuffer buffer(uintptr_t id) { return reinterpret_cast<VkBuffer>(id); }

TEST(HazardTracker, OnlyOverlappingAccessesOfWhichOneWritesConflict) {
  HazardTracker t;
  t.add({{buffer(1), 0, 64, false}, {buffer(1), 64, 64, true}});  // reads [0, 64), writes [64, 128)
  EXPECT_FALSE(t.conflicts({{buffer(1), 0, 64, false}})) << "read after read";
  EXPECT_TRUE(t.conflicts({{buffer(1), 100, 4, false}})) << "read after write";
  EXPECT_TRUE(t.conflicts({{buffer(1), 32, 4, true}})) << "write after read";
  EXPECT_TRUE(t.conflicts({{buffer(1), 120, 64, true}})) << "write after write";
  EXPECT_FALSE(t.conflicts({{buffer(1), 128, 64, true}})) << "adjacent bytes";
  EXPECT_FALSE(t.conflicts({{buffer(2), 0, 256, true}})) << "another buffer";
  t.barrier();
  EXPECT_FALSE(t.conflicts({{buffer(1), 0, 256, true}})) << "after a barrier";
}

// Decode with the kernels of a GPU: the q, k and v projections of a layer read one input and
// write apart, so each layer saves at least two barriers over a barrier per dispatch (what
// profiling records).
TEST(HazardTracker, IndependentDispatchesOfALlamaPassShareABarrier) {
  uint32_t barriers[2];
  for (bool profile : {true, false}) {
    rbee_kv_layout kv{sizeof kv, kKvHeads, kHeadDim, kHeadDim};
    OpHarness h({kv, kv}, 32, KvType::F16);
    KernelConfig k = KernelConfig::for_device(gpu().device->info());
    if (!k.subgroup_wg) GTEST_SKIP() << "no subgroup arithmetic: the portable kernels fuse nothing";
    k.texel_inputs = k.row_kernels = false;
    k.fold_inputs = true;
    h.use_kernels(k);
    add_llama_weights(h.source());
    barriers[profile] = h.compile(1, build_llama, false, profile)->barriers();
  }
  EXPECT_LE(barriers[false] + 2 * kLayers, barriers[true]);
}

}  // namespace
}  // namespace rbee::test
