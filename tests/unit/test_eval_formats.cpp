// Unit tests for lib/eval/formats: the promptfoo, JUnit and lm-eval readers on real and hand-written files
// and on every malformed shape, the standard metrics, and the case details.
#include "eval/formats.hpp"
#include "fsutil/file.hpp"
#include "temp_dir.hpp"
#include "util/error.hpp"

#include <doctest/doctest.h>

#include <filesystem>

using namespace mlci;
using namespace mlci::eval;

namespace {

const std::string k_fixtures = std::string(MLCI_FIXTURES) + "/formats";

std::string fixture(const std::string& name) {
    return read_file(k_fixtures + "/" + name);
}

std::string refusal(std::string_view format, std::string_view text) {
    try {
        parse_results(format, text, "r.json");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::input);
        return e.what();
    }
    return "";
}

const Labels* labels_of(const SuiteOutput& o, const std::string& id) {
    for (const auto& [k, v] : o.labels) {
        if (k == id) {
            return &v;
        }
    }
    return nullptr;
}

// A minimal promptfoo v3 file around `entries` (a JSON array text).
std::string promptfoo(const std::string& entries, const std::string& version = "3") {
    return R"({"evalId": "e", "results": {"version": )" + version + R"(, "results": )" + entries +
           R"(}, "config": {"prompts": [{"id": "file://p.txt", "label": "p"}]}, "metadata": {"promptfooVersion": "0.123.1"}})";
}

} // namespace

TEST_SUITE("Formats") {
    TEST_CASE("names and percentiles") {
        CHECK(is_known_format("promptfoo"));
        CHECK(is_known_format("lm-eval"));
        CHECK_FALSE(is_known_format("Promptfoo"));
        CHECK_THROWS_AS(check_format("csv", "--from"), Error);
        try {
            check_format("csv", "gates.toml:3");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::usage);
            CHECK(std::string(e.what()) == "gates.toml:3: unknown results format 'csv'");
        }
        CHECK(percentile({5}, 0.95) == 5);
        CHECK(percentile({1, 2, 3, 4}, 0.5) == doctest::Approx(2.5));
        CHECK(percentile({4, 1, 3, 2, 5}, 0.95) == doctest::Approx(4.8));
    }
    TEST_CASE("standard metrics: derived, and a metric the file gives is kept") {
        SuiteOutput o;
        o.cases = {{"a", 1}, {"b", 0}, {"c", 0.5}};
        o.metrics = {{"n", 99}};
        Measures m;
        m.latency_ms = {10, 20, 30, 40};
        m.cost_usd = 0.25;
        add_standard_metrics(o, m);
        CHECK(lookup(o.metrics, "pass_rate") == doctest::Approx(0.5));
        CHECK(lookup(o.metrics, "n") == 99); // the file's, not 3
        CHECK(lookup(o.metrics, "latency_p50_ms") == doctest::Approx(25));
        CHECK(lookup(o.metrics, "latency_p95_ms") == doctest::Approx(38.5));
        CHECK(lookup(o.metrics, "cost_usd") == 0.25);
        CHECK_FALSE(lookup(o.metrics, "tokens_total"));
        SuiteOutput none;
        none.metrics = {{"x", 1}};
        add_standard_metrics(none, {});
        CHECK(none.metrics.size() == 1);
    }
    TEST_CASE("mlci: today's JSON and TOML, with pass_rate and n from the cases") {
        SuiteOutput o = parse_results("mlci", R"({"acc": 0.5, "cases": {"q1": 1, "q2": 0}})", "o.json");
        CHECK(lookup(o.metrics, "acc") == 0.5);
        CHECK(lookup(o.metrics, "pass_rate") == 0.5);
        CHECK(lookup(o.metrics, "n") == 2);
        SuiteOutput t = parse_results("mlci", "acc = 0.5\n", "o.toml");
        CHECK(t.metrics.size() == 1);
        CHECK(read_case_details("mlci", "acc = 1\n", "o").empty());
    }
}

TEST_SUITE("FormatsPromptfoo") {
    TEST_CASE("2 prompts, 1 provider (promptfoo 0.123.1)") {
        SuiteOutput o = parse_results("promptfoo", fixture("promptfoo-2prompts-1provider.json"), "r.json");
        REQUIRE(o.cases.size() == 4);
        CHECK(o.cases[0].first == "refund ticket [triage, echo-a]");
        CHECK(o.cases[0].second == 1);
        CHECK(o.cases[3].first == "login ticket [summarize, echo-a]");
        CHECK(o.cases[3].second == 0);
        const Labels* l = labels_of(o, "refund ticket [summarize, echo-a]");
        REQUIRE(l != nullptr);
        CHECK(*l == Labels{{"prompt", "summarize"}, {"provider", "echo-a"}});
        CHECK(lookup(o.metrics, "pass_rate") == 0.5);
        CHECK(lookup(o.metrics, "n") == 4);
        CHECK(lookup(o.metrics, "failed") == 2);
        CHECK(lookup(o.metrics, "errors") == 0);
        CHECK(lookup(o.metrics, "score") == 0.5);
        CHECK(lookup(o.metrics, "cost_usd") == doctest::Approx(0.0025 + 0.0026 + 0.0022 + 0.0023));
        CHECK(lookup(o.metrics, "tokens_total") == 25 + 26 + 22 + 23);
        CHECK(lookup(o.metrics, "latency_p50_ms") == doctest::Approx(1.5));
        CHECK(lookup(o.metrics, "latency_p95_ms") == doctest::Approx(2.85));
    }
    TEST_CASE("2 prompts, 2 providers: ids stay unique, labels name the provider's label") {
        SuiteOutput o = parse_results("promptfoo", fixture("promptfoo-2prompts-2providers.json"), "r.json");
        REQUIRE(o.cases.size() == 8);
        CHECK(o.cases[0].first == "refund ticket [triage, echo-b]");
        CHECK(o.cases[2].first == "refund ticket [triage, echo-a]");
        CHECK(*labels_of(o, "login ticket [summarize, echo-b]") ==
              Labels{{"prompt", "summarize"}, {"provider", "echo-b"}});
    }
    TEST_CASE("one prompt and provider: still named in the id; no description: test N; shared: both") {
        std::string e = R"([
          {"success": true, "testIdx": 0, "testCase": {"description": "a|b<c>`d`"}, "prompt": {"label": "p: p.txt: X"}, "provider": {"id": "x"}},
          {"success": false, "testIdx": 1, "prompt": {"label": "p: p.txt: X"}, "provider": {"id": "x"}, "failureReason": 2, "error": "boom"},
          {"success": true, "testIdx": 2, "testCase": {"description": "same"}, "prompt": {"label": "p: p.txt: X"}, "provider": {"id": "x"}},
          {"success": true, "testIdx": 3, "testCase": {"description": "same"}, "prompt": {"label": "p: p.txt: X"}, "provider": "x"}])";
        SuiteOutput o = parse_results("promptfoo", promptfoo(e), "r.json");
        REQUIRE(o.cases.size() == 4);
        CHECK(o.cases[0].first == "a|b<c>`d` [p, x]");
        CHECK(o.cases[1].first == "test 2 [p, x]");
        CHECK(o.cases[2].first == "same (test 3) [p, x]");
        CHECK(o.cases[3].first == "same (test 4) [p, x]");
        CHECK(lookup(o.metrics, "errors") == 1);
        CHECK(lookup(o.metrics, "failed") == 1);
        CHECK(*labels_of(o, "test 2 [p, x]") == Labels{{"prompt", "p"}, {"provider", "x"}});
        CHECK_FALSE(lookup(o.metrics, "latency_p50_ms"));
        CHECK_FALSE(lookup(o.metrics, "score"));
    }
    TEST_CASE("a prompt label that is no config label is kept as promptfoo wrote it") {
        std::string e =
            R"([{"success": true, "testIdx": 0, "prompt": {"label": "pq: other"}, "provider": {"id": "x", "label": ""}}])";
        SuiteOutput o = parse_results("promptfoo", promptfoo(e), "r.json");
        CHECK(*labels_of(o, "test 1 [pq: other, x]") == Labels{{"prompt", "pq: other"}, {"provider", "x"}});
    }
    TEST_CASE("unknown layouts are refused naming the version found") {
        CHECK(refusal("promptfoo", promptfoo("[]", "2")) ==
              "r.json: promptfoo results layout version 2 (promptfoo 0.123.1) is not supported: mlci reads "
              "version 3 (promptfoo 0.123.1)");
        CHECK(refusal("promptfoo", promptfoo("[]", "\"3\"")).find("layout version '3'") != std::string::npos);
        CHECK(refusal("promptfoo", R"({"results": {"results": []}})").find("layout version none") !=
              std::string::npos);
        CHECK(refusal("promptfoo", R"({"version": 1, "results": [], "table": {}})")
                  .find("not a promptfoo results file of a known layout") != std::string::npos);
        CHECK(refusal("promptfoo", "[]").find("must be a JSON object") != std::string::npos);
    }
    TEST_CASE("malformed entries are refused by path") {
        CHECK(refusal("promptfoo", promptfoo("{}")) == "r.json: results.results must be an array");
        CHECK(refusal("promptfoo", promptfoo("[1]")) == "r.json: results.results[0] must be an object");
        CHECK(refusal("promptfoo", promptfoo(R"([{"testIdx": 0}])")) ==
              "r.json: results.results[0].success is missing");
        CHECK(refusal("promptfoo", promptfoo(R"([{"success": 1, "testIdx": 0}])")) ==
              "r.json: results.results[0].success must be a boolean");
        CHECK(refusal("promptfoo", promptfoo(R"([{"success": true}])")) ==
              "r.json: results.results[0].testIdx is missing");
        CHECK(refusal("promptfoo", promptfoo(R"([{"success": true, "testIdx": -1}])")).find("whole number") !=
              std::string::npos);
        CHECK(refusal("promptfoo", promptfoo(R"([{"success": true, "testIdx": 0, "latencyMs": "3"}])")) ==
              "r.json: results.results[0].latencyMs must be a number");
        CHECK(refusal("promptfoo",
                      promptfoo(R"([{"success": true, "testIdx": 0, "testCase": {"description": 5}}])")) ==
              "r.json: results.results[0].testCase.description must be a string");
        CHECK(refusal("promptfoo", promptfoo(R"([{"success": true, "testIdx": 0, "provider": 5}])")) ==
              "r.json: results.results[0].provider must be an object or a string");
        CHECK(refusal("promptfoo",
                      promptfoo(R"([{"success": true, "testIdx": 0, "tokenUsage": {"total": true}}])")) ==
              "r.json: results.results[0].tokenUsage.total must be a number");
        CHECK(refusal("promptfoo", "").find("invalid JSON") != std::string::npos);
        CHECK(refusal("promptfoo", std::string(200, '[')).find("nested deeper") != std::string::npos);
    }
    TEST_CASE("the same test, prompt and provider twice is refused") {
        std::string e = R"([{"success": true, "testIdx": 0, "testCase": {"description": "d"}},
                            {"success": true, "testIdx": 0, "testCase": {"description": "d"}}])";
        CHECK(
            refusal("promptfoo", promptfoo(e)) ==
            "r.json: results.results[1]: case 'd [prompt 1]' appears twice (same test, prompt and provider)");
    }
    TEST_CASE("an empty results list holds no cases") {
        SuiteOutput o = parse_results("promptfoo", promptfoo("[]"), "r.json");
        CHECK(o.cases.empty());
        CHECK_FALSE(lookup(o.metrics, "pass_rate"));
    }
    TEST_CASE("a large file: 20,000 entries") {
        std::string e = "[";
        for (int i = 0; i < 20000; ++i) {
            e += std::string(i ? "," : "") + R"({"success": )" + (i % 10 ? "true" : "false") +
                 R"(, "testIdx": )" + std::to_string(i) + R"(, "latencyMs": )" + std::to_string(i % 100) +
                 "}";
        }
        SuiteOutput o = parse_results("promptfoo", promptfoo(e + "]"), "r.json");
        CHECK(o.cases.size() == 20000);
        CHECK(lookup(o.metrics, "pass_rate") == doctest::Approx(0.9));
        CHECK(lookup(o.metrics, "latency_p50_ms") == doctest::Approx(49.5));
    }
    TEST_CASE("details: expected assertions, output, reason; ids as the reader's") {
        std::string text = fixture("promptfoo-2prompts-2providers.json");
        CaseDetails d = read_case_details("promptfoo", text, "r.json");
        SuiteOutput o = parse_results("promptfoo", text, "r.json");
        REQUIRE(d.size() == o.cases.size());
        for (size_t i = 0; i < d.size(); ++i) {
            CHECK(d[i].first == o.cases[i].first);
        }
        CHECK(d[0].second.expected == "contains: refund");
        CHECK(d[0].second.output == "classify: i want a refund");
        CHECK(d[0].second.reason == "All assertions passed");
        CHECK(d[4].second.reason == "Expected output to contain \"password\"");
        std::string big = R"([{"success": false, "testIdx": 0, "response": {"output": ")" +
                          std::string(10000, 'x') +
                          R"("}, "testCase": {"assert": [{"type": "equals", "value": {"k": [1]}}]}}])";
        CaseDetails b = read_case_details("promptfoo", promptfoo(big), "r.json");
        CHECK(b[0].second.output.size() == k_max_detail_bytes + std::string("…").size());
        CHECK(b[0].second.expected == R"(equals: {"k":[1]})");
    }
}

TEST_SUITE("FormatsJunit") {
    const char* k_xml = R"(<?xml version="1.0" encoding="utf-8"?>
<testsuites name="pytest tests">
  <testsuite name="pytest" errors="1" failures="1" skipped="1" tests="5" time="0.5">
    <testcase classname="tests.test_app" name="test_ok" time="0.1"/>
    <testcase classname="tests.test_app" name="test_bad[a|b&lt;c&gt;]" time="0.2">
      <failure message="assert 1 == 2">def test_bad():
&gt;       assert 1 == 2</failure>
      <system-out>printed</system-out>
    </testcase>
    <testcase classname="tests.test_app" name="test_err" time="0.05"><error message="fixture 'x' not found"/></testcase>
    <testcase classname="tests.test_app" name="test_skip" time="0"><skipped message="later"/></testcase>
    <testcase name="bare" time="1,000.5"/>
  </testsuite>
</testsuites>)";

    TEST_CASE("pytest-style document") {
        SuiteOutput o = parse_results("junit", k_xml, "j.xml");
        REQUIRE(o.cases.size() == 4);
        CHECK(o.cases[0] == std::pair<std::string, double>{"tests.test_app::test_ok", 1});
        CHECK(o.cases[1] == std::pair<std::string, double>{"tests.test_app::test_bad[a|b<c>]", 0});
        CHECK(o.cases[2].second == 0);
        CHECK(o.cases[3].first == "bare");
        CHECK(o.labels.empty()); // one testsuite: no label
        CHECK(lookup(o.metrics, "failed") == 1);
        CHECK(lookup(o.metrics, "errors") == 1);
        CHECK(lookup(o.metrics, "skipped") == 1);
        CHECK(lookup(o.metrics, "time_s") == doctest::Approx(1000.85));
        CHECK(lookup(o.metrics, "pass_rate") == 0.5);
        CHECK(lookup(o.metrics, "n") == 4);
    }
    TEST_CASE("several (and nested) testsuites label their cases; a bare <testsuite> root works") {
        SuiteOutput o = parse_results("junit", R"(<testsuites>
            <testsuite name="a"><testcase classname="x" name="t"/></testsuite>
            <testsuite name="b"><testsuite name="b.inner"><testcase classname="y" name="t"/></testsuite></testsuite>
          </testsuites>)",
                                      "j.xml");
        REQUIRE(o.cases.size() == 2);
        CHECK(*labels_of(o, "x::t") == Labels{{"testsuite", "a"}});
        CHECK(*labels_of(o, "y::t") == Labels{{"testsuite", "b.inner"}});
        SuiteOutput one =
            parse_results("junit", R"(<testsuite name="s"><testcase name="t"/></testsuite>)", "j.xml");
        CHECK(one.cases.size() == 1);
    }
    TEST_CASE("malformed documents") {
        CHECK(refusal("junit", "").find("r.json:1: invalid XML:") == 0);
        CHECK(refusal("junit", "<testsuites><testcase name='a'>").find("r.json:1: invalid XML:") == 0);
        CHECK(refusal("junit", "<html/>") ==
              "r.json: not JUnit XML: the root element is 'html', not <testsuites> or <testsuite>");
        CHECK(refusal("junit", "<testsuites/>") == "r.json: holds no <testcase>");
        CHECK(refusal("junit", "<testsuite><testcase classname='c'/></testsuite>").find("has no name") !=
              std::string::npos);
        CHECK(refusal("junit", "<testsuite><testcase name='a' time='soon'/></testsuite>") ==
              "r.json: test case 'a': time 'soon' is not a number of seconds");
        CHECK(refusal("junit", "<testsuite><testcase name='a'/><testcase name='a'/></testsuite>")
                  .find("test case 'a' appears twice") != std::string::npos);
        CHECK(refusal("junit", "<testsuite><testcase name='\xC3\x28'/></testsuite>").find("invalid UTF-8") !=
              std::string::npos);
        std::string deep = "<testsuites>";
        for (int i = 0; i < 100; ++i) {
            deep += "<testsuite name='s'>";
        }
        deep += "<testcase name='t'/>";
        for (int i = 0; i < 100; ++i) {
            deep += "</testsuite>";
        }
        CHECK(refusal("junit", deep + "</testsuites>").find("nested deeper than 64") != std::string::npos);
        // A DTD's entities are never expanded (no billion laughs): the reference stays as written.
        SuiteOutput o = parse_results(
            "junit", R"(<!DOCTYPE t [<!ENTITY a "aaaa">]><testsuite><testcase name="&a;"/></testsuite>)",
            "j.xml");
        CHECK(o.cases[0].first == "&a;");
    }
    TEST_CASE("details: failure message and text, system-out") {
        CaseDetails d = read_case_details("junit", k_xml, "j.xml");
        REQUIRE(d.size() == 4);
        CHECK(d[1].first == "tests.test_app::test_bad[a|b<c>]");
        CHECK(d[1].second.reason == "assert 1 == 2\ndef test_bad():\n>       assert 1 == 2");
        CHECK(d[1].second.output == "printed");
        CHECK(d[2].second.reason == "fixture 'x' not found");
        CHECK(d[0].second.reason.empty());
        CHECK(d[0].second.expected.empty());
    }
}

TEST_SUITE("FormatsLmEval") {
    TEST_CASE("the output folder: results as task metrics, samples as labelled cases") {
        SuiteOutput o = read_results("lm-eval", k_fixtures + "/lm-eval");
        CHECK(lookup(o.metrics, "acc{task=hellaswag}") == 0.5);
        CHECK(lookup(o.metrics, "acc_stderr{task=hellaswag}") == doctest::Approx(0.2886751345948129));
        CHECK(lookup(o.metrics, "exact_match{filter=strict-match,task=gsm8k}") == 0.5);
        CHECK(lookup(o.metrics, "exact_match{filter=flexible-extract,task=gsm8k}") == 1.0);
        CHECK_FALSE(lookup(o.metrics, "exact_match_stderr{filter=flexible-extract,task=gsm8k}")); // "N/A"
        REQUIRE(o.cases.size() == 8);
        CHECK(o.cases[0] == std::pair<std::string, double>{"gsm8k/0 [strict-match]", 1});
        CHECK(o.cases[2] == std::pair<std::string, double>{"gsm8k/1 [strict-match]", 0});
        CHECK(o.cases[4] == std::pair<std::string, double>{"hellaswag/0", 1});
        CHECK(*labels_of(o, "hellaswag/1") == Labels{{"task", "hellaswag"}});
        CHECK(*labels_of(o, "gsm8k/1 [flexible-extract]") ==
              Labels{{"filter", "flexible-extract"}, {"task", "gsm8k"}});
        CHECK(lookup(o.metrics, "pass_rate") == doctest::Approx(5.0 / 8));
        CHECK(lookup(o.metrics, "n") == 8);
        // The results file itself reads the same, samples included.
        SuiteOutput f = read_results(
            "lm-eval", k_fixtures + "/lm-eval/pretrained__tiny/results_2026-12-06T05-00-00.123456.json");
        CHECK(f.cases.size() == 8);
    }
    TEST_CASE("results text alone; malformed results") {
        SuiteOutput o =
            parse_results("lm-eval", R"({"results": {"arc": {"alias": "arc", "acc,none": 0.25}}})", "r.json");
        CHECK(o.metrics.size() == 1);
        CHECK(refusal("lm-eval", "[]") ==
              "r.json: the file must be a JSON object (lm-eval's results_*.json)");
        CHECK(refusal("lm-eval", "{}") == "r.json: results is missing");
        CHECK(refusal("lm-eval", R"({"results": {"t": 1}})") ==
              "r.json: results.t must be an object of metrics");
        CHECK(refusal("lm-eval", R"({"results": {"t": {"alias": "t"}}})") ==
              "r.json: holds no numeric metric in 'results'");
        CHECK(refusal("lm-eval", R"({"results": {"a,b": {"acc,none": 1}}})")
                  .find("task 'a,b' cannot name a metric") != std::string::npos);
        CHECK(refusal("lm-eval", R"({"results": {"t": {"acc,x}y": 1}}})").find("filter 'x}y'") !=
              std::string::npos);
    }
    TEST_CASE("malformed samples and folders") {
        mlci_test::TempDir d;
        std::string r = d / "results_D.json";
        write_file_atomic(r, R"({"results": {"t": {"acc,none": 1}}})");
        auto refused = [&](const std::string& samples) -> std::string {
            write_file_atomic(d / "samples_t_D.jsonl", samples);
            try {
                read_results("lm-eval", d.path);
            } catch (const Error& e) {
                return e.what();
            }
            return "";
        };
        CHECK(refused("{\"doc_id\": 0, \"acc\": 1}\n\n{\"doc_id\": 1, \"acc\": 0}\n").empty());
        CHECK(refused("{\"doc_id\": 0, \"acc\": 1}\n[1]\n") ==
              d / "samples_t_D.jsonl:2: the line must be a JSON object (one sample)");
        CHECK(refused("{\"acc\": 1}\n") == d / "samples_t_D.jsonl:1: doc_id is missing");
        CHECK(refused("{\"doc_id\": 0, \"acc\": 3}\n")
                  .find("no per-sample metric that is a number in [0, 1]") != std::string::npos);
        CHECK(refused("{\"doc_id\": 0, \"acc\": 1}\n{\"doc_id\": 0, \"acc\": 1}\n")
                  .find("sample 't/0' appears twice") != std::string::npos);
        CHECK(refused("{\"doc_id\": 0, \"metrics\": [\"bleu\", \"em\"], \"bleu\": 30, \"em\": true}\n")
                  .empty());
        CHECK(refused("{\"doc_id\": 0, \"acc\": 1,\n").find("invalid JSON") != std::string::npos);
        mlci_test::TempDir empty;
        try {
            read_results("lm-eval", empty.path);
            FAIL("an empty folder was read");
        } catch (const Error& e) {
            CHECK(std::string(e.what()).find("no lm-eval results_*.json in") == 0);
        }
        CHECK_THROWS_AS(read_results("lm-eval", empty / "nothing.json"), Error);
    }
    TEST_CASE("details of a samples file: target and the filtered response") {
        std::string name = "samples_gsm8k_2026-12-06T05-00-00.123456.jsonl";
        CaseDetails d =
            read_case_details("lm-eval", fixture("lm-eval/pretrained__tiny/" + name), "x/" + name);
        REQUIRE(d.size() == 4);
        CHECK(d[2].first == "gsm8k/1 [strict-match]");
        CHECK(d[2].second.expected == "9");
        CHECK(d[2].second.output == "[invalid]");
        CHECK(d[2].second.reason.empty());
        CaseDetails t = read_case_details(
            "lm-eval", R"({"task": "arc", "doc_id": 3, "target": "B", "filtered_resps": [[-1.0, false]]})",
            "bundle.jsonl");
        CHECK(t[0].first == "arc/3");
        CHECK(t[0].second.output == "[-1,false]");
        CHECK_THROWS_AS(read_case_details("lm-eval", R"({"doc_id": 3})", "bundle.jsonl"), Error);
    }
}
