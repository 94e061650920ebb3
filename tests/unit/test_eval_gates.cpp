// Unit tests for lib/eval/gates: `.mlci/gates.toml` as suites and gates (DESIGN.md section 5). Every rule
// kind with absolute and "2%" relative limits, repeat 1..100, confidence and on_inconclusive validated,
// every error naming file:line, unknown keys warned with file:line, load_gates' missing-file hint.
#include "eval/gates.hpp"
#include "util/diag.hpp"
#include "util/error.hpp"

#include "temp_dir.hpp"

#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace mlci;
using eval::Gate;
using eval::Gates;
using eval::parse_gates;
using eval::Rule;

namespace {

// The error message parse_gates gives for `text` (named "g.toml"), or "" when it parses.
std::string gates_error(const std::string& text) {
    try {
        parse_gates(text, "g.toml");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::config);
        return e.what();
    }
    return "";
}

bool starts_with(const std::string& s, const std::string& prefix) {
    return s.rfind(prefix, 0) == 0;
}

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

// Collects warnings for the lifetime of the object.
struct Warnings {
    std::vector<std::string> got;
    WarningSink old;
    Warnings() {
        old = set_warning_sink([this](const std::string& m) { got.push_back(m); });
    }
    ~Warnings() { set_warning_sink(old); }
};

const char* k_suite = "[suite.quality]\ncommand = [\"python\", \"eval.py\", \"{out}\"]\n";

} // namespace

TEST_SUITE("eval.gates") {
    TEST_CASE("a suite's keys are read, with their defaults") {
        Gates g = parse_gates(R"([suite.quality]
command = ["python", "eval.py", "--out", "{out}"]
inputs = ["prompts/**", "eval/*.py"]
timeout = "15m"
repeat = 5

[suite.smoke]
command = ["./smoke"]
)",
                              "g.toml");
        CHECK(g.source == "g.toml");
        REQUIRE(g.suites.size() == 2);
        const eval::SuiteDef* q = g.suite("quality");
        REQUIRE(q != nullptr);
        CHECK(q->name == "quality");
        CHECK(q->command == std::vector<std::string>{"python", "eval.py", "--out", "{out}"});
        CHECK(q->inputs == std::vector<std::string>{"prompts/**", "eval/*.py"});
        CHECK(q->timeout_s == 900);
        CHECK(q->repeat == 5);
        CHECK(q->where == "g.toml:1");
        const eval::SuiteDef* s = g.suite("smoke");
        REQUIRE(s != nullptr);
        CHECK(s->inputs.empty());
        CHECK(s->timeout_s == eval::k_default_timeout_s);
        CHECK(s->repeat == 1);
        CHECK(s->where == "g.toml:7");
        CHECK(g.suite("other") == nullptr);
        CHECK(g.gates.empty());
        CHECK(g.gate("quality") == nullptr);
    }

    TEST_CASE("rules: min, max, max_drop, max_rise with absolute and relative limits") {
        Gates g = parse_gates(std::string(k_suite) + R"(
[gate.staging]
suites = ["quality"]
baseline = "origin/main"
rules = [
  { metric = "accuracy", min = 0.85, max_drop = "2%" },
  { metric = "latency_ms", suite = "quality", max = 300, max_rise = "0.5" },
  { metric = "cost", max = "1.25", max_rise = " 10 % " },
]
)",
                              "g.toml");
        REQUIRE(g.gates.size() == 1);
        const Gate* gate = g.gate("staging");
        REQUIRE(gate != nullptr);
        CHECK(gate->suites == std::vector<std::string>{"quality"});
        CHECK(gate->baseline == "origin/main");
        CHECK(gate->where == "g.toml:4");
        REQUIRE(gate->rules.size() == 6);
        // One table may hold several limits: a rule each (their order within the table is not specified).
        auto find = [&](const std::string& metric, Rule::Kind kind) -> const Rule& {
            for (const auto& r : gate->rules) {
                if (r.metric == metric && r.kind == kind) {
                    return r;
                }
            }
            FAIL("no rule " << metric << " of kind " << static_cast<int>(kind));
            return gate->rules[0];
        };
        // Tables stay in file order.
        CHECK(gate->rules[0].metric == "accuracy");
        CHECK(gate->rules[1].metric == "accuracy");
        CHECK(gate->rules[2].metric == "latency_ms");
        CHECK(gate->rules[4].metric == "cost");

        const Rule& acc_min = find("accuracy", Rule::Kind::min);
        CHECK(acc_min.suite.empty());
        CHECK(acc_min.value == doctest::Approx(0.85));
        CHECK_FALSE(acc_min.relative);
        CHECK(acc_min.describe() == "min 0.85");
        CHECK_FALSE(acc_min.needs_baseline());
        CHECK(acc_min.where == "g.toml:8");

        const Rule& acc_drop = find("accuracy", Rule::Kind::max_drop);
        CHECK(acc_drop.relative);
        CHECK(acc_drop.value == doctest::Approx(0.02)); // 2% → 0.02
        CHECK(acc_drop.text == "2%");
        CHECK(acc_drop.describe() == "max_drop 2%");
        CHECK(acc_drop.needs_baseline());
        CHECK(acc_drop.where == "g.toml:8");

        const Rule& lat_max = find("latency_ms", Rule::Kind::max);
        CHECK(lat_max.suite == "quality");
        CHECK(lat_max.value == 300);
        CHECK_FALSE(lat_max.relative);
        CHECK(lat_max.describe() == "max 300");

        const Rule& lat_rise = find("latency_ms", Rule::Kind::max_rise);
        CHECK(lat_rise.suite == "quality");
        CHECK_FALSE(lat_rise.relative); // a string without '%' is absolute
        CHECK(lat_rise.value == doctest::Approx(0.5));
        CHECK(lat_rise.needs_baseline());
        CHECK(lat_rise.where == "g.toml:9");

        const Rule& cost_max = find("cost", Rule::Kind::max);
        CHECK_FALSE(cost_max.relative);
        CHECK(cost_max.value == doctest::Approx(1.25));

        const Rule& cost_rise = find("cost", Rule::Kind::max_rise);
        CHECK(cost_rise.relative);
        CHECK(cost_rise.value == doctest::Approx(0.10));
        CHECK(cost_rise.where == "g.toml:10");
    }

    TEST_CASE("gate defaults: no baseline, confidence 0.95, on_inconclusive absent, missing baseline fails") {
        Gates g = parse_gates(std::string(k_suite) + "[gate.dev]\nsuites = [\"quality\"]\n", "g.toml");
        REQUIRE(g.gates.size() == 1);
        const Gate& gate = g.gates[0];
        CHECK(gate.name == "dev");
        CHECK(gate.baseline.empty());
        CHECK(gate.rules.empty());
        CHECK(gate.confidence == eval::k_default_confidence);
        CHECK(eval::k_default_confidence == 0.95);
        CHECK_FALSE(gate.on_inconclusive.has_value());
        CHECK_FALSE(gate.missing_baseline_passes);
    }

    TEST_CASE("gates keep file order, whatever their names") {
        Gates g = parse_gates(std::string(k_suite) + R"([gate.zeta]
suites = ["quality"]
[gate.alpha]
suites = ["quality"]
[gate.mid]
suites = ["quality"]
)",
                              "g.toml");
        REQUIRE(g.gates.size() == 3);
        CHECK(g.gates[0].name == "zeta");
        CHECK(g.gates[1].name == "alpha");
        CHECK(g.gates[2].name == "mid");
        // Suites may come after the gates that use them.
        Gates later = parse_gates(std::string("[gate.dev]\nsuites = [\"quality\"]\n") + k_suite, "g.toml");
        REQUIRE(later.gate("dev") != nullptr);
        CHECK(later.gate("dev")->suites == std::vector<std::string>{"quality"});
    }

    TEST_CASE("repeat is an integer from 1 to 100") {
        auto with_repeat = [](const std::string& v) {
            return std::string("[suite.q]\ncommand = [\"x\"]\nrepeat = ") + v + "\n";
        };
        CHECK(parse_gates(with_repeat("1"), "g.toml").suite("q")->repeat == 1);
        CHECK(parse_gates(with_repeat("100"), "g.toml").suite("q")->repeat == 100);
        for (const char* bad : {"0", "101", "-3", "2.5", "\"3\""}) {
            CAPTURE(bad);
            std::string e = gates_error(with_repeat(bad));
            CHECK(starts_with(e, "g.toml:3"));
            CHECK(contains(e, "'suite.q.repeat' must be an integer from 1 to 100"));
        }
    }

    TEST_CASE("ok_exit_codes: exit codes 0 to 255, in the fingerprint only when not [0]") {
        auto with_codes = [](const std::string& v) {
            return std::string("[suite.q]\ncommand = [\"x\"]\nok_exit_codes = ") + v + "\n";
        };
        Gates plain = parse_gates("[suite.q]\ncommand = [\"x\"]\n", "g.toml");
        CHECK(plain.suite("q")->ok_exit_codes == std::vector<int>{0});
        Gates zero = parse_gates(with_codes("[0]"), "g.toml");
        CHECK(zero.suite("q")->canonical() == plain.suite("q")->canonical());
        Gates pf = parse_gates(with_codes("[100, 0, 100]"), "g.toml");
        CHECK(pf.suite("q")->ok_exit_codes == std::vector<int>{0, 100});
        CHECK(pf.suite("q")->canonical() != plain.suite("q")->canonical());
        CHECK(contains(pf.suite("q")->canonical(), "ok_exit_codes 0 100\n"));
        for (const char* bad : {"[]", "0", "[256]", "[-1]", "[\"0\"]", "[0, 1.5]"}) {
            CAPTURE(bad);
            std::string e = gates_error(with_codes(bad));
            CHECK(starts_with(e, "g.toml:3"));
            CHECK(contains(
                e, "'suite.q.ok_exit_codes' must be an array of exit codes (integers from 0 to 255)"));
        }
    }

    TEST_CASE("a suite needs a command naming a program, and a valid timeout") {
        CHECK(starts_with(gates_error("[suite.q]\ninputs = [\"a\"]\n"), "g.toml:1"));
        CHECK(contains(gates_error("[suite.q]\ninputs = [\"a\"]\n"), "suite 'q' has no 'command'"));
        CHECK(starts_with(gates_error("[suite.q]\ncommand = []\n"), "g.toml:2"));
        CHECK(starts_with(gates_error("[suite.q]\ncommand = [\"\"]\n"), "g.toml:2"));
        CHECK(starts_with(gates_error("[suite.q]\ncommand = \"python eval.py\"\n"), "g.toml:2"));
        CHECK(starts_with(gates_error("[suite.q]\ncommand = [\"x\", 3]\n"), "g.toml:2"));
        CHECK(starts_with(gates_error("[suite.q]\ncommand = [\"x\"]\ntimeout = \"soon\"\n"), "g.toml:3"));
        CHECK(starts_with(gates_error("[suite.q]\ncommand = [\"x\"]\ntimeout = 0\n"), "g.toml:3"));
        CHECK(parse_gates("[suite.q]\ncommand = [\"x\"]\ntimeout = 90\n", "g.toml").suite("q")->timeout_s ==
              90);
        CHECK(parse_gates("[suite.q]\ncommand = [\"x\"]\ntimeout = \"1h30m\"\n", "g.toml")
                  .suite("q")
                  ->timeout_s == 5400);
    }

    TEST_CASE("confidence is a number from 0.5 to below 1") {
        auto with_conf = [](const std::string& v) {
            return std::string(k_suite) + "[gate.dev]\nsuites = [\"quality\"]\nconfidence = " + v + "\n";
        };
        CHECK(parse_gates(with_conf("0.5"), "g.toml").gates[0].confidence == 0.5);
        CHECK(parse_gates(with_conf("0.99"), "g.toml").gates[0].confidence == 0.99);
        for (const char* bad : {"1.0", "0.49", "1", "0", "\"0.9\"", "-0.9"}) {
            CAPTURE(bad);
            std::string e = gates_error(with_conf(bad));
            CHECK(starts_with(e, "g.toml:5"));
            CHECK(contains(e, "'gate.dev.confidence'"));
        }
    }

    TEST_CASE("on_inconclusive and on_missing_baseline take \"pass\" or \"fail\"") {
        auto with = [](const std::string& key, const std::string& v) {
            return std::string(k_suite) + "[gate.dev]\nsuites = [\"quality\"]\n" + key + " = " + v + "\n";
        };
        Gates p = parse_gates(with("on_inconclusive", "\"pass\""), "g.toml");
        REQUIRE(p.gates[0].on_inconclusive.has_value());
        CHECK(*p.gates[0].on_inconclusive == "pass");
        Gates f = parse_gates(with("on_inconclusive", "\"fail\""), "g.toml");
        REQUIRE(f.gates[0].on_inconclusive.has_value());
        CHECK(*f.gates[0].on_inconclusive == "fail");
        std::string e = gates_error(with("on_inconclusive", "\"maybe\""));
        CHECK(starts_with(e, "g.toml:5"));
        CHECK(contains(e, "'gate.dev.on_inconclusive' must be \"pass\" or \"fail\""));
        CHECK(starts_with(gates_error(with("on_inconclusive", "true")), "g.toml:5"));

        CHECK(
            parse_gates(with("on_missing_baseline", "\"pass\""), "g.toml").gates[0].missing_baseline_passes);
        CHECK_FALSE(
            parse_gates(with("on_missing_baseline", "\"fail\""), "g.toml").gates[0].missing_baseline_passes);
        CHECK(starts_with(gates_error(with("on_missing_baseline", "\"skip\"")), "g.toml:5"));
    }

    TEST_CASE("bad limits are errors naming file:line") {
        auto with_rules = [](const std::string& rules) {
            return std::string(k_suite) +
                   "[gate.dev]\nsuites = [\"quality\"]\nbaseline = \"main\"\nrules = [\n" + rules + "\n]\n";
        };
        // Line 7 holds the rule.
        CHECK(gates_error(with_rules("{ metric = \"a\", min = 0.5 }")).empty());
        // A percentage is relative: only max_drop and max_rise compare with a baseline.
        std::string pct = gates_error(with_rules("{ metric = \"a\", min = \"80%\" }"));
        CHECK(starts_with(pct, "g.toml:7"));
        CHECK(contains(pct, "'min' takes an absolute number, not a percentage"));
        CHECK(starts_with(gates_error(with_rules("{ metric = \"a\", max = \"5%\" }")), "g.toml:7"));
        CHECK(starts_with(gates_error(with_rules("{ metric = \"a\", min = \"lots\" }")), "g.toml:7"));
        CHECK(starts_with(gates_error(with_rules("{ metric = \"a\", max_drop = \"2%%\" }")), "g.toml:7"));
        CHECK(starts_with(gates_error(with_rules("{ metric = \"a\", max_drop = \"%\" }")), "g.toml:7"));
        CHECK(starts_with(gates_error(with_rules("{ metric = \"a\", min = true }")), "g.toml:7"));
        CHECK(starts_with(gates_error(with_rules("{ metric = \"a\", min = nan }")), "g.toml:7"));
        CHECK(starts_with(gates_error(with_rules("{ metric = \"a\", max_drop = -0.1 }")), "g.toml:7"));
        CHECK(starts_with(gates_error(with_rules("{ metric = \"a\", max_rise = \"-2%\" }")), "g.toml:7"));
        // A negative absolute min/max is a limit like any other.
        CHECK(gates_error(with_rules("{ metric = \"a\", min = -1 }")).empty());
        // No metric, no limit, an unknown key, a suite the gate does not list.
        CHECK(contains(gates_error(with_rules("{ min = 0.5 }")), "a rule has no 'metric'"));
        CHECK(starts_with(gates_error(with_rules("{ min = 0.5 }")), "g.toml:7"));
        CHECK(contains(gates_error(with_rules("{ metric = \"a\" }")), "has no limit"));
        std::string unknown = gates_error(with_rules("{ metric = \"a\", minimum = 0.5 }"));
        CHECK(starts_with(unknown, "g.toml:7"));
        CHECK(contains(unknown, "unknown rule key 'minimum'"));
        std::string other = gates_error(with_rules("{ metric = \"a\", suite = \"smoke\", min = 0.5 }"));
        CHECK(starts_with(other, "g.toml:7"));
        CHECK(contains(other, "suite 'smoke'"));
        CHECK(starts_with(gates_error(with_rules("\"accuracy >= 0.5\"")), "g.toml:7"));
    }

    TEST_CASE("a relative rule needs the gate's baseline") {
        std::string e =
            gates_error(std::string(k_suite) +
                        "[gate.dev]\nsuites = [\"quality\"]\nrules = [{ metric = \"a\", max_drop = "
                        "\"2%\" }]\n");
        CHECK(starts_with(e, "g.toml:5"));
        CHECK(contains(e, "max_drop 2%"));
        CHECK(contains(e, "has no 'baseline'"));
        // min/max alone need none.
        CHECK(gates_error(std::string(k_suite) +
                          "[gate.dev]\nsuites = [\"quality\"]\nrules = [{ metric = \"a\", min = 0.5 }]\n")
                  .empty());
    }

    TEST_CASE("a gate may list only defined suites; names are checked") {
        std::string e = gates_error(std::string(k_suite) + "[gate.dev]\nsuites = [\"quality\", \"smoke\"]\n");
        CHECK(starts_with(e, "g.toml:3"));
        CHECK(contains(e, "'smoke'"));
        CHECK(starts_with(gates_error("[suite.\"bad name\"]\ncommand = [\"x\"]\n"), "g.toml:"));
        CHECK(contains(gates_error("[suite.\"bad name\"]\ncommand = [\"x\"]\n"), "is invalid"));
        CHECK(contains(gates_error(std::string(k_suite) + "[gate.\"a b\"]\nsuites = [\"quality\"]\n"),
                       "is invalid"));
        CHECK(starts_with(gates_error("suite = 3\n"), "g.toml:1"));
        CHECK(starts_with(gates_error("gate = \"x\"\n"), "g.toml:1"));
        CHECK(starts_with(gates_error(std::string(k_suite) + "[gate.dev]\nsuites = \"quality\"\n"),
                          "g.toml:4"));
    }

    TEST_CASE("a TOML syntax error names file:line") {
        std::string e = gates_error("[suite.q]\ncommand = [\"x\"\n");
        CHECK(starts_with(e, "g.toml:"));
    }

    TEST_CASE("unknown keys are warnings naming file:line, and ignored") {
        Warnings w;
        Gates g = parse_gates(R"(colour = "blue"
[suite.q]
command = ["x"]
retries = 3
[gate.dev]
suites = ["q"]
owner = "me"
)",
                              "g.toml");
        REQUIRE(g.suite("q") != nullptr);
        REQUIRE(g.gate("dev") != nullptr);
        REQUIRE(w.got.size() == 3);
        auto has = [&](const std::string& line, const std::string& key) {
            for (const auto& m : w.got) {
                if (starts_with(m, line + ":") && contains(m, key)) {
                    return true;
                }
            }
            return false;
        };
        CHECK(has("g.toml:1", "'colour'"));
        CHECK(has("g.toml:4", "'suite.q.retries'"));
        CHECK(has("g.toml:7", "'gate.dev.owner'"));
    }

    TEST_CASE("a known file warns nothing") {
        Warnings w;
        parse_gates(std::string(k_suite) + "[gate.dev]\nsuites = [\"quality\"]\non_inconclusive = \"fail\"\n",
                    "g.toml");
        CHECK(w.got.empty());
    }

    TEST_CASE("load_gates reads <top>/.mlci/gates.toml, and hints at init when there is none") {
        mlci_test::TempDir t;
        try {
            eval::load_gates(t.path);
            FAIL("load_gates did not throw on a missing file");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::config);
            CHECK(contains(e.hint(), "git gate init"));
        }
        std::filesystem::create_directories(t / ".mlci");
        std::ofstream(t / ".mlci/gates.toml") << k_suite << "[gate.dev]\nsuites = [\"quality\"]\n";
        Gates g = eval::load_gates(t.path);
        CHECK(g.source == eval::k_gates_path);
        REQUIRE(g.gate("dev") != nullptr);
        CHECK(g.gate("dev")->where == std::string(eval::k_gates_path) + ":3");
        // An error in it names the file as .mlci/gates.toml.
        std::ofstream(t / ".mlci/gates.toml") << "[suite.q]\ncommand = [\"x\"]\nrepeat = 0\n";
        try {
            eval::load_gates(t.path);
            FAIL("load_gates did not throw on repeat = 0");
        } catch (const Error& e) {
            CHECK(starts_with(e.what(), ".mlci/gates.toml:3"));
        }
    }
}
