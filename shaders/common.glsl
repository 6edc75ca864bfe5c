// Shared by every rbee kernel.
#extension GL_EXT_control_flow_attributes : enable
#extension GL_EXT_samplerless_texture_functions : enable

// Specialization constant 0 is the workgroup size: the host picks it per device.
layout(local_size_x_id = 0) in;

float bf16_to_f32(uint bits) { return uintBitsToFloat(bits << 16); }

// Element i of a tightly packed array of 16-bit halves stored in 32-bit words.
float half_at(uint word, uint i) { return unpackHalf2x16(word)[i & 1u]; }
float bf16_at(uint word, uint i) { return uintBitsToFloat((i & 1u) == 0u ? word << 16 : word & 0xffff0000u); }
