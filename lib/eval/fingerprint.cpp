// Fingerprints (fingerprint.hpp): the hash of a suite's canonical definition and its committed inputs,
// and the search for a reusable run. A note's claimed fingerprint is never believed: the noted commit's
// own inputs must give it again.
#include "eval/fingerprint.hpp"

#include "hash/xxh128.hpp"
#include "util/strings.hpp"

#include <algorithm>

namespace mlci::eval {

Fingerprinter::Fingerprinter(const git::Repo& repo, const git::Oid& commit) : m_files(repo.files_at(commit)) {
    std::sort(m_files.begin(), m_files.end(),
              [](const git::TreeFile& a, const git::TreeFile& b) { return a.path < b.path; });
}

namespace {
bool matches_any(const std::vector<std::string>& globs, const std::string& path) {
    for (const auto& g : globs) {
        if (glob_match(g, path)) {
            return true;
        }
    }
    return false;
}
} // namespace

std::vector<std::string> Fingerprinter::matching(const SuiteDef& suite) const {
    std::vector<std::string> out;
    for (const auto& f : m_files) {
        if (matches_any(suite.inputs, f.path)) {
            out.push_back(f.path);
        }
    }
    return out;
}

std::string Fingerprinter::of(const SuiteDef& suite) const {
    Xxh128 h;
    h.update(suite.canonical());
    for (const auto& f : m_files) {
        if (!matches_any(suite.inputs, f.path)) {
            continue;
        }
        std::string rec = std::to_string(f.path.size()) + ":" + f.path + " " + std::to_string(f.mode) + " " +
                          f.blob.hex() + "\n";
        h.update(rec);
    }
    return h.digest().id();
}

std::vector<std::string> dirty_inputs(const git::Repo& repo, const SuiteDef& suite) {
    std::vector<std::string> out;
    for (std::string& p : repo.status_paths()) {
        if (matches_any(suite.inputs, p) && std::find(out.begin(), out.end(), p) == out.end()) {
            out.push_back(std::move(p));
        }
    }
    return out;
}

std::optional<Found> find_by_fingerprint(const NotesStore& store, const NoteIndex& index,
                                         const SuiteDef& suite, const std::string& fingerprint) {
    // Candidates: the latest ok run of the suite with this fingerprint in each note that has one.
    struct Candidate {
        git::Oid commit;
        Run run;
        int64_t time = 0;
    };
    std::vector<Candidate> found;
    for (const auto& [commit, blob] : index) {
        std::string text = store.repo().blob(blob);
        // Cheap filter before parsing: most notes do not mention this fingerprint at all.
        if (text.find(fingerprint) == std::string::npos) {
            continue;
        }
        Note note;
        try {
            note = parse_note(text, note_source(commit));
        } catch (const Error&) {
            continue; // malformed notes are reported where they are read for themselves
        }
        const Run* last = nullptr;
        for (const auto& r : note.runs) {
            if (r.suite == suite.name && r.fingerprint == fingerprint && r.ok()) {
                last = &r;
            }
        }
        if (last == nullptr) {
            continue;
        }
        // Only a note on a commit of this repository can be a source: a note can be hung on any object
        // id (a blob, a tree, a tag, one we do not have), and such a note describes no commit's inputs.
        std::optional<int64_t> time = store.repo().commit_time(commit);
        if (!time) {
            continue;
        }
        found.push_back({commit, *last, *time});
    }
    // Newest commit first (the commit's time, not the run's `at`, which the note's writer chose), and
    // only a commit whose own inputs give this fingerprint: the note's claim is checked, not believed.
    std::sort(found.begin(), found.end(), [](const Candidate& a, const Candidate& b) {
        return a.time != b.time ? a.time > b.time : a.commit < b.commit;
    });
    for (auto& c : found) {
        if (Fingerprinter(store.repo(), c.commit).of(suite) == fingerprint) {
            return Found{c.commit, std::move(c.run)};
        }
    }
    return std::nullopt;
}

Run reused_copy(const Found& found, int64_t now, const std::string& by) {
    Run r = found.run;
    r.id = new_run_id(now);
    r.at = format_utc(now);
    r.by = by;
    r.reused_from =
        found.run.reused_from.empty() ? found.commit.hex() + ":" + found.run.id : found.run.reused_from;
    return r;
}

} // namespace mlci::eval
