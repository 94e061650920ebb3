// The body of one XXH3 build (fasthash.hpp's Xxh3Build), shared by fasthash_avx2.cpp and
// fasthash_avx512.cpp. Include it only there, after <xxhash.h> with XXH_INLINE_ALL and inside the
// file's `#pragma GCC target`: everything here has internal linkage, so each file gets its own copy
// compiled for its vector unit, and the linker can never pick the AVX-512 copy for an AVX2 caller.
#pragma once

#include "hash/fasthash.hpp"

namespace mlci {
namespace {

void xxh3_reset(void* state) {
    XXH3_128bits_reset(static_cast<XXH3_state_t*>(state));
}

void xxh3_update(void* state, const void* data, size_t size) {
    XXH3_128bits_update(static_cast<XXH3_state_t*>(state), data, size);
}

Hash128 xxh3_digest(const void* state) {
    XXH128_hash_t h = XXH3_128bits_digest(static_cast<const XXH3_state_t*>(state));
    return Hash128{h.high64, h.low64};
}

Hash128 xxh3_oneshot(const void* data, size_t size) {
    XXH128_hash_t h = XXH3_128bits(data, size);
    return Hash128{h.high64, h.low64};
}

constexpr Xxh3Build k_this_build{sizeof(XXH3_state_t), xxh3_reset, xxh3_update, xxh3_digest, xxh3_oneshot};

} // namespace
} // namespace mlci
