// Readers for the results files evals come in (issue 16, part 1): promptfoo's `-o results.json`, JUnit
// XML (pytest, jest-junit, go-junit-report, CI runners), EleutherAI lm-evaluation-harness results and
// samples, and mlci's own JSON/TOML (output.hpp). Each turns a file into a SuiteOutput — metrics, cases,
// labels — plus the standard metrics derived for every format; `git gate record --from FORMAT FILE` and
// `[suite.X] format = "…"` of `git gate run` read through here.
#pragma once

#include "eval/case_detail.hpp"
#include "eval/output.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlci::eval {

inline constexpr const char* k_default_format = "mlci";

/// The formats read here, the default first: mlci, promptfoo, junit, lm-eval.
const std::vector<std::string>& known_formats();
bool is_known_format(std::string_view format);
/// Throws usage_error naming `format`, `where` ("--from", "gates.toml:3") and the known formats.
void check_format(std::string_view format, const std::string& where);

/// What the standard metrics are derived from, besides the cases: the per-case measurements a format
/// gives (promptfoo's latencyMs, cost, tokenUsage.total).
struct Measures {
    std::vector<double> latency_ms;
    std::optional<double> cost_usd;
    std::optional<double> tokens_total;
};

/// Add the standard metrics to `out`: `pass_rate` (the mean of the cases' values) and `n` (the number of
/// cases) when it has cases; `latency_p50_ms`, `latency_p95_ms` (percentiles by linear interpolation
/// between the closest ranks, as numpy's default), `cost_usd` and `tokens_total` when measured. A metric
/// the file already gives under one of these names is kept as the file says (the tool knows how it was
/// computed: a weighted pass rate, say); the derived value is then not stored.
void add_standard_metrics(SuiteOutput& out, const Measures& m);

/// Percentile p in [0, 1] of `values` (not empty) by linear interpolation between closest ranks.
double percentile(std::vector<double> values, double p);

/// Read the results file (or, for lm-eval, folder) at `path` in `format`: the output with its standard
/// metrics. Throws input_error naming the file and what is wrong, usage_error for an unknown format.
SuiteOutput read_results(std::string_view format, const std::string& path);

/// Parse results text of a one-file format (every format; for lm-eval, a results_*.json text) named
/// `source`, with the standard metrics.
SuiteOutput parse_results(std::string_view format, std::string_view text, const std::string& source);

/// Why each case passed or failed, from the full results text of `format` (issue 16, part 4): promptfoo
/// (expected: the assertions, output: response.output, reason: gradingResult.reason or the error), junit
/// (output: the test case's system-out and system-err, reason: the failure or error message and text)
/// and lm-eval samples, one JSON object a line (expected: target, output: filtered_resps, reason: "").
/// The case ids are the ones the reader gives the cases. mlci's own format holds no details: empty.
/// Throws input_error like the readers.
CaseDetails read_case_details(std::string_view format, std::string_view text, const std::string& source);

/// Details outputs are cut to this many bytes (on a UTF-8 boundary, "…" appended).
inline constexpr size_t k_max_detail_bytes = 4096;

} // namespace mlci::eval
