// XXH3-128 over the xxHash library (xxh128.hpp), its canonical big-endian hex, and the strict
// "xxh128:<32 lowercase hex>" ids of pointers and manifests.
#include "hash/xxh128.hpp"

#include "util/strings.hpp"

#include <cstdio>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace mlci {

std::string Hash128::hex() const {
    char buf[33];
    std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(high),
                  static_cast<unsigned long long>(low));
    return buf;
}

struct Xxh128::State {
    XXH3_state_t st;
};

Xxh128::Xxh128() : m_state(std::make_unique<State>()) {
    reset();
}
Xxh128::~Xxh128() = default;

void Xxh128::reset() {
    XXH3_128bits_reset(&m_state->st);
}

void Xxh128::update(const void* data, size_t size) {
    XXH3_128bits_update(&m_state->st, data, size);
}

Hash128 Xxh128::digest() const {
    XXH128_hash_t h = XXH3_128bits_digest(&m_state->st);
    return {h.high64, h.low64};
}

Hash128 xxh128(std::string_view data) {
    XXH128_hash_t h = XXH3_128bits(data.data(), data.size());
    return {h.high64, h.low64};
}

bool is_hash_id(std::string_view s) {
    return s.size() == 39 && s.substr(0, 7) == "xxh128:" && is_lower_hex(s.substr(7));
}

bool parse_hash_id(std::string_view id, Hash128* out) {
    if (!is_hash_id(id)) {
        return false;
    }
    auto hex64 = [](std::string_view h) {
        uint64_t v = 0;
        for (char c : h) {
            v = (v << 4) | static_cast<uint64_t>(c <= '9' ? c - '0' : c - 'a' + 10);
        }
        return v;
    };
    out->high = hex64(id.substr(7, 16));
    out->low = hex64(id.substr(23, 16));
    return true;
}

} // namespace mlci
