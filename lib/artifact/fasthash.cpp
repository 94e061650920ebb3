// FastXxh128 (fasthash.hpp): picks the widest XXH3 build once per process (AVX-512 F, else AVX2, else
// the baseline mlci::Xxh128) and forwards to it; every variant yields the same hash.
#include "artifact/fasthash.hpp"

#include <cstdint>

namespace mlci::artifact {

namespace {

constexpr size_t k_align = 64; // XXH3_state_t is declared 64-byte aligned

int best_isa() {
    static const int isa = detail::cpu_has_avx512() ? 2 : detail::cpu_has_avx2() ? 1 : 0;
    return isa;
}

} // namespace

namespace detail {

bool cpu_has_avx2() {
#if defined(__x86_64__) || defined(__i386__)
    static const bool yes = __builtin_cpu_supports("avx2");
    return yes;
#else
    return false;
#endif
}

bool cpu_has_avx512() {
#if defined(__x86_64__) || defined(__i386__)
    static const bool yes = __builtin_cpu_supports("avx512f");
    return yes;
#else
    return false;
#endif
}

} // namespace detail

FastXxh128::FastXxh128() : m_isa(best_isa()) {
    if (m_isa == 0) {
        m_plain = std::make_unique<Xxh128>();
        return;
    }
    size_t state = m_isa == 2 ? detail::avx512_state_size() : detail::avx2_state_size();
    m_raw = std::make_unique<unsigned char[]>(state + k_align);
    auto p = reinterpret_cast<uintptr_t>(m_raw.get());
    m_state = reinterpret_cast<void*>((p + k_align - 1) & ~(uintptr_t{k_align} - 1));
    if (m_isa == 2) {
        detail::avx512_reset(m_state);
    } else {
        detail::avx2_reset(m_state);
    }
}

FastXxh128::~FastXxh128() = default;

void FastXxh128::update(const void* data, size_t size) {
    if (m_isa == 2) {
        detail::avx512_update(m_state, data, size);
    } else if (m_isa == 1) {
        detail::avx2_update(m_state, data, size);
    } else {
        m_plain->update(data, size);
    }
}

Hash128 FastXxh128::digest() const {
    return m_isa == 2   ? detail::avx512_digest(m_state)
           : m_isa == 1 ? detail::avx2_digest(m_state)
                        : m_plain->digest();
}

const char* FastXxh128::isa() const {
    return m_isa == 2 ? "avx512" : m_isa == 1 ? "avx2" : "sse2";
}

Hash128 fast_xxh128(std::string_view data) {
    switch (best_isa()) {
    case 2:
        return detail::avx512_oneshot(data.data(), data.size());
    case 1:
        return detail::avx2_oneshot(data.data(), data.size());
    default:
        return xxh128(data);
    }
}

} // namespace mlci::artifact
