// Unit tests for lib/eval/note_scan: the line scanner `git gate log` reads notes with. It must agree
// with parse_note on every note it accepts and decline everything outside mlci's own layout.
#include "eval/note.hpp"
#include "eval/note_scan.hpp"
#include "util/error.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace mlci;
using namespace mlci::eval;

namespace {

// The scanner's view of `text` must match parse_note's for `metric`.
void check_agrees(const std::string& text, const std::string& metric) {
    std::vector<ScannedRun> runs;
    REQUIRE(scan_note(text, metric, runs));
    Note n = parse_note(text, "t");
    REQUIRE(runs.size() == n.runs.size());
    for (size_t i = 0; i < runs.size(); ++i) {
        CHECK(runs[i].suite == n.runs[i].suite);
        CHECK(runs[i].id == n.runs[i].id);
        CHECK(runs[i].at == n.runs[i].at);
        auto v = n.runs[i].metric(metric);
        REQUIRE(runs[i].value.has_value() == v.has_value());
        if (v) {
            CHECK(*runs[i].value == *v);
        }
    }
}

bool declines(const std::string& text) {
    std::vector<ScannedRun> runs;
    return !scan_note(text, "acc", runs);
}

} // namespace

TEST_SUITE("ScannedRun") {
    TEST_CASE("notes written by serialize_note are read like parse_note reads them") {
        Note n;
        Run a;
        a.suite = "quality";
        a.id = "20261122T100000Z-3f9a1c";
        a.at = "2026-11-22T10:00:00Z";
        a.by = "ci@example.com";
        a.duration_s = 12.5;
        a.fingerprint = "xxh128:0123456789abcdef0123456789abcdef";
        a.metrics = {{"acc", 0.1 + 0.2}, {"f1", -0.0}, {"big", 1e300}, {"tiny", 1e-300}, {"exact match", 3}};
        a.cases = {{"case-1", 1}, {"acc", 0}};
        n.runs.push_back(a);
        Run b = a;
        b.id = "20261122T110000Z-aaaaaa";
        b.status = "error";
        b.reason = "exit code 3";
        b.metrics.clear();
        b.reused_from = "3f9a1c2:20261122T100000Z-3f9a1c";
        n.runs.push_back(b);
        std::string text = serialize_note(n);
        for (const char* m : {"acc", "f1", "big", "tiny", "missing", "exact match", "case-1"}) {
            check_agrees(text, m);
        }
    }
    TEST_CASE("the plain hand-written forms parse_note accepts are read too") {
        check_agrees("[[run]]\nsuite = \"q\"\nid = \"1\"\n[run.metrics]\nacc = 12\n", "acc"); // integer
        check_agrees("[[run]]\nsuite = \"q\"\nid = \"1\"\n[run.metrics]\nacc = -0\n", "acc");
        check_agrees("[[run]]\nsuite = \"q\"\nid = \"1\"\n[run.metrics]\nacc = 5E+2\n", "acc");
        check_agrees("[[run]]\nsuite = \"q\"\nid = \"1\"\nat = \"yesterday\"\n", "acc"); // `at` as a string
        check_agrees("[[run]]\nsuite = \"q\"\nid = \"1\"\nat = 2024-02-29T23:59:59Z\n", "acc");
        check_agrees("\n\n[[run]]\nsuite = \"q\"\nid = \"1\"", "acc"); // blank lines, no final newline
        check_agrees("", "acc");
        check_agrees("[[run]]\nsuite = \"q\"\nid = \"é\"\n", "acc");
        check_agrees("[[run]]\nsuite = \"q\"\nid = \"1\"\n[run.metrics]\n\"acc\" = 2\n", "acc"); // quoted
        // Cases at the ends of [0, 1], and a metric outside it (only cases are bounded).
        check_agrees("[[run]]\nsuite = \"q\"\nid = \"1\"\n[run.cases]\nx = 0\ny = 1\nz = 1.0\nw = -0.0\n"
                     "[run.metrics]\nacc = 5\n",
                     "acc");
    }
    TEST_CASE("anything outside the known layout is left to parse_note") {
        CHECK(declines("[[run]]\nsuite = \"q\" # c\nid = \"1\"\n"));                         // comment
        CHECK(declines("[[run]]\nsuite=\"q\"\nid = \"1\"\n"));                               // spacing
        CHECK(declines("[[run]]\r\nsuite = \"q\"\r\nid = \"1\"\r\n"));                       // CRLF
        CHECK(declines("[[run]]\nsuite = \"q\\t\"\nid = \"1\"\n"));                          // escape
        CHECK(declines("[[run]]\nsuite = \"q\"\nid = \"1\"\n[run.metrics]\nacc = 1_000\n")); // underscore
        CHECK(declines("[[run]]\nsuite = \"q\"\nid = \"1\"\n[run.metrics]\nacc = +1\n"));
        CHECK(declines("[[run]]\nsuite = \"q\"\nid = \"1\"\n[run.metrics]\nacc = inf\n"));
        CHECK(declines("[[run]]\nsuite = \"q\"\nid = \"1\"\n[run.metrics]\nacc = 1e400\n"));
        CHECK(declines("[[run]]\nsuite = \"q\"\nid = \"1\"\n[run.metrics]\nacc = 5e-324\n")); // subnormal
        CHECK(declines("[[run]]\nsuite = \"q\"\nid = \"1\"\n[run.metrics]\nacc = 9223372036854775808\n"));
        CHECK(
            declines("[[run]]\nsuite = \"q\"\nid = \"1\"\n[run.metrics]\n\"a\\tb\" = 1\n")); // escape in key
        CHECK(declines("[[run]]\nsuite = \"q\"\nid = \"1\"\n[run.metrics]\n'acc' = 1\n"));   // literal key
        CHECK(declines("[[run]]\nsuite = \"q\"\nid = \"1\"\nat = 2026-02-29T00:00:00Z\n"));  // no such day
        CHECK(declines("[[run]]\nsuite = \"q\"\nid = \"1\"\nat = 2026-01-01T01:00:00+01:00\n"));
        CHECK(declines("[[run]]\nsuite = \"q\"\nid = \"1\"\nat = 0999-01-01T00:00:00Z\n"));
        CHECK(declines("[[run]]\nsuite = \"q\"\nid = \"1\"\nextra = 1\n")); // unknown key
        CHECK(declines("version = 2\n[[run]]\nsuite = \"q\"\nid = \"1\"\n"));
        CHECK(declines("[[run]]\nsuite = \"q\"\nid = \"1\"\nmetrics = { acc = 1 }\n"));
    }
    TEST_CASE("every note parse_note refuses is declined") {
        for (const char* bad : {
                 "[[run]] suite = ",
                 "[[run]]\nid = \"1\"\n",                               // no suite
                 "[[run]]\nsuite = \"q\"\n",                            // no id
                 "[[run]]\nsuite = \"\"\nid = \"1\"\n",                 // empty suite
                 "[[run]]\nsuite = \"q\"\nsuite = \"r\"\nid = \"1\"\n", // key twice
                 "[[run]]\nsuite = \"q\"\nid = \"1\"\n[run.metrics]\na = 1\na = 2\n",
                 "[[run]]\nsuite = \"q\"\nid = \"1\"\n[run.metrics]\na = 1\n\"a\" = 2\n", // same key twice
                 "[[run]]\nsuite = \"q\"\nid = \"1\"\n[run.metrics]\na = 1\n[run.metrics]\nb = 2\n",
                 "[[run]]\nsuite = \"q\"\nid = \"1\"\nstatus = \"maybe\"\n",
                 "[[run]]\nsuite = \"q\"\nid = \"1\"\n[run.cases]\nx = \"pass\"\n",
                 // issue 12: a boolean is no number, a case is in [0, 1]
                 "[[run]]\nsuite = \"q\"\nid = \"1\"\n[run.metrics]\nacc = true\n",
                 "[[run]]\nsuite = \"q\"\nid = \"1\"\n[run.metrics]\nacc = false\n",
                 "[[run]]\nsuite = \"q\"\nid = \"1\"\nduration_s = true\n",
                 "[[run]]\nsuite = \"q\"\nid = \"1\"\n[run.cases]\nx = true\n",
                 "[[run]]\nsuite = \"q\"\nid = \"1\"\n[run.cases]\nx = 5\n",
                 "[[run]]\nsuite = \"q\"\nid = \"1\"\n[run.cases]\nx = -0.5\n",
                 "[[run]]\nsuite = \"q\"\nid = \"1\"\n[run.cases]\nx = 1.5e0\n",
                 "[run.metrics]\nacc = 1\n",
                 "[[run]]\nsuite = \"q\"\nid = \"\xff\"\n",
             }) {
            CAPTURE(bad);
            CHECK(declines(bad));
            CHECK_THROWS_AS(parse_note(bad, "t"), Error);
        }
    }
    TEST_CASE("is_canonical_utc") {
        CHECK(is_canonical_utc("2026-11-22T10:00:00Z"));
        CHECK(is_canonical_utc("2000-02-29T23:59:59Z"));
        CHECK_FALSE(is_canonical_utc("1900-02-29T00:00:00Z"));
        CHECK_FALSE(is_canonical_utc("2026-11-22T10:00:60Z"));
        CHECK_FALSE(is_canonical_utc("2026-11-22 10:00:00Z"));
        CHECK_FALSE(is_canonical_utc("2026-11-22T10:00:00"));
        CHECK_FALSE(is_canonical_utc("yesterday"));
    }
}

TEST_SUITE("Note") {
    TEST_CASE("an `at` read from a string survives serialize_note") {
        Note n = parse_note("[[run]]\nsuite = \"q\"\nid = \"1\"\nat = \"yesterday\"\n", "t");
        REQUIRE(n.runs.size() == 1);
        CHECK(n.runs[0].at == "yesterday");
        Note back = parse_note(serialize_note(n), "t");
        REQUIRE(back.runs.size() == 1);
        CHECK(back.runs[0].at == "yesterday");
        // A date-time stays a date-time.
        n.runs[0].at = "2026-01-01T00:00:00Z";
        CHECK(serialize_note(n).find("at = 2026-01-01T00:00:00Z\n") != std::string::npos);
    }
}
