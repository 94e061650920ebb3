// Hash128Set (hash_set.hpp).
#include "hash/hash_set.hpp"

#include <array>
#include <random>

namespace mlci {

namespace {

/// The keys of this process's table layout, drawn once.
const std::array<uint64_t, 2>& mix_keys() {
    static const std::array<uint64_t, 2> keys = [] {
        std::random_device rd;
        auto draw = [&] { return (static_cast<uint64_t>(rd()) << 32) ^ rd(); };
        return std::array<uint64_t, 2>{draw(), draw()};
    }();
    return keys;
}

/// splitmix64's finaliser: a bijection that spreads every input bit over the output.
uint64_t fmix(uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}

constexpr size_t k_min_capacity = 16;

} // namespace

size_t Hash128Set::slot_of(const Hash128& h) const {
    const auto& k = mix_keys();
    return static_cast<size_t>(fmix(h.low ^ k[0]) + fmix(h.high ^ k[1])) & (m_slots.size() - 1);
}

size_t Hash128Set::next_used(size_t i) const {
    while (i < m_used.size() && m_used[i] == 0) {
        ++i;
    }
    return i < m_used.size() ? i : m_slots.size();
}

bool Hash128Set::contains(const Hash128& h) const {
    if (m_size == 0) {
        return false;
    }
    const size_t mask = m_slots.size() - 1;
    for (size_t i = slot_of(h);; i = (i + 1) & mask) {
        if (m_used[i] == 0) {
            return false;
        }
        if (m_slots[i] == h) {
            return true;
        }
    }
}

std::pair<Hash128Set::const_iterator, bool> Hash128Set::insert(const Hash128& h) {
    // At most 3/4 full, so a probe always ends at a free slot.
    if ((m_size + 1) * 4 > m_slots.size() * 3) {
        grow(m_slots.empty() ? k_min_capacity : m_slots.size() * 2);
    }
    const size_t mask = m_slots.size() - 1;
    size_t i = slot_of(h);
    for (; m_used[i] != 0; i = (i + 1) & mask) {
        if (m_slots[i] == h) {
            return {const_iterator(this, i), false};
        }
    }
    m_slots[i] = h;
    m_used[i] = 1;
    ++m_size;
    return {const_iterator(this, i), true};
}

bool Hash128Set::operator==(const Hash128Set& o) const {
    if (m_size != o.m_size) {
        return false;
    }
    for (const auto& h : *this) {
        if (!o.contains(h)) {
            return false;
        }
    }
    return true;
}

void Hash128Set::reserve(size_t n) {
    size_t cap = k_min_capacity;
    while (cap * 3 < n * 4) {
        cap *= 2;
    }
    if (cap > m_slots.size()) {
        grow(cap);
    }
}

void Hash128Set::clear() {
    m_slots.clear();
    m_slots.shrink_to_fit();
    m_used.clear();
    m_used.shrink_to_fit();
    m_size = 0;
}

void Hash128Set::grow(size_t capacity) {
    std::vector<Hash128> old_slots(capacity);
    std::vector<uint8_t> old_used(capacity, 0);
    old_slots.swap(m_slots);
    old_used.swap(m_used);
    m_size = 0;
    for (size_t i = 0; i < old_used.size(); ++i) {
        if (old_used[i] != 0) {
            insert(old_slots[i]);
        }
    }
}

} // namespace mlci
