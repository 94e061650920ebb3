// Verdicts that are honest about noise (DESIGN.md section 5, Samples). LLM evals are nondeterministic: a
// rule is judged on a confidence interval, not on a point value, and gets one of three verdicts — fail only
// when the whole interval lies beyond the rule's limit, pass only when it lies wholly within, inconclusive
// when it straddles the limit (with what would decide it). Which interval:
//   - a metric that is the mean of the run's cases (accuracy, pass_rate): min/max on the cases — Wilson
//     for single 0/1 cases, else the t interval of the per-case means (clustered when the run names
//     clusters); max_drop/max_rise on the mean paired difference over the cases both runs hold;
//   - another metric given as repeated measurements: a t interval (min/max), Welch's interval of the
//     difference (max_drop/max_rise);
//   - a lone value: no interval ("exact"), compared as it is, as every run was before samples existed.
// The confidence c is that of the two-sided interval shown (a "95 % interval" is what a reader takes it
// for): each bound is a one-sided bound at (1 + c)/2, so a verdict of fail (or pass) is wrong at most
// (1 − c)/2 of the time — 2.5 % at the default 0.95; the fails of one gate are corrected together (Holm),
// so that adding rules does not add false fails.
#pragma once

#include "eval/case_detail.hpp"
#include "eval/gates.hpp"
#include "eval/note.hpp"
#include "eval/stats.hpp"

#include <optional>
#include <string>
#include <vector>

namespace mlci::eval {

struct RuleResult {
    Rule rule;
    std::string suite; // the suite whose run held (or should hold) the metric
    std::optional<double> baseline;
    std::optional<double> candidate;
    std::string status; // "pass", "fail", "inconclusive", "skip"
    std::string why;    // for fail/inconclusive/skip: the numbers, what is missing, or what would decide it
    /// The interval the verdict came from: of the metric (min, max) or of the change candidate − baseline
    /// (max_drop, max_rise); exact when there was no spread to estimate.
    stats::Interval interval;
    double limit = 0;      // the limit in the interval's terms: a relative rule's allowed change, signed
    bool judged = false;   // interval and limit are set
    bool on_cases = false; // judged on per-case results (paired, Wilson, per-case means)
    size_t cases = 0;      // on cases: how many (paired: the cases both runs hold)
    size_t samples_per_case = 0;       // on cases: samples each case holds (the candidate's)
    size_t repeats = 0;                // on a metric's repeated measurements: how many (the candidate's)
    std::vector<std::string> left_out; // paired: cases only one side holds, left out of the comparison
    double p = 1;                      // one-sided p-value that the value lies beyond the limit
    size_t need_cases = 0;             // inconclusive: about this many cases would decide it (0: n/a)
    size_t need_repeat = 0;            // inconclusive: about this `repeat` would decide it (0: n/a)
};

struct CaseFlip {
    std::string suite;
    std::string id;
    double from = 0;        // the baseline's result (a mean over its samples)
    double to = 0;          // the candidate's
    bool regressed = false; // pass → fail (else fail → pass: fixed)
    size_t from_samples = 1, to_samples = 1;
    double p = 0;  // with samples: Fisher's exact one-sided p-value of the change (0 without samples)
    Labels labels; // the case's labels in the candidate's run (prompt, provider, …)
    /// Why the case passed or failed on each side, from the runs' details objects (eval/details.hpp):
    /// nullopt when that run has no details or they do not name the case.
    std::optional<CaseDetail> base_detail, head_detail;
    /// A run named details that could not be read (not in the cache, no store, corrupt): "details not
    /// available" is shown rather than nothing.
    bool details_missing = false;
};

/// A case id the baseline's run holds and the candidate's lacks (removed: deleting a failing case must not
/// pass a gate), or the reverse (added). `allowed`: a removed case the gate's allow_removed_cases lets go.
struct CaseChange {
    std::string suite;
    std::string id;
    bool allowed = false;
};

/// The cases removed from and added to a suite between the baseline's run and the candidate's, each in its
/// run's order. Only when both runs hold cases: a run without cases has none removed or added.
void case_set_changes(const std::string& suite, const Run& candidate, const Run& baseline,
                      std::vector<CaseChange>& removed, std::vector<CaseChange>& added);

/// The derived metric holding a run's number of cases: rules may bound it (`{ metric = "n_cases", min =
/// 20 }`), so a suite cannot shrink unseen. Never stored in a note.
inline constexpr const char* k_n_cases = "n_cases";
/// Add the derived metrics to a run read from a note: n_cases when the run holds cases and no metric of
/// that name (a suite's own n_cases wins), and the per-label pass_rate{…} and n_cases{…}
/// (labels.hpp: add_label_metrics; a recorded metric of the same name wins likewise).
void add_derived_metrics(Run& r);

/// A case whose samples disagree within one run: it passed some and failed others.
struct FlakyCase {
    std::string suite;
    std::string id;
    size_t passes = 0;
    size_t samples = 0;
};

/// pass@k and pass^k of a suite's run (k = the samples per case): the share of cases that pass at least
/// once in k tries, and that pass all k.
struct PassAtK {
    size_t k = 0; // 0: the run has no case samples
    double pass_at_k = 0;
    double pass_hat_k = 0;
};

/// The one-sided level of each bound of a two-sided interval at confidence c: (1 + c)/2.
inline double bound_level(double c) {
    return (1 + c) / 2;
}

/// Is the metric the mean of the run's cases (accuracy, pass_rate: what the cases make up)? Then the cases
/// carry its noise, and a rule on it is judged on them.
bool is_case_mean(const Run& r, const std::string& metric);

/// The ± of a metric's value where the run holds samples of it (a list of repeated values, or cases with
/// samples when the cases make it up): the half-width of its two-sided interval at `confidence`; 0 when
/// the run holds no samples of it (a lone value, single-sample cases) or they show no spread.
double spread(const Run& r, const std::string& metric, double confidence);
/// The two-sided interval at `confidence` of a metric's value where the run gives one: a list of repeated
/// values (t), or the cases when they make the metric up (Wilson for 0/1 results, else the t interval of
/// the per-case means, clustered when the run has clusters); nullopt for a lone value or a missing metric.
/// The interval behind spread(), for readers that show its bounds (a model card).
std::optional<stats::Interval> metric_interval(const Run& r, const std::string& metric, double confidence);

/// A case passes when its value is at least 0.5 (1/0 results, or a score in [0, 1]).
bool case_passes(double v);

/// Build a rule's interval from the candidate's run and, for a relative rule, the baseline's, at
/// confidence c; sets interval, limit, judged and the evidence fields. rr.candidate (and rr.baseline for a
/// relative rule) must be set.
void measure_rule(RuleResult& rr, const Run& candidate, const Run* baseline, double c);

/// Decide every measured rule (status "pass", "fail" or "inconclusive", with why and what would decide an
/// inconclusive one), the fails corrected together by Holm at 1 − c. Rules already decided (skip, fail for a
/// missing metric) are left as they are.
void decide_rules(std::vector<RuleResult>& rules, double c);

/// Cases that flipped between the baseline's run and the candidate's: without samples, pass → fail (or
/// back); with samples, only when Fisher's exact test says the change is real at confidence c.
std::vector<CaseFlip> case_flips(const std::string& suite, const Run& candidate, const Run& baseline,
                                 double c);

/// The cases of a run whose samples disagree (flaky), and the run's pass@k / pass^k.
std::vector<FlakyCase> flaky_cases(const std::string& suite, const Run& run);
PassAtK pass_at_k(const Run& run);

/// Point judgement of a rule on two values (the comparison every run had before samples): true when it
/// holds. Used to re-check a tag's quoted evidence.
bool rule_holds(const Rule& rule, double candidate, double baseline);

} // namespace mlci::eval
