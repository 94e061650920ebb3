// lib/config/toml.hpp: the guard in front of TOML++ (size, NUL, nesting measured on the raw text),
// file:line in parse errors and in where(), and toml_quote's escapes.
#include "config/toml.hpp"
#include "util/error.hpp"

#include <doctest/doctest.h>
#include <string>

using namespace mlci;

namespace {

std::string error_of(const std::string& text, ErrorKind kind = ErrorKind::config, int line_offset = 0) {
    try {
        parse_toml(text, "f.toml", kind, line_offset);
    } catch (const Error& e) {
        CHECK(e.kind() == kind);
        return e.what();
    }
    return "";
}

std::string repeat(const std::string& s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) {
        out += s;
    }
    return out;
}

std::string dotted(int parts) {
    std::string out = "k";
    for (int i = 1; i < parts; ++i) {
        out += ".k";
    }
    return out;
}

} // namespace

TEST_SUITE("config.parse_toml") {
    TEST_CASE("ordinary documents parse") {
        toml::table t = parse_toml("a = 1\n[b.c]\nd = [1.5, 2.5, \"x\", {e = true}]\n", "f.toml");
        CHECK(t["a"].value<int64_t>() == 1);
        CHECK(t["b"]["c"]["d"][3]["e"].value<bool>() == true);
        CHECK(parse_toml("", "f.toml").empty());
    }

    TEST_CASE("size: 1 MiB passes, one byte more is refused before parsing") {
        std::string ok = "# " + std::string(k_max_toml_bytes - 3, 'x') + "\n";
        REQUIRE(ok.size() == k_max_toml_bytes);
        CHECK_NOTHROW(parse_toml(ok, "f.toml"));
        CHECK(error_of(ok + " ") == "f.toml: too large (1048577 bytes, limit 1 MiB)");
        CHECK(error_of("s = \"" + std::string(600000, 'x') + "\"\n").empty());
    }

    TEST_CASE("a NUL byte is refused") {
        CHECK(error_of(std::string("a = \"x\0y\"\n", 10)) == "f.toml: contains a NUL byte");
    }

    TEST_CASE("10,000 nested brackets or braces are refused, closed or not") {
        const std::string deep = "nested deeper than 64 levels";
        CHECK(error_of("a = " + repeat("[", 10000) + repeat("]", 10000) + "\n").find(deep) !=
              std::string::npos);
        CHECK(error_of("a = " + repeat("{b = ", 10000) + "1" + repeat("}", 10000) + "\n").find(deep) !=
              std::string::npos);
        CHECK(error_of(repeat("[", 10000)).find(deep) != std::string::npos);
        CHECK(error_of("x = " + repeat("{", 10000)).find(deep) != std::string::npos);
    }

    TEST_CASE("the nesting limit is 64: 64 levels pass, 65 do not") {
        CHECK(error_of("a = " + repeat("[", 64) + repeat("]", 64) + "\n").empty());
        CHECK_FALSE(error_of("a = " + repeat("[", 65) + repeat("]", 65) + "\n").empty());
        CHECK(error_of(dotted(64) + " = 1\n").empty());
        CHECK_FALSE(error_of(dotted(66) + " = 1\n").empty());
        CHECK(error_of("[" + dotted(64) + "]\n").empty());
        CHECK_FALSE(error_of("[" + dotted(66) + "]\n").empty());
    }

    TEST_CASE("long dotted keys are refused wherever they stand") {
        const std::string deep = "nested deeper than 64 levels";
        CHECK(error_of(dotted(5000) + " = 1\n").find(deep) != std::string::npos);
        CHECK(error_of("[" + dotted(5000) + "]\nv = 1\n").find(deep) != std::string::npos);
        CHECK(error_of("[[" + dotted(5000) + "]]\n").find(deep) != std::string::npos);
        // Inside an inline table, after other keys, in an array of inline tables.
        CHECK(error_of("x = {" + dotted(5000) + " = 1}\n").find(deep) != std::string::npos);
        CHECK(error_of("x = {a = 1, " + dotted(5000) + " = 1}\n").find(deep) != std::string::npos);
        CHECK(error_of("x = [\n  {" + dotted(5000) + " = 1},\n]\n").find(deep) != std::string::npos);
        // Nesting adds up: a header's depth counts for the keys under it, a key's dots for its inline table.
        CHECK(error_of("[" + dotted(40) + "]\n" + dotted(40) + " = 1\n").find(deep) != std::string::npos);
        CHECK(error_of(dotted(40) + " = {" + dotted(40) + " = 1}\n").find(deep) != std::string::npos);
        CHECK(error_of("a = " + repeat("{b.c.d = ", 30) + "1" + repeat("}", 30) + "\n").find(deep) !=
              std::string::npos);
    }

    TEST_CASE("dots and brackets in strings, comments and values do not count") {
        CHECK(error_of("s = \"" + repeat("[{.", 5000) + "\"\n").empty());
        CHECK(error_of("s = '" + repeat("[{.", 5000) + "'\n").empty());
        CHECK(error_of("s = \"\"\"\n" + repeat("[{.\n", 500) + "\"\"\"\n").empty());
        CHECK(error_of("s = '''\n" + repeat("[{.\n", 500) + "'''\n").empty());
        CHECK(error_of("# " + repeat("[{.", 5000) + "\n").empty());
        CHECK(error_of("\"" + repeat("a.", 500) + "\" = 1\n").empty()); // a quoted key is one key
        CHECK(error_of("f = [" + repeat("1.5, ", 3000) + "2.5]\n").empty());
        CHECK(
            error_of("t = {" + repeat("a = 1.5, ", 0) + "x = 0.5, y = 2.25, z = 1979-05-27T07:32:00.999Z}\n")
                .empty());
        CHECK(error_of("s = \"esc \\\" [[[[ \"\n").empty());
        std::string many_tables;
        for (int i = 0; i < 500; ++i) {
            many_tables += "[t" + std::to_string(i) + ".sub]\nk.v = " + std::to_string(i) + "\n";
        }
        CHECK(error_of(many_tables).empty());
        std::string many_keys = "x = {";
        for (int i = 0; i < 500; ++i) {
            many_keys += "a" + std::to_string(i) + ".b.c = 1, ";
        }
        many_keys += "z = 0}\n";
        CHECK(error_of(many_keys).empty());
    }

    TEST_CASE("parse errors carry file:line (shifted by line_offset) and the error kind asked for") {
        std::string msg = error_of("a = 1\nb = \n", ErrorKind::input);
        CHECK(msg.rfind("f.toml:2: invalid TOML: ", 0) == 0);
        msg = error_of("a = 1\n\nb = = 2\n", ErrorKind::config, 10);
        CHECK(msg.rfind("f.toml:13: invalid TOML: ", 0) == 0);
        CHECK(error_of("a = 1\na = 2\n").rfind("f.toml:2: invalid TOML: ", 0) == 0);
        CHECK(error_of("a = 1\nb = \"\xC0\xAF\"\n") == "f.toml:2: is not valid UTF-8");
        CHECK(error_of("a = \"\xED\xA0\x80\"\n", ErrorKind::input, 4) == "f.toml:5: is not valid UTF-8");
        CHECK(error_of(repeat("[", 100), ErrorKind::input).rfind("f.toml: nested", 0) == 0);
    }

    TEST_CASE("where() names file:line of a node, shifted by line_offset") {
        toml::table t = parse_toml("a = 1\n\n[sec]\nb = \"x\"\n", "f.toml");
        CHECK(where("f.toml", *t.get("a")) == "f.toml:1");
        CHECK(where("f.toml", *t["sec"]["b"].node()) == "f.toml:4");
        CHECK(where("f.toml", *t["sec"]["b"].node(), 2) == "f.toml:6");
        toml::table built;
        built.insert("x", 1);
        CHECK(where("f.toml", *built.get("x")) == "f.toml"); // no position: the file alone
    }
}

TEST_SUITE("config.toml_quote") {
    TEST_CASE("escapes") {
        CHECK(toml_quote("plain") == "\"plain\"");
        CHECK(toml_quote("") == "\"\"");
        CHECK(toml_quote("a\"b\\c") == "\"a\\\"b\\\\c\"");
        CHECK(toml_quote("l1\nl2\r\tx") == "\"l1\\nl2\\r\\tx\"");
        CHECK(toml_quote("\x01\x1f\x7f") == "\"\\u0001\\u001F\\u007F\"");
        CHECK(toml_quote("caf\xC3\xA9") == "\"caf\xC3\xA9\"");
    }

    TEST_CASE("toml_key: bare keys stay bare, others are quoted") {
        CHECK(toml_key("pass_rate") == "pass_rate");
        CHECK(toml_key("a-b_9") == "a-b_9");
        CHECK(toml_key("") == "\"\"");
        CHECK(toml_key("two words") == "\"two words\"");
        CHECK(toml_key("a.b") == "\"a.b\"");
    }

    TEST_CASE("what toml_quote writes parses back to the same string") {
        std::string all;
        for (int c = 1; c < 0x80; ++c) {
            all += static_cast<char>(c);
        }
        all += "caf\xC3\xA9 \xF0\x9F\x98\x80 '''\"\"\"";
        for (const std::string& s : {all, std::string("\\u0041"), std::string("#not a comment")}) {
            toml::table t = parse_toml("k = " + toml_quote(s) + "\n", "q.toml");
            CHECK(t["k"].value<std::string>() == s);
        }
    }
}
