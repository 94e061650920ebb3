// The notes store: eval notes on refs/notes/mlci/evals (DESIGN.md sections 5 and 8).
//
// Reads go through libgit2's notes reader (any fan-out layout git writes). Writes never use
// git_note_create or `git notes add` (both force-update the ref): each write builds the blob, the notes
// tree (git's fan-out layout, so `git notes` reads it) and a commit whose parent is the tip it read,
// then moves the ref with compare-and-swap; a lost race re-reads and retries.
#pragma once

#include "eval/note.hpp"
#include "git/repo.hpp"

#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>

namespace mlci::eval {

inline constexpr const char* k_notes_ref = "refs/notes/mlci/evals";

struct OidHash {
    size_t operator()(const git::Oid& o) const {
        size_t h;
        std::memcpy(&h, o.id, sizeof h);
        return h;
    }
};
using NoteIndex = std::unordered_map<git::Oid, git::Oid, OidHash>; // commit → note blob

/// A change to one commit's note: given the current text (nullopt when none), the new text.
using NoteEdit = std::function<std::string(const std::optional<std::string>&)>;

class NotesStore {
  public:
    explicit NotesStore(git::Repo& repo, std::string ref = k_notes_ref);

    const std::string& ref() const { return m_ref; }
    git::Repo& repo() const { return m_repo; }
    std::optional<git::Oid> tip() const;

    /// The note text of a commit; nullopt when it has none.
    std::optional<std::string> read_text(const git::Oid& commit) const;
    /// The parsed note of a commit; nullopt when none. Throws input_error for a malformed note.
    std::optional<Note> read(const git::Oid& commit) const;
    /// Like read(), but a malformed note is reported with warn() and counts as no result.
    std::optional<Note> read_lenient(const git::Oid& commit) const;

    /// Every note under `notes_commit` (default: the tip): commit → blob, one pass over the tree.
    NoteIndex index(const std::optional<git::Oid>& notes_commit = std::nullopt) const;

    /// Apply edits to several commits' notes in one notes commit, moved onto the ref with
    /// compare-and-swap; on a lost race the edits are re-applied to the new tip (up to `tries`).
    void edit(const std::map<git::Oid, NoteEdit>& edits, const std::string& message, int tries = 20);

    /// Append a run to a commit's note (refuses a malformed note: input_error naming the commit).
    void append(const git::Oid& commit, const Run& run);

    /// Merge the notes commit `other` into the ref: union of runs by id per commit, a merge commit
    /// with both parents (fast-forward when the ref is behind). Returns the new tip, or nullopt when
    /// nothing changed. Compare-and-swap as edit().
    std::optional<git::Oid> merge_from(const git::Oid& other, const std::string& message, int tries = 20);

  private:
    git::Repo& m_repo;
    std::string m_ref;
};

/// "note of commit 3f9a1c2" — how messages name a note.
std::string note_source(const git::Oid& commit);

/// The union merge of two note texts (DESIGN.md section 5). When either side does not parse, the
/// texts are concatenated so that nothing is lost (with a warning naming the commit).
std::string merge_note_texts(const git::Oid& commit, const std::string& a, const std::string& b);

/// "run ID of suite 'S' on 3f9a1c2 is dated …, in the future: …" for a run dated_in_future(); "" otherwise.
std::string future_warning(const Run& run, const git::Oid& commit, int64_t now);
/// warn() future_warning() for every run of a note so dated.
void warn_future_runs(const Note& note, const git::Oid& commit);

} // namespace mlci::eval
