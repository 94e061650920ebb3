// lib/util/escape.hpp: untrusted text made inert on a terminal, in Markdown and in a shell hint
// (issue 12). Each control class is asserted verbatim: the escapes are what users read.
#include "util/escape.hpp"

#include <doctest/doctest.h>
#include <string>

using namespace mlci;

TEST_SUITE("util.term_escape") {
    TEST_CASE("printable ASCII and UTF-8 are kept, backslashes too") {
        CHECK(term_escape("") == "");
        CHECK(term_escape("rag-quality pass_rate 0.91") == "rag-quality pass_rate 0.91");
        CHECK(term_escape("caf\xC3\xA9 \xE2\x9C\x85 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80") ==
              "caf\xC3\xA9 \xE2\x9C\x85 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80");
        CHECK(term_escape("C:\\dir \\e") == "C:\\dir \\e");
        CHECK_FALSE(needs_term_escape("caf\xC3\xA9 \xE2\x9C\x85 \xE2\x80\x94 \xC2\xA0"));
    }

    TEST_CASE("C0 controls by their C names, the others as \\xNN") {
        CHECK(term_escape("\a\b\t\n\v\f\r\x1b") == "\\a\\b\\t\\n\\v\\f\\r\\e");
        CHECK(term_escape(std::string("nul\0", 4)) == "nul\\x00");
        CHECK(term_escape("\x01\x1f") == "\\x01\\x1f");
        CHECK(term_escape("\x1b]0;pwned\x07") == "\\e]0;pwned\\a");
        CHECK(term_escape("\x1b[2J\rPASS") == "\\e[2J\\rPASS");
        CHECK(needs_term_escape("tab\there"));
    }

    TEST_CASE("DEL, and C1 controls in UTF-8 (read as CSI by some terminals)") {
        CHECK(term_escape("del\x7f") == "del\\x7f");
        CHECK(term_escape("\xC2\x80 \xC2\x9B[2J \xC2\x9F") == "\\u{80} \\u{9b}[2J \\u{9f}");
        // U+00A0 (no-break space) follows C1 with the same lead byte: kept.
        CHECK(term_escape("a\xC2\xA0z") == "a\xC2\xA0z");
        CHECK(needs_term_escape("\xC2\x9B"));
    }

    TEST_CASE("bytes that are not UTF-8 one by one as \\xNN") {
        CHECK(term_escape(std::string("\x9B") + "2J") == "\\x9b2J");      // a raw 8-bit CSI
        CHECK(term_escape("\xFF\xFE") == "\\xff\\xfe");                   // never UTF-8
        CHECK(term_escape("\xC3") == "\\xc3");                            // truncated
        CHECK(term_escape("\xC3(") == "\\xc3(");                          // bad continuation
        CHECK(term_escape("\xC0\xAF") == "\\xc0\\xaf");                   // overlong '/'
        CHECK(term_escape("\xED\xA0\x80") == "\\xed\\xa0\\x80");          // a surrogate
        CHECK(term_escape("\xF4\x90\x80\x80") == "\\xf4\\x90\\x80\\x80"); // past U+10FFFF
        CHECK(term_escape("ok \xE2\x9C\x85 \x80") == "ok \xE2\x9C\x85 \\x80");
        CHECK(needs_term_escape("\xE2\x9C"));
    }

    TEST_CASE("bidi overrides and isolates as \\u{…}") {
        CHECK(term_escape("invoice-\xE2\x80\xAEtxt.exe") == "invoice-\\u{202e}txt.exe");
        CHECK(term_escape("\xE2\x80\xAA\xE2\x80\xAB\xE2\x80\xAC\xE2\x80\xAD") ==
              "\\u{202a}\\u{202b}\\u{202c}\\u{202d}");
        CHECK(term_escape("\xE2\x81\xA6\xE2\x81\xA7\xE2\x81\xA8\xE2\x81\xA9") ==
              "\\u{2066}\\u{2067}\\u{2068}\\u{2069}");
        // Their neighbours are ordinary punctuation: kept.
        CHECK(term_escape("\xE2\x80\xA9\xE2\x80\xAF\xE2\x81\xA5\xE2\x81\xAA") ==
              "\xE2\x80\xA9\xE2\x80\xAF\xE2\x81\xA5\xE2\x81\xAA");
    }

    TEST_CASE("escaping twice changes nothing; append_term_escaped appends") {
        std::string once = term_escape("a\x1b[31m\xC2\x9B\xE2\x80\xAE\xFF\n");
        CHECK(term_escape(once) == once);
        CHECK_FALSE(needs_term_escape(once));
        std::string out = "x ";
        append_term_escaped(out, "plain");
        append_term_escaped(out, " \x07");
        CHECK(out == "x plain \\a");
    }
}

TEST_SUITE("util.message_lines") {
    TEST_CASE("one prefixed line per message line, each escaped") {
        CHECK(message_lines("error: ", "bad") == "error: bad\n");
        CHECK(message_lines("error: ", "") == "error: \n");
        CHECK(message_lines("error: ", "a\nb") == "error: a\nerror: b\n");
        CHECK(message_lines("hint: ", "a\n") == "hint: a\n");
        CHECK(message_lines("warning: ", "a\n\nb") == "warning: a\nwarning: \nwarning: b\n");
        CHECK(message_lines("error: ", "x\x1b]0;t\x07\r") == "error: x\\e]0;t\\a\\r\n");
    }
}

TEST_SUITE("util.md_escape") {
    TEST_CASE("Markdown and HTML punctuation backslash-escaped, one line") {
        CHECK(md_escape("pass_rate") == "pass\\_rate");
        CHECK(md_escape("a|b `c` *d* [e](f) <g> &amp; #h !i ~j $k$ \\l") ==
              "a\\|b \\`c\\` \\*d\\* \\[e\\](f) \\<g\\> \\&amp; \\#h \\!i \\~j \\$k\\$ \\\\l");
        CHECK(md_escape("caf\xC3\xA9 \xE2\x9C\x85") == "caf\xC3\xA9 \xE2\x9C\x85");
    }

    TEST_CASE("no autolink: the ':' of a scheme and the '.' of www. escaped, other dots kept") {
        CHECK(md_escape("https://evil.example/x") == "https\\://evil.example/x");
        CHECK(md_escape("see www.evil.example or WwW.x") == "see www\\.evil.example or WwW\\.x");
        CHECK(md_escape("rag.quality 0.91") == "rag.quality 0.91");
        CHECK(md_escape("w.ww.x") == "w.ww.x");
    }

    TEST_CASE("a crafted case id stays text in one cell: no heading, no HTML") {
        std::string evil = "q1\n\n### \xE2\x9C\x85 All gates PASS\n\n<img src=x onerror=alert(1)>";
        std::string md = md_escape(evil);
        CHECK(md.find('\n') == std::string::npos);
        for (size_t i = md.find('<'); i != std::string::npos; i = md.find('<', i + 1)) {
            CHECK(md[i - 1] == '\\'); // \<img renders as text
        }
        CHECK(md.find("###") == std::string::npos);
        CHECK(md ==
              "q1\\\\n\\\\n\\#\\#\\# \xE2\x9C\x85 All gates PASS\\\\n\\\\n\\<img src=x onerror=alert(1)\\>");
        // Terminal controls become text first.
        CHECK(md_escape("a\x1b[2Jb\r") == "a\\\\e\\[2Jb\\\\r");
    }
}

TEST_SUITE("util.html_escape") {
    TEST_CASE("the five HTML specials as character references, the rest kept") {
        CHECK(html_escape("") == "");
        CHECK(html_escape("pass_rate") == "pass_rate");
        CHECK(html_escape("a & b < c > d \"e\" 'f'") == "a &amp; b &lt; c &gt; d &quot;e&quot; &#39;f&#39;");
        CHECK(html_escape("&amp;") == "&amp;amp;"); // a reference in the input shows as written
        CHECK(html_escape("caf\xC3\xA9 \xE2\x9C\x85 `x` | y") == "caf\xC3\xA9 \xE2\x9C\x85 `x` | y");
    }

    TEST_CASE("markup in a case id stays text: no element, no attribute break-out") {
        CHECK(html_escape("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;");
        CHECK(html_escape("<img src=x onerror=alert(1)>") == "&lt;img src=x onerror=alert(1)&gt;");
        std::string attr = html_escape("x\" onmouseover=\"alert(1)' x='");
        CHECK(attr.find('"') == std::string::npos);
        CHECK(attr.find('\'') == std::string::npos);
        CHECK(attr.find('<') == std::string::npos);
        CHECK(html_escape("]]></title><script>") == "]]&gt;&lt;/title&gt;&lt;script&gt;");
    }

    TEST_CASE("one line: controls, bidi overrides and bytes that are not UTF-8 escaped as on a terminal") {
        CHECK(html_escape("q1\n\n<b>x</b>") == "q1\\n\\n&lt;b&gt;x&lt;/b&gt;");
        CHECK(html_escape("a\x1b]0;t\x07<") == "a\\e]0;t\\a&lt;");
        CHECK(html_escape("ab\xE2\x80\xAE"
                          "cd") == "ab\\u{202e}cd");
        CHECK(html_escape("\xFF<") == "\\xff&lt;");
        std::string s;
        append_html_escaped(s, "x");
        append_html_escaped(s, "<y>");
        CHECK(s == "x&lt;y&gt;");
    }

    TEST_CASE("a block keeps its line breaks and tabs, nothing else") {
        CHECK(html_escape_block("line 1\n\tline <2>\r\nend") == "line 1\n\tline &lt;2&gt;\nend");
        CHECK(html_escape_block("\n") == "\n");
        CHECK(html_escape_block("bell\a \x1b[2J") == "bell\\a \\e[2J");
        CHECK(html_escape_block("") == "");
    }
}

TEST_SUITE("util.shell_quote") {
    TEST_CASE("bare when safe, else single-quoted with '\\'' for a quote") {
        CHECK(shell_quote("models/clf.safetensors.mlci") == "models/clf.safetensors.mlci");
        CHECK(shell_quote("a@b%c+d=e:f,g.h/i-j_K9") == "a@b%c+d=e:f,g.h/i-j_K9");
        CHECK(shell_quote("") == "''");
        CHECK(shell_quote("my model.bin") == "'my model.bin'");
        CHECK(shell_quote("$(rm -rf ~)") == "'$(rm -rf ~)'");
        CHECK(shell_quote("it's") == "'it'\\''s'");
        CHECK(shell_quote("`x` \"y\" *;&|<>!#") == "'`x` \"y\" *;&|<>!#'");
        CHECK(shell_quote("weights.bin", true) == "'weights.bin'");
    }
}

TEST_CASE("append_quoted_byte: the escapes a JSON or TOML basic string needs") {
    auto quote = [](std::string_view s, bool upper) {
        std::string out;
        for (unsigned char c : s) {
            mlci::append_quoted_byte(out, c, upper);
        }
        return out;
    };
    CHECK(quote("plain é", false) == "plain é");
    CHECK(quote("a\"b\\c", false) == "a\\\"b\\\\c");
    CHECK(quote("\n\r\t", true) == "\\n\\r\\t");
    CHECK(quote(std::string_view("\x1b\x7f\0", 3), false) == "\\u001b\\u007f\\u0000");
    CHECK(quote(std::string_view("\x1b\x7f\0", 3), true) == "\\u001B\\u007F\\u0000");
}
