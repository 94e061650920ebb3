// What the CPU (and its OS) can run, asked once per process: the SIMD builds of the hashes
// (fasthash_avx2.cpp, fasthash_avx512.cpp, sha256_fast.cpp) are called only when these say yes.
#pragma once

namespace mlci::cpu {

/// AVX2 (for the AVX2 build of XXH3).
bool has_avx2();
/// AVX-512 F (for the AVX-512 build of XXH3).
bool has_avx512();
/// The SHA extensions with SSE4.1 and SSSE3 (for SHA-256 with SHA-NI).
bool has_sha_ni();

} // namespace mlci::cpu
