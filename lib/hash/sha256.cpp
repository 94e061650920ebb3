// The portable streaming SHA-256 of FIPS 180-4 (sha256.hpp): no OpenSSL, so the binaries need none.
#include "hash/sha256.hpp"
#include "hash/sha256_k.hpp"

#include <cstring>

namespace mlci {

namespace {

using sha256_detail::k_round;

inline uint32_t rotr(uint32_t x, int n) {
    return (x >> n) | (x << (32 - n));
}

} // namespace

void Sha256::reset() {
    m_h = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    m_used = 0;
    m_total = 0;
}

void Sha256::block(const uint8_t* p) {
    uint32_t w[64];
    for (int i = 0; i < 16; ++i)
        w[i] = uint32_t(p[4 * i]) << 24 | uint32_t(p[4 * i + 1]) << 16 | uint32_t(p[4 * i + 2]) << 8 |
               uint32_t(p[4 * i + 3]);
    for (int i = 16; i < 64; ++i) {
        uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = m_h[0], b = m_h[1], c = m_h[2], d = m_h[3], e = m_h[4], f = m_h[5], g = m_h[6], h = m_h[7];
    for (int i = 0; i < 64; ++i) {
        uint32_t s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
        uint32_t ch = (e & f) ^ (~e & g);
        uint32_t t1 = h + s1 + ch + k_round[i] + w[i];
        uint32_t s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
        uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
        uint32_t t2 = s0 + maj;
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    m_h[0] += a;
    m_h[1] += b;
    m_h[2] += c;
    m_h[3] += d;
    m_h[4] += e;
    m_h[5] += f;
    m_h[6] += g;
    m_h[7] += h;
}

void Sha256::update(const void* data, size_t size) {
    auto p = static_cast<const uint8_t*>(data);
    m_total += size;
    if (m_used) {
        size_t take = std::min(size, m_buf.size() - m_used);
        std::memcpy(m_buf.data() + m_used, p, take);
        m_used += take;
        p += take;
        size -= take;
        if (m_used < m_buf.size())
            return;
        block(m_buf.data());
        m_used = 0;
    }
    for (; size >= 64; p += 64, size -= 64)
        block(p);
    if (size) {
        std::memcpy(m_buf.data(), p, size);
        m_used = size;
    }
}

std::array<uint8_t, 32> Sha256::digest() {
    uint64_t bits = m_total * 8;
    uint8_t pad[72] = {0x80};
    size_t padlen = (m_used < 56 ? 56 - m_used : 120 - m_used);
    for (int i = 0; i < 8; ++i)
        pad[padlen + i] = uint8_t(bits >> (56 - 8 * i));
    update(pad, padlen + 8);
    std::array<uint8_t, 32> out{};
    for (int i = 0; i < 8; ++i)
        for (int j = 0; j < 4; ++j)
            out[4 * i + j] = uint8_t(m_h[i] >> (24 - 8 * j));
    return out;
}

std::string Sha256::hex_digest() {
    static const char digits[] = "0123456789abcdef";
    std::string s;
    s.reserve(64);
    for (uint8_t b : digest()) {
        s.push_back(digits[b >> 4]);
        s.push_back(digits[b & 15]);
    }
    return s;
}

std::string sha256_hex(std::string_view data) {
    Sha256 h;
    h.update(data);
    return h.hex_digest();
}

} // namespace mlci
