// git gate power (lib/eval/power) and the ± of a value (eval::spread). Expected numbers are from the
// formulas in the comments, evaluated with scipy.stats (norm.ppf, t.ppf).
#include "eval/judge.hpp"
#include "eval/power.hpp"
#include "util/error.hpp"

#include <doctest/doctest.h>

#include <cmath>

using namespace mlci;
using namespace mlci::eval;

namespace {

// n cases, each with the samples given; the metric "accuracy" is their mean.
Run sampled_run(size_t n, const std::vector<double>& samples) {
    Run r;
    r.suite = "s";
    r.id = "r";
    double m = mean_of(samples);
    for (size_t i = 0; i < n; ++i) {
        std::string id = "c" + std::to_string(i);
        r.cases.emplace_back(id, m);
        r.case_samples.emplace_back(id, samples);
    }
    r.metrics.emplace_back("accuracy", m);
    return r;
}

Rule max_drop(double fraction) {
    Rule r;
    r.kind = Rule::Kind::max_drop;
    r.metric = "accuracy";
    r.value = fraction;
    r.relative = true;
    r.text = "2%";
    return r;
}

} // namespace

TEST_SUITE("eval.power") {
    TEST_CASE("the smallest change detected, the smallest the rule fails, and what a drop needs") {
        // 400 cases × [1, 0, 1]: within-case variance 1/3, paired sd per case sqrt(2 · (1/3) / 3) = 0.4714;
        // z(0.975) + z(0.8) = 2.80159; smallest change 2.80159 · 0.4714 / 20 = 0.066034.
        Run r = sampled_run(400, {1, 0, 1});
        PowerReport p = power_of(r, 0.95, "0.1", {max_drop(0.02)});
        REQUIRE(p.metrics.size() == 1);
        const MetricPower& m = p.metrics[0];
        CHECK(m.on_cases);
        CHECK(m.samples == 3);
        CHECK_FALSE(m.assumed);
        CHECK(m.sd == doctest::Approx(std::sqrt(2.0 / 9)));
        CHECK(m.min_detectable == doctest::Approx(0.066034).epsilon(1e-4));
        // The rule allows 2 % of 2/3 = 0.013333: it fails 0.013333 + 0.066034 = 0.079367 or more.
        CHECK(m.rule == "max_drop 2%");
        CHECK(m.rule_limit == doctest::Approx(0.0133333));
        CHECK(m.rule_detectable == doctest::Approx(0.079367).epsilon(1e-4));
        // Failing a drop of 0.1 needs ceil((2.80159 · 0.4714 / (0.1 − 0.013333))²) = 233 cases.
        CHECK(m.need_cases == 233);
        CHECK(m.need_repeat >= 1);
        // A drop within the rule's limit is never failed.
        PowerReport within = power_of(r, 0.95, "0.01", {max_drop(0.02)});
        CHECK(std::isinf(within.metrics[0].need_cases));
        // Without a rule, the same drop is detected from no change.
        PowerReport bare = power_of(r, 0.95, "0.01");
        CHECK(bare.metrics[0].rule.empty());
        CHECK(std::isfinite(bare.metrics[0].need_cases));
    }

    TEST_CASE("one sample per case: the noise is assumed (a coin at the pass rate), and said") {
        Run r;
        r.suite = "s";
        for (int i = 0; i < 100; ++i) {
            r.cases.emplace_back("c" + std::to_string(i), i < 80 ? 1.0 : 0.0);
        }
        r.metrics.emplace_back("accuracy", 0.8);
        PowerReport p = power_of(r, 0.95, "");
        REQUIRE(p.metrics.size() == 1);
        CHECK(p.metrics[0].assumed);
        CHECK(p.metrics[0].sd == doctest::Approx(std::sqrt(2 * 0.8 * 0.2))); // sqrt(2 p (1 − p) / 1)
    }

    TEST_CASE("nothing to measure, or a bad --drop, is refused") {
        Run lone;
        lone.suite = "s";
        lone.metrics.emplace_back("accuracy", 0.8);
        CHECK_THROWS_AS(power_of(lone, 0.95, ""), Error);
        Run r = sampled_run(10, {1, 0});
        for (const char* bad : {"-3", "0", "x", "2%%", "nan", ""}) {
            if (std::string(bad).empty()) {
                continue;
            }
            CHECK_THROWS_AS(power_of(r, 0.95, bad), Error);
        }
    }

    TEST_CASE("spread: the ± of a value where the run holds samples of it, else none") {
        Run r;
        r.metrics = {{"latency", 490}};
        r.metric_samples = {{"latency", {480, 500, 490, 495, 485}}};
        // t(4, 0.975) · sqrt(62.5) / sqrt(5) = 2.776445 · 3.535534 = 9.816216.
        CHECK(spread(r, "latency", 0.95) == doctest::Approx(9.816216).epsilon(1e-6));
        Run lone;
        lone.metrics = {{"latency", 490}};
        CHECK(spread(lone, "latency", 0.95) == 0);
        // Single-sample cases: no ±, as before samples existed.
        Run single;
        single.cases = {{"a", 1}, {"b", 0}};
        single.metrics = {{"accuracy", 0.5}};
        CHECK(spread(single, "accuracy", 0.95) == 0);
        // Cases with samples make up accuracy: the ± of the mean of the per-case means.
        Run s = sampled_run(4, {1, 0, 1});
        s.case_samples[0].second = {1, 1, 1};
        s.cases[0].second = 1;
        s.metrics[0].second = (1 + 3 * (2.0 / 3)) / 4;
        CHECK(spread(s, "accuracy", 0.95) > 0);
    }
}
