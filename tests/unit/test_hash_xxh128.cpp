// lib/hash/xxh128.hpp: XXH3-128 must print exactly what `xxh128sum` prints (pointer files and remote
// stores are shared with other tools), streaming must equal one-shot, and hash ids have one spelling.
// The expected values below were computed once with xxh128sum (xxHash 0.8.1) and hard-coded.
#include "hash/xxh128.hpp"

#include <doctest/doctest.h>
#include <string>
#include <vector>

using namespace mlci;

namespace {

std::string bytes_0_255_times4() {
    std::string s;
    for (int r = 0; r < 4; ++r) {
        for (int i = 0; i < 256; ++i) {
            s += static_cast<char>(i);
        }
    }
    return s;
}

std::string repeat(const std::string& unit, size_t n) {
    std::string s;
    s.reserve(unit.size() * n);
    for (size_t i = 0; i < n; ++i) {
        s += unit;
    }
    return s;
}

struct Known {
    std::string data;
    const char* hex;
};

std::vector<Known> known() {
    return {
        {"", "99aa06d3014798d86001c324468d497f"},                     // printf '' | xxh128sum
        {"a", "a96faf705af16834e6c632b61e964e1f"},                    // printf 'a'
        {"abc", "06b05ab6733a618578af5f94892f3950"},                  // printf 'abc'
        {"hello world\n", "eefac9d87100cd1336b2e733a5484425"},        // printf 'hello world\n'
        {std::string(240, 'x'), "bfede978870834bedf2b586ca80bb7aa"},  // 240 bytes: the mid-size path
        {std::string(241, 'x'), "586c2f1b13edf30f14da9e5c301a6a1d"},  // 241: the long-input path
        {bytes_0_255_times4(), "83885e853bb6640ca870f92984398d22"},   // bytes 0..255, four times
        {repeat("mlci", 300000), "614a5ca1c1ff0b747443a4e31310d3db"}, // 1.2 MB: many stripes/blocks
    };
}

} // namespace

TEST_SUITE("hash.Xxh128") {
    TEST_CASE("one-shot hash equals xxh128sum") {
        for (const auto& k : known()) {
            INFO("input of ", k.data.size(), " bytes");
            CHECK(xxh128(k.data).hex() == k.hex);
            CHECK(xxh128(k.data).id() == std::string("xxh128:") + k.hex);
        }
    }

    TEST_CASE("streaming in odd chunk sizes equals one-shot") {
        for (const auto& k : known()) {
            for (size_t chunk : {size_t{1}, size_t{3}, size_t{7}, size_t{63}, size_t{64}, size_t{65},
                                 size_t{239}, size_t{241}, size_t{1000}, size_t{4099}, size_t{65537}}) {
                Xxh128 h;
                for (size_t off = 0; off < k.data.size(); off += chunk) {
                    h.update(std::string_view(k.data).substr(off, chunk));
                }
                INFO("size ", k.data.size(), " chunk ", chunk);
                CHECK(h.digest().hex() == k.hex);
            }
        }
    }

    TEST_CASE("digest does not consume the state; reset starts over") {
        Xxh128 h;
        h.update("ab");
        Hash128 mid = h.digest();
        CHECK(mid == h.digest());
        h.update("c");
        CHECK(h.digest().hex() == "06b05ab6733a618578af5f94892f3950");
        h.reset();
        CHECK(h.digest().hex() == "99aa06d3014798d86001c324468d497f");
        h.update(nullptr, 0);
        CHECK(h.digest().hex() == "99aa06d3014798d86001c324468d497f");
    }

    TEST_CASE("hex is big-endian high then low, zero-padded") {
        Hash128 h{0x0123456789abcdefull, 0x1ull};
        CHECK(h.hex() == "0123456789abcdef0000000000000001");
        CHECK(Hash128{}.hex() == std::string(32, '0'));
    }
}

TEST_SUITE("hash.hash_id") {
    TEST_CASE("exactly xxh128: and 32 lowercase hex digits") {
        CHECK(is_hash_id("xxh128:364b7492fe58a3947e824cae26e04823"));
        CHECK(is_hash_id("xxh128:00000000000000000000000000000000"));
        for (const char* bad : {"", "xxh128:", "xxh128:364b7492fe58a3947e824cae26e0482", // 31 hex
                                "xxh128:364b7492fe58a3947e824cae26e048233",              // 33 hex
                                "xxh128:364B7492FE58A3947E824CAE26E04823",               // upper case
                                "XXH128:364b7492fe58a3947e824cae26e04823",               // upper prefix
                                "xxh128 364b7492fe58a3947e824cae26e04823",               // no colon
                                "sha256:364b7492fe58a3947e824cae26e04823",               // other algo
                                "364b7492fe58a3947e824cae26e04823",                      // bare hex
                                " xxh128:364b7492fe58a3947e824cae26e04823",              // spaces
                                "xxh128:364b7492fe58a3947e824cae26e04823 ",
                                "xxh128:364b7492fe58a3947e824cae26e0482g", // not hex
                                "xxh128:364b7492fe58a3947e824cae26e0482\n"}) {
            CHECK_MESSAGE(!is_hash_id(bad), '"', bad, '"');
            Hash128 h{7, 7};
            CHECK_FALSE(parse_hash_id(bad, &h));
            CHECK(h == Hash128{7, 7}); // untouched on failure
        }
        CHECK_FALSE(is_hash_id(std::string_view("xxh128:364b7492fe58a3947e824cae26e0482\0", 39)));
    }

    TEST_CASE("parse_hash_id inverts id()") {
        for (const auto& k : known()) {
            Hash128 h = xxh128(k.data);
            Hash128 back;
            REQUIRE(parse_hash_id(h.id(), &back));
            CHECK(back == h);
        }
        Hash128 p;
        REQUIRE(parse_hash_id("xxh128:0123456789abcdeffedcba9876543210", &p));
        CHECK(p.high == 0x0123456789abcdefull);
        CHECK(p.low == 0xfedcba9876543210ull);
    }
}
