// The hand-read pieces of git's object formats (lib/git/odb.hpp, oid.hpp): hex digits, the time of a
// signature line, a canonical tree entry; anything not plain answers false so that libgit2 decides.
#include "git/odb.hpp"

#include <doctest/doctest.h>

using mlci::git::hex_value;
using mlci::git::signature_seconds;

TEST_CASE("git::hex_value: lower case always, upper case when asked") {
    CHECK(hex_value('0', false) == 0);
    CHECK(hex_value('9', false) == 9);
    CHECK(hex_value('a', false) == 10);
    CHECK(hex_value('f', false) == 15);
    CHECK(hex_value('F', false) == -1);
    CHECK(hex_value('F', true) == 15);
    CHECK(hex_value('g', true) == -1);
    CHECK(hex_value('/', true) == -1);
}

TEST_CASE("git::signature_seconds: the plain form, else false") {
    int64_t t = -1;
    CHECK(signature_seconds("A U Thor <a@example.com> 1767225660 +0000", t));
    CHECK(t == 1767225660);
    CHECK(signature_seconds("x <> 0 -0130", t));
    CHECK(t == 0);
    // '>' inside the name: the time follows the last one.
    CHECK(signature_seconds("a>b <c> 42 +0100", t));
    CHECK(t == 42);
    t = 7;
    CHECK_FALSE(signature_seconds("no email 1767225660 +0000", t));
    CHECK_FALSE(signature_seconds("a <b> 1767225660", t));                // no zone
    CHECK_FALSE(signature_seconds("a <b> 1767225660 0000", t));           // unsigned zone
    CHECK_FALSE(signature_seconds("a <b> 1767225660 +00", t));            // short zone
    CHECK_FALSE(signature_seconds("a <b> 17672x5660 +0000", t));          // not a number
    CHECK_FALSE(signature_seconds("a <b>  1767225660 +0000", t));         // two blanks
    CHECK_FALSE(signature_seconds("a <b> 1234567890123456789 +0000", t)); // 19 digits
    CHECK_FALSE(signature_seconds("a b> <c 1 +0000", t));                 // '<' after the last '>'
    CHECK_FALSE(signature_seconds("", t));
    CHECK(t == 7); // untouched on failure
}

TEST_CASE("git::next_tree_entry: canonical entries only") {
    std::string id(20, '\x01');
    std::string tree = std::string("100644 a.txt\0", 13) + id + std::string("40000 ab\0", 9) + id;
    const char* p = tree.data();
    const char* end = p + tree.size();
    mlci::git::RawTreeEntry e;
    REQUIRE(mlci::git::next_tree_entry(p, end, e));
    CHECK(e.mode == 0100644);
    CHECK(e.name == "a.txt");
    CHECK_FALSE(e.is_tree());
    REQUIRE(mlci::git::next_tree_entry(p, end, e));
    CHECK(e.is_tree());
    CHECK(e.name == "ab");
    CHECK(p == end);
    for (std::string bad : {std::string("100644 a\0short", 14), std::string(" 100644 a\0", 10) + id,
                            std::string("100644 \0", 8) + id, std::string("1006448 a\0", 10) + id}) {
        CAPTURE(bad);
        const char* q = bad.data();
        CHECK_FALSE(mlci::git::next_tree_entry(q, q + bad.size(), e));
    }
}
