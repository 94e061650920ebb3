// Rules judged on intervals, case flips and flaky cases (see judge.hpp for which interval and why).
#include "eval/judge.hpp"

#include "eval/labels.hpp"

#include "util/strings.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unordered_map>
#include <unordered_set>

namespace mlci::eval {

bool case_passes(double v) {
    return v >= 0.5;
}

namespace {

std::string num(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.4g", v);
    return buf;
}

std::string pct(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.4g%%", v * 100);
    return buf;
}

// Small tolerance so that 0.86 - 0.84 against an absolute 0.02 passes despite binary rounding.
bool within(double value, double limit) {
    return value <= limit + 1e-9 * std::max(1.0, std::fabs(limit));
}

size_t samples_per_case(const Run& r) {
    return r.case_samples.empty() ? 1 : r.case_samples.front().second.size();
}

std::vector<std::string> clusters_of(const Run& r, const std::vector<std::string>& ids) {
    if (r.clusters.empty()) {
        return {};
    }
    std::unordered_map<std::string, std::string> by_id(r.clusters.begin(), r.clusters.end());
    std::vector<std::string> out;
    out.reserve(ids.size());
    for (const auto& id : ids) {
        auto it = by_id.find(id);
        out.push_back(it == by_id.end() ? "\x1f" + id : it->second); // a case without a cluster: its own
    }
    return out;
}

// The interval of a metric that the cases make up: Wilson for single 0/1 results without clusters (the
// interval for a proportion), else the t interval of the per-case means (clustered when there are clusters).
stats::Interval cases_interval(const Run& r, double c) {
    bool binary = r.case_samples.empty() && r.clusters.empty() &&
                  std::all_of(r.cases.begin(), r.cases.end(),
                              [](const auto& kv) { return kv.second == 0.0 || kv.second == 1.0; });
    if (binary) {
        double passes = 0;
        for (const auto& [id, v] : r.cases) {
            passes += v;
        }
        return stats::wilson_interval(passes, r.cases.size(), c);
    }
    std::vector<double> values;
    std::vector<std::string> ids;
    values.reserve(r.cases.size());
    ids.reserve(r.cases.size());
    for (const auto& [id, v] : r.cases) {
        values.push_back(v);
        ids.push_back(id);
    }
    std::vector<std::string> clusters = clusters_of(r, ids);
    return stats::paired_interval(values, clusters, c);
}

// The mean paired difference candidate − baseline over the cases both runs hold.
stats::Interval paired_cases(const Run& cand, const Run& base, double c, std::vector<std::string>* left_out) {
    std::unordered_map<std::string_view, double> before;
    before.reserve(base.cases.size());
    for (const auto& [id, v] : base.cases) {
        before.emplace(id, v);
    }
    std::vector<double> d;
    std::vector<std::string> ids;
    d.reserve(cand.cases.size());
    ids.reserve(cand.cases.size());
    for (const auto& [id, v] : cand.cases) {
        auto it = before.find(id);
        if (it == before.end()) {
            left_out->push_back(id);
            continue;
        }
        d.push_back(v - it->second);
        ids.push_back(id);
        before.erase(it);
    }
    for (const auto& [id, v] : base.cases) {
        if (before.count(id)) {
            left_out->push_back(id);
        }
    }
    if (d.empty()) {
        return stats::Interval{}; // n = 0: the caller compares the two values as they are
    }
    std::vector<std::string> clusters = clusters_of(cand.clusters.empty() ? base : cand, ids);
    return stats::paired_interval(d, clusters, c);
}

stats::Side bad_side(const Rule& r) {
    return r.kind == Rule::Kind::min || r.kind == Rule::Kind::max_drop ? stats::Side::below
                                                                       : stats::Side::above;
}

} // namespace

// Is the metric the mean of the run's cases (accuracy, pass_rate: what the cases make up)? Then the cases
// carry its noise, and the rule is judged on them.
bool is_case_mean(const Run& r, const std::string& metric) {
    // The case count is no mean of the cases, even when it happens to equal it (one passing case); "n" is
    // the count the format readers derive (formats.hpp).
    if (r.cases.empty() || metric == k_n_cases || metric == "n") {
        return false;
    }
    auto m = r.metric(metric);
    if (!m) {
        return false;
    }
    double sum = 0;
    for (const auto& [id, v] : r.cases) {
        sum += v;
    }
    double mean = sum / static_cast<double>(r.cases.size());
    return std::fabs(*m - mean) <= 1e-9 * std::max(1.0, std::fabs(mean));
}

double spread(const Run& r, const std::string& metric, double confidence) {
    stats::Interval iv;
    if (const auto* s = lookup(r.metric_samples, metric); s != nullptr && s->size() >= 2) {
        iv = stats::mean_interval(*s, bound_level(confidence));
    } else if (!r.case_samples.empty() && is_case_mean(r, metric)) {
        iv = cases_interval(r, bound_level(confidence));
    } else {
        return 0;
    }
    return iv.exact ? 0 : (iv.hi - iv.lo) / 2;
}

std::optional<stats::Interval> metric_interval(const Run& r, const std::string& metric, double confidence) {
    if (const auto* s = lookup(r.metric_samples, metric); s != nullptr && s->size() >= 2) {
        return stats::mean_interval(*s, bound_level(confidence));
    }
    if (is_case_mean(r, metric)) {
        return cases_interval(r, bound_level(confidence));
    }
    return std::nullopt;
}

void measure_rule(RuleResult& rr, const Run& cand, const Run* base, double confidence) {
    const double c = bound_level(confidence);
    const Rule& r = rr.rule;
    const std::string& m = r.metric;
    if (!r.needs_baseline()) {
        rr.limit = r.value;
        if (is_case_mean(cand, m)) {
            rr.on_cases = true;
            rr.cases = cand.cases.size();
            rr.samples_per_case = samples_per_case(cand);
            rr.interval = cases_interval(cand, c);
        } else {
            std::vector<double> v = cand.metric_values(m);
            rr.repeats = v.size();
            rr.interval = stats::mean_interval(v, c);
        }
        rr.judged = true;
        return;
    }
    // A relative rule: the limit on the change, in the metric's own units.
    double b = *rr.baseline;
    double allowed = r.relative ? r.value * std::fabs(b) : r.value;
    rr.limit = r.kind == Rule::Kind::max_drop ? -allowed : allowed;
    if (is_case_mean(cand, m) && is_case_mean(*base, m)) {
        rr.on_cases = true;
        rr.samples_per_case = samples_per_case(cand);
        rr.interval = paired_cases(cand, *base, c, &rr.left_out);
        rr.cases = cand.cases.size() + base->cases.size() >= rr.left_out.size()
                       ? (cand.cases.size() + base->cases.size() - rr.left_out.size()) / 2
                       : 0;
        if (rr.interval.n == 0) {
            // No case in common: the two values as they are.
            rr.interval = stats::Interval{};
            rr.interval.estimate = rr.interval.lo = rr.interval.hi = *rr.candidate - b;
        }
    } else {
        std::vector<double> cv = cand.metric_values(m);
        std::vector<double> bv = base->metric_values(m);
        rr.repeats = cv.size();
        rr.interval = stats::welch_interval(cv, bv, c);
    }
    rr.judged = true;
}

namespace {

std::string interval_text(const stats::Interval& iv) {
    return "[" + num(iv.lo) + ", " + num(iv.hi) + "]";
}

// What the interval says about the rule, in words (fail and inconclusive).
std::string change_words(const RuleResult& rr) {
    const Rule& r = rr.rule;
    const stats::Interval& iv = rr.interval;
    switch (r.kind) {
    case Rule::Kind::min:
        return r.metric + " " + num(iv.estimate) + (iv.exact ? "" : " " + interval_text(iv)) +
               " against the minimum " + r.text;
    case Rule::Kind::max:
        return r.metric + " " + num(iv.estimate) + (iv.exact ? "" : " " + interval_text(iv)) +
               " against the maximum " + r.text;
    case Rule::Kind::max_drop:
    case Rule::Kind::max_rise: {
        std::string sign = r.kind == Rule::Kind::max_drop ? "−" : "+";
        std::string limit =
            r.relative ? sign + r.text + " of " + num(*rr.baseline) + " = " + sign + num(std::fabs(rr.limit))
                       : sign + r.text;
        return r.metric + " changed by " + num(iv.estimate) + (iv.exact ? "" : " " + interval_text(iv)) +
               " against the limit " + limit;
    }
    }
    return {};
}

// The old words for a lone value (no interval): as every single run was judged before samples.
std::string point_words(const RuleResult& rr) {
    const Rule& r = rr.rule;
    double c = *rr.candidate;
    switch (r.kind) {
    case Rule::Kind::min:
        return r.metric + " " + num(c) + " is below the minimum " + r.text;
    case Rule::Kind::max:
        return r.metric + " " + num(c) + " is above the maximum " + r.text;
    case Rule::Kind::max_drop:
    case Rule::Kind::max_rise: {
        double b = *rr.baseline;
        double change = r.kind == Rule::Kind::max_drop ? b - c : c - b;
        const char* word = r.kind == Rule::Kind::max_drop ? "dropped" : "rose";
        if (r.relative) {
            double rel = b == 0 ? (change > 0 ? INFINITY : 0) : change / std::fabs(b);
            return r.metric + " " + word + " by " + (std::isinf(rel) ? std::string("∞") : pct(rel)) +
                   " (limit " + r.text + ")";
        }
        return r.metric + " " + word + " by " + num(change) + " (limit " + r.text + ")";
    }
    }
    return {};
}

// Is the lone value within the limit? (Point comparison, with the old tolerance.)
bool point_holds(const RuleResult& rr) {
    const Rule& r = rr.rule;
    double c = *rr.candidate;
    switch (r.kind) {
    case Rule::Kind::min:
        return within(r.value, c);
    case Rule::Kind::max:
        return within(c, r.value);
    case Rule::Kind::max_drop:
    case Rule::Kind::max_rise: {
        double b = *rr.baseline;
        double change = r.kind == Rule::Kind::max_drop ? b - c : c - b;
        if (r.relative) {
            double rel = b == 0 ? (change > 0 ? INFINITY : 0) : change / std::fabs(b);
            return within(rel, r.value);
        }
        return within(change, r.value);
    }
    }
    return true;
}

// What would decide an inconclusive rule: the interval's half-width toward the limit must shrink below the
// distance from the estimate to the limit; a half-width goes as 1/sqrt(units), so about (h/d)² times the
// cases (or repeats) would do.
void what_decides(RuleResult& rr) {
    const stats::Interval& iv = rr.interval;
    bool below = bad_side(rr.rule) == stats::Side::below;
    double h = below ? iv.estimate - iv.lo : iv.hi - iv.estimate;
    double d = std::fabs(iv.estimate - rr.limit);
    std::string why = change_words(rr) + ": the interval straddles the limit";
    if (d <= 1e-12 * std::max(1.0, std::fabs(rr.limit)) || !std::isfinite(h)) {
        rr.why = why + "; its estimate sits on the limit, so no number of cases decides it";
        return;
    }
    double f = (h / d) * (h / d);
    auto scaled = [&](double now) { return static_cast<size_t>(std::ceil(std::max(now, 1.0) * f)); };
    std::vector<std::string> ways;
    if (rr.on_cases) {
        size_t cases = rr.cases;
        rr.need_cases = scaled(static_cast<double>(cases));
        ways.push_back("about " + std::to_string(rr.need_cases) + " cases (now " + std::to_string(cases) +
                       ")");
        rr.need_repeat = scaled(static_cast<double>(std::max<size_t>(rr.samples_per_case, 1)));
        // One sample per case cannot tell noise from differences between cases: repeats help only a suite
        // whose results vary from run to run.
        ways.push_back("repeat = " + std::to_string(rr.need_repeat) + " (now " +
                       std::to_string(std::max<size_t>(rr.samples_per_case, 1)) + ")" +
                       (rr.samples_per_case <= 1 ? " if its results vary from run to run" : ""));
    } else {
        rr.need_repeat = scaled(static_cast<double>(std::max<size_t>(rr.repeats, 1)));
        ways.push_back("repeat = " + std::to_string(rr.need_repeat) + " (now " +
                       std::to_string(std::max<size_t>(rr.repeats, 1)) + ")");
    }
    rr.why = why + "; " + join(ways, " or ") + " would decide it";
}

} // namespace

void decide_rules(std::vector<RuleResult>& rules, double c) {
    // 1. Lone values: compared as they are.
    std::vector<size_t> tested;
    std::vector<double> p;
    for (size_t i = 0; i < rules.size(); ++i) {
        RuleResult& rr = rules[i];
        if (!rr.judged || !rr.status.empty()) {
            continue;
        }
        if (rr.interval.exact) {
            bool holds = point_holds(rr);
            rr.status = holds ? "pass" : "fail";
            rr.p = holds ? 1 : 0;
            if (!holds) {
                rr.why = point_words(rr);
            }
            continue;
        }
        rr.p = stats::p_beyond(rr.interval, rr.limit, bad_side(rr.rule));
        tested.push_back(i);
        p.push_back(rr.p);
    }
    // 2. Intervals: the fails of the gate corrected together (Holm at (1 − c)/2, the level of one bound of
    // the interval), so that a gate of ten rules does not fail ten times as often on noise; a rule not
    // failed passes only when its whole interval is within the limit.
    std::vector<bool> fails = stats::holm(p, 1 - bound_level(c));
    for (size_t k = 0; k < tested.size(); ++k) {
        RuleResult& rr = rules[tested[k]];
        const stats::Interval& iv = rr.interval;
        if (fails[k]) {
            rr.status = "fail";
            rr.why = change_words(rr) + ": beyond the limit";
            continue;
        }
        bool below = bad_side(rr.rule) == stats::Side::below;
        bool inside = below ? within(rr.limit, iv.lo) : within(iv.hi, rr.limit);
        if (inside) {
            rr.status = "pass";
        } else {
            rr.status = "inconclusive";
            what_decides(rr);
        }
    }
}

void case_set_changes(const std::string& suite, const Run& cand, const Run& base,
                      std::vector<CaseChange>& removed, std::vector<CaseChange>& added) {
    if (cand.cases.empty() || base.cases.empty()) {
        return;
    }
    std::unordered_set<std::string_view> before, after;
    before.reserve(base.cases.size());
    after.reserve(cand.cases.size());
    for (const auto& [id, v] : base.cases) {
        before.insert(id);
    }
    for (const auto& [id, v] : cand.cases) {
        after.insert(id);
    }
    for (const auto& [id, v] : base.cases) {
        if (after.count(id) == 0) {
            removed.push_back({suite, id, false});
        }
    }
    for (const auto& [id, v] : cand.cases) {
        if (before.count(id) == 0) {
            added.push_back({suite, id, false});
        }
    }
}

void add_derived_metrics(Run& r) {
    if (!r.cases.empty() && !r.metric(k_n_cases)) {
        r.metrics.emplace_back(k_n_cases, static_cast<double>(r.cases.size()));
    }
    add_label_metrics(r);
}

std::vector<CaseFlip> case_flips(const std::string& suite, const Run& cand, const Run& base, double c) {
    std::vector<CaseFlip> out;
    std::unordered_map<std::string_view, const std::vector<double>*> cand_samples, base_samples;
    for (const auto& [id, v] : cand.case_samples) {
        cand_samples.emplace(id, &v);
    }
    for (const auto& [id, v] : base.case_samples) {
        base_samples.emplace(id, &v);
    }
    std::unordered_map<std::string_view, double> after;
    after.reserve(cand.cases.size());
    for (const auto& [id, v] : cand.cases) {
        after.emplace(id, v);
    }
    std::unordered_map<std::string_view, const Labels*> labels;
    for (const auto& [id, l] : cand.labels) {
        labels.emplace(id, &l);
    }
    auto labelled = [&](CaseFlip f) {
        if (auto it = labels.find(f.id); it != labels.end()) {
            f.labels = *it->second;
        }
        return f;
    };
    auto passes = [](const std::vector<double>* s, double mean, size_t* n) {
        if (s == nullptr) {
            *n = 1;
            return static_cast<size_t>(case_passes(mean) ? 1 : 0);
        }
        *n = s->size();
        return static_cast<size_t>(std::count_if(s->begin(), s->end(), case_passes));
    };
    for (const auto& [id, before] : base.cases) {
        auto it = after.find(id);
        if (it == after.end()) {
            continue;
        }
        auto cs = cand_samples.find(id);
        auto bs = base_samples.find(id);
        const std::vector<double>* cl = cs == cand_samples.end() ? nullptr : cs->second;
        const std::vector<double>* bl = bs == base_samples.end() ? nullptr : bs->second;
        CaseFlip f;
        f.suite = suite;
        f.id = id;
        f.from = before;
        f.to = it->second;
        if (cl == nullptr && bl == nullptr) {
            if (case_passes(before) != case_passes(it->second)) {
                f.regressed = case_passes(before);
                out.push_back(labelled(f));
            }
            continue;
        }
        // With samples a case flipped only when its change is beyond noise: Fisher's exact test of its
        // passes on each side, one-sided in each direction, at 1 − c.
        size_t cn = 0, bn = 0;
        size_t cp = passes(cl, it->second, &cn);
        size_t bp = passes(bl, before, &bn);
        f.from_samples = bn;
        f.to_samples = cn;
        double worse = stats::fisher_less(cp, cn, bp, bn);
        double better = stats::fisher_less(bp, bn, cp, cn);
        if (worse <= 1 - c) {
            f.regressed = true;
            f.p = worse;
            out.push_back(labelled(f));
        } else if (better <= 1 - c) {
            f.p = better;
            out.push_back(labelled(f));
        }
    }
    return out;
}

std::vector<FlakyCase> flaky_cases(const std::string& suite, const Run& run) {
    std::vector<FlakyCase> out;
    for (const auto& [id, s] : run.case_samples) {
        size_t p = static_cast<size_t>(std::count_if(s.begin(), s.end(), case_passes));
        if (p > 0 && p < s.size()) {
            out.push_back({suite, id, p, s.size()});
        }
    }
    return out;
}

PassAtK pass_at_k(const Run& run) {
    PassAtK out;
    if (run.case_samples.empty()) {
        return out;
    }
    size_t k = run.case_samples.front().second.size();
    if (k < 2) {
        return out;
    }
    out.k = k;
    double at = 0, hat = 0;
    for (const auto& [id, s] : run.case_samples) {
        size_t p = static_cast<size_t>(std::count_if(s.begin(), s.end(), case_passes));
        at += stats::pass_at_k(s.size(), p, k);
        hat += stats::pass_hat_k(s.size(), p, k);
    }
    out.pass_at_k = at / static_cast<double>(run.case_samples.size());
    out.pass_hat_k = hat / static_cast<double>(run.case_samples.size());
    return out;
}

bool rule_holds(const Rule& rule, double candidate, double baseline) {
    RuleResult rr;
    rr.rule = rule;
    rr.candidate = candidate;
    rr.baseline = baseline;
    return point_holds(rr);
}

} // namespace mlci::eval
