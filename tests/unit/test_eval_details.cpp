// Unit tests for details objects (lib/eval/details.hpp, issue 16 part 4): the details keys of a note
// (round trip, malformed keys, the scanner agreeing), the `details` table of a suite output, storing and
// reading back through the cache, the flips they attach to, and how they are shown.
#include "eval/details.hpp"
#include "eval/note.hpp"
#include "eval/note_scan.hpp"
#include "eval/output.hpp"
#include "hash/xxh128.hpp"
#include "temp_repo.hpp"
#include "util/error.hpp"
#include "util/escape.hpp"

#include <doctest/doctest.h>

using namespace mlci;
using namespace mlci::eval;

namespace {

const char* k_hash = "xxh128:0123456789abcdef0123456789abcdef";

std::string note_with(const std::string& keys) {
    return "[[run]]\nsuite = \"qa\"\nid = \"r1\"\n" + keys + "[run.metrics]\nacc = 0.5\n";
}

std::string message_of(const std::string& text) {
    try {
        parse_note(text, "note of commit 3f9a1c2");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::input);
        return e.what();
    }
    return "";
}

} // namespace

TEST_SUITE("eval details") {
    TEST_CASE("a note's details keys round-trip, and the scanner reads them as parse_note does") {
        Run r;
        r.suite = "qa";
        r.id = "r1";
        r.metrics = {{"acc", 0.5}};
        r.details = {k_hash, "mlci", 1234};
        Note n;
        n.runs.push_back(r);
        std::string text = serialize_note(n);
        CHECK(text.find("details = \"" + std::string(k_hash) +
                        "\"\ndetails_format = \"mlci\"\ndetails_size = 1234\n") != std::string::npos);
        Note back = parse_note(text, "t");
        REQUIRE(back.runs.size() == 1);
        CHECK(back.runs[0].details == r.details);
        std::vector<ScannedRun> runs;
        CHECK(scan_note(text, "acc", runs));
        REQUIRE(runs.size() == 1);
        CHECK(runs[0].value == 0.5);
        // A run without details writes none of the keys.
        n.runs[0].details = {};
        CHECK(serialize_note(n).find("details") == std::string::npos);
    }

    TEST_CASE("malformed details keys make the note malformed, naming the key") {
        std::string whole =
            "details = \"" + std::string(k_hash) + "\"\ndetails_format = \"mlci\"\ndetails_size = 10\n";
        CHECK(message_of(note_with(whole)).empty());
        // A hash that could name any path: refused before it becomes one.
        CHECK(message_of(note_with("details = \"xxh128:../../etc/passwd\"\ndetails_format = \"mlci\"\n"
                                   "details_size = 1\n"))
                  .find("'details' must be \"xxh128:\" and 32 lowercase hex digits") != std::string::npos);
        CHECK(message_of(note_with("details = \"xxh128:0123456789ABCDEF0123456789ABCDEF\"\n"
                                   "details_format = \"mlci\"\ndetails_size = 1\n"))
                  .find("'details' must be") != std::string::npos);
        CHECK(message_of(note_with("details = \"" + std::string(k_hash) +
                                   "\"\ndetails_format = \"../x\"\ndetails_size = 1\n"))
                  .find("'details_format' must be a format name") != std::string::npos);
        CHECK(message_of(note_with("details = \"" + std::string(k_hash) +
                                   "\"\ndetails_format = \"mlci\"\ndetails_size = -1\n"))
                  .find("'details_size' must be a whole number of bytes") != std::string::npos);
        CHECK(message_of(note_with("details = \"" + std::string(k_hash) +
                                   "\"\ndetails_format = \"mlci\"\ndetails_size = 1.5\n"))
                  .find("'details_size' must be") != std::string::npos);
        CHECK(message_of(note_with("details = 3\ndetails_format = \"mlci\"\ndetails_size = 1\n"))
                  .find("'details' must be a string") != std::string::npos);
        std::string partial = message_of(note_with("details = \"" + std::string(k_hash) + "\"\n"));
        CHECK(partial.find("must have all of 'details', 'details_format' and 'details_size', or none") !=
              std::string::npos);
        CHECK(partial.find("note of commit 3f9a1c2") != std::string::npos);
        // The scanner declines what parse_note refuses (git gate log then decides with parse_note).
        std::vector<ScannedRun> runs;
        CHECK_FALSE(scan_note(note_with("details = \"" + std::string(k_hash) + "\"\n"), "acc", runs));
        CHECK_FALSE(
            scan_note(note_with("details = \"xxh128:zz\"\ndetails_format = \"mlci\"\ndetails_size = 1\n"),
                      "acc", runs));
        CHECK_FALSE(scan_note(note_with("details_size = -1\n"), "acc", runs));
    }

    TEST_CASE("a suite output's details table: strings per case, in order, in JSON and TOML") {
        SuiteOutput j = parse_suite_output(
            R"({"acc": 0.5, "cases": {"q1": 1, "q2": 0},
                "details": {"q2": {"expected": "Paris", "output": "Lyon", "reason": "wrong city", "x": "kept out"},
                            "q1": {"output": "ok"}}})",
            "out.json");
        CHECK(j.metrics.size() == 1); // `details` is no metric
        REQUIRE(j.details.size() == 2);
        CHECK(j.details[0].first == "q2");
        CHECK(j.details[0].second.expected == "Paris");
        CHECK(j.details[0].second.output == "Lyon");
        CHECK(j.details[0].second.reason == "wrong city");
        CHECK(j.details[1].second.expected.empty());
        SuiteOutput t = parse_suite_output("acc = 0.5\n[cases]\nq1 = 1\n[details.q1]\nexpected = \"a\"\n"
                                           "output = \"b\"\n",
                                           "out.toml");
        REQUIRE(t.details.size() == 1);
        CHECK(t.details[0].second.output == "b");
        auto refused = [](const std::string& text) {
            try {
                parse_suite_output(text, "out");
            } catch (const Error& e) {
                CHECK(e.kind() == ErrorKind::input);
                return std::string(e.what());
            }
            return std::string();
        };
        CHECK(refused(R"({"acc": 1, "details": {"q1": {"output": 3}}})")
                  .find("'details.q1.output' must be a string") != std::string::npos);
        CHECK(refused(R"({"acc": 1, "details": {"q1": "Lyon"}})").find("'details.q1' must be an object") !=
              std::string::npos);
        CHECK(refused("acc = 1\n[details]\nq1 = 2\n").find("'details.q1' must be a table") !=
              std::string::npos);
        CHECK(
            refused("acc = 1\n[details.q1]\nreason = true\n").find("'details.q1.reason' must be a string") !=
            std::string::npos);
    }

    TEST_CASE("details of format mlci are read by its own reader, other formats by theirs") {
        CaseDetails d = read_case_details_of("mlci", R"({"acc": 1, "details": {"q": {"output": "o"}}})", "x");
        REQUIRE(d.size() == 1);
        CHECK(d[0].second.output == "o");
        try {
            read_case_details_of("promptfoo", "{}", "x");
            FAIL("no error");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::input);
            CHECK(std::string(e.what()) ==
                  "x: not a promptfoo results file of a known layout: 'results' must be an object");
        }
        CaseDetails j = read_case_details_of(
            "junit",
            R"(<testsuite name="s"><testcase classname="t" name="a"><failure message="boom"/></testcase></testsuite>)",
            "x");
        REQUIRE(j.size() == 1);
        CHECK(j[0].first == "t::a");
        CHECK(j[0].second.reason.find("boom") != std::string::npos);
    }

    TEST_CASE("stored in the cache by hash, attached to flips, missing or corrupt ones said so") {
        mlci_test::BaseAndCandidate repo;
        auto r = git::Repo::open(repo.top);
        std::string base_text = R"({"acc": 1, "cases": {"q1": 1}, "details": {"q1": {"expected": "Paris",
                                   "output": "Paris"}}})";
        std::string head_text = R"({"acc": 0, "cases": {"q1": 0}, "details": {"q1": {"expected": "Paris",
                                   "output": "Lyon\n\u001b[2J", "reason": "wrong city"}}})";
        DetailsRef b = store_details_text(r, base_text, "mlci");
        DetailsRef h = store_details_text(r, head_text, "mlci");
        CHECK(b.hash == xxh128(base_text).id());
        CHECK(b.size == base_text.size());
        CHECK(b.format == "mlci");
        // Over the bound: refused, nothing stored.
        CHECK_THROWS_AS(store_details_text(r, head_text, "mlci", 10), Error);

        Run base, head;
        base.suite = head.suite = "qa";
        base.id = "b1";
        head.id = "h1";
        base.details = b;
        head.details = h;
        CaseFlip f;
        f.suite = "qa";
        f.id = "q1";
        f.regressed = true;
        std::vector<CaseFlip> flips{f};
        std::vector<std::string> warnings;
        attach_details(r, flips, 0, head, base, warnings);
        CHECK(warnings.empty());
        REQUIRE(flips[0].head_detail);
        REQUIRE(flips[0].base_detail);
        CHECK(flips[0].head_detail->reason == "wrong city");
        CHECK_FALSE(flips[0].details_missing);
        std::string lines = flip_detail_lines(flips[0], "  ", "\n", term_escape);
        CHECK(
            lines ==
            "  expected:  Paris\n  candidate: Lyon\\n\\e[2J\n  baseline:  Paris\n  reason:    wrong city\n");
        std::string md = flip_detail_lines(flips[0], "- ", "\n", md_escape);
        CHECK(md.find("\x1b") == std::string::npos);
        CHECK(md.find("- reason:    wrong city\n") != std::string::npos);

        // A note naming an object this clone has not (no store configured), and one whose hash is that of
        // other bytes than its size says: no details, one warning each, the flip says so.
        Run ghost = head;
        ghost.id = "h2";
        ghost.details.hash = "xxh128:00000000000000000000000000000001";
        Run liar = base;
        liar.id = "b2";
        liar.details.size = b.size + 1;
        std::vector<CaseFlip> more{f};
        attach_details(r, more, 0, ghost, base, warnings);
        REQUIRE(warnings.size() == 1);
        CHECK(warnings[0].find("details of suite 'qa' (run h2, xxh128:00000000000000000000000000000001) not "
                               "available: it is not in the cache and no default store is configured") == 0);
        CHECK(more[0].details_missing);
        CHECK_FALSE(more[0].head_detail);
        REQUIRE(more[0].base_detail);
        CHECK(flip_detail_lines(more[0], "", "\n", term_escape).find("candidate: (details not available)") !=
              std::string::npos);
        // Asked again (report judges every gate too): no second warning.
        attach_details(r, more, 0, ghost, base, warnings);
        CHECK(warnings.size() == 1);
        // A hash that names another object (here its size disagrees with the bytes): refused as corrupt.
        std::vector<CaseFlip> third{f};
        liar.details.hash = h.hash;
        liar.details.size = h.size - 1;
        attach_details(r, third, 0, head, liar, warnings);
        REQUIRE(warnings.size() == 2);
        CHECK(warnings[1].find("not available") != std::string::npos);
        CHECK(third[0].details_missing);
    }

    TEST_CASE("clip_detail cuts at a character boundary") {
        CHECK(clip_detail("short", 200) == "short");
        CHECK(clip_detail("abcdef", 3) == "abc…");
        CHECK(clip_detail("ééé", 3) == "é…"); // é is 2 bytes: never half of one
    }
}
