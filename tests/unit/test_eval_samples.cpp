// Samples in notes and suite outputs (DESIGN.md section 5, Samples): a metric as repeated measurements, a
// case as a list of samples, clusters; their limits; and the combination of a `repeat = K` run.
#include "eval/gates.hpp"
#include "eval/note.hpp"
#include "eval/output.hpp"
#include "util/error.hpp"

#include <doctest/doctest.h>

using namespace mlci;
using namespace mlci::eval;

namespace {
std::string refusal(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        CHECK(e.kind() != ErrorKind::check); // exit 2 (cli::exit_code)
        return e.what();
    }
    FAIL("no error");
    return {};
}
} // namespace

TEST_SUITE("eval.samples") {
    TEST_CASE("a note keeps lists: the mean as the point value, the samples beside it, clusters") {
        Note n = parse_note(R"([[run]]
suite = "q"
id = "1"
status = "ok"
[run.metrics]
accuracy = 0.75
latency_p95_ms = [480.0, 455.0, 502.5]
[run.cases]
q1 = [1, 0, 1]
q2 = [1, 1, 1]
[run.clusters]
q1 = "doc-a"
q2 = "doc-a"
)",
                            "note");
        REQUIRE(n.runs.size() == 1);
        const Run& r = n.runs[0];
        CHECK(r.metric("latency_p95_ms") == doctest::Approx((480.0 + 455.0 + 502.5) / 3));
        CHECK(r.metric_values("latency_p95_ms") == std::vector<double>{480.0, 455.0, 502.5});
        CHECK(r.metric_values("accuracy") == std::vector<double>{0.75});
        CHECK(*lookup(r.cases, "q1") == doctest::Approx(2.0 / 3));
        CHECK(*lookup(r.case_samples, "q2") == std::vector<double>{1, 1, 1});
        CHECK(r.clusters.size() == 2);
        CHECK(r.sampled());
        // Round trip, with 0/1 samples written as integers (a note of 10,000 cases × 5 must fit 1 MiB).
        std::string text = serialize_note(n);
        CHECK(text.find("q1 = [1, 0, 1]\n") != std::string::npos);
        CHECK(text.find("latency_p95_ms = [480, 455, 502.5]\n") != std::string::npos);
        CHECK(text.find("[run.clusters]\nq1 = \"doc-a\"\n") != std::string::npos);
        Note back = parse_note(text, "again");
        CHECK(serialize_note(back) == text);
        CHECK(back.runs[0].case_samples == r.case_samples);
    }

    TEST_CASE("a note without lists reads and writes as before") {
        std::string text =
            "[[run]]\nsuite = \"q\"\nid = \"1\"\nduration_s = 0.0\nstatus = \"ok\"\n[run.metrics]\n"
            "accuracy = 0.86\n[run.cases]\nq1 = 1.0\n";
        Note n = parse_note(text, "old");
        CHECK_FALSE(n.runs[0].sampled());
        CHECK(serialize_note(n) == text);
    }

    TEST_CASE("bad lists make a note malformed, naming the key") {
        auto note = [](const std::string& body) {
            return refusal([&] { parse_note("[[run]]\nsuite = \"q\"\nid = \"1\"\n" + body, "n"); });
        };
        CHECK(note("[run.metrics]\nx = []\n").find("'metrics.x' is an empty list") != std::string::npos);
        CHECK(note("[run.metrics]\nx = [1.0, nan]\n").find("must be a finite number") != std::string::npos);
        CHECK(note("[run.metrics]\nx = [1.0, true]\n").find("not a boolean") != std::string::npos);
        CHECK(note("[run.cases]\nq = [1, 0.5, 2]\n").find("not in [0, 1]") != std::string::npos);
        CHECK(note("[run.cases]\nq = [1, 0]\nr = [1, 0, 1]\n").find("different numbers of samples") !=
              std::string::npos);
        CHECK(note("[run.cases]\nq = [1, 0]\nr = 1\n").find("others single values") != std::string::npos);
        CHECK(note("[run.cases]\nq = 1\n[run.clusters]\nz = \"a\"\n").find("not one of its cases") !=
              std::string::npos);
        CHECK(note("[run.clusters]\nz = 3\n").find("must be a string") != std::string::npos);
        std::string many = "[run.metrics]\nx = [";
        for (size_t i = 0; i <= k_max_value_samples; ++i) {
            many += i ? ", 1" : "1";
        }
        CHECK(note(many + "]\n").find("samples (at most 1000)") != std::string::npos);
    }

    TEST_CASE("suite outputs: JSON and TOML lists, clusters, and the same refusals") {
        SuiteOutput j = parse_suite_output(
            R"({"accuracy": 0.5, "lat": [1, 2, 3], "cases": {"a": [1, 0], "b": [0, 0]}, "clusters": {"a": "x"}})",
            "out.json");
        CHECK(*lookup(j.metrics, "lat") == 2.0);
        CHECK(*lookup(j.case_samples, "a") == std::vector<double>{1, 0});
        CHECK(j.clusters == std::vector<std::pair<std::string, std::string>>{{"a", "x"}});
        SuiteOutput t = parse_suite_output("lat = [1.5, 2.5]\n[cases]\na = [1, 1]\n", "out.toml");
        CHECK(*lookup(t.metrics, "lat") == 2.0);
        CHECK(refusal([] { parse_suite_output(R"({"x": []})", "o.json"); }).find("'x' is an empty list") !=
              std::string::npos);
        CHECK(refusal([] {
                  parse_suite_output(R"({"cases": {"a": [1, 5]}})", "o.json");
              }).find("not in [0, 1]") != std::string::npos);
        CHECK(refusal([] {
                  parse_suite_output(R"({"cases": {"a": [1, 0], "b": [1]}})", "o.json");
              }).find("different numbers of samples") != std::string::npos);
        CHECK(refusal([] { parse_suite_output(R"({"x": [1, false]})", "o.json"); }) ==
              "o.json: 'x' must be a list of numbers (item 2 is a boolean)");
        CHECK(refusal([] { parse_suite_output(R"({"x": [[1]]})", "o.json"); }) ==
              "o.json: 'x' must be a list of numbers (item 1 is not a number)");
        CHECK(refusal([] { parse_suite_output("x = [1, true]\n", "o.toml"); }) ==
              "o.toml:1: 'x' must be a list of finite numbers (item 2 is a boolean)");
        CHECK(refusal([] {
                  parse_suite_output(R"({"clusters": {"a": 1}, "cases": {"a": 1}})", "o.json");
              }).find("must be a string") != std::string::npos);
    }

    TEST_CASE("too many samples in one run are refused before anything is recorded") {
        std::string json = "{\"cases\": {";
        size_t cases = k_max_run_samples / 100 + 1;
        for (size_t i = 0; i < cases; ++i) {
            json += (i ? ", \"c" : "\"c") + std::to_string(i) + "\": [";
            for (int k = 0; k < 100; ++k) {
                json += k ? ", 1" : "1";
            }
            json += "]";
        }
        json += "}}";
        CHECK(refusal([&] { parse_suite_output(json, "big.json"); }).find("per run") != std::string::npos);
    }

    TEST_CASE("repeat = K: K outputs become one of lists; they must report the same metrics and cases") {
        SuiteOutput a =
            parse_suite_output(R"({"acc": 0.5, "cases": {"q": 1, "r": 0}, "clusters": {"q": "x"}})", "1");
        SuiteOutput b =
            parse_suite_output(R"({"acc": 1.0, "cases": {"q": 1, "r": 1}, "clusters": {"q": "x"}})", "2");
        SuiteOutput c = combine_outputs({a, b}, "suite");
        CHECK(*lookup(c.metric_samples, "acc") == std::vector<double>{0.5, 1.0});
        CHECK(*lookup(c.metrics, "acc") == 0.75);
        CHECK(*lookup(c.case_samples, "r") == std::vector<double>{0, 1});
        CHECK(c.clusters.size() == 1);
        SuiteOutput lists =
            parse_suite_output(R"({"acc": [0.1, 0.2], "cases": {"q": [1, 0], "r": [0, 0]}})", "3");
        SuiteOutput d = combine_outputs({lists, lists}, "suite");
        CHECK(lookup(d.case_samples, "q")->size() == 4); // a list output adds all its samples
        SuiteOutput other = parse_suite_output(R"({"acc": 0.5, "cases": {"q": 1, "z": 0}})", "4");
        CHECK(refusal([&] {
                  combine_outputs({a, other}, "suite");
              }).find("which run 1 does not") != std::string::npos);
        SuiteOutput moved =
            parse_suite_output(R"({"acc": 0.5, "cases": {"q": 1, "r": 0}, "clusters": {"q": "y"}})", "5");
        CHECK(refusal([&] {
                  combine_outputs({a, moved}, "suite");
              }).find("other clusters") != std::string::npos);
    }

    TEST_CASE("gates: repeat, confidence, on_inconclusive are read and checked") {
        Gates g = parse_gates(R"([suite.s]
command = ["x"]
repeat = 3
[gate.g]
suites = ["s"]
confidence = 0.9
on_inconclusive = "fail"
rules = [{ metric = "a", min = 0.5 }]
)",
                              "gates.toml");
        CHECK(g.suite("s")->repeat == 3);
        CHECK(g.suite("s")->canonical().find("repeat 3\n") != std::string::npos);
        CHECK(g.gate("g")->confidence == 0.9);
        CHECK(*g.gate("g")->on_inconclusive == "fail");
        Gates plain = parse_gates("[suite.s]\ncommand = [\"x\"]\n", "g");
        CHECK(plain.suite("s")->canonical().find("repeat") == std::string::npos); // old fingerprints stay
        for (const char* bad : {"repeat = 0", "repeat = 101", "repeat = 2.5"}) {
            CHECK(refusal([&] {
                      parse_gates(std::string("[suite.s]\ncommand = [\"x\"]\n") + bad + "\n", "g");
                  }).find("repeat' must be an integer from 1 to 100") != std::string::npos);
        }
        CHECK(refusal([] {
                  parse_gates("[suite.s]\ncommand = [\"x\"]\n[gate.g]\nsuites = [\"s\"]\nconfidence = 1.0\n",
                              "g");
              }).find("confidence' must be a number from 0.5") != std::string::npos);
        CHECK(
            refusal([] {
                parse_gates(
                    "[suite.s]\ncommand = [\"x\"]\n[gate.g]\nsuites = [\"s\"]\non_inconclusive = \"maybe\"\n",
                    "g");
            }).find("on_inconclusive' must be") != std::string::npos);
    }
}
