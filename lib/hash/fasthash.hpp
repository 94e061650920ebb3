// XXH3-128 with the widest vector unit the CPU has. mlci::Xxh128 (xxh128.hpp) is built for the baseline
// x86-64 (SSE2); with AVX2 the same hash runs about three times faster (0.06 s instead of 0.17 s for
// 2 GiB), with AVX-512 about three times faster again on data in L2 (25 ms a GiB here instead of 72):
// that is most of what `git model add` costs over a plain read in hardlink mode. The result is bit for
// bit the same: XXH3 defines one function whatever the vector width.
#pragma once

#include "hash/xxh128.hpp"

#include <cstddef>
#include <memory>
#include <string_view>

namespace mlci {

/// One build of XXH3-128 (for one vector unit), as a table of its functions.
struct Xxh3Build {
    size_t state_size; // of its XXH3_state_t, which must be 64-byte aligned
    void (*reset)(void* state);
    void (*update)(void* state, const void* data, size_t size);
    Hash128 (*digest)(const void* state);
    Hash128 (*oneshot)(const void* data, size_t size);
};

/// Incremental XXH3-128, the same results as mlci::Xxh128, AVX-512 or AVX2 when available (checked once).
/// Not copyable: it owns its state.
class FastXxh128 {
  public:
    FastXxh128();
    ~FastXxh128();

    void update(const void* data, size_t size) {
        if (m_build != nullptr) {
            m_build->update(m_state, data, size);
        } else {
            m_plain->update(data, size);
        }
    }
    Hash128 digest() const { return m_build != nullptr ? m_build->digest(m_state) : m_plain->digest(); }

    /// The vector unit in use: "avx512", "avx2" or "sse2" (the same results whichever).
    const char* isa() const;

  private:
    const Xxh3Build* m_build;               // nullptr: mlci::Xxh128 (no AVX2)
    std::unique_ptr<Xxh128> m_plain;        // without AVX2
    std::unique_ptr<unsigned char[]> m_raw; // with AVX2 or AVX-512: room for an aligned XXH3_state_t
    void* m_state = nullptr;
};

/// One-shot XXH3-128 of a buffer (AVX-512 or AVX2 when available).
Hash128 fast_xxh128(std::string_view data);

namespace xxh3_builds {
/// Compiled for AVX2 (fasthash_avx2.cpp): call only when cpu::has_avx2().
const Xxh3Build& avx2();
/// Compiled for AVX-512 F (fasthash_avx512.cpp): call only when cpu::has_avx512().
const Xxh3Build& avx512();
} // namespace xxh3_builds

} // namespace mlci
