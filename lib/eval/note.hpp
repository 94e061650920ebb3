// The eval note of one commit (DESIGN.md section 5): a TOML document of [[run]] tables, one per
// recorded suite run. Parsing is strict about the types of known keys and tolerant of unknown ones
// (a newer mlci may add keys); writing is done by hand in one canonical layout.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlci::eval {

/// Ordered name → number pairs (metrics or per-case results), kept in the order written.
using Numbers = std::vector<std::pair<std::string, double>>;

std::optional<double> lookup(const Numbers& n, std::string_view key);

struct Run {
    std::string suite;
    std::string id; // "20261122T100000Z-3f9a1c", unique per run
    std::string at; // RFC 3339 UTC, "2026-11-22T10:00:00Z"
    std::string by; // e-mail of who ran it
    double duration_s = 0;
    std::string fingerprint;   // "xxh128:…"
    std::string status = "ok"; // ok | error
    std::string reason;        // status = error only
    std::string reused_from;   // "<commit>:<run id>" when copied by fingerprint
    Numbers metrics;
    Numbers cases;

    bool ok() const { return status == "ok"; }
    std::optional<double> metric(std::string_view name) const { return lookup(metrics, name); }
};

/// A per-case result: 1/0 (pass/fail) or a score, so a number in [0, 1] (DESIGN.md section 5).
inline bool is_case_value(double v) {
    return v >= 0 && v <= 1;
}

struct Note {
    /// In the order they were recorded: NotesStore::append adds at the end, merge_notes puts the runs a
    /// sync brings in after the ones already published. `at` is the writer's claim, shown, never ordered by.
    std::vector<Run> runs;
    /// The latest run of a suite: the last of that suite in the note's order.
    const Run* latest(std::string_view suite) const;
};

/// Parse a note. Throws input_error naming `source` (e.g. "note of commit 3f9a1c2") and line. Metrics and
/// cases are numbers (a boolean is refused); a case is in [0, 1].
Note parse_note(std::string_view text, const std::string& source);

/// Write a note in the canonical layout (DESIGN.md section 5); parse_note(serialize_note(n)) == n.
std::string serialize_note(const Note& note);

/// Union of two notes' runs by id, in an order no writer chooses: the runs of `theirs` (the note already
/// published, e.g. the remote's in `git gate sync`) in their order, then the runs of `ours` that `theirs`
/// lacks, in our order, as if ours were recorded after. A run id on both sides keeps our copy (every
/// copy, when a hand-edited note repeats an id), at its place in theirs. No run of `ours` is dropped.
Note merge_notes(const Note& ours, const Note& theirs);

/// A new run id: UTC time of `epoch` and 6 random hex digits.
std::string new_run_id(int64_t epoch);
/// RFC 3339 UTC of an epoch: "2026-11-22T10:00:00Z".
std::string format_utc(int64_t epoch);

/// Seconds since the epoch of an `at` in the canonical form ("2026-11-22T10:00:00Z"); nullopt otherwise.
std::optional<int64_t> parse_utc(std::string_view at);

/// How far ahead of the reader's clock a run may be dated before it is reported (clocks drift).
inline constexpr int64_t k_future_skew_s = 24 * 60 * 60;
/// Is the run dated more than k_future_skew_s after `now`? Such an `at` is reported (it orders nothing).
bool dated_in_future(const Run& run, int64_t now);

/// A number as TOML/JSON text: shortest round-trip form, always with a '.' or exponent.
std::string format_number(double v);

} // namespace mlci::eval
