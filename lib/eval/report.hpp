// `git gate report` (the pull-request view) and `git gate log` (a metric along history).
#pragma once

#include "eval/changes.hpp"
#include "eval/check.hpp"
#include "eval/gates.hpp"
#include "eval/notes.hpp"
#include "eval/report_format.hpp"
#include "git/repo.hpp"
#include "util/json.hpp"

#include <optional>
#include <string>
#include <vector>

namespace mlci::eval {

struct MetricRow {
    std::string suite;
    std::string metric;
    std::optional<double> base;
    std::optional<double> head;
    std::string base_text; // the value with "± h" when its run holds samples of it
    std::string head_text;
    /// The interval of head − base at the default confidence, as a gate would judge it (paired over
    /// cases, or Welch): nullopt when either side is a lone value.
    std::optional<stats::Interval> delta;
    std::vector<std::optional<double>> trend; // oldest → newest, the last is head
    /// The metric without its label set ("pass_rate") and the label set ("prompt=triage, provider=x",
    /// "" for a plain metric): rows are grouped by suite, then label set, plain metrics first.
    std::string name;
    std::string labels;
    Direction direction;     // which way is better, and from where (rule, config, name)
    Unit unit = Unit::plain; // how base_text, head_text and delta_words write numbers
    /// "better" | "worse" | "same" of head against base; "" when either is missing.
    std::string change;
    /// "worse ▲ +3", "better ▼ −12 ms", "same = 0"; "" when either is missing.
    std::string delta_words;
};

struct Report {
    git::Oid head;
    std::string head_ref;
    std::optional<git::Oid> base;
    std::string base_ref;
    /// Why this base: "--base", "the merge base with origin/main (GITHUB_BASE_REF)", "… was the head
    /// itself: the nearest first-parent ancestor with results" (shown in the report's header).
    std::string base_why;
    Changes changes;             // what changed from base to head (empty without a base)
    std::vector<MetricRow> rows; // grouped: by suite, then label set (plain metrics first)
    /// The commits of each row's trend, oldest → newest (first parents of head; the last is head): the
    /// HTML report marks base among them and names each point.
    std::vector<git::Oid> trend_commits;
    std::vector<GateResult> gates;
    std::vector<CaseFlip> flips;     // head against base, per suite
    std::vector<FlakyCase> flaky;    // head's cases whose samples disagree
    std::vector<CaseChange> removed; // cases of base's runs missing from head's (where both hold cases)
    std::vector<CaseChange> added;   // cases new in head's runs
    std::vector<std::string> warnings;
    std::vector<std::string> head_errors; // suites whose latest run on head failed
};

struct ReportOptions {
    std::string head = "HEAD";
    std::string base; // "" = the merge base with the pre-push gate's baseline, else origin/HEAD
    int last = 20;    // commits in each sparkline
    std::vector<std::string> stages; // gates named like these are promotion gates: not reported
    /// The pull request's target branch in CI (read_ci_env): GitHub's GITHUB_BASE_REF (compared as
    /// origin/<ref>), else GitLab's CI_MERGE_REQUEST_TARGET_BRANCH_NAME; "" outside a pull request.
    std::string ci_target;
    std::string ci_target_var; // the variable it came from
    /// How far back along first parents to look for a base with results when the merge base is the head.
    int max_walk = 1000;
};

/// Fill ci_target and ci_target_var from the environment (GITHUB_BASE_REF, then
/// CI_MERGE_REQUEST_TARGET_BRANCH_NAME; empty values ignored).
void read_ci_env(ReportOptions& opt);

/// A metric's value for a report: by its unit, with " ± h" when the run holds samples of it.
std::string metric_value_text(const Run& r, const std::string& metric, Unit u);

/// Build the report. `gates` may be null (no gates.toml): then no verdicts.
Report build_report(const git::Repo& repo, const NotesStore& store, const Gates* gates,
                    const ReportOptions& opt);

std::string render_text(const Report& r);
std::string render_markdown(const Report& r);
Json report_json(const Report& r);
// render_html (one self-contained page) is in report_html.hpp.
/// Flipped cases as JSON objects {suite, case, from, to, change: "broken"|"fixed"} (report and check).
Json flips_json(const std::vector<CaseFlip>& flips);

/// Removed or added cases as JSON objects {suite, case} (with `allowed` for removed ones of a gate).
Json case_changes_json(const std::vector<CaseChange>& changes, bool with_allowed);
/// The "cases removed …:" and "cases added …:" blocks of the check table and the text report, each id
/// passed through `esc` (term_escape on a terminal); "" when there are none.
std::string case_changes_text(const std::vector<CaseChange>& removed, const std::vector<CaseChange>& added,
                              std::string (*esc)(std::string_view));

/// ▁▂▃▄▅▆▇█ over the values (missing ones as a space).
std::string sparkline(const std::vector<std::optional<double>>& values);

/// "▲ +2.1%" style delta between two values ("" when either is missing).
std::string delta_text(std::optional<double> base, std::optional<double> head, bool arrows);

/// Format a metric value for tables.
std::string value_text(std::optional<double> v);

/// A metric's value, with "± h" when the run holds samples of it (h: the half-width of its t interval
/// at the default confidence), for tables and `git gate show`/`log`.
std::string value_with_spread(const Run& r, const std::string& metric);
/// The case summary of a run: "311/400 pass" and, with samples, "(3 samples each; pass@3 0.91, pass^3
/// 0.71; 45 flaky)".
std::string cases_summary(const Run& r);

/// A rule's interval for tables: "[0.812, 0.861]" ("exact" for a lone value, "" when not judged).
std::string interval_text(const RuleResult& r);
/// "95% confidence" — the confidence of a gate's (two-sided) intervals.
std::string confidence_text(double c);
/// {estimate, low, high, method, n, samples_per_case, repeats, exact, p, limit, left_out, need_cases,
/// need_repeat} of a judged rule.
Json interval_json(const RuleResult& r);
/// The flaky cases of a gate's candidate and each suite's pass@k / pass^k, as lines (escaped by `esc`);
/// "" when none. At most 20 cases are named, then how many more.
std::string flaky_text(const GateResult& g, std::string (*esc)(std::string_view));
/// samples_per_case, pass_at_k and pass_hat_k of a suite's run, into `o`.
void put_pass_at(Json& o, const PassAtK& p);
/// The same as JSON: {"suites": [{suite, samples_per_case, pass_at_k, pass_hat_k}], "cases": [{suite,
/// case, passes, samples}]}.
Json flaky_json(const GateResult& g);

struct LogPoint {
    git::Oid commit;
    int64_t time = 0;
    std::string summary;
    std::string suite;
    std::string run_id;
    double value = 0;
    double spread = 0; // "± spread" when the run holds samples of the metric (0: none)
};

/// The metric along history: every commit of `range` ("REV" or "A..B", default HEAD) in git log's
/// order whose note has a latest run (of `suite`, or of any suite) holding `metric`; at most
/// `max_count` points when it is not 0.
std::vector<LogPoint> metric_log(const git::Repo& repo, const NotesStore& store, const std::string& metric,
                                 const std::string& suite, const std::string& range, size_t max_count = 0);

} // namespace mlci::eval
