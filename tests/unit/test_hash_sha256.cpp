// lib/hash/sha256.hpp: FIPS 180-4 test vectors, padding boundaries (55/56/63/64/65 bytes, where the length
// field moves to a second block) and streaming in odd chunks equal to one-shot. Expected values computed with
// coreutils sha256sum / Python hashlib and hard-coded.
#include "hash/sha256.hpp"

#include <doctest/doctest.h>
#include <string>

using namespace mlci;

TEST_SUITE("Sha256") {
    TEST_CASE("FIPS 180-4 vectors") {
        CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
        CHECK(sha256_hex(std::string(1000000, 'a')) ==
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    }
    TEST_CASE("padding boundaries") {
        CHECK(sha256_hex(std::string(55, 'x')) ==
              "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072");
        CHECK(sha256_hex(std::string(56, 'x')) ==
              "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e");
        CHECK(sha256_hex(std::string(63, 'x')) ==
              "75220b47218278e656f2013bb8f0c455a25eaf01e86c64924e9d48d89776d6f2");
        CHECK(sha256_hex(std::string(64, 'x')) ==
              "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c");
        CHECK(sha256_hex(std::string(65, 'x')) ==
              "9537c5fdf120482f7d58d25e9ed583f52c02b4e304ea814db1633ad565aed7e9");
    }
    TEST_CASE("streaming in uneven chunks equals one-shot, and reset starts over") {
        std::string data;
        for (int i = 0; i < 1000; ++i)
            data += static_cast<char>(i % 256);
        const std::string want = "a8af099bf2e878609558dbf69d8f88f4a31040a8cf84b549a0cfa912f12ffc3f";
        CHECK(sha256_hex(data) == want);
        for (size_t chunk : {1u, 3u, 63u, 64u, 65u, 127u, 999u}) {
            Sha256 h;
            for (size_t at = 0; at < data.size(); at += chunk)
                h.update(data.substr(at, chunk));
            CHECK(h.hex_digest() == want);
        }
        Sha256 h;
        h.update("garbage");
        h.reset();
        h.update("abc");
        CHECK(h.hex_digest() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
