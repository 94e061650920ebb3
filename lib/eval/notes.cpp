// The notes store (notes.hpp): reads, and writes that build blob, fan-out tree and commit and move
// refs/notes/mlci/evals by compare-and-swap (git/notes.hpp), retrying with backoff when a race is lost.
// Also the note merge of `git gate sync`, which never drops a readable run of ours.
#include "eval/notes.hpp"

#include "config/toml.hpp"
#include "eval/log_notes.hpp"
#include "git/notes.hpp"
#include "util/diag.hpp"
#include "util/error.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <map>
#include <random>
#include <set>
#include <thread>

namespace mlci::eval {

using git::Oid;

std::string note_source(const Oid& commit) {
    return "note of commit " + commit.short_hex();
}

namespace {

void backoff(int attempt) {
    static thread_local std::mt19937 rng(std::random_device{}());
    int ms = std::min(200, 2 << std::min(attempt, 6));
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(1, ms)(rng)));
}

} // namespace

NotesStore::NotesStore(git::Repo& repo, std::string ref) : m_repo(repo), m_ref(std::move(ref)) {}

std::optional<Oid> NotesStore::tip() const {
    return m_repo.ref_target(m_ref);
}

std::optional<std::string> NotesStore::read_text(const Oid& commit) const {
    std::optional<Oid> blob = git::note_blob(m_repo, m_ref, commit);
    if (!blob) {
        return std::nullopt;
    }
    return git::note_text(m_repo, *blob);
}

std::optional<Note> NotesStore::read(const Oid& commit) const {
    auto text = read_text(commit);
    if (!text) {
        return std::nullopt;
    }
    return parse_note(*text, note_source(commit));
}

std::optional<Note> NotesStore::read_lenient(const Oid& commit) const {
    try {
        return read(commit);
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::input) {
            throw;
        }
        warn(std::string(e.what()) + " (treated as no result)");
        return std::nullopt;
    }
}

NoteIndex NotesStore::index(const std::optional<Oid>& notes_commit) const {
    std::optional<Oid> c = notes_commit ? notes_commit : tip();
    if (!c) {
        return {};
    }
    return git::read_notes_index(m_repo, *c);
}

void NotesStore::edit(const std::map<Oid, NoteEdit>& edits, const std::string& message, int tries) {
    for (int attempt = 0; attempt < tries; ++attempt) {
        std::optional<Oid> old = tip();
        git::NotesLayout layout = git::read_notes_layout(m_repo, old);
        std::map<std::string, Oid> notes = layout.notes;
        std::set<std::string> dirty;
        for (const auto& [commit, fn] : edits) {
            std::string hex = commit.hex();
            auto it = notes.find(hex);
            std::optional<std::string> cur;
            if (it != notes.end()) {
                cur = git::note_text(m_repo, it->second);
            }
            std::string next = fn(cur);
            if (cur && *cur == next) {
                continue;
            }
            notes[hex] = git::write_note_text(m_repo, next);
            dirty.insert(hex);
        }
        if (dirty.empty()) {
            return;
        }
        Oid tree = git::write_notes_tree(m_repo, layout, notes, dirty);
        std::vector<Oid> parents;
        if (old) {
            parents.push_back(*old);
        }
        Oid commit = git::write_notes_commit(m_repo, tree, parents, message);
        if (git::move_ref(m_repo, m_ref, old, commit, message)) {
            refreshed();
            return;
        }
        backoff(attempt);
    }
    throw Error(ErrorKind::git,
                "cannot update " + m_ref + ": other writers kept moving it (" + std::to_string(tries) +
                    " tries)",
                "run the command again");
}

void NotesStore::refreshed() {
    if (m_ref == k_notes_ref) {
        refresh_log_notes_or_warn(m_repo); // the summaries git log shows follow every move
    }
}

void NotesStore::append(const Oid& commit, const Run& run) {
    edit({{commit,
           [&](const std::optional<std::string>& cur) {
               Note n;
               if (cur) {
                   try {
                       n = parse_note(*cur, note_source(commit));
                   } catch (const Error& e) {
                       throw input_error(std::string(e.what()) + "; not recording into it",
                                         "fix it with: git notes --ref=mlci/evals edit " + commit.hex());
                   }
               }
               n.runs.push_back(run);
               return serialize_note(n);
           }}},
         "git gate: record " + run.suite + " run " + run.id);
}

namespace {

std::optional<Note> try_parse(const std::string& text, const std::string& source, std::string* why) {
    try {
        return parse_note(text, source);
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::input) {
            throw;
        }
        if (why != nullptr) {
            *why = e.what();
        }
        return std::nullopt;
    }
}

// Two runs are the same run when they serialize alike (every field, in order).
std::string run_text(const Run& r) {
    Note n;
    n.runs.push_back(r);
    return serialize_note(n);
}

} // namespace

std::string merge_note_texts(const Oid& commit, const std::string& ours, const std::string& theirs,
                             const std::string& theirs_name) {
    if (ours == theirs) {
        return ours;
    }
    std::string why_ours;
    std::string why_theirs;
    std::optional<Note> mine = try_parse(ours, note_source(commit), &why_ours);
    std::optional<Note> other = try_parse(theirs, note_source(commit) + " in " + theirs_name, &why_theirs);
    if (mine && other) {
        std::string merged = serialize_note(merge_notes(*mine, *other));
        if (merged.size() <= k_max_toml_bytes) {
            return merged;
        }
        warn(note_source(commit) + ": merged with " + theirs_name +
             " it would pass the 1 MiB limit of a note (" + std::to_string(merged.size()) +
             " bytes); kept the local note, the other stays in " + theirs_name);
        return ours;
    }
    if (mine) {
        warn(why_theirs + "; kept the local note of " + commit.short_hex() + " (its runs stay readable)");
        return ours;
    }
    if (other) {
        warn(why_ours + "; replaced by the note in " + theirs_name +
             " (the local text stays in the history of " + k_notes_ref + ")");
        return theirs;
    }
    warn(why_theirs + "; the local note of " + commit.short_hex() + " does not parse either: kept it");
    return ours;
}

bool keeps_our_runs(const Oid& commit, const std::string& ours, const std::string& theirs) {
    if (ours == theirs) {
        return true;
    }
    std::optional<Note> mine = try_parse(ours, note_source(commit), nullptr);
    if (!mine) {
        return true; // nothing readable to keep
    }
    std::optional<Note> other = try_parse(theirs, note_source(commit), nullptr);
    if (!other) {
        return false;
    }
    std::map<std::string, std::vector<std::string>> theirs_by_id;
    for (const auto& r : other->runs) {
        theirs_by_id[r.id].push_back(run_text(r));
    }
    for (const auto& r : mine->runs) {
        auto it = theirs_by_id.find(r.id);
        if (it == theirs_by_id.end() ||
            std::find(it->second.begin(), it->second.end(), run_text(r)) == it->second.end()) {
            return false;
        }
    }
    return true;
}

std::string future_warning(const Run& run, const Oid& commit, int64_t now) {
    if (!dated_in_future(run, now)) {
        return "";
    }
    return "run " + run.id + " of suite '" + run.suite + "' on " + commit.short_hex() + " is dated " +
           run.at +
           ", in the future: that time is its writer's claim (runs count in the order they were recorded)";
}

void warn_future_runs(const Note& note, const Oid& commit) {
    int64_t now = static_cast<int64_t>(std::time(nullptr));
    for (const auto& r : note.runs) {
        std::string w = future_warning(r, commit, now);
        if (!w.empty()) {
            warn(w);
        }
    }
}

std::optional<Oid> NotesStore::merge_from(const Oid& other, const std::string& message,
                                          const std::string& other_name, int tries) {
    for (int attempt = 0; attempt < tries; ++attempt) {
        std::optional<Oid> old = tip();
        if (old && (*old == other || m_repo.is_ancestor(other, *old))) {
            return std::nullopt;
        }
        Oid next;
        bool fast_forward = !old || m_repo.is_ancestor(*old, other);
        std::optional<git::NotesLayout> mine;
        std::optional<git::NotesLayout> theirs;
        if (fast_forward && old) {
            // Behind: their notes descend from ours. Still, a note they changed or removed may have lost
            // runs we can read (an oversized or malformed note, an edit): then merge instead.
            mine = git::read_notes_layout(m_repo, old);
            theirs = git::read_notes_layout(m_repo, other);
            for (const auto& [hex, blob] : mine->notes) {
                auto it = theirs->notes.find(hex);
                if (it == theirs->notes.end() ||
                    (it->second != blob && !keeps_our_runs(Oid::from_hex(hex), git::note_text(m_repo, blob),
                                                           git::note_text(m_repo, it->second)))) {
                    fast_forward = false;
                    break;
                }
            }
        }
        if (fast_forward) {
            next = other;
        } else {
            if (!mine) {
                mine = git::read_notes_layout(m_repo, old);
                theirs = git::read_notes_layout(m_repo, other);
            }
            std::map<std::string, Oid> notes = mine->notes;
            std::set<std::string> dirty;
            for (const auto& [hex, blob] : theirs->notes) {
                auto it = notes.find(hex);
                if (it == notes.end()) {
                    notes[hex] = blob;
                    dirty.insert(hex);
                } else if (it->second != blob) {
                    std::string merged =
                        merge_note_texts(Oid::from_hex(hex), git::note_text(m_repo, it->second),
                                         git::note_text(m_repo, blob), other_name);
                    Oid m = git::write_note_text(m_repo, merged);
                    if (m != it->second) {
                        it->second = m;
                        dirty.insert(hex);
                    }
                }
            }
            Oid tree = git::write_notes_tree(m_repo, *mine, notes, dirty);
            next = git::write_notes_commit(m_repo, tree, {*old, other}, message);
        }
        if (git::move_ref(m_repo, m_ref, old, next, message)) {
            refreshed();
            return next;
        }
        backoff(attempt);
    }
    throw Error(ErrorKind::git, "cannot update " + m_ref + ": other writers kept moving it",
                "run the command again");
}

} // namespace mlci::eval
