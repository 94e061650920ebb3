// lib/util/term.hpp, diag.hpp and error.hpp: table layout, colour off the terminal, the safety net of
// human output, the warning sink, and the exit code each error kind maps to (DESIGN.md section 7).
#include "util/diag.hpp"
#include "util/error.hpp"
#include "util/term.hpp"

#include <doctest/doctest.h>
#include <string>
#include <vector>

using namespace mlci;

TEST_SUITE("util.format_table") {
    TEST_CASE("columns padded to the widest cell, two spaces apart, no trailing blanks") {
        std::string t = format_table({{"NAME", "VERSION", "STAGE"},
                                      {"rag_answer", "v1.2.0", "production"},
                                      {"support/triage", "v0.1.0-rc.1", ""}});
        CHECK(t == "NAME            VERSION      STAGE\n"
                   "rag_answer      v1.2.0       production\n"
                   "support/triage  v0.1.0-rc.1\n");
    }

    TEST_CASE("width counts UTF-8 code points, not bytes") {
        std::string t = format_table({{"caf\xC3\xA9", "x"}, {"tea", "y"}});
        CHECK(t == "caf\xC3\xA9  x\ntea   y\n");
    }

    TEST_CASE("ANSI colour codes take no width") {
        std::string red = "\033[31mbad\033[0m";
        std::string t = format_table({{red, "1"}, {"good", "2"}});
        CHECK(t == red + "   1\ngood  2\n");
    }

    TEST_CASE("ragged rows and empty input") {
        CHECK(format_table({}) == "");
        CHECK(format_table({{"a"}, {"bb", "c"}, {}}) == "a\nbb  c\n\n");
    }
}

TEST_SUITE("util.paint") {
    TEST_CASE("plain text when stdout is not a terminal") {
        if (!stdout_is_tty()) {
            CHECK_FALSE(use_colour());
            CHECK(paint("x", Colour::red) == "x");
        }
        CHECK(paint("x", Colour::none) == "x");
    }
}

TEST_SUITE("util.terminal_safe") {
    TEST_CASE("every control character but newlines escaped; paint()'s colours only when kept") {
        CHECK(terminal_safe("a\nb\n", true) == "a\nb\n");
        CHECK(terminal_safe("x\ty\r\x07\xC2\x9B\xE2\x80\xAE\xFF\n", false) ==
              "x\\ty\\r\\a\\u{9b}\\u{202e}\\xff\n");
        CHECK(terminal_safe("x\ty\n", false, true) == "x\ty\n");
        std::string red = "\033[31mFAIL\033[0m";
        CHECK(terminal_safe(red + "\n", true) == red + "\n");
        CHECK(terminal_safe(red, false) == "\\e[31mFAIL\\e[0m");
        for (const char* own :
             {"\033[0m", "\033[1m", "\033[2m", "\033[31m", "\033[32m", "\033[33m", "\033[34m"}) {
            CHECK(terminal_safe(own, true) == own);
        }
        // Anything else that starts with ESC is escaped, colour on or off: titles, clears, cursor moves,
        // other SGR codes (8 hides text).
        CHECK(terminal_safe("\033]0;pwned\007", true) == "\\e]0;pwned\\a");
        CHECK(terminal_safe("\033[2J\033[8m\033[3", true) == "\\e[2J\\e[8m\\e[3");
        CHECK(terminal_safe("caf\xC3\xA9 \xE2\x9C\x85", true) == "caf\xC3\xA9 \xE2\x9C\x85");
    }

    TEST_CASE("plain_lines: printable ASCII and newlines, which terminal_safe keeps as they are") {
        CHECK(plain_lines(""));
        CHECK(plain_lines("abc 123 ~!\n\nx\n"));
        for (const char* s : {"a\tb", "a\rb", "\x1b[0m", "del\x7f", "caf\xC3\xA9", "\xff"}) {
            CHECK_FALSE(plain_lines(s));
        }
        CHECK(terminal_safe("abc 123 ~!\n\nx\n", true) == "abc 123 ~!\n\nx\n");
    }

    TEST_CASE("paint() writes only what terminal_safe keeps") {
        for (Colour c :
             {Colour::red, Colour::green, Colour::yellow, Colour::blue, Colour::bold, Colour::dim}) {
            std::string p = paint("x", c);
            CHECK(terminal_safe(p, true) == p);
        }
    }
}

TEST_SUITE("util.diag") {
    TEST_CASE("warnings go to the installed sink; the previous sink is handed back") {
        std::vector<std::string> got;
        WarningSink old = set_warning_sink([&](const std::string& m) { got.push_back(m); });
        warn("first");
        warn("second");
        WarningSink mine = set_warning_sink(old);
        CHECK(got == std::vector<std::string>{"first", "second"});
        CHECK(static_cast<bool>(mine));
        // An empty sink silences warnings.
        WarningSink prev = set_warning_sink(nullptr);
        warn("dropped");
        set_warning_sink(prev);
        CHECK(got.size() == 2);
    }
}

TEST_SUITE("util.Error") {
    TEST_CASE("an error keeps its kind, message and hint") {
        Error e = config_error("f.toml:3: bad", "fix it");
        CHECK(e.kind() == ErrorKind::config);
        CHECK(std::string(e.what()) == "f.toml:3: bad");
        CHECK(e.hint() == "fix it");
        CHECK(usage_error("u").kind() == ErrorKind::usage);
        CHECK(input_error("i").kind() == ErrorKind::input);
        CHECK(io_error("o").kind() == ErrorKind::io);
    }

    TEST_CASE("Result holds a value or throws its error on access") {
        Result<int> ok(5);
        CHECK(ok.ok());
        CHECK(*ok == 5);
        Result<std::string> bad(input_error("broken", "hint"));
        CHECK_FALSE(bad.ok());
        CHECK_FALSE(static_cast<bool>(bad));
        CHECK(bad.error().hint() == "hint");
        CHECK_THROWS_AS(bad.value(), Error);
        try {
            (void)bad.value();
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::input);
        }
    }
}
