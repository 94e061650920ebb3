// Fuzz target for the eval note (lib/eval/note.hpp, DESIGN.md section 5): parse_note reads notes that
// anyone can write by hand with `git notes`, so any input must give a Note or an mlci::Error. On every
// input that parses:
//   - serialize_note writes text that parses back to the same runs (the union merge and every append
//     rewrite notes this way: a note that does not survive it would lose runs);
//   - merge_notes keeps every run id of both sides, and merging a note with itself changes nothing;
//     merging nothing into a note keeps its runs as they are; latest() is the last run of a suite in
//     the note (never chosen by `at`); every case is in [0, 1];
//   - the line scanner `git gate log` uses (note_scan.hpp) agrees with parse_note wherever it accepts
//     the text: same runs, suites, ids, times and metric values. It may decline any text, but it must
//     never accept one that parse_note refuses.
// Anything else escaping (another exception, a crash, a sanitizer report, a broken invariant) is a bug.
#include "eval/note.hpp"
#include "eval/note_scan.hpp"
#include "util/error.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace {

using mlci::eval::Note;
using mlci::eval::Run;

[[noreturn]] void fail(const char* what, const std::string& detail = {}) {
    std::fprintf(stderr, "invariant broken: %s %s\n", what, detail.c_str());
    std::abort();
}

// Notes keep numbers to 12 significant digits: a value read back is the written one within that.
bool same_number(double a, double b) {
    if (a == b) {
        return true;
    }
    double scale = std::max(std::fabs(a), std::fabs(b));
    return std::isfinite(scale) && std::fabs(a - b) <= scale * 1e-11;
}

bool same_numbers(const mlci::eval::Numbers& a, const mlci::eval::Numbers& b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (size_t i = 0; i < a.size(); ++i) {
        if (a[i].first != b[i].first || !same_number(a[i].second, b[i].second)) {
            return false;
        }
    }
    return true;
}

bool same_run(const Run& a, const Run& b) {
    return a.suite == b.suite && a.id == b.id && a.at == b.at && a.by == b.by &&
           a.duration_s == b.duration_s && a.fingerprint == b.fingerprint && a.status == b.status &&
           a.reason == b.reason && a.reused_from == b.reused_from && same_numbers(a.metrics, b.metrics) &&
           same_numbers(a.cases, b.cases) && a.clusters == b.clusters && a.labels == b.labels;
}

void check_round_trip(const Note& n) {
    std::string text = mlci::eval::serialize_note(n);
    Note back;
    try {
        back = mlci::eval::parse_note(text, "serialized");
    } catch (const mlci::Error& e) {
        fail("serialize_note wrote a note that does not parse:", std::string(e.what()) + "\n" + text);
    }
    if (back.runs.size() != n.runs.size()) {
        fail("serialize_note lost runs", text);
    }
    for (size_t i = 0; i < n.runs.size(); ++i) {
        if (!same_run(n.runs[i], back.runs[i])) {
            fail("serialize_note does not round-trip run", n.runs[i].id + "\n" + text);
        }
    }
    // Rounded once, a note is written the same ever after.
    if (mlci::eval::serialize_note(back) != text) {
        fail("serialize_note is not idempotent", text);
    }
}

void check_merge(const Note& n) {
    Note self = mlci::eval::merge_notes(n, n);
    std::set<std::string> ids;
    for (const auto& r : n.runs) {
        ids.insert(r.id);
    }
    std::set<std::string> merged;
    for (const auto& r : self.runs) {
        merged.insert(r.id);
    }
    if (ids != merged) {
        fail("merge_notes(n, n) changed the set of run ids");
    }
    Note other = mlci::eval::merge_notes(Note{}, n);
    for (const auto& r : other.runs) {
        ids.erase(r.id);
    }
    if (!ids.empty()) {
        fail("merge_notes(empty, n) lost run", *ids.begin());
    }
    // Ours is never reordered or cut when theirs holds nothing (issue 12: never lose a local run), and
    // the latest run of every suite stays the one recorded last.
    Note kept = mlci::eval::merge_notes(n, Note{});
    if (kept.runs.size() != n.runs.size()) {
        fail("merge_notes(n, empty) changed the number of runs");
    }
    for (size_t i = 0; i < n.runs.size(); ++i) {
        if (!same_run(kept.runs[i], n.runs[i])) {
            fail("merge_notes(n, empty) changed run", n.runs[i].id);
        }
        const Run* latest = n.latest(n.runs[i].suite);
        if (latest == nullptr || latest->suite != n.runs[i].suite) {
            fail("latest() lost a suite", n.runs[i].suite);
        }
        for (size_t j = i + 1; j < n.runs.size(); ++j) {
            if (n.runs[j].suite == n.runs[i].suite && latest == &n.runs[i]) {
                fail("latest() is not the last recorded run of", n.runs[i].suite);
            }
        }
    }
    for (const auto& r : n.runs) {
        for (const auto& [k, v] : r.cases) {
            if (!mlci::eval::is_case_value(v)) {
                fail("parse_note kept a case outside [0, 1]:", k);
            }
        }
    }
}

void check_scanner(std::string_view text, const Note* parsed) {
    std::vector<std::string> metrics = {"accuracy", ""};
    if (parsed != nullptr) {
        for (const auto& r : parsed->runs) {
            for (const auto& [k, v] : r.metrics) {
                if (metrics.size() < 6) {
                    metrics.push_back(k);
                }
            }
        }
    }
    std::vector<mlci::eval::ScannedRun> runs;
    for (const auto& m : metrics) {
        if (!mlci::eval::scan_note(text, m, runs)) {
            return; // declined: parse_note decides
        }
        if (parsed == nullptr) {
            fail("scan_note accepted a note parse_note refuses");
        }
        if (runs.size() != parsed->runs.size()) {
            fail("scan_note and parse_note disagree on the number of runs");
        }
        for (size_t i = 0; i < runs.size(); ++i) {
            const Run& r = parsed->runs[i];
            auto v = r.metric(m);
            if (runs[i].suite != r.suite || runs[i].id != r.id || runs[i].at != r.at ||
                runs[i].value.has_value() != v.has_value() || (v && !(*v == *runs[i].value))) {
                fail("scan_note and parse_note disagree on run", r.id + " metric " + m);
            }
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    Note n;
    bool ok = false;
    try {
        n = mlci::eval::parse_note(text, "note of commit fuzz");
        ok = true;
    } catch (const mlci::Error& e) {
        if (std::string_view(e.what()).rfind("note of commit fuzz", 0) != 0) {
            fail("a refusal that does not name the note:", e.what());
        }
    }
    check_scanner(text, ok ? &n : nullptr);
    if (ok) {
        check_round_trip(n);
        check_merge(n);
    }
    return 0;
}
