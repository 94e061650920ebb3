// lib/util/json.hpp: the --json writer. Output is contract (scripts parse it), so it is asserted verbatim.
#include "util/json.hpp"
#include "util/strings.hpp"

#include <cmath>
#include <cstdint>
#include <doctest/doctest.h>
#include <limits>
#include <string>

using mlci::Json;

TEST_SUITE("util.Json") {
    TEST_CASE("string escaping: quotes, backslashes, control characters; UTF-8 passes through") {
        CHECK(mlci::json_escape("plain") == "\"plain\"");
        CHECK(mlci::json_escape("say \"hi\"") == "\"say \\\"hi\\\"\"");
        CHECK(mlci::json_escape("C:\\dir") == "\"C:\\\\dir\"");
        CHECK(mlci::json_escape("a\nb\rc\td") == "\"a\\nb\\rc\\td\"");
        CHECK(mlci::json_escape(std::string("\0\x01\x1f", 3)) == "\"\\u0000\\u0001\\u001f\"");
        CHECK(mlci::json_escape("\x1b[0m") == "\"\\u001b[0m\"");
        CHECK(mlci::json_escape("caf\xC3\xA9 \xF0\x9F\x98\x80") == "\"caf\xC3\xA9 \xF0\x9F\x98\x80\"");
        CHECK(mlci::json_escape("/") == "\"/\"");
        CHECK(mlci::json_escape("") == "\"\"");
    }

    TEST_CASE("DEL, C1 and bidi controls as \\uXXXX: the same string, inert on a terminal (issue 12)") {
        CHECK(mlci::json_escape("del\x7f") == "\"del\\u007f\"");
        CHECK(mlci::json_escape(std::string("csi\xC2\x9B") + "2J") == "\"csi\\u009b2J\"");
        CHECK(mlci::json_escape("\xC2\x80\xC2\x9F") == "\"\\u0080\\u009f\"");
        // Other characters of the same lead byte, and a lone C2, are left as they are.
        CHECK(mlci::json_escape("\xC2\xA0\xC2\xA3") == "\"\xC2\xA0\xC2\xA3\"");
        CHECK(mlci::json_escape("end\xC2") == "\"end\xC2\"");
        CHECK(mlci::json_escape("\xE2\x80\xAEtxt.exe \xE2\x81\xA6\xE2\x81\xA9") ==
              "\"\\u202etxt.exe \\u2066\\u2069\"");
        CHECK(mlci::json_escape("\xE2\x80\x94 \xE2\x9C\x85") == "\"\xE2\x80\x94 \xE2\x9C\x85\"");
    }

    TEST_CASE("numbers: integers exact, doubles in their shortest round-trip form") {
        CHECK(Json(0).dump(false) == "0");
        CHECK(Json(-42).dump(false) == "-42");
        CHECK(Json(std::numeric_limits<int64_t>::max()).dump(false) == "9223372036854775807");
        CHECK(Json(std::numeric_limits<int64_t>::min()).dump(false) == "-9223372036854775808");
        CHECK(Json(uint64_t{438293841}).dump(false) == "438293841");
        CHECK(Json(0.1).dump(false) == "0.1");
        CHECK(Json(0.91).dump(false) == "0.91");
        CHECK(Json(0.1 + 0.2).dump(false) == "0.30000000000000004");
        CHECK(Json(1.0).dump(false) == "1");
        CHECK(Json(480.0).dump(false) == "480");
        CHECK(Json(-2.5).dump(false) == "-2.5");
        CHECK(Json(1e21).dump(false) == "1e+21");
        CHECK(Json(100.0).dump(false) == "100");
        CHECK(Json(12345.678).dump(false) == "12345.678");
        CHECK(Json(1.5e-7).dump(false) == "1.5e-07");
        CHECK(Json(std::numeric_limits<double>::max()).dump(false) == "1.7976931348623157e+308");
        CHECK(Json(5e-324).dump(false) == "5e-324");
    }

    TEST_CASE("non-finite doubles become null (JSON has no NaN)") {
        CHECK(Json(std::nan("")).dump(false) == "null");
        CHECK(Json(std::numeric_limits<double>::infinity()).dump(false) == "null");
        CHECK(Json(-std::numeric_limits<double>::infinity()).dump(false) == "null");
    }

    TEST_CASE("scalars") {
        CHECK(Json().dump(false) == "null");
        CHECK(Json(nullptr).dump(false) == "null");
        CHECK(Json(true).dump(false) == "true");
        CHECK(Json(false).dump(false) == "false");
        CHECK(Json("s").dump(false) == "\"s\"");
        CHECK(Json(std::string("x\"y")).dump(false) == "\"x\\\"y\"");
        CHECK(Json().is_null());
        CHECK_FALSE(Json(0).is_null());
    }

    TEST_CASE("objects keep insertion order; operator[] finds an existing member") {
        Json j;
        j["name"] = "rag_answer";
        j["version"] = "v1.2.0";
        j["count"] = 3;
        j["name"] = "support/triage";
        CHECK(j.dump(false) == R"({"name":"support/triage","version":"v1.2.0","count":3})");
    }

    TEST_CASE("pretty and compact layout, empty containers inline") {
        Json j = Json::object();
        j["a"] = 1;
        Json arr;
        arr.push_back(1);
        arr.push_back("two");
        arr.push_back(Json::object());
        j["b"] = arr;
        j["c"] = Json::object();
        j["d"] = Json::array();
        j["e"]["nested"] = true;
        CHECK(j.dump(false) == R"({"a":1,"b":[1,"two",{}],"c":{},"d":[],"e":{"nested":true}})");
        CHECK(j.dump() == "{\n"
                          "  \"a\": 1,\n"
                          "  \"b\": [\n"
                          "    1,\n"
                          "    \"two\",\n"
                          "    {}\n"
                          "  ],\n"
                          "  \"c\": {},\n"
                          "  \"d\": [],\n"
                          "  \"e\": {\n"
                          "    \"nested\": true\n"
                          "  }\n"
                          "}\n");
        CHECK(Json::array().dump() == "[]\n");
        CHECK(Json::object().dump(false) == "{}");
    }

    TEST_CASE("keys are escaped like values") {
        Json j;
        j["we\"ird\nkey"] = 1;
        CHECK(j.dump(false) == "{\"we\\\"ird\\nkey\":1}");
    }

    TEST_CASE("json_unescape_char: the eight one-letter escapes, nothing else") {
        CHECK(mlci::json_unescape_char('"') == '"');
        CHECK(mlci::json_unescape_char('\\') == '\\');
        CHECK(mlci::json_unescape_char('/') == '/');
        CHECK(mlci::json_unescape_char('b') == '\b');
        CHECK(mlci::json_unescape_char('f') == '\f');
        CHECK(mlci::json_unescape_char('n') == '\n');
        CHECK(mlci::json_unescape_char('r') == '\r');
        CHECK(mlci::json_unescape_char('t') == '\t');
        CHECK(mlci::json_unescape_char('u') == -1); // the reader's own
        CHECK(mlci::json_unescape_char('a') == -1);
        CHECK(mlci::json_unescape_char('\0') == -1);
    }

    TEST_CASE("append_utf8: one to four bytes, and valid_utf8 agrees") {
        auto enc = [](uint32_t cp) {
            std::string s;
            mlci::append_utf8(s, cp);
            return s;
        };
        CHECK(enc(0x41) == "A");
        CHECK(enc(0x7F) == "\x7F");
        CHECK(enc(0x80) == "\xC2\x80");
        CHECK(enc(0xE9) == "\xC3\xA9");
        CHECK(enc(0x7FF) == "\xDF\xBF");
        CHECK(enc(0x800) == "\xE0\xA0\x80");
        CHECK(enc(0xFFFD) == "\xEF\xBF\xBD");
        CHECK(enc(0x10000) == "\xF0\x90\x80\x80");
        CHECK(enc(0x1F600) == "\xF0\x9F\x98\x80");
        CHECK(enc(0x10FFFF) == "\xF4\x8F\xBF\xBF");
        for (uint32_t cp :
             {0x0u, 0x7Fu, 0x80u, 0x7FFu, 0x800u, 0xD7FFu, 0xE000u, 0xFFFFu, 0x10000u, 0x10FFFFu}) {
            CHECK(mlci::valid_utf8(enc(cp)));
        }
    }
}
