// The AVX-512 build of XXH3 for FastXxh128 (fasthash.hpp). Everything here is compiled for AVX-512, so this
// file includes nothing with external linkage but xxhash.h's functions, which XXH_INLINE_ALL makes static:
// no inline C++ function compiled for AVX-512 can be picked by the linker for a caller on an older CPU.
#include "hash/fasthash.hpp"

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

#include "hash/xxh3_build.hpp"

const mlci::Xxh3Build& mlci::xxh3_builds::avx512() {
    return k_this_build;
}
#pragma GCC diagnostic pop
#pragma GCC pop_options
