// The AVX-512 build of XXH3 for FastXxh128 (fasthash.hpp). Everything here is compiled for AVX-512, so this
// file includes nothing with external linkage but xxhash.h's functions, which XXH_INLINE_ALL makes static:
// no inline C++ function compiled for AVX-512 can be picked by the linker for a caller on an older CPU.
#include "artifact/fasthash.hpp"

#pragma GCC push_options
#pragma GCC target("avx512f")
// GCC 12's own AVX-512 intrinsics start from _mm512_undefined_*, which -W(maybe-)uninitialized reports.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>
#define XXH_INLINE_ALL
#define XXH_VECTOR XXH_AVX512
#include <xxhash.h>

namespace mlci::artifact::detail {

size_t avx512_state_size() {
    return sizeof(XXH3_state_t);
}

void avx512_reset(void* state) {
    XXH3_128bits_reset(static_cast<XXH3_state_t*>(state));
}

void avx512_update(void* state, const void* data, size_t size) {
    XXH3_128bits_update(static_cast<XXH3_state_t*>(state), data, size);
}

Hash128 avx512_digest(const void* state) {
    XXH128_hash_t h = XXH3_128bits_digest(static_cast<const XXH3_state_t*>(state));
    return Hash128{h.high64, h.low64};
}

Hash128 avx512_oneshot(const void* data, size_t size) {
    XXH128_hash_t h = XXH3_128bits(data, size);
    return Hash128{h.high64, h.low64};
}

} // namespace mlci::artifact::detail
#pragma GCC diagnostic pop
#pragma GCC pop_options
