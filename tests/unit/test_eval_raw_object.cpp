#include "eval/raw_object.hpp"

#include <doctest/doctest.h>

using mlci::eval::raw::hex_value;
using mlci::eval::raw::signature_seconds;

TEST_CASE("raw::hex_value: lower case always, upper case when asked") {
    CHECK(hex_value('0', false) == 0);
    CHECK(hex_value('9', false) == 9);
    CHECK(hex_value('a', false) == 10);
    CHECK(hex_value('f', false) == 15);
    CHECK(hex_value('F', false) == -1);
    CHECK(hex_value('F', true) == 15);
    CHECK(hex_value('g', true) == -1);
    CHECK(hex_value('/', true) == -1);
}

TEST_CASE("raw::signature_seconds: the plain form, else false") {
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
