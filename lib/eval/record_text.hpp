// What `git gate run`, `record` and `show` print about recorded runs: a run as JSON, the one-line
// summaries of a run as it is recorded, and the per-commit listing of `show`. Note fields (suite, run
// id, by, metric names, reason…) come from teammates' notes and suites' output: they are term_escape'd
// wherever they enter human output (issue 12).
#pragma once

#include "eval/note.hpp"
#include "eval/runner.hpp"
#include "util/json.hpp"

#include <string>
#include <vector>

namespace mlci::eval {

/// A run as the JSON object of `--json` output.
Json run_json(const Run& r);
/// "  name=value" for each metric (with its spread when sampled).
std::string metrics_inline(const Run& r);
/// A duration in seconds as "1.5 s".
std::string duration_text(double s);
/// `git gate run`'s line for a reused or finished suite (with its newline); "" for Kind::start.
std::string run_event_line(const RunEvent& e);
/// `git gate record`'s line for the recorded run (with its newline).
std::string recorded_line(const Run& r);
/// `git gate show --json`: {"commit": HEX, "runs": [...]}.
Json show_json(const std::string& commit_hex, const std::vector<Run>& runs);
/// `git gate show`'s listing of the runs on a commit ("commit HEX" and a block per run).
std::string show_text(const std::string& commit_hex, const std::vector<Run>& runs);

} // namespace mlci::eval
