// FastXxh128 (fasthash.hpp): picks the widest XXH3 build once per process (AVX-512 F, else AVX2, else
// the baseline mlci::Xxh128) and forwards to it; every build yields the same hash.
#include "hash/fasthash.hpp"

#include "hash/cpu.hpp"

#include <cstdint>

namespace mlci {

namespace {

constexpr size_t k_align = 64; // XXH3_state_t is declared 64-byte aligned

const Xxh3Build* best_build() {
    static const Xxh3Build* build = cpu::has_avx512() ? &xxh3_builds::avx512()
                                    : cpu::has_avx2() ? &xxh3_builds::avx2()
                                                      : nullptr;
    return build;
}

} // namespace

FastXxh128::FastXxh128() : m_build(best_build()) {
    if (m_build == nullptr) {
        m_plain = std::make_unique<Xxh128>();
        return;
    }
    m_raw = std::make_unique<unsigned char[]>(m_build->state_size + k_align);
    auto p = reinterpret_cast<uintptr_t>(m_raw.get());
    m_state = reinterpret_cast<void*>((p + k_align - 1) & ~(uintptr_t{k_align} - 1));
    m_build->reset(m_state);
}

FastXxh128::~FastXxh128() = default;

const char* FastXxh128::isa() const {
    return m_build == nullptr ? "sse2" : m_build == &xxh3_builds::avx512() ? "avx512" : "avx2";
}

Hash128 fast_xxh128(std::string_view data) {
    const Xxh3Build* build = best_build();
    return build != nullptr ? build->oneshot(data.data(), data.size()) : xxh128(data);
}

} // namespace mlci
