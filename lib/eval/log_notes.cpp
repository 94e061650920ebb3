// refs/notes/mlci/log (log_notes.hpp): one-line summaries of the eval notes for `git log`, rebuilt from
// refs/notes/mlci/evals by compare-and-swap, incrementally from the eval notes commit the last refresh
// was built from.
#include "eval/log_notes.hpp"

#include "eval/judge.hpp"
#include "eval/notes.hpp"
#include "eval/report_format.hpp"
#include "git/notes.hpp"
#include "util/diag.hpp"
#include "util/error.hpp"
#include "util/escape.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <set>
#include <thread>

namespace mlci::eval {

namespace {

constexpr const char* k_derived_trailer = "Mlci-Derived-From: ";

// A metric as the summary shows it: "pass_rate=91.0%", "latency_p95_ms=480", "cost_usd=$0.004950".
std::string metric_pair(const std::string& name, double v) {
    Unit u = metric_unit(name, v, std::nullopt);
    std::string text = unit_value(v, u);
    if (u == Unit::ms && text.size() > 3) {
        text.resize(text.size() - 3); // the name says ms
    }
    return term_escape(name) + "=" + text;
}

// Counts the case summary already says, and per-label metrics (one line has no room for them).
bool key_metric(const std::string& name) {
    return name.find('{') == std::string::npos && name != "n" && name.rfind("n_", 0) != 0 && name != "passed";
}

// The eval notes commit a log notes commit was built from (its trailer), if any.
std::optional<git::Oid> derived_from(const git::Repo& repo, const std::optional<git::Oid>& log_tip) {
    if (!log_tip) {
        return std::nullopt;
    }
    std::string msg = repo.commit(*log_tip).message;
    size_t at = msg.rfind(k_derived_trailer);
    if (at == std::string::npos) {
        return std::nullopt;
    }
    std::string hex(trim(msg.substr(at + std::string(k_derived_trailer).size(), 40)));
    if (hex.size() != 40 || repo.object_type(git::Oid::from_hex(hex)) != "commit") {
        return std::nullopt;
    }
    return git::Oid::from_hex(hex);
}

void backoff(int attempt) {
    static thread_local std::mt19937 rng(std::random_device{}());
    int ms = std::min(200, 2 << std::min(attempt, 6));
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(1, ms)(rng)));
}

} // namespace

std::string run_summary(const Run& r) {
    std::string out = "mlci: " + term_escape(r.suite) + (r.ok() ? " ok" : " error");
    if (!r.ok()) {
        std::string why = r.reason.substr(0, r.reason.find('\n'));
        if (why.size() > 100) {
            size_t cut = 100;
            while (cut > 0 && (static_cast<unsigned char>(why[cut]) & 0xC0) == 0x80) {
                --cut; // not inside a UTF-8 sequence
            }
            why = why.substr(0, cut) + "…";
        }
        return out + (why.empty() ? "" : ": " + term_escape(why));
    }
    std::vector<std::string> shown;
    if (auto pr = r.metric("pass_rate")) {
        shown.push_back(metric_pair("pass_rate", *pr));
    }
    for (const auto& [k, v] : r.metrics) {
        if (shown.size() < 3 && k != "pass_rate" && key_metric(k)) {
            shown.push_back(metric_pair(k, v));
        }
    }
    for (const auto& s : shown) {
        out += " " + s;
    }
    if (!r.cases.empty()) {
        size_t pass = std::count_if(r.cases.begin(), r.cases.end(),
                                    [](const auto& c) { return case_passes(c.second); });
        out += " " + std::to_string(pass) + "/" + std::to_string(r.cases.size()) + " pass";
    }
    if (!r.reused_from.empty()) {
        out += " (reused)";
    }
    return out;
}

std::string log_note_text(const std::string& eval_note_text, const git::Oid& commit) {
    Note n;
    try {
        n = parse_note(eval_note_text, note_source(commit));
    } catch (const Error&) {
        return "mlci: the eval note does not parse (see: git notes --ref=mlci/evals show " +
               commit.short_hex() + ")\n";
    }
    std::vector<std::string> order;
    std::map<std::string, size_t> runs;
    for (const auto& r : n.runs) {
        if (runs[r.suite]++ == 0) {
            order.push_back(r.suite);
        }
    }
    std::string out;
    for (const auto& s : order) {
        out += run_summary(*n.latest(s));
        out += runs[s] > 1 ? " (" + std::to_string(runs[s]) + " runs)\n" : "\n";
    }
    return out.empty() ? "mlci: no runs\n" : out;
}

void refresh_log_notes(git::Repo& repo, int tries) {
    for (int attempt = 0; attempt < tries; ++attempt) {
        std::optional<git::Oid> evals = repo.ref_target(k_notes_ref);
        std::optional<git::Oid> old = repo.ref_target(k_log_ref);
        std::optional<git::Oid> from = derived_from(repo, old);
        if (!evals || from == evals) {
            return;
        }
        NoteIndex now = git::read_notes_index(repo, *evals);
        NoteIndex before = from ? git::read_notes_index(repo, *from) : NoteIndex{};
        git::NotesLayout layout = git::read_notes_layout(repo, from ? old : std::nullopt);
        std::map<std::string, git::Oid> notes = layout.notes;
        std::set<std::string> dirty;
        for (const auto& [commit, blob] : now) {
            auto it = before.find(commit);
            if (it == before.end() || it->second != blob) {
                notes[commit.hex()] =
                    git::write_note_text(repo, log_note_text(git::note_text(repo, blob), commit));
                dirty.insert(commit.hex());
            }
        }
        for (const auto& [commit, blob] : before) {
            if (now.find(commit) == now.end() && notes.erase(commit.hex()) > 0) {
                dirty.insert(commit.hex());
            }
        }
        git::Oid tree = git::write_notes_tree(repo, layout, notes, dirty);
        std::vector<git::Oid> parents;
        if (old) {
            parents.push_back(*old);
        }
        std::string msg = "git gate: one-line summaries for git log\n\n" + std::string(k_derived_trailer) +
                          evals->hex() + "\n";
        git::Oid commit = git::write_notes_commit(repo, tree, parents, msg);
        if (git::move_ref(repo, k_log_ref, old, commit, "git gate: refresh log summaries")) {
            return;
        }
        backoff(attempt);
    }
    throw Error(ErrorKind::git, std::string("cannot update ") + k_log_ref + ": other writers kept moving it",
                "run 'git gate init' to rebuild it");
}

void refresh_log_notes_or_warn(git::Repo& repo) {
    try {
        refresh_log_notes(repo);
    } catch (const Error& e) {
        warn(std::string("the one-line summaries for git log (") + k_log_ref +
             ") were not updated: " + e.what() + "; the next write of eval notes updates them");
    }
}

} // namespace mlci::eval
