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

/// A per-case result: 1/0 (pass/fail) or a score, so a number in [0, 1] (DESIGN.md section 5).
inline bool is_case_value(double v) {
    return v >= 0 && v <= 1;
}

/// Ordered name → number pairs (metrics or per-case results), kept in the order written.
using Numbers = std::vector<std::pair<std::string, double>>;
/// A case's labels (its dimensions), in the order written: label name → value, e.g. prompt = "triage",
/// provider = "echo" (issue 16, part 2).
using Labels = std::vector<std::pair<std::string, std::string>>;
/// Case id → its labels, for the cases that carry any.
using CaseLabels = std::vector<std::pair<std::string, Labels>>;
/// Ordered name → samples (a metric measured several times, a case answered several times).
using Samples = std::vector<std::pair<std::string, std::vector<double>>>;

std::optional<double> lookup(const Numbers& n, std::string_view key);
const std::vector<double>* lookup(const Samples& s, std::string_view key);

/// The most samples one run may hold (all metrics and cases together): 10,000 cases × 20 repeats. A note
/// is at most 1 MiB anyway; this says so with a clear message before anything is written.
inline constexpr size_t k_max_run_samples = 200000;
/// The most samples one metric or case may hold.
inline constexpr size_t k_max_value_samples = 1000;

/// A run's details object (issue 16, part 4): the full results file the tool wrote, kept as a
/// content-addressed object in the artifact cache and the default store (eval/details.hpp), named in the
/// note by hash so that notes stay small. `details = "xxh128:…"`, `details_format = "mlci"`,
/// `details_size = N` in the run; all three or none.
struct DetailsRef {
    std::string hash;   // "xxh128:" + 32 lowercase hex digits (checked by parse_note); "" = no details
    std::string format; // how to read it: "mlci" (a suite's own output) or a reader's format name
    uint64_t size = 0;  // bytes
    bool empty() const { return hash.empty(); }
    bool operator==(const DetailsRef&) const = default;
};
/// Is `f` a details format name: 1 to 32 of a-z, 0-9, '_' and '-', starting with a letter?
bool valid_details_format(std::string_view f);

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
    /// Point values: a metric's value, a case's result — for a name given as samples, their mean.
    Numbers metrics;
    Numbers cases;
    /// The samples of the names given as lists (DESIGN.md section 5, Samples), each name also in
    /// metrics/cases with its mean: readers of point values need not know about samples.
    Samples metric_samples;
    Samples case_samples;
    /// Case id → the cluster of cases that share its context (Miller 2024's clustered errors).
    std::vector<std::pair<std::string, std::string>> clusters;
    /// Case id → its labels (prompt, provider, task, …): which cases a gate's `select` picks.
    CaseLabels labels;
    /// The results file this run was read from, when it was stored (eval/details.hpp).
    DetailsRef details;

    bool ok() const { return status == "ok"; }
    std::optional<double> metric(std::string_view name) const { return lookup(metrics, name); }
    /// The samples of a metric: its list, or its one value; empty when absent.
    std::vector<double> metric_values(std::string_view name) const;
    /// Does the run hold samples (any metric or case given as a list)?
    bool sampled() const { return !metric_samples.empty() || !case_samples.empty(); }
};

/// Check the samples of one metric or case (`what` names it in messages: "cases.q17"): at least one, at
/// most k_max_value_samples, finite; a case's in [0, 1]. Returns the reason ("" when fine).
std::string samples_problem(const std::vector<double>& v, bool is_case);
/// Check a whole run's samples ("" when fine): every case holds the same number of samples, at most
/// k_max_run_samples in all, every cluster names one of its cases.
std::string run_samples_problem(const Run& r);
/// The mean of samples (never empty).
double mean_of(const std::vector<double>& v);

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

/// A number as TOML/JSON text for a note: rounded to 12 significant digits (an integer below 2^53 kept
/// whole), in the shortest form that reads back as the rounded value, always with a '.' or exponent;
/// format_number(parse(format_number(v))) == format_number(v).
std::string format_number(double v);

} // namespace mlci::eval
