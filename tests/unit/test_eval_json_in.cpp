// Unit tests for lib/eval/json_in: the guarantees its header states, now that it runs on nlohmann/json —
// grammar, depth, size, UTF-8, surrogates, duplicate keys, overflow — each with its message.
#include "eval/json_in.hpp"
#include "util/error.hpp"

#include <doctest/doctest.h>

using namespace mlci;
using namespace mlci::eval;

namespace {

std::string refusal(std::string_view text, size_t max = k_max_json_bytes) {
    try {
        parse_json(text, "f.json", max);
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::input);
        return e.what();
    }
    return "";
}

} // namespace

TEST_SUITE("JsonIn") {
    TEST_CASE("values, in document order") {
        JsonValue v =
            parse_json(R"({"b": [1, -2, 2.5e1, true, false, null, "\u00e9\ud83d\ude00"], "a": {}})", "t");
        REQUIRE(v.type == JsonValue::Type::object);
        REQUIRE(v.object.size() == 2);
        CHECK(v.object[0].first == "b");
        const JsonValue* b = v.find("b");
        REQUIRE(b->array.size() == 7);
        CHECK(b->array[1].number == -2);
        CHECK(b->array[2].number == 25);
        CHECK(b->array[3].boolean);
        CHECK(b->array[5].type == JsonValue::Type::null);
        CHECK(b->array[6].string == "\xC3\xA9\xF0\x9F\x98\x80");
        CHECK(v.find("a")->type == JsonValue::Type::object);
        CHECK(v.find("zz") == nullptr);
        CHECK(parse_json("  7 ", "t").number == 7);
        CHECK(parse_json("18446744073709551615", "t").number > 1e19);
    }
    TEST_CASE("RFC 8259 grammar only, refused with line:column") {
        CHECK(refusal("{\"a\": 1,}").find("f.json:1:9: invalid JSON:") == 0);
        CHECK(refusal("{\n  \"a\": 01}").find("f.json:2:") == 0);
        CHECK(refusal("NaN").find("invalid JSON") != std::string::npos);
        CHECK(refusal("[Infinity]").find("invalid JSON") != std::string::npos);
        CHECK(refusal("// c\n{}").find("invalid JSON") != std::string::npos);
        CHECK(refusal("{} {}").find("invalid JSON") != std::string::npos);
        CHECK(refusal("").find("invalid JSON") != std::string::npos);
        CHECK(refusal("{'a': 1}").find("invalid JSON") != std::string::npos);
        CHECK(refusal("\"a\tb\"").find("invalid JSON") != std::string::npos); // raw control character
        CHECK(refusal("\xEF\xBB\xBF{}").find("byte-order mark") != std::string::npos);
    }
    TEST_CASE("a number that overflows a double is refused") {
        CHECK(refusal("[1e400]").find("overflow") != std::string::npos);
        CHECK(refusal("[-1e400]").find("overflow") != std::string::npos);
    }
    TEST_CASE("duplicate keys are refused by name, at any depth and in large objects") {
        CHECK(refusal(R"({"a": 1, "a": 2})") == "f.json:1:10: invalid JSON: duplicate key 'a' in an object");
        CHECK(refusal("{\"a\": 1,\n \"a\": 2}").find("f.json:2:2:") == 0);
        CHECK(refusal("{\"a\": 1}\n{\"b\": 2}") ==
              "f.json:2:1: invalid JSON: unexpected text after the JSON value");
        CHECK(refusal(R"({"x": [{"k": 1, "j": 2, "k": 3}]})").find("duplicate key 'k'") != std::string::npos);
        std::string big = "{";
        for (int i = 0; i < 100; ++i) {
            big += "\"k" + std::to_string(i) + "\": 1,";
        }
        big += "\"k57\": 2}";
        CHECK(refusal(big).find("duplicate key 'k57'") != std::string::npos);
        CHECK_NOTHROW(parse_json(R"({"a": {"a": {"a": 1}}})", "t")); // same key at different depths is fine
    }
    TEST_CASE("nesting is bounded before the container is opened") {
        std::string ok = std::string(64, '[') + std::string(64, ']');
        CHECK_NOTHROW(parse_json(ok, "t"));
        std::string deep = std::string(65, '[') + std::string(65, ']');
        CHECK(refusal(deep) == "f.json:1:65: invalid JSON: nested deeper than 64 levels");
        std::string hostile(1000000, '['); // never closed: refused at level 65, no recursion
        CHECK(refusal(hostile).find("nested deeper than 64 levels") != std::string::npos);
        std::string objs;
        for (int i = 0; i < 70; ++i) {
            objs += "{\"a\":";
        }
        CHECK(refusal(objs + "1" + std::string(70, '}')).find("nested deeper") != std::string::npos);
    }
    TEST_CASE("size bound per caller, checked before parsing") {
        std::string text = "[" + std::string(100, ' ') + "]";
        CHECK(refusal(text, 50) == "f.json: too large (102 bytes, limit 50 bytes)");
        CHECK_NOTHROW(parse_json(text, "t", 200));
        CHECK(k_max_results_bytes >= size_t{1024} * 1024 * 1024);
        std::string big(k_max_json_bytes + 1, ' ');
        CHECK(refusal(big) == "f.json: too large (16777217 bytes, limit 16 MiB)");
    }
    TEST_CASE("invalid UTF-8 and unpaired surrogates are refused") {
        CHECK(refusal("\"\xC3\x28\"").find("invalid JSON") != std::string::npos);
        CHECK(refusal("\"\xED\xA0\x80\"").find("invalid JSON") != std::string::npos); // encoded surrogate
        CHECK(refusal("\"\xF8\x88\x80\x80\x80\"").find("invalid JSON") != std::string::npos);
        CHECK(refusal("[\xFF]").find("invalid JSON") != std::string::npos);
        CHECK(refusal(R"("\ud800")").find("surrogate") != std::string::npos);
        CHECK(refusal(R"("\udc00x")").find("surrogate") != std::string::npos);
        CHECK(refusal(R"("\ud800\u0041")").find("surrogate") != std::string::npos);
    }
}
