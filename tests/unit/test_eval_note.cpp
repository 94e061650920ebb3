// Unit tests for lib/eval: note round trip and merge, the strict JSON reader, suite outputs, gates.
#include "eval/gates.hpp"
#include "eval/json_in.hpp"
#include "eval/note.hpp"
#include "eval/output.hpp"
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
        CHECK(m.latest("q")->id == "2");
    }
    TEST_CASE("malformed notes are refused with input errors") {
        CHECK_THROWS_AS(parse_note("[[run]]\nsuite = 1\nid = \"x\"\n", "t"), Error);
        CHECK_THROWS_AS(parse_note("[[run]]\nid = \"x\"\n", "t"), Error);
        CHECK_THROWS_AS(parse_note("[[run]] suite = ", "t"), Error);
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
        auto j = parse_suite_output("{\"acc\": 0.5, \"cases\": {\"x\": 1, \"y\": false}}", "t");
        CHECK(lookup(j.metrics, "acc") == 0.5);
        CHECK(lookup(j.cases, "y") == 0.0);
        auto t = parse_suite_output("acc = 1\n[cases]\nx = 0\n", "t");
        CHECK(lookup(t.metrics, "acc") == 1.0);
        CHECK_THROWS(parse_suite_output("{\"acc\": \"high\"}", "t"));
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
