// lib/hash/sha256_fast.hpp: the SHA-NI path gives exactly the portable digests, for every length around
// the block and padding boundaries, and the FIPS 180-4 test vectors.
#include "hash/sha256.hpp"
#include "hash/sha256_fast.hpp"

#include <doctest/doctest.h>

#include <random>
#include <string>

using namespace mlci;

TEST_SUITE("sha256_hex_fast") {
    TEST_CASE("test vectors") {
        CHECK(sha256_hex_fast("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        CHECK(sha256_hex_fast("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        CHECK(sha256_hex_fast("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
        CHECK(sha256_hex_fast(std::string(1000000, 'a')) ==
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    }
    TEST_CASE("same digests as the portable code for every length up to 9 blocks") {
        std::mt19937 rng(7);
        for (size_t n = 0; n <= 9 * 64 + 1; ++n) {
            std::string s(n, '\0');
            for (auto& c : s) {
                c = static_cast<char>(rng());
            }
            REQUIRE(sha256_hex_fast(s) == sha256_hex(s));
        }
        INFO("CPU SHA extensions used: " << sha256_has_cpu_extensions());
    }
}
