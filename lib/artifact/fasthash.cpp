#include "artifact/fasthash.hpp"

#include <cstdint>

namespace mlci::artifact {

namespace {

bool have_avx2() {
#if defined(__x86_64__) || defined(__i386__)
    static const bool yes = __builtin_cpu_supports("avx2");
    return yes;
#else
    return false;
#endif
}

constexpr size_t k_align = 64; // XXH3_state_t is declared 64-byte aligned

} // namespace

FastXxh128::FastXxh128() : m_avx2(have_avx2()) {
    if (!m_avx2) {
        m_plain = std::make_unique<Xxh128>();
        return;
    }
    m_raw = std::make_unique<unsigned char[]>(detail::avx2_state_size() + k_align);
    auto p = reinterpret_cast<uintptr_t>(m_raw.get());
    m_state = reinterpret_cast<void*>((p + k_align - 1) & ~(uintptr_t{k_align} - 1));
    detail::avx2_reset(m_state);
}

FastXxh128::~FastXxh128() = default;

void FastXxh128::update(const void* data, size_t size) {
    if (m_avx2) {
        detail::avx2_update(m_state, data, size);
    } else {
        m_plain->update(data, size);
    }
}

Hash128 FastXxh128::digest() const {
    return m_avx2 ? detail::avx2_digest(m_state) : m_plain->digest();
}

Hash128 fast_xxh128(std::string_view data) {
    return have_avx2() ? detail::avx2_oneshot(data.data(), data.size()) : xxh128(data);
}

} // namespace mlci::artifact
