// Dimensions of cases (issue 16, part 2): a case may carry labels (prompt = "triage", provider = "gpt-4o");
// a gate selects cases by label, and a metric may be named for the cases of a selection:
// `pass_rate{prompt=triage,provider=gpt-4o}`. This file holds the rules for label names and values, the
// grammar of such metric names, the selection of a run's cases, and the per-label metrics derived at read
// time (git-gate(1) DIMENSIONS).
#pragma once

#include "eval/note.hpp"
#include "util/json.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlci::eval {

/// The most labels one case may carry, and the longest label value (bytes).
inline constexpr size_t k_max_case_labels = 16;
inline constexpr size_t k_max_label_value = 1024;
inline constexpr size_t k_max_label_name = 64;

/// A label name: `[A-Za-z_][A-Za-z0-9_.-]*`, at most k_max_label_name bytes.
bool valid_label_name(std::string_view name);

/// Why a label value is refused ("" when fine): empty, longer than k_max_label_value, or holding a control
/// character (it is shown on terminals and in reports).
std::string label_value_problem(std::string_view value);

/// Why a run's labels are refused ("" when fine): a label of a case the run does not hold, a case listed
/// twice, a bad name or value, a name twice on one case, more than k_max_case_labels on one case.
std::string labels_problem(const Run& r);

/// The canonical order: cases by id, each case's labels by name (what a note's TOML reads back).
void sort_labels(CaseLabels& labels);

/// Which cases: label name → the values accepted (a case matches when, for every name, it carries that
/// label with one of the values). Canonical: names sorted, each name's values sorted, no repeats.
using Selection = std::vector<std::pair<std::string, std::vector<std::string>>>;

/// Does a case with these labels match? An empty selection matches every case.
bool selects(const Selection& sel, const Labels& labels);

/// Both selections at once (a key in both keeps the values in both).
Selection merge_selections(const Selection& a, const Selection& b);

/// Sort and deduplicate names and values.
void canonicalize(Selection& sel);

/// "prompt=triage,provider=a|b": the inside of a metric name's braces. Values escaped with '\' before
/// '\', ',', '=', '{', '}' and '|'.
std::string selection_text(const Selection& sel);

/// "pass_rate{prompt=triage}" (just `base` for an empty selection).
std::string labelled_metric(std::string_view base, const Selection& sel);

/// A metric name split into its base and its selection: "pass_rate{provider=b,prompt=a}" → "pass_rate" and
/// {prompt=a, provider=b} (canonical). A name without braces has an empty selection. Returns nullopt, with
/// the reason in `why`, for a malformed name (unbalanced braces, a bad label name, an empty value, a
/// name twice).
struct MetricName {
    std::string base;
    Selection sel;
};
std::optional<MetricName> parse_metric_name(std::string_view name, std::string* why);

/// The derived per-label metrics (read time, never stored): for each label a case carries, and for the
/// full combination of a case's labels when it has several, `pass_rate{…}` (the mean of those cases'
/// results: the share passing for 1/0 results) and `n_cases{…}`. A metric the run recorded under the same
/// name wins. Added in the order of their names.
void add_label_metrics(Run& r);

/// The run as a gate with selection `sel` sees it: only the selected cases (with their samples,
/// clusters, labels); as metrics, those the run holds named for exactly this selection (`M{sel}` as `M`),
/// then, over the selected cases, n_cases, pass_rate (when not already there) and the per-label metrics.
/// `r` should hold its derived metrics already (add_derived_metrics).
Run select_cases(const Run& r, const Selection& sel);

/// The value of a metric as a gate reads it: a name with labels (`pass_rate{prompt=a}`) in the run narrowed
/// to the cases carrying them (select_cases), any other name as the run holds it. `r` should hold its
/// derived metrics already.
std::optional<double> metric_among(const Run& r, const std::string& name);

/// Does any case of the run carry the label `name`?
bool carries_label(const Run& r, std::string_view name);

/// The labels of case `id` (nullptr when it carries none).
const Labels* labels_of(const Run& r, std::string_view id);

/// "prompt=triage, provider=gpt-4o": a case's labels for messages ("" when none).
std::string labels_text(const Labels& labels);

/// {"prompt": "triage", …}; {"q1": {"prompt": "triage"}, …}; {"prompt": ["a", "b"], …}.
Json labels_json(const Labels& labels);
Json case_labels_json(const CaseLabels& labels);
Json selection_json(const Selection& sel);

/// What `git gate show` says of a run's labels: per label name, its values with how many cases carry
/// each and how many of them pass ("prompt: triage 9/10 pass, summary 10/10 pass"), one line each, values
/// in the order of their names. Not escaped.
std::vector<std::string> labels_summary(const Run& r);

} // namespace mlci::eval
