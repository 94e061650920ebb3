// A fast reader for what `git gate log` needs of a note: each run's suite, id, time and one metric.
//
// parse_note builds a whole TOML tree per note; over 20,000 commits that tree is most of the cost of
// `git gate log`. Notes written by mlci are in one canonical layout (serialize_note), which a line
// scanner reads without allocating. The scanner is conservative: it accepts only a strict subset of
// TOML (the canonical layout and little else) and says "not sure" for anything outside it, so the
// caller falls back to parse_note, which then decides (and reports a malformed note as before).
// Whenever scan_note accepts a text, parse_note accepts it too and yields the same runs with the same
// suite, id, `at` and value of the metric (the note fuzz target checks this on every input).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace mlci::eval {

/// One run as the scanner sees it: views into the scanned text.
struct ScannedRun {
    std::string_view suite;
    std::string_view id;
    std::string_view at;         // as parse_note normalises it ("" when absent)
    std::optional<double> value; // the requested metric, when the run has it
};

/// Scan `text` for the runs of a note and the value of `metric` in each. Returns false when the text is
/// not in the layout the scanner knows (the caller then parses it with parse_note); `out` is cleared
/// first and holds the runs in note order when true.
bool scan_note(std::string_view text, std::string_view metric, std::vector<ScannedRun>& out);

/// "2026-11-22T10:00:00Z" exactly, a real calendar date in years 1000-9999: the form in which a TOML
/// date-time reads back as the same `at` text (parse_note normalises every date-time to it).
bool is_canonical_utc(std::string_view at);

} // namespace mlci::eval
