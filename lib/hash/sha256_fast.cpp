// sha256_hex_fast (sha256_fast.hpp): the SHA-NI block loop, used when the CPU reports SHA extensions,
// else the portable Sha256; both give the same digest.
#include "hash/sha256_fast.hpp"

#include "hash/cpu.hpp"
#include "hash/sha256.hpp"
#include "hash/sha256_k.hpp"

#include <cstdint>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define MLCI_SHA_NI 1
#endif

namespace mlci {

#ifdef MLCI_SHA_NI
namespace {

using sha256_detail::k_round;

// The SHA-NI block loop in the layout of Intel's reference (state as ABEF / CDGH halves); the 16 groups
// of 4 rounds share one pattern: message schedule words m[g % 4], sha256msg1 two groups behind,
// sha256msg2 one group ahead.
__attribute__((target("sha,sse4.1,ssse3"))) void blocks_ni(uint32_t state[8], const uint8_t* data,
                                                           size_t nblocks) {
    const __m128i mask = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i tmp = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&state[0]));
    __m128i s1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&state[4]));
    tmp = _mm_shuffle_epi32(tmp, 0xB1);       // CDAB
    s1 = _mm_shuffle_epi32(s1, 0x1B);         // EFGH
    __m128i s0 = _mm_alignr_epi8(tmp, s1, 8); // ABEF
    s1 = _mm_blend_epi16(s1, tmp, 0xF0);      // CDGH
    while (nblocks-- > 0) {
        const __m128i abef = s0, cdgh = s1;
        __m128i m[4];
#pragma GCC unroll 16
        for (int g = 0; g < 16; ++g) {
            if (g < 4) {
                m[g] =
                    _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(data + 16 * g)), mask);
            }
            __m128i msg =
                _mm_add_epi32(m[g % 4], _mm_load_si128(reinterpret_cast<const __m128i*>(&k_round[4 * g])));
            s1 = _mm_sha256rnds2_epu32(s1, s0, msg);
            if (g >= 3 && g <= 14) {
                __m128i t = _mm_alignr_epi8(m[g % 4], m[(g + 3) % 4], 4);
                m[(g + 1) % 4] = _mm_add_epi32(m[(g + 1) % 4], t);
                m[(g + 1) % 4] = _mm_sha256msg2_epu32(m[(g + 1) % 4], m[g % 4]);
            }
            msg = _mm_shuffle_epi32(msg, 0x0E);
            s0 = _mm_sha256rnds2_epu32(s0, s1, msg);
            if (g >= 1 && g <= 12) {
                m[(g + 3) % 4] = _mm_sha256msg1_epu32(m[(g + 3) % 4], m[g % 4]);
            }
        }
        s0 = _mm_add_epi32(s0, abef);
        s1 = _mm_add_epi32(s1, cdgh);
        data += 64;
    }
    tmp = _mm_shuffle_epi32(s0, 0x1B);   // FEBA
    s1 = _mm_shuffle_epi32(s1, 0xB1);    // DCHG
    s0 = _mm_blend_epi16(tmp, s1, 0xF0); // DCBA
    s1 = _mm_alignr_epi8(s1, tmp, 8);    // HGFE
    _mm_storeu_si128(reinterpret_cast<__m128i*>(&state[0]), s0);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(&state[4]), s1);
}

} // namespace
#endif

bool sha256_has_cpu_extensions() {
#ifdef MLCI_SHA_NI
    return cpu::has_sha_ni();
#else
    return false;
#endif
}

std::string sha256_hex_fast(std::string_view data) {
#ifdef MLCI_SHA_NI
    if (cpu::has_sha_ni()) {
        uint32_t st[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                          0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
        size_t full = data.size() / 64;
        blocks_ni(st, reinterpret_cast<const uint8_t*>(data.data()), full);
        uint8_t tail[128] = {};
        size_t rest = data.size() - full * 64;
        std::memcpy(tail, data.data() + full * 64, rest);
        tail[rest] = 0x80;
        size_t tail_blocks = rest + 1 + 8 <= 64 ? 1 : 2;
        uint64_t bits = static_cast<uint64_t>(data.size()) * 8;
        for (int i = 0; i < 8; ++i) {
            tail[tail_blocks * 64 - 1 - i] = static_cast<uint8_t>(bits >> (8 * i));
        }
        blocks_ni(st, tail, tail_blocks);
        static const char hex[] = "0123456789abcdef";
        std::string out(64, '0');
        for (int i = 0; i < 8; ++i) {
            for (int b = 0; b < 4; ++b) {
                uint8_t byte = static_cast<uint8_t>(st[i] >> (24 - 8 * b));
                out[8 * i + 2 * b] = hex[byte >> 4];
                out[8 * i + 2 * b + 1] = hex[byte & 15];
            }
        }
        return out;
    }
#endif
    return sha256_hex(data);
}

} // namespace mlci
