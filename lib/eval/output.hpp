// What a suite writes to {out}: a JSON object or a TOML table of numbers (metrics), plus optional
// `cases` (case id → 1/0 pass/fail or a score in [0, 1]) and `clusters` (case id → the name of the group of
// cases that share a context). A metric may be a list of repeated measurements and a case a list of
// samples (DESIGN.md section 5, Samples).
#pragma once

#include "eval/case_detail.hpp"
#include "eval/note.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace mlci::eval {

struct SuiteOutput {
    Numbers metrics; // point values: a list's mean
    Numbers cases;
    Samples metric_samples; // the names given as lists
    Samples case_samples;
    std::vector<std::pair<std::string, std::string>> clusters;
    CaseLabels labels; // case id → its labels (prompt, provider, …)
    /// The optional `details` table: case id → { expected, output, reason }, each a string (issue 16,
    /// part 4). Not part of the run: read back from the stored output (eval/details.hpp).
    CaseDetails details;
};

/// Parse a suite's output: JSON when the first non-blank character is '{', TOML otherwise. A metric must
/// be a finite number or a non-empty list of them: booleans, strings and nested tables other than
/// `cases` and `clusters` are refused by name; a case must be a number in [0, 1] or a list of them;
/// every case must hold the same number of samples; a cluster is a string naming a case's group. Throws
/// input_error naming `source` and the key.
SuiteOutput parse_suite_output(std::string_view text, const std::string& source);

/// The K outputs of one suite run `repeat = K` times as one output of lists: each metric and case the
/// list of its values over the outputs (a list output adds all its samples), clusters from the first.
/// Throws input_error when the outputs do not hold the same metrics and cases, or their clusters differ.
SuiteOutput combine_outputs(const std::vector<SuiteOutput>& outputs, const std::string& source);

/// Copy an output into a run (metrics, cases, samples, clusters), checking the run's limits
/// (run_samples_problem). Throws input_error naming `source`.
void put_output(Run& run, SuiteOutput out, const std::string& source);

} // namespace mlci::eval
