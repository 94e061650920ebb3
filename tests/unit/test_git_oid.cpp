// git::Oid (lib/git/oid.hpp), the one object id of the libgit2 wrapper and of lib/git/lite: hex in
// either case, out in lower case; anything but 40 hex digits refused.
#include "git/oid.hpp"
#include "util/error.hpp"

#include <doctest/doctest.h>
#include <string>

using namespace mlci;

TEST_SUITE("git.oid") {
    TEST_CASE("ids round-trip; anything but 40 hex digits is refused") {
        auto id = git::Oid::parse_hex("00ff10aB20c30d40e50f60a70b80c90da0eb0fc0");
        REQUIRE(id.has_value());
        CHECK(id->hex() == "00ff10ab20c30d40e50f60a70b80c90da0eb0fc0");
        CHECK(id->short_hex() == "00ff10a");
        CHECK_FALSE(id->is_zero());
        CHECK(git::Oid{}.is_zero());
        CHECK_FALSE(git::Oid::parse_hex("00ff").has_value());
        CHECK_FALSE(git::Oid::parse_hex("g0ff10ab20c30d40e50f60a70b80c90da0eb0fc0").has_value());
        CHECK_FALSE(git::Oid::parse_hex(std::string(64, 'a')).has_value());
    }

    TEST_CASE("from_hex throws input_error naming the id") {
        CHECK(git::Oid::from_hex("00FF10AB20C30D40E50F60A70B80C90DA0EB0FC0").hex() ==
              "00ff10ab20c30d40e50f60a70b80c90da0eb0fc0");
        try {
            git::Oid::from_hex("xyz");
            FAIL("no throw");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::input);
            CHECK(std::string(e.what()) == "'xyz' is not a 40-hex object id");
        }
    }
}
