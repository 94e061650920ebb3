// lib/util/strings.hpp: splitting, globbing, sizes, durations, UTF-8 validation, quoting.
#include "util/strings.hpp"

#include <chrono>
#include <doctest/doctest.h>
#include <string>
#include <vector>

using namespace mlci;
using Strings = std::vector<std::string>;

TEST_SUITE("util.split") {
    TEST_CASE("split keeps empty fields") {
        CHECK(split("a,b,,c", ',') == Strings{"a", "b", "", "c"});
        CHECK(split("", ',') == Strings{""});
        CHECK(split(",", ',') == Strings{"", ""});
        CHECK(split("abc", ',') == Strings{"abc"});
        CHECK(split("a.b.", '.') == Strings{"a", "b", ""});
    }

    TEST_CASE("split_lines drops a final CR and the empty last line") {
        CHECK(split_lines("") == Strings{});
        CHECK(split_lines("a") == Strings{"a"});
        CHECK(split_lines("a\n") == Strings{"a"});
        CHECK(split_lines("a\r\nb\r\n") == Strings{"a", "b"});
        CHECK(split_lines("a\n\nb") == Strings{"a", "", "b"});
        CHECK(split_lines("a\n\n") == Strings{"a", ""});
        CHECK(split_lines("\n") == Strings{""});
        CHECK(split_lines("a\rb\n") == Strings{"a\rb"}); // only a final CR goes
    }

    TEST_CASE("is_lower_hex: non-empty, digits and a-f only") {
        CHECK(is_lower_hex("0123456789abcdef"));
        CHECK_FALSE(is_lower_hex(""));
        CHECK_FALSE(is_lower_hex("ABCDEF"));
        CHECK_FALSE(is_lower_hex("12g4"));
        CHECK_FALSE(is_lower_hex(std::string_view("ab\0c", 4)));
    }

    TEST_CASE("trim, join, to_lower") {
        CHECK(trim("  x y \t\r\n") == "x y");
        CHECK(trim("") == "");
        CHECK(trim(" \t ") == "");
        CHECK(trim("x") == "x");
        CHECK(join({"a", "b", "c"}, ", ") == "a, b, c");
        CHECK(join({}, ",") == "");
        CHECK(join({"one"}, ",") == "one");
        CHECK(to_lower("MiB-É") == "mib-É"); // ASCII only: UTF-8 bytes are untouched
    }
}

TEST_SUITE("util.glob_match") {
    TEST_CASE("star stays within one folder") {
        CHECK(glob_match("dir/*.py", "dir/a.py"));
        CHECK_FALSE(glob_match("dir/*.py", "dir/sub/a.py"));
        CHECK_FALSE(glob_match("a*b", "a/b"));
        CHECK(glob_match("a*b", "ab"));
        CHECK(glob_match("a*b", "axxb"));
        CHECK(glob_match("*", "file"));
        CHECK(glob_match("models/*.mlci", "models/clf.safetensors.mlci"));
        CHECK_FALSE(glob_match("models/*.mlci", "models/x/clf.mlci"));
    }

    TEST_CASE("double star crosses folders, and **/ may match nothing") {
        CHECK(glob_match("prompts/**", "prompts/a.prompt"));
        CHECK(glob_match("prompts/**", "prompts/support/triage.prompt"));
        CHECK_FALSE(glob_match("prompts/**", "prompts"));
        CHECK_FALSE(glob_match("prompts/**", "other/prompts/a"));
        CHECK(glob_match("**/*.safetensors", "m.safetensors"));
        CHECK(glob_match("**/*.safetensors", "a/b/c/m.safetensors"));
        CHECK(glob_match("a/**/b", "a/b"));
        CHECK(glob_match("a/**/b", "a/x/y/b"));
        CHECK_FALSE(glob_match("a/**/b", "a/xb"));
        CHECK_FALSE(glob_match("a/**/b", "a/x/bc"));
        CHECK(glob_match("evals/**/*.py", "evals/rag.py"));
        CHECK(glob_match("evals/**/*.py", "evals/x/y/rag.py"));
        CHECK_FALSE(glob_match("evals/**/*.py", "evals/x/y/rag.pyc"));
        // When no split of a `**` works, an earlier `*` may take more characters and try again.
        CHECK(glob_match("*b**/c", "abbc"));
        CHECK(glob_match("x*b**/c", "x/abbc") == false);
    }

    TEST_CASE("question mark and classes never match '/'") {
        CHECK(glob_match("?.txt", "a.txt"));
        CHECK_FALSE(glob_match("?.txt", "ab.txt"));
        CHECK_FALSE(glob_match("a?b", "a/b"));
        CHECK(glob_match("[abc].txt", "b.txt"));
        CHECK_FALSE(glob_match("[abc].txt", "d.txt"));
        CHECK(glob_match("[!abc].txt", "d.txt"));
        CHECK_FALSE(glob_match("[!abc].txt", "a.txt"));
        CHECK(glob_match("[^abc].txt", "d.txt"));
        CHECK(glob_match("x[a-c]", "xb"));
        CHECK_FALSE(glob_match("x[a-c]", "xd"));
        CHECK(glob_match("x[a-]", "x-"));
        CHECK(glob_match("x[]]", "x]"));
        CHECK_FALSE(glob_match("a[/]b", "a/b"));
        CHECK_FALSE(glob_match("a[!x]b", "a/b"));
        CHECK(glob_match("x[", "x["));
        CHECK_FALSE(glob_match("x[", "xa"));
        CHECK(glob_match("\\*.txt", "*.txt"));
        CHECK_FALSE(glob_match("\\*.txt", "a.txt"));
    }

    TEST_CASE("a pattern without '/' also matches the last path component") {
        CHECK(glob_match("*.py", "a.py"));
        CHECK(glob_match("*.py", "dir/sub/a.py"));
        CHECK(glob_match("clf.bin", "models/clf.bin"));
        CHECK_FALSE(glob_match("clf.bin", "models/clf.bin/x"));
        CHECK_FALSE(glob_match("*.py", "dir.py/a.txt"));
        // With a '/', the pattern is anchored at the top.
        CHECK(glob_match("data/*.bin", "data/x.bin"));
        CHECK_FALSE(glob_match("data/*.bin", "other/data/x.bin"));
    }

    TEST_CASE("a leading '/' anchors the pattern at the top") {
        CHECK(glob_match("/foo", "foo"));
        CHECK_FALSE(glob_match("/foo", "a/foo"));
        CHECK(glob_match("/*.md", "README.md"));
        CHECK_FALSE(glob_match("/*.md", "docs/README.md"));
    }

    TEST_CASE("empty pattern matches nothing") {
        CHECK_FALSE(glob_match("", ""));
        CHECK_FALSE(glob_match("", "a"));
    }

    TEST_CASE("hostile patterns finish quickly") {
        std::string a(2000, 'a');
        std::string many_folders;
        for (int i = 0; i < 40; ++i) {
            many_folders += "d/";
        }
        many_folders += "file";
        auto t0 = std::chrono::steady_clock::now();
        CHECK_FALSE(glob_match("*a*a*a*a*a*a*a*a*b", a));
        CHECK_FALSE(glob_match("**/**/**/**/**/**/x", many_folders));
        CHECK_FALSE(glob_match("**a**a**a**a**a**b", a));
        auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        CHECK(secs < 2.0);
    }
}

TEST_SUITE("util.parse_size") {
    TEST_CASE("every unit of DESIGN.md section 5") {
        CHECK(parse_size("512") == 512u);
        CHECK(parse_size("0") == 0u);
        CHECK(parse_size("7B") == 7u);
        CHECK(parse_size("1KB") == 1000u);
        CHECK(parse_size("1MB") == 1000000u);
        CHECK(parse_size("1GB") == 1000000000u);
        CHECK(parse_size("2TB") == 2000000000000u);
        CHECK(parse_size("1KiB") == 1024u);
        CHECK(parse_size("1MiB") == 1048576u);
        CHECK(parse_size("1GiB") == 1073741824u);
        CHECK(parse_size("1TiB") == 1099511627776u);
        CHECK(parse_size("10MiB") == 10485760u);
        CHECK(parse_size("1.5GB") == 1500000000u);
        CHECK(parse_size("1.5KiB") == 1536u);
        CHECK(parse_size("0.5MiB") == 524288u);
    }

    TEST_CASE("case and spaces around the unit are tolerated") {
        CHECK(parse_size("10mib") == 10485760u);
        CHECK(parse_size("10 MiB") == 10485760u);
        CHECK(parse_size(" 3kb ") == 3000u);
    }

    TEST_CASE("large integers are exact, up to 2^63 - 1") {
        CHECK(parse_size("9007199254740993") == 9007199254740993u); // 2^53 + 1: not a double
        CHECK(parse_size("9223372036854775807") == 9223372036854775807u);
        CHECK(parse_size("8388607TiB") == 8388607ull * 1099511627776ull);
        CHECK_FALSE(parse_size("9223372036854775808").has_value());
        CHECK_FALSE(parse_size("8388608TiB").has_value()); // 2^63
        CHECK_FALSE(parse_size("99999999999999999999999").has_value());
        CHECK_FALSE(parse_size("10000000000GB").has_value());
    }

    TEST_CASE("bad sizes are refused") {
        for (const char* bad : {"", " ", "MiB", "-1", "-1KB", "1.2.3MB", "10XB", "1e3", "10MiBs", "nan",
                                "inf", ".", "1..5", "1 0MB", "10 Mi B", "0x10", "+5", "10iB", "MB10"}) {
            CHECK_MESSAGE(!parse_size(bad).has_value(), '"', bad, '"');
        }
    }
}

TEST_SUITE("util.parse_duration") {
    TEST_CASE("units and sums") {
        CHECK(parse_duration("15m") == 900.0);
        CHECK(parse_duration("90s") == 90.0);
        CHECK(parse_duration("2") == 2.0);
        CHECK(parse_duration("1h30m") == 5400.0);
        CHECK(parse_duration("1h30m15s") == 5415.0);
        CHECK(parse_duration("500ms") == doctest::Approx(0.5));
        CHECK(parse_duration("1.5h") == 5400.0);
        CHECK(parse_duration("10min") == 600.0);
        CHECK(parse_duration(" 5s ") == 5.0);
        CHECK(parse_duration("2H") == 7200.0);
    }

    TEST_CASE("bad durations are refused") {
        for (const char* bad : {"", " ", "m", "-1s", "1d", "1x", "1..2s", "inf", "nan", "1 h", "1h-5m", "s5",
                                "1e3s", "1.5.h"}) {
            CHECK_MESSAGE(!parse_duration(bad).has_value(), '"', bad, '"');
        }
    }

    TEST_CASE("a number too large for a double is refused, never infinite") {
        std::string huge(400, '9');
        CHECK_FALSE(parse_duration(huge).has_value());
        CHECK_FALSE(parse_duration(huge + "h").has_value());
    }
}

TEST_SUITE("util.human_size") {
    TEST_CASE("binary units with one decimal") {
        CHECK(human_size(0) == "0 B");
        CHECK(human_size(1023) == "1023 B");
        CHECK(human_size(1024) == "1.0 KiB");
        CHECK(human_size(1536) == "1.5 KiB");
        CHECK(human_size(200ull << 20) == "200.0 MiB");
        CHECK(human_size(3ull << 30) == "3.0 GiB");
        CHECK(human_size(5ull << 40) == "5.0 TiB");
        CHECK(human_size(2048ull << 40) == "2048.0 TiB");
    }
}

TEST_SUITE("util.valid_utf8") {
    static bool bad_at(std::string_view s, size_t expected) {
        size_t off = 12345;
        return !valid_utf8(s, &off) && off == expected;
    }

    TEST_CASE("well-formed text, every sequence length and the edges of the ranges") {
        CHECK(valid_utf8(""));
        CHECK(valid_utf8("plain ascii\n\t"));
        CHECK(valid_utf8("\xC3\xA9"));                  // é
        CHECK(valid_utf8("\xE2\x82\xAC"));              // €
        CHECK(valid_utf8("\xF0\x9F\x98\x80"));          // 😀
        CHECK(valid_utf8("\xC2\x80"));                  // U+0080, the first 2-byte
        CHECK(valid_utf8("\xE0\xA0\x80"));              // U+0800, the first 3-byte
        CHECK(valid_utf8("\xF0\x90\x80\x80"));          // U+10000, the first 4-byte
        CHECK(valid_utf8("\xED\x9F\xBF"));              // U+D7FF, just below the surrogates
        CHECK(valid_utf8("\xEE\x80\x80"));              // U+E000, just above
        CHECK(valid_utf8("\xEF\xBF\xBF"));              // U+FFFF
        CHECK(valid_utf8("\xF4\x8F\xBF\xBF"));          // U+10FFFF, the last code point
        CHECK(valid_utf8(std::string_view("a\0b", 3))); // NUL is valid UTF-8 (prompt checks refuse it)
    }

    TEST_CASE("overlong encodings are refused") {
        CHECK(bad_at("\xC0\xAF", 0));
        CHECK(bad_at("\xC1\xBF", 0));
        CHECK(bad_at("ab\xE0\x80\xAF", 2));
        CHECK(bad_at("\xE0\x9F\xBF", 0));
        CHECK(bad_at("\xF0\x80\x80\xAF", 0));
        CHECK(bad_at("\xF0\x8F\xBF\xBF", 0));
        CHECK(bad_at("\xC0\x80", 0)); // "modified UTF-8" NUL
    }

    TEST_CASE("surrogates and code points past U+10FFFF are refused") {
        CHECK(bad_at("\xED\xA0\x80", 0));             // U+D800
        CHECK(bad_at("x\xED\xBF\xBF", 1));            // U+DFFF
        CHECK(bad_at("\xED\xA0\xBD\xED\xB8\x80", 0)); // CESU-8 pair
        CHECK(bad_at("\xF4\x90\x80\x80", 0));
        CHECK(bad_at("\xF5\x80\x80\x80", 0));
        CHECK(bad_at("\xF8\x88\x80\x80\x80", 0));
        CHECK(bad_at("\xFE", 0));
        CHECK(bad_at("\xFF", 0));
    }

    TEST_CASE("truncated sequences and stray continuation bytes are refused") {
        CHECK(bad_at("\xE2\x82", 0));
        CHECK(bad_at("abc\xF0\x9F\x98", 3));
        CHECK(bad_at("\xC3", 0));
        CHECK(bad_at("\xE2\x28\xA1", 0));
        CHECK(bad_at("\x80", 0));
        CHECK(bad_at("ok\xBF", 2));
        CHECK(bad_at("\xC3\xA9\xA9", 2));
        CHECK(!valid_utf8("\xC3")); // the offset pointer is optional
    }
}

TEST_SUITE("util.quoted") {
    TEST_CASE("one line, control characters escaped, UTF-8 kept") {
        CHECK(quoted("a b") == "'a b'");
        CHECK(quoted("") == "''");
        CHECK(quoted("evil\nname") == "'evil\\nname'");
        CHECK(quoted("tab\there") == "'tab\\there'");
        CHECK(quoted(std::string_view("nul\0x", 5)) == "'nul\\x00x'");
        // quoted() is term_escape (escape.hpp) in quotes: ESC and CR by their C names since issue 12.
        CHECK(quoted("\x1b[31mred") == "'\\e[31mred'");
        CHECK(quoted("del\x7f") == "'del\\x7f'");
        CHECK(quoted("cr\r") == "'cr\\r'");
        CHECK(quoted("caf\xC3\xA9") == "'caf\xC3\xA9'");
        CHECK(quoted("c1 \xC2\x9B") == "'c1 \\u{9b}'");
    }
}

TEST_SUITE("util.utc") {
    TEST_CASE("utc_minute and utc_second: UTC whatever the zone, to the minute or the second") {
        // 1767225600 is 2026-01-01T00:00:00Z (365 · 56 + 14 leap days since 1970, times 86,400).
        CHECK(utc_minute(1767225600) == "2026-01-01 00:00");
        CHECK(utc_second(1767225600 + 3599) == "2026-01-01 00:59:59 UTC");
        CHECK(utc_second(0) == "1970-01-01 00:00:00 UTC");
    }
}
