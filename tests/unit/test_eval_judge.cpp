// Rules judged on intervals (lib/eval/judge): which interval each kind of result gets, the three verdicts,
// Holm across the rules of one gate, what would decide an inconclusive rule, flips and flaky cases with
// samples. Expected intervals are derived by hand from the formulas in the comments.
#include "eval/judge.hpp"

#include <doctest/doctest.h>

#include <cmath>

using namespace mlci;
using namespace mlci::eval;

namespace {

Run run_with_cases(const std::vector<std::vector<double>>& samples, const std::string& metric = "accuracy") {
    Run r;
    r.suite = "s";
    r.id = "r";
    double sum = 0;
    for (size_t i = 0; i < samples.size(); ++i) {
        std::string id = "c" + std::to_string(i);
        double m = mean_of(samples[i]);
        r.cases.emplace_back(id, m);
        if (samples[i].size() > 1) {
            r.case_samples.emplace_back(id, samples[i]);
        }
        sum += m;
    }
    r.metrics.emplace_back(metric, sum / static_cast<double>(samples.size()));
    return r;
}

// n cases, `passing` of them passing every sample, each with k samples.
Run binary_run(size_t n, size_t passing, size_t k = 1) {
    std::vector<std::vector<double>> s;
    for (size_t i = 0; i < n; ++i) {
        s.push_back(std::vector<double>(k, i < passing ? 1.0 : 0.0));
    }
    return run_with_cases(s);
}

Rule rule(Rule::Kind kind, double value, bool relative = false, const std::string& metric = "accuracy") {
    Rule r;
    r.kind = kind;
    r.metric = metric;
    r.value = value;
    r.relative = relative;
    r.text = relative ? std::to_string(value * 100) + "%" : std::to_string(value);
    return r;
}

RuleResult judge_one(const Rule& r, const Run& cand, const Run* base, double c = 0.95) {
    RuleResult rr;
    rr.rule = r;
    rr.candidate = cand.metric(r.metric);
    if (base != nullptr) {
        rr.baseline = base->metric(r.metric);
    }
    measure_rule(rr, cand, base, c);
    std::vector<RuleResult> v{rr};
    decide_rules(v, c);
    return v[0];
}

} // namespace

TEST_SUITE("eval.judge") {
    TEST_CASE("a lone value is compared exactly, as before samples existed") {
        Run r;
        r.metrics = {{"accuracy", 0.86}};
        RuleResult pass = judge_one(rule(Rule::Kind::min, 0.85), r, nullptr);
        CHECK(pass.status == "pass");
        CHECK(pass.interval.exact);
        RuleResult fail = judge_one(rule(Rule::Kind::min, 0.9), r, nullptr);
        CHECK(fail.status == "fail");
        CHECK(fail.why == "accuracy 0.86 is below the minimum 0.900000");
        Run b;
        b.metrics = {{"accuracy", 0.88}};
        CHECK(judge_one(rule(Rule::Kind::max_drop, 0.02, true), r, &b).status == "fail"); // 2.27% > 2%
        CHECK(judge_one(rule(Rule::Kind::max_drop, 0.03, true), r, &b).status == "pass");
    }

    TEST_CASE("0/1 cases: the Wilson interval of the pass rate decides min and max") {
        // 80 of 100: the two-sided 95 % Wilson interval (z = 1.95996, the formula in Wilson 1927, computed
        // with scipy.stats.norm.ppf) is [0.71117, 0.86663].
        Run r = binary_run(100, 80);
        RuleResult lo = judge_one(rule(Rule::Kind::min, 0.7), r, nullptr);
        CHECK(lo.status == "pass");
        CHECK(std::string(lo.interval.method) == "wilson");
        CHECK(lo.interval.lo == doctest::Approx(0.71117).epsilon(0.0005));
        CHECK(lo.interval.hi == doctest::Approx(0.86663).epsilon(0.0005));
        CHECK(judge_one(rule(Rule::Kind::min, 0.8), r, nullptr).status == "inconclusive");
        CHECK(judge_one(rule(Rule::Kind::min, 0.9), r, nullptr).status == "fail");
        CHECK(judge_one(rule(Rule::Kind::max, 0.95), r, nullptr).status == "pass");
    }

    TEST_CASE("paired cases: the same answers give no change; a real drop of 10 points fails a 2% limit") {
        Run base = binary_run(400, 320, 3);
        Run same = binary_run(400, 320, 3);
        RuleResult r0 = judge_one(rule(Rule::Kind::max_drop, 0.02, true), same, &base);
        CHECK(r0.status == "pass");
        CHECK(r0.on_cases);
        CHECK(r0.cases == 400);
        CHECK(r0.samples_per_case == 3);
        Run worse = binary_run(400, 280, 3); // 40 cases now fail every time: −0.10
        RuleResult r1 = judge_one(rule(Rule::Kind::max_drop, 0.02, true), worse, &base);
        CHECK(r1.status == "fail");
        CHECK(r1.interval.estimate == doctest::Approx(-0.1));
        CHECK(r1.interval.hi < r1.limit);
        CHECK(r1.limit == doctest::Approx(-0.02 * 0.8));
    }

    TEST_CASE("flaky cases around a limit: inconclusive, with the cases or repeats that would decide it") {
        // 40 cases, half of them a coin: the paired interval of a small drop straddles the limit.
        std::vector<std::vector<double>> b, c;
        for (int i = 0; i < 40; ++i) {
            if (i < 20) {
                b.push_back({1, 1, 1});
                c.push_back({1, 1, 1});
            } else {
                b.push_back(i % 2 ? std::vector<double>{1, 0, 1} : std::vector<double>{0, 1, 0});
                c.push_back(i % 3 ? std::vector<double>{0, 1, 0} : std::vector<double>{1, 0, 1});
            }
        }
        Run base = run_with_cases(b), cand = run_with_cases(c);
        RuleResult r = judge_one(rule(Rule::Kind::max_drop, 0.02, true), cand, &base);
        REQUIRE(r.status == "inconclusive");
        CHECK(r.need_cases > 40);
        CHECK(r.need_repeat > 3);
        CHECK(r.why.find("would decide it") != std::string::npos);
        CHECK(r.why.find("(now 40)") != std::string::npos);
    }

    TEST_CASE("cases only one side holds are named and left out of the paired comparison") {
        Run base = binary_run(10, 10, 2);
        Run cand = binary_run(10, 10, 2);
        cand.cases.emplace_back("new", 1.0);
        cand.case_samples.emplace_back("new", std::vector<double>{1, 1});
        RuleResult r = judge_one(rule(Rule::Kind::max_drop, 0.02, true), cand, &base);
        CHECK(r.left_out == std::vector<std::string>{"new"});
    }

    TEST_CASE("repeated measurements of a metric: t for min/max, Welch for a change") {
        Run r;
        r.metrics = {{"latency", 490}};
        r.metric_samples = {{"latency", {480, 500, 490, 495, 485}}};
        RuleResult t = judge_one(rule(Rule::Kind::max, 600, false, "latency"), r, nullptr);
        CHECK(t.status == "pass");
        CHECK(std::string(t.interval.method) == "t");
        CHECK(t.repeats == 5);
        Run b;
        b.metrics = {{"latency", 400}};
        b.metric_samples = {{"latency", {395, 405, 400, 398, 402}}};
        RuleResult w = judge_one(rule(Rule::Kind::max_rise, 0.1, true, "latency"), r, &b);
        CHECK(w.status == "fail"); // +22.5% with a narrow interval against +10%
        CHECK(std::string(w.interval.method) == "welch");
    }

    TEST_CASE("Holm: two borderline fails of one gate need more evidence than one alone") {
        // 80 of 100 against min 0.87: score test z = (0.80 − 0.87)/sqrt(0.87·0.13/100) = −2.081, p = 0.0187
        // (scipy.stats.norm.cdf): below 0.025 (one bound of a 95 % interval) alone, not below 0.025/2 for
        // the first of two.
        Run r = binary_run(100, 80);
        RuleResult one = judge_one(rule(Rule::Kind::min, 0.87), r, nullptr);
        REQUIRE(one.p == doctest::Approx(0.0187).epsilon(0.01));
        REQUIRE(one.p > 0.0125);
        CHECK(one.status == "fail");
        std::vector<RuleResult> two(2);
        for (auto& rr : two) {
            rr.rule = rule(Rule::Kind::min, 0.87);
            rr.candidate = r.metric("accuracy");
            measure_rule(rr, r, nullptr, 0.95);
        }
        decide_rules(two, 0.95);
        CHECK(two[0].status == "inconclusive");
        CHECK(two[1].status == "inconclusive");
    }

    TEST_CASE("flips: without samples any change; with samples only a change beyond noise") {
        Run b = run_with_cases({{1}, {0}, {1}});
        Run c = run_with_cases({{0}, {1}, {1}});
        auto f = case_flips("s", c, b, 0.95);
        REQUIRE(f.size() == 2);
        CHECK(f[0].regressed);
        CHECK_FALSE(f[1].regressed);
        // 3 of 3 → 0 of 3: Fisher's one-sided p = 1/20 = 0.05, a flip at 95 %; 2 of 3 → 1 of 3 is noise.
        Run bs = run_with_cases({{1, 1, 1}, {1, 1, 0}});
        Run cs = run_with_cases({{0, 0, 0}, {1, 0, 0}});
        auto g = case_flips("s", cs, bs, 0.95);
        REQUIRE(g.size() == 1);
        CHECK(g[0].id == "c0");
        CHECK(g[0].p == doctest::Approx(0.05));
    }

    TEST_CASE("flaky cases and pass@k / pass^k") {
        Run r = run_with_cases({{1, 1, 1}, {1, 0, 1}, {0, 0, 0}, {0, 1, 0}});
        auto flaky = flaky_cases("s", r);
        REQUIRE(flaky.size() == 2);
        CHECK(flaky[0].passes == 2);
        CHECK(flaky[1].passes == 1);
        PassAtK p = pass_at_k(r);
        CHECK(p.k == 3);
        CHECK(p.pass_at_k == doctest::Approx(0.75));  // 3 of 4 cases pass at least once in 3
        CHECK(p.pass_hat_k == doctest::Approx(0.25)); // 1 of 4 passes all 3
    }

    TEST_CASE("metric_interval: Wilson over 0/1 cases, t over repeats, none for a lone value") {
        Run cases = binary_run(4, 3); // accuracy 0.75 = the mean of its 0/1 cases
        auto w = metric_interval(cases, "accuracy", 0.95);
        REQUIRE(w.has_value());
        CHECK(std::string(w->method) == "wilson");
        stats::Interval two_sided = stats::wilson_interval(3, 4, bound_level(0.95));
        CHECK(w->lo == doctest::Approx(two_sided.lo));
        CHECK(w->hi == doctest::Approx(two_sided.hi));
        CHECK(w->lo < 0.75);
        CHECK(w->hi > 0.75);
        Run rep;
        rep.metrics.emplace_back("latency_ms", 479.0);
        rep.metric_samples.emplace_back("latency_ms", std::vector<double>{480, 455, 502});
        auto t = metric_interval(rep, "latency_ms", 0.95);
        REQUIRE(t.has_value());
        CHECK(std::string(t->method) == "t");
        CHECK(t->n == 3);
        CHECK((t->hi - t->lo) / 2 == doctest::Approx(spread(rep, "latency_ms", 0.95)));
        Run lone;
        lone.metrics.emplace_back("f1", 0.8);
        CHECK_FALSE(metric_interval(lone, "f1", 0.95).has_value());
        CHECK_FALSE(metric_interval(lone, "missing", 0.95).has_value());
    }
}
