// Unit tests for a suite's `format` and `out` (gates.toml), the name {out} gets, and the stderr tail a
// crashed suite records as its reason (runner.hpp).
#include "eval/gates.hpp"
#include "eval/runner.hpp"
#include "util/error.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace mlci;
using namespace mlci::eval;

namespace {

std::string suite_error(const std::string& extra) {
    try {
        parse_gates("[suite.q]\ncommand = [\"x\"]\n" + extra + "\n", "g.toml");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::config);
        return e.what();
    }
    return "";
}

} // namespace

TEST_SUITE("SuiteOut") {
    TEST_CASE("format and out: defaults, parsing, and the fingerprint only when set") {
        Gates plain = parse_gates("[suite.q]\ncommand = [\"x\"]\n", "g.toml");
        const SuiteDef& p = *plain.suite("q");
        CHECK(p.format == "mlci");
        CHECK(p.out_name() == "out");
        Gates mlci_again = parse_gates("[suite.q]\ncommand = [\"x\"]\nformat = \"mlci\"\n", "g.toml");
        CHECK(mlci_again.suite("q")->canonical() == p.canonical()); // older fingerprints stay valid
        Gates pf = parse_gates("[suite.q]\ncommand = [\"x\"]\nformat = \"promptfoo\"\n", "g.toml");
        CHECK(pf.suite("q")->out_name() == "results.json");
        CHECK(pf.suite("q")->canonical() != p.canonical());
        CHECK(pf.suite("q")->canonical().find("format 9:promptfoo\n") != std::string::npos);
        Gates lm = parse_gates("[suite.q]\ncommand = [\"x\"]\nformat = \"lm-eval\"\n", "g.toml");
        CHECK(lm.suite("q")->out_name() == "lm-eval/");
        Gates ju =
            parse_gates("[suite.q]\ncommand = [\"x\"]\nformat = \"junit\"\nout = \"r.xml\"\n", "g.toml");
        CHECK(ju.suite("q")->out_name() == "r.xml");
        CHECK(ju.suite("q")->canonical().find("out 5:r.xml\n") != std::string::npos);
    }
    TEST_CASE("a bad format or out is a config error naming file:line") {
        CHECK(suite_error("format = \"csv\"") ==
              "g.toml:3: 'suite.q.format' is 'csv': known formats are mlci, promptfoo, junit, lm-eval");
        CHECK(suite_error("format = 3").find("g.toml:3") == 0);
        for (const char* bad : {"\"../r.json\"", "\"a/b\"", "\"..\"", "\".\"", "\"\"", "\"/abs\"",
                                "\"a\\\\b\"", "\"x\\u0001\"", "\"a..b\"", "\"//\""}) {
            CAPTURE(bad);
            std::string e = suite_error(std::string("out = ") + bad);
            CHECK(e.find("g.toml:3") == 0);
            CHECK(e.find("'suite.q.out'") != std::string::npos);
        }
        CHECK(out_name_problem("results.json").empty());
        CHECK(out_name_problem("lm-eval/").empty());
        CHECK(out_name_problem(".hidden").empty());
        CHECK_FALSE(out_name_problem(std::string(300, 'a')).empty());
    }
    TEST_CASE(
        "stderr tail: the last 20 non-blank lines, at most 2 KiB, clean UTF-8 without control characters") {
        std::string many;
        for (int i = 1; i <= 30; ++i) {
            many += "line " + std::to_string(i) + "\n\n";
        }
        std::string t = stderr_tail(many);
        CHECK(t.rfind("line 11\n", 0) == 0);
        CHECK(t.find("line 10\n") == std::string::npos);
        CHECK(t.substr(t.size() - 7) == "line 30");
        CHECK(stderr_tail("a\x1b[31mred\x1b[0m\x01\tb\r\n\x7f") == "aredb");
        CHECK(stderr_tail("\x80\xC3\xA9t\xC3") == "\xC3\xA9t"); // a cut sequence at either end goes
        CHECK(stderr_tail("") == "");
        std::string lines(3000, 'x');
        std::string one = stderr_tail("first\n" + lines);
        CHECK(one.size() <= 2048);
        CHECK(one.rfind("…", 0) == 0);
        std::string mid(1500, 'y');
        CHECK(stderr_tail(mid + "\n" + mid) == mid); // the older line would pass 2 KiB
    }
}
