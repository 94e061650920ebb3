// git gate power's output (lib/eval/power_text): the text a user reads and the JSON a script reads,
// from a hand-built PowerReport, with hostile names escaped in the text.
#include "eval/power_text.hpp"

#include <doctest/doctest.h>

#include <cmath>

using namespace mlci;
using namespace mlci::eval;

namespace {

PowerReport report() {
    PowerReport rep;
    rep.suite = "qa\x1b[31m";
    rep.run_id = "r1";
    rep.confidence = 0.95;
    rep.power = 0.8;
    MetricPower m;
    m.metric = "accuracy";
    m.on_cases = true;
    m.value = 0.9;
    m.units = 200;
    m.samples = 1;
    m.sd = 0.3;
    m.assumed = true;
    m.min_detectable = 0.05;
    m.rule = "max_drop 2%";
    m.rule_limit = 0.018;
    m.rule_detectable = 0.07;
    m.drop = 0.1;
    m.need_cases = 150;
    m.need_repeat = INFINITY;
    rep.metrics.push_back(m);
    return rep;
}

} // namespace

TEST_CASE("power_text: head line, a block per metric, names escaped") {
    std::string t = power_text(report(), "abc1234", "quality");
    CHECK(t.find("suite qa\\e[31m at abc1234 (run r1): 95% confidence, 80% power\n") == 0);
    CHECK(t.find('\x1b') == std::string::npos);
    CHECK(t.find("the mean of 200 cases × 1 sample, paired noise per case") != std::string::npos);
    CHECK(t.find("(assumed: one sample per case cannot measure it") != std::string::npos);
    CHECK(t.find("    gate quality (max_drop 2%, a change of") != std::string::npos);
    CHECK(t.find("about 150 cases (now 200), or repeat = no number (now 1)\n") != std::string::npos);
}

TEST_CASE("power_text: a drop within the rule's limit is never detected; repeats without cases") {
    PowerReport rep = report();
    rep.metrics[0].need_cases = INFINITY;
    CHECK(power_text(rep, "abc1234", "quality").find("never: it is within the rule's limit\n") !=
          std::string::npos);
    rep.metrics[0].on_cases = false;
    rep.metrics[0].units = 5;
    rep.metrics[0].need_repeat = 9;
    std::string t = power_text(rep, "abc1234", "quality");
    CHECK(t.find("5 repeated values, sd") != std::string::npos);
    CHECK(t.find("repeat = 9 (now 5)\n") != std::string::npos);
}

TEST_CASE("power_json: fields by kind, infinities as null, gate only with a rule") {
    std::string j = power_json(report(), "abcdef", "quality").dump(false);
    CHECK(j.find(R"("suite":"qa\u001b[31m","commit":"abcdef","run":"r1")") != std::string::npos);
    CHECK(j.find(R"("cases":200,"samples_per_case":1,"noise_assumed":true)") != std::string::npos);
    CHECK(j.find(R"("gate":"quality","rule":"max_drop 2%")") != std::string::npos);
    CHECK(j.find(R"("need_cases":150)") != std::string::npos);
    CHECK(j.find(R"("need_repeat":null)") != std::string::npos);
    PowerReport rep = report();
    rep.metrics[0].rule.clear();
    rep.metrics[0].on_cases = false;
    std::string k = power_json(rep, "abcdef", "").dump(false);
    CHECK(k.find(R"("gate")") == std::string::npos);
    CHECK(k.find(R"("repeats":200)") != std::string::npos);
    CHECK(k.find(R"("need_cases")") == std::string::npos);
}
