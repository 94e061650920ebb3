// Unit tests for lib/eval: note round trip, order and merge (sync's merge of note texts too), the strict
// JSON reader, suite outputs, gates.
#include "eval/gates.hpp"
#include "eval/json_in.hpp"
#include "eval/note.hpp"
#include "eval/notes.hpp"
#include "eval/output.hpp"
#include "util/diag.hpp"
#include "util/error.hpp"

#include <doctest/doctest.h>

using namespace mlci;
using namespace mlci::eval;

TEST_SUITE("Note") {
    TEST_CASE("serialize then parse round-trips, merge is a union by id") {
        Run r;
        r.suite = "q";
        r.id = "1";
        r.at = "2026-01-01T00:00:00Z";
        r.metrics = {{"accuracy", 0.86}, {"weird key", 1}};
        r.cases = {{"case 1", 1}};
        Note n;
        n.runs.push_back(r);
        Note back = parse_note(serialize_note(n), "t");
        REQUIRE(back.runs.size() == 1);
        CHECK(back.runs[0].metric("accuracy") == doctest::Approx(0.86));
        CHECK(back.runs[0].metric("weird key") == 1.0);
        CHECK(back.runs[0].at == "2026-01-01T00:00:00Z");
        Note other = n;
        other.runs[0].id = "2";
        other.runs[0].at = "2026-01-02T00:00:00Z";
        Note m = merge_notes(n, other);
        CHECK(m.runs.size() == 2);
        CHECK(merge_notes(m, n).runs.size() == 2);
        // Their run "2" was published first; our "1" counts as recorded after it, whatever the dates.
        CHECK(m.latest("q")->id == "1");
    }
    TEST_CASE("the latest run is the last recorded, not the one with the latest `at`") {
        // Issue 12: a forged run dated 2099 followed by a real run.
        Note n = parse_note("[[run]]\nsuite = \"q\"\nid = \"forged\"\nat = 2099-01-01T00:00:00Z\n"
                            "[run.metrics]\nacc = 0.99\n\n"
                            "[[run]]\nsuite = \"q\"\nid = \"real\"\nat = 2026-01-01T00:00:00Z\n"
                            "[run.metrics]\nacc = 0.5\n\n"
                            "[[run]]\nsuite = \"other\"\nid = \"o\"\nat = 2026-01-01T00:00:00Z\n",
                            "t");
        REQUIRE(n.latest("q") != nullptr);
        CHECK(n.latest("q")->id == "real");
        CHECK(n.latest("q")->metric("acc") == 0.5);
        CHECK(n.latest("other")->id == "o");
        CHECK(n.latest("none") == nullptr);
        // Old notes, written in `at` order by earlier merges, read as before.
        Note old = parse_note("[[run]]\nsuite = \"q\"\nid = \"a\"\nat = 2026-01-01T00:00:00Z\n\n"
                              "[[run]]\nsuite = \"q\"\nid = \"b\"\nat = 2026-01-02T00:00:00Z\n",
                              "t");
        CHECK(old.latest("q")->id == "b");
        // The future is reported, never ordered by.
        int64_t now = *parse_utc("2026-06-01T00:00:00Z");
        CHECK(dated_in_future(n.runs[0], now));
        CHECK_FALSE(dated_in_future(n.runs[1], now));
        Run soon = n.runs[1];
        soon.at = "2026-06-01T23:00:00Z"; // within a day: a clock off by hours is not reported
        CHECK_FALSE(dated_in_future(soon, now));
        soon.at = "tomorrow"; // not a date-time: nothing to compare
        CHECK_FALSE(dated_in_future(soon, now));
        CHECK(parse_utc("1970-01-02T00:00:00Z") == 86400);
        CHECK_FALSE(parse_utc("2026-13-01T00:00:00Z").has_value());
    }
    TEST_CASE("merge order: theirs as published, then ours they lack; no writer-chosen time reorders") {
        auto run = [](const char* id, const char* at) {
            Run r;
            r.suite = "q";
            r.id = id;
            r.at = at;
            return r;
        };
        auto ids = [](const Note& n) {
            std::string out;
            for (const auto& r : n.runs) {
                out += r.id + " ";
            }
            return out;
        };
        Note ours;
        ours.runs = {run("base", "2026-01-01T00:00:00Z"), run("mine", "2026-01-03T00:00:00Z")};
        Note theirs;
        theirs.runs = {run("base", "2026-01-01T00:00:00Z"), run("forged", "2099-01-01T00:00:00Z")};
        Note m = merge_notes(ours, theirs);
        CHECK(ids(m) == "base forged mine ");
        CHECK(m.latest("q")->id == "mine"); // the run recorded here stays the latest after a sync
        // Deterministic: the same inputs, the same order; merging again changes nothing.
        CHECK(ids(merge_notes(ours, theirs)) == ids(m));
        CHECK(ids(merge_notes(m, theirs)) == ids(m));
        // The other side, merging what we published, keeps our order (a fast-forward in practice).
        CHECK(ids(merge_notes(theirs, m)) == ids(m));
        // A run id on both sides keeps our copy, at its place in theirs.
        Note edited = theirs;
        edited.runs[0].metrics = {{"acc", 0.99}};
        Note k = merge_notes(ours, edited);
        CHECK(ids(k) == "base forged mine ");
        CHECK(k.runs[0].metrics.empty());
        // Nothing of ours is dropped, not even a repeated id in a hand-edited note.
        Note dup;
        dup.runs = {run("x", ""), run("x", ""), run("y", "")};
        CHECK(ids(merge_notes(dup, Note{})) == "x x y ");
        CHECK(ids(merge_notes(dup, dup)) == "x x y ");
        CHECK(ids(merge_notes(Note{}, dup)) == "x y ");
    }
    TEST_CASE("malformed notes are refused with input errors") {
        CHECK_THROWS_AS(parse_note("[[run]]\nsuite = 1\nid = \"x\"\n", "t"), Error);
        CHECK_THROWS_AS(parse_note("[[run]]\nid = \"x\"\n", "t"), Error);
        CHECK_THROWS_AS(parse_note("[[run]] suite = ", "t"), Error);
    }
    TEST_CASE("a boolean is not a number; a case is in [0, 1]") {
        auto why = [](const std::string& text) {
            try {
                parse_note(text, "note of commit abc1234");
            } catch (const Error& e) {
                CHECK(e.kind() == ErrorKind::input);
                return std::string(e.what());
            }
            return std::string("parsed");
        };
        std::string head = "[[run]]\nsuite = \"q\"\nid = \"1\"\n";
        CHECK(why(head + "[run.metrics]\nacc = true\n") ==
              "note of commit abc1234:5: 'metrics.acc' must be a number, not a boolean");
        CHECK(why(head + "duration_s = false\n").find("'duration_s' must be a number, not a boolean") !=
              std::string::npos);
        CHECK(why(head + "[run.cases]\nq1 = 5\n") == "note of commit abc1234:5: 'cases.q1' must be a number "
                                                     "in [0, 1] (1/0 for pass/fail, or a score)");
        CHECK(why(head + "[run.cases]\nq1 = -0.5\n").find("in [0, 1]") != std::string::npos);
        CHECK(why(head + "[run.cases]\nq1 = true\n").find("not a boolean") != std::string::npos);
        CHECK(why(head + "[run.cases]\nq1 = 1\nq2 = 0\nq3 = 0.25\n[run.metrics]\nlatency = 480\n") ==
              "parsed");
    }
}

TEST_SUITE("merge_note_texts") {
    // Issue 12: `git gate sync` must never make a local run unreadable, nor lose one.
    const git::Oid commit = git::Oid::from_hex("3f9a1c2b4d5e6f708192a3b4c5d6e7f8091a2b3c");
    const std::string ours = "[[run]]\nsuite = \"q\"\nid = \"mine\"\n[run.metrics]\nacc = 0.5\n";
    const std::string theirs = "[[run]]\nsuite = \"q\"\nid = \"theirs\"\n[run.metrics]\nacc = 0.7\n";
    const std::string malformed = "[[run]]\nsuite = \"q\"\nid = \"x\"\n[run.metrics]\nacc = true\n";
    const std::string oversized = "[[run]]\nsuite = \"q\"\nid = \"big\"\n" + std::string(1100000, '#') + "\n";

    struct Warnings {
        std::vector<std::string> seen;
        WarningSink old;
        Warnings() : old(set_warning_sink([this](const std::string& w) { seen.push_back(w); })) {}
        ~Warnings() { set_warning_sink(old); }
    };

    TEST_CASE("both read: their runs, then ours") {
        Warnings w;
        Note m =
            parse_note(merge_note_texts(commit, ours, theirs, "refs/notes/mlci-remotes/origin/evals"), "t");
        REQUIRE(m.runs.size() == 2);
        CHECK(m.runs[0].id == "theirs");
        CHECK(m.latest("q")->id == "mine");
        CHECK(w.seen.empty());
        CHECK(keeps_our_runs(commit, ours, merge_note_texts(commit, ours, theirs)));
    }
    TEST_CASE("an oversized or malformed note of theirs leaves ours as it is, with a warning") {
        Warnings w;
        CHECK(merge_note_texts(commit, ours, oversized, "refs/notes/mlci-remotes/origin/evals") == ours);
        CHECK(merge_note_texts(commit, ours, malformed, "refs/notes/mlci-remotes/origin/evals") == ours);
        REQUIRE(w.seen.size() == 2);
        CHECK(w.seen[0] ==
              "note of commit 3f9a1c2 in refs/notes/mlci-remotes/origin/evals: too large (1100032 "
              "bytes, limit 1 MiB); kept the local note of 3f9a1c2 (its runs stay readable)");
        CHECK(w.seen[1].find("must be a number, not a boolean; kept the local note of 3f9a1c2") !=
              std::string::npos);
        CHECK_FALSE(keeps_our_runs(commit, ours, oversized));
        CHECK_FALSE(keeps_our_runs(commit, ours, malformed));
    }
    TEST_CASE("a local note that does not read gives way to theirs; neither reading keeps ours") {
        Warnings w;
        CHECK(merge_note_texts(commit, malformed, theirs) == theirs);
        CHECK(merge_note_texts(commit, malformed, oversized) == malformed);
        CHECK(w.seen.size() == 2);
        CHECK(keeps_our_runs(commit, malformed, theirs));
    }
    TEST_CASE("a union past 1 MiB keeps ours") {
        Warnings w;
        std::string big_ours =
            "[[run]]\nsuite = \"q\"\nid = \"a\"\nreason = \"" + std::string(600000, 'x') + "\"\n";
        std::string big_theirs =
            "[[run]]\nsuite = \"q\"\nid = \"b\"\nreason = \"" + std::string(600000, 'y') + "\"\n";
        CHECK(merge_note_texts(commit, big_ours, big_theirs) == big_ours);
        REQUIRE(w.seen.size() == 1);
        CHECK(w.seen[0].find("would pass the 1 MiB limit of a note") != std::string::npos);
    }
    TEST_CASE("a fast-forward must keep every run of ours, unchanged") {
        std::string both = ours + "\n" + theirs;
        CHECK(keeps_our_runs(commit, ours, both));
        CHECK(keeps_our_runs(commit, ours, ours));
        CHECK_FALSE(keeps_our_runs(commit, ours, theirs)); // ours dropped
        std::string edited = "[[run]]\nsuite = \"q\"\nid = \"mine\"\n[run.metrics]\nacc = 0.99\n";
        CHECK_FALSE(keeps_our_runs(commit, ours, edited)); // ours changed
    }
}

TEST_SUITE("JsonValue") {
    TEST_CASE("strict grammar") {
        CHECK(parse_json("{\"a\": [1, 2.5e1, true, null, \"\\u00e9\"]}", "t").find("a")->array.size() == 5);
        CHECK_THROWS(parse_json("{\"a\": 1,}", "t"));
        CHECK_THROWS(parse_json("{\"a\": 1, \"a\": 2}", "t"));
        CHECK_THROWS(parse_json("[01]", "t"));
        CHECK_THROWS(parse_json("\"\\ud800\"", "t"));
        CHECK_THROWS(parse_json(std::string(100, '[') + std::string(100, ']'), "t"));
        CHECK_THROWS(parse_json("NaN", "t"));
    }
}

TEST_SUITE("SuiteOutput") {
    TEST_CASE("JSON and TOML outputs with cases") {
        auto j = parse_suite_output("{\"acc\": 0.5, \"cases\": {\"x\": 1, \"y\": 0, \"z\": 0.75}}", "t");
        CHECK(lookup(j.metrics, "acc") == 0.5);
        CHECK(lookup(j.cases, "y") == 0.0);
        CHECK(lookup(j.cases, "z") == 0.75);
        auto t = parse_suite_output("acc = 1\n[cases]\nx = 0\n", "t");
        CHECK(lookup(t.metrics, "acc") == 1.0);
        CHECK_THROWS(parse_suite_output("{\"acc\": \"high\"}", "t"));
    }
    TEST_CASE("a boolean metric or case, and a case outside [0, 1], are input errors naming file and key") {
        auto why = [](const std::string& text) {
            try {
                parse_suite_output(text, "m.json");
            } catch (const Error& e) {
                CHECK(e.kind() == ErrorKind::input);
                return std::string(e.what());
            }
            return std::string("parsed");
        };
        CHECK(why("{\"acc\": true}") == "m.json: 'acc' must be a number or a list of numbers, not a boolean");
        CHECK(why("{\"acc\": 1, \"cases\": {\"q1\": false}}") ==
              "m.json: 'cases.q1' must be a number or a list of numbers, not a boolean");
        CHECK(why("{\"acc\": 1, \"cases\": {\"q1\": 5}}") ==
              "m.json: 'cases.q1' must be a number in [0, 1] (1/0 for pass/fail, or a score), not 5.0");
        CHECK(why("acc = true\n") ==
              "m.json:1: 'acc' must be a finite number or a list of them, not a boolean");
        CHECK(why("acc = 1\n[cases]\nq1 = 5\n") ==
              "m.json:3: 'cases.q1' must be a number in [0, 1] (1/0 for pass/fail, or a score), not 5.0");
        CHECK(why("acc = 1\n[cases]\nq1 = -1\n").find("in [0, 1]") != std::string::npos);
    }
}

TEST_SUITE("Gates") {
    TEST_CASE("rules parse with relative and absolute limits; errors name file:line") {
        Gates g =
            parse_gates("[suite.s]\ncommand = [\"x\"]\n[gate.g]\nsuites = [\"s\"]\nbaseline = \"main\"\n"
                        "rules = [ { metric = \"a\", min = 0.8, max_drop = \"2%\" }, { metric = \"b\", "
                        "max_rise = 0.1 } ]\n",
                        "gates.toml");
        REQUIRE(g.gate("g") != nullptr);
        REQUIRE(g.gate("g")->rules.size() == 3);
        bool saw_relative = false;
        for (const auto& r : g.gate("g")->rules) {
            if (r.kind == Rule::Kind::max_drop) {
                saw_relative = r.relative && r.value == doctest::Approx(0.02);
            }
        }
        CHECK(saw_relative);
        try {
            parse_gates("[suite.s]\ncommand = [\"x\"]\n[gate.g]\nsuites = [\"s\"]\nrules = [ { metric = "
                        "\"a\", max_drop = \"2%\" } ]\n",
                        "gates.toml");
            FAIL("expected a config error");
        } catch (const Error& e) {
            CHECK(std::string(e.what()).find("gates.toml:5:") == 0);
        }
        CHECK_THROWS(parse_gates("[gate.g]\nsuites = [\"nope\"]\n", "gates.toml"));
    }
}
