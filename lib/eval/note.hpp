// The eval note of one commit (DESIGN.md section 5): a TOML document of [[run]] tables, one per
// recorded suite run. Parsing is strict about the types of known keys and tolerant of unknown ones
// (a newer mlci may add keys); writing is done by hand in one canonical layout.
#pragma once

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

struct Note {
    std::vector<Run> runs;
    /// The latest run of a suite: the last in `at` order (the later one in the note on a tie).
    const Run* latest(std::string_view suite) const;
};

/// Parse a note. Throws input_error naming `source` (e.g. "note of commit 3f9a1c2") and line.
Note parse_note(std::string_view text, const std::string& source);

/// Write a note in the canonical layout (DESIGN.md section 5); parse_note(serialize_note(n)) == n.
std::string serialize_note(const Note& note);

/// Union of two notes' runs by id: every run of `a`, then the runs of `b` whose id `a` lacks, stably
/// sorted by `at`. When both hold one id with different content, `a`'s copy is kept.
Note merge_notes(const Note& a, const Note& b);

/// A new run id: UTC time of `epoch` and 6 random hex digits.
std::string new_run_id(int64_t epoch);
/// RFC 3339 UTC of an epoch: "2026-11-22T10:00:00Z".
std::string format_utc(int64_t epoch);

/// A number as TOML/JSON text: shortest round-trip form, always with a '.' or exponent.
std::string format_number(double v);

} // namespace mlci::eval
