// lib/hash/md5.hpp: RFC 1321 appendix A.5's test suite, padding boundaries (55/56/64 bytes, where the length
// moves to a second block), a million bytes, and the base64 form of Content-MD5. Expected values from
// coreutils md5sum and openssl md5 -binary | base64, hard-coded.
#include "hash/md5.hpp"

#include <doctest/doctest.h>
#include <string>

using namespace mlci;

TEST_SUITE("Md5") {
    TEST_CASE("RFC 1321 test suite") {
        CHECK(md5_hex("") == "d41d8cd98f00b204e9800998ecf8427e");
        CHECK(md5_hex("a") == "0cc175b9c0f1b6a831c399e269772661");
        CHECK(md5_hex("abc") == "900150983cd24fb0d6963f7d28e17f72");
        CHECK(md5_hex("message digest") == "f96b697d7cb7938d525a2f31aaf161d0");
        CHECK(md5_hex("abcdefghijklmnopqrstuvwxyz") == "c3fcd3d76192e4007dfb496cca67e13b");
        CHECK(md5_hex("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") ==
              "d174ab98d277d9f5a5611c2c9f419d9f");
        CHECK(md5_hex("1234567890123456789012345678901234567890123456789012345678901234567890123456789"
                      "0") == "57edf4a22be3c955ac49da2e2107b67a");
    }
    TEST_CASE("padding boundaries and a long input") {
        CHECK(md5_hex(std::string(55, 'x')) == "04364420e25c512fd958a70738aa8f72");
        CHECK(md5_hex(std::string(56, 'x')) == "668a72d5ba17f08e62dabcafad6db14b");
        CHECK(md5_hex(std::string(64, 'x')) == "c1bb4f81d892b2d57947682aeb252456");
        CHECK(md5_hex(std::string(1000000, 'a')) == "7707d6ae4e027c70eea2a935c2296f21");
    }
    TEST_CASE("base64 for Content-MD5") {
        CHECK(md5_base64("") == "1B2M2Y8AsgTpgAmY7PhCfg==");
        CHECK(md5_base64("abc") == "kAFQmDzST7DWlj99KOF/cg==");
        CHECK(md5_base64("message digest") == "+WtpfXy3k41SWi8xqvFh0A==");
        CHECK(md5_base64("abcdefghijklmnopqrstuvwxyz") == "w/zT12GS5AB9+0lsymfhOw==");
        auto d = md5("abc");
        CHECK(d[0] == 0x90);
        CHECK(d[15] == 0x72);
    }
}
