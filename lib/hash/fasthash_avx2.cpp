// The AVX2 build of XXH3 for FastXxh128 (fasthash.hpp). Everything here is compiled for AVX2, so this
// file includes nothing with external linkage but xxhash.h's functions, which XXH_INLINE_ALL makes static:
// no inline C++ function compiled for AVX2 can be picked by the linker for a caller on an older CPU.
#include "hash/fasthash.hpp"

#pragma GCC push_options
#pragma GCC target("avx2")
#include <immintrin.h>
#define XXH_INLINE_ALL
#define XXH_VECTOR XXH_AVX2
#include <xxhash.h>

#include "hash/xxh3_build.hpp"

const mlci::Xxh3Build& mlci::xxh3_builds::avx2() {
    return k_this_build;
}
#pragma GCC pop_options
