// report_format: a metric's direction (rule, [metric.X], name), its unit, its values and deltas written
// by magnitude (never an exponent), its label set; and format_number's rounding of note values.
#include "eval/gates.hpp"
#include "eval/note.hpp"
#include "eval/report_format.hpp"

#include <cmath>
#include <doctest/doctest.h>
#include <limits>

using namespace mlci::eval;

TEST_SUITE("eval report_format") {
    TEST_CASE("default direction by name, without the label set") {
        for (const char* lower : {"latency_p95_ms", "cost_usd", "tokens_total", "failed", "errors",
                                  "eval_loss", "error_rate", "p50_ms", "latency{provider=x}"}) {
            INFO(lower);
            CHECK(default_direction(lower) == Better::lower);
        }
        for (const char* higher : {"pass_rate", "accuracy", "n", "bleu", "pass_rate{prompt=triage}"}) {
            INFO(higher);
            CHECK(default_direction(higher) == Better::higher);
        }
    }

    TEST_CASE("a rule decides before [metric.X], which decides before the name") {
        Gates g = parse_gates(R"([suite.s]
command = ["true"]
[gate.g]
suites = ["s"]
baseline = "origin/main"
rules = [{ metric = "score", max = 3 }, { metric = "recall", max_drop = "2%" }]
[metric.score]
better = "higher"
[metric.widgets]
better = "lower"
["metric"."pass_rate{prompt=a}"]
better = "lower"
)",
                              "g.toml");
        CHECK(metric_direction(&g, "score").better == Better::lower);
        CHECK(metric_direction(&g, "score").from == "rule");
        CHECK(metric_direction(&g, "recall").better == Better::higher);
        CHECK(metric_direction(&g, "recall{provider=x}").from == "rule"); // by the name without labels
        CHECK(metric_direction(&g, "widgets").better == Better::lower);
        CHECK(metric_direction(&g, "widgets").from == "config");
        CHECK(metric_direction(&g, "pass_rate{prompt=a}").better == Better::lower);
        CHECK(metric_direction(&g, "pass_rate{prompt=b}").better == Better::higher);
        CHECK(metric_direction(&g, "failed").from == "name");
        CHECK(metric_direction(nullptr, "failed").better == Better::lower);
    }

    TEST_CASE("[metric.X]: an unknown key or value is a config error naming file:line") {
        auto err = [](const std::string& text) {
            try {
                parse_gates(text, "g.toml");
            } catch (const mlci::Error& e) {
                CHECK(e.kind() == mlci::ErrorKind::config);
                return std::string(e.what());
            }
            return std::string("no error");
        };
        CHECK(err("[metric.x]\nbetter = \"down\"\n") ==
              "g.toml:2: 'metric.x.better' must be \"higher\" or \"lower\" (got 'down')");
        CHECK(err("[metric.x]\nbeter = \"lower\"\n").find("unknown key 'metric.x.beter'") !=
              std::string::npos);
        CHECK(err("[metric.x]\nbetter = 1\n").find("'metric.x.better' must be a string") !=
              std::string::npos);
        CHECK(err("metric = 3\n").find("'metric' must be a table") != std::string::npos);
    }

    TEST_CASE("units by name and values") {
        CHECK(metric_unit("cost_usd", 0.1, 0.2) == Unit::dollars);
        CHECK(metric_unit("total_usd", 3, 4) == Unit::dollars);
        CHECK(metric_unit("latency_p95_ms", 480, 455) == Unit::ms);
        CHECK(metric_unit("pass_rate", 0.91, std::nullopt) == Unit::rate);
        CHECK(metric_unit("pass_rate{prompt=x}", 0.91, 1) == Unit::rate);
        CHECK(metric_unit("accuracy", 0.5, 0.6) == Unit::rate);
        CHECK(metric_unit("acc_norm", 0.5, 0.6) == Unit::rate);
        CHECK(metric_unit("error_rate", 3, 0.6) == Unit::plain); // a "rate" outside [0, 1]
        CHECK(metric_unit("n_cases", 400, 401) == Unit::count);
        CHECK(metric_unit("failed", 0, 3) == Unit::count);
        CHECK(metric_unit("tokens_total", 12.5, 3) == Unit::plain);
        CHECK(metric_unit("bleu", 31.2, 30.9) == Unit::plain);
    }

    TEST_CASE("values by magnitude, never an exponent") {
        CHECK(unit_value(0.00495, Unit::dollars) == "$0.004950");
        CHECK(unit_value(12.5, Unit::dollars) == "$12.50");
        CHECK(unit_value(0, Unit::dollars) == "$0");
        CHECK(unit_value(480.4, Unit::ms) == "480 ms");
        CHECK(unit_value(0.42, Unit::ms) == "0.42 ms");
        CHECK(unit_value(0.91, Unit::rate) == "91.0%");
        CHECK(unit_value(1, Unit::rate) == "100.0%");
        CHECK(unit_value(311, Unit::count) == "311");
        CHECK(unit_value(0.8612345, Unit::plain) == "0.8612");
        CHECK(unit_value(4.95e-06, Unit::plain) == "0.00000495");
        CHECK(unit_value(123456.7, Unit::plain) == "123457");
        CHECK(unit_value(1e-300, Unit::plain) == "~0");
        CHECK(unit_value(1e300, Unit::plain).find('e') == std::string::npos);
        CHECK(unit_value(-2.5, Unit::plain) == "−2.5");
        CHECK(unit_value(-0.0, Unit::plain) == "0");
    }

    TEST_CASE("deltas: signed, in the metric's unit, percentage points for rates") {
        CHECK(unit_delta(3, Unit::count) == "+3");
        CHECK(unit_delta(-12, Unit::ms) == "−12 ms");
        CHECK(unit_delta(4.95e-06, Unit::dollars) == "+$0.000004950");
        CHECK(unit_delta(-0.023, Unit::rate) == "−2.3 pp");
        CHECK(unit_delta(0.0004, Unit::rate) == "+0.04 pp");
        CHECK(unit_delta(0, Unit::rate) == "0 pp");
        CHECK(unit_delta(0, Unit::count) == "0");
    }

    TEST_CASE("the change in words: failed 0 → 3 is worse, latency down is better") {
        CHECK(change_words(0, 3, Better::lower, Unit::count) == "worse ▲ +3");
        CHECK(change_words(480, 468, Better::lower, Unit::ms) == "better ▼ −12 ms");
        CHECK(change_words(0.91, 0.93, Better::higher, Unit::rate) == "better ▲ +2.0 pp");
        CHECK(change_words(0.91, 0.91, Better::higher, Unit::rate) == "same = 0 pp");
        CHECK(change_of(0.3, 0.1 + 0.2, Better::higher) == Change::same); // float noise is no change
        CHECK(std::string(change_name(change_of(1, 0, Better::higher))) == "worse");
    }

    TEST_CASE("label sets of per-label metrics") {
        CHECK(metric_base_name("pass_rate{prompt=triage,provider=gpt-4o}") == "pass_rate");
        CHECK(metric_labels("pass_rate{prompt=triage,provider=gpt-4o}") == "prompt=triage, provider=gpt-4o");
        CHECK(metric_labels("pass_rate").empty());
        CHECK(metric_base_name("{x}") == "{x}"); // no name before the brace: not a label set
        CHECK(metric_labels("odd{").empty());
    }
}

TEST_SUITE("eval note numbers") {
    std::string round_trip(double v) {
        std::string s = format_number(v);
        Note n = parse_note("[[run]]\nsuite = \"s\"\nid = \"i\"\n[run.metrics]\nm = " + s + "\n", "t");
        return format_number(*n.runs[0].metric("m"));
    }

    TEST_CASE("12 significant digits: float noise is gone, and writing is idempotent") {
        CHECK(format_number(0.00031094999999999994) == "0.00031095");
        CHECK(format_number(0.1 + 0.2) == "0.3");
        CHECK(format_number(0.91) == "0.91");
        CHECK(format_number(1.0 / 3) == "0.333333333333");
        for (double v : {0.00031094999999999994, 0.1 + 0.2, 1.0 / 3, 1e-300, 1e300, -0.0, 123456789.123456789,
                         9007199254740993.0, 1.8446744073709552e19, -2.5e-7, 5e-324,
                         std::numeric_limits<double>::max()}) {
            INFO(v);
            CHECK(round_trip(v) == format_number(v));
        }
    }

    TEST_CASE("edge cases keep a TOML float's form") {
        CHECK(format_number(1e-300) == "1.0e-300");
        CHECK(format_number(1e300) == "1.0e+300");
        CHECK(format_number(-0.0) == "-0.0");
        CHECK(format_number(42) == "42.0");
        CHECK(format_number(9007199254740991.0) == "9007199254740991.0");    // 2^53 - 1: kept whole
        CHECK(format_number(18446744073709551616.0) == "1.84467440737e+19"); // 2^64: rounded
    }
}
