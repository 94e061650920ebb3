// Power analysis of one run (power.hpp).
#include "eval/power.hpp"

#include "eval/judge.hpp"
#include "eval/stats.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <charconv>
#include <cmath>

namespace mlci::eval {

namespace {

// "2%" → (0.02, relative), "0.02" → (0.02, absolute).
std::pair<double, bool> parse_drop(const std::string& text) {
    std::string s(trim(text));
    bool rel = !s.empty() && s.back() == '%';
    std::string digits = rel ? std::string(trim(s.substr(0, s.size() - 1))) : s;
    double v = 0;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (digits.empty() || ec != std::errc() || p != digits.data() + digits.size() || !(v > 0) ||
        !std::isfinite(v)) {
        throw usage_error("--drop takes a positive number or a percentage such as \"2%\" (got " +
                          quoted(text) + ")");
    }
    return {rel ? v / 100 : v, rel};
}

} // namespace

PowerReport power_of(const Run& run, double c, const std::string& drop_text, const std::vector<Rule>& rules) {
    PowerReport rep;
    rep.suite = run.suite;
    rep.run_id = run.id;
    rep.confidence = c;
    std::optional<std::pair<double, bool>> drop;
    if (!drop_text.empty()) {
        drop = parse_drop(drop_text);
    }
    // The noise of a paired comparison of two runs of the same quality, per case: each side's per-case
    // mean varies by the within-case variance over its K samples, so a difference by twice that.
    double within = 0;
    size_t k = run.case_samples.empty() ? 1 : run.case_samples.front().second.size();
    bool assumed = k < 2;
    if (!assumed) {
        for (const auto& [id, s] : run.case_samples) {
            within += stats::variance(s);
        }
        within /= static_cast<double>(run.case_samples.size());
    } else if (!run.cases.empty()) {
        // One sample per case: the noise cannot be told apart from the differences between cases. The
        // worst case (every case a coin at the run's pass rate) bounds it.
        double p = 0;
        for (const auto& [id, v] : run.cases) {
            p += v;
        }
        p /= static_cast<double>(run.cases.size());
        within = p * (1 - p);
    }
    double case_sd = std::sqrt(2 * within / static_cast<double>(k));
    for (const auto& [name, v] : run.metrics) {
        MetricPower mp;
        mp.metric = name;
        mp.value = v;
        if (is_case_mean(run, name)) {
            mp.on_cases = true;
            mp.units = run.cases.size();
            mp.samples = k;
            mp.sd = case_sd;
            mp.assumed = assumed;
        } else {
            const std::vector<double>* s = lookup(run.metric_samples, name);
            if (s == nullptr || s->size() < 2) {
                continue; // a lone value: nothing to measure its noise by
            }
            mp.units = s->size();
            // Welch's comparison of K repeats on each side: sd of the difference = sd · sqrt(2 / K).
            mp.sd = std::sqrt(stats::variance(*s));
        }
        double per = mp.on_cases ? mp.sd / std::sqrt(static_cast<double>(mp.units))
                                 : mp.sd * std::sqrt(2.0 / static_cast<double>(mp.units));
        mp.min_detectable = stats::min_detectable(per, 1, bound_level(c), rep.power);
        // The gate fails a change only when its whole interval is beyond the rule's limit: the change must
        // exceed the limit by what the noise hides.
        double limit = 0;
        for (const Rule& r : rules) {
            if (r.needs_baseline() && r.metric == name && (r.suite.empty() || r.suite == run.suite)) {
                mp.rule = r.describe();
                limit = r.relative ? r.value * std::fabs(mp.value) : r.value;
                mp.rule_limit = limit;
                mp.rule_detectable = limit + mp.min_detectable;
                break;
            }
        }
        if (drop) {
            double d = drop->second ? drop->first * std::fabs(mp.value) : drop->first;
            mp.drop = d;
            double effect = d - limit;
            if (!(effect > 0)) {
                mp.need_cases = mp.need_repeat = INFINITY; // within the rule's limit: never a fail
            } else if (mp.on_cases) {
                mp.need_cases = stats::units_needed(mp.sd, effect, bound_level(c), rep.power);
                // The same noise from more samples per case: the per-case sd goes as 1/sqrt(K).
                double f = mp.min_detectable / effect;
                mp.need_repeat = std::max(1.0, std::ceil(static_cast<double>(k) * f * f));
            } else {
                mp.need_repeat =
                    stats::units_needed(mp.sd * std::sqrt(2.0), effect, bound_level(c), rep.power);
            }
        }
        rep.metrics.push_back(mp);
    }
    if (rep.metrics.empty()) {
        throw input_error(
            "run " + quoted(run.id) + " of suite " + quoted(run.suite) +
                " holds nothing to measure noise by: no cases and no metric with repeated values",
            "record per-case results (a `cases` table), or set repeat = K in [suite." + run.suite + "]");
    }
    return rep;
}

} // namespace mlci::eval
