// The notes store: eval notes on refs/notes/mlci/evals (DESIGN.md sections 5 and 8).
//
// Reads go through libgit2's notes reader (any fan-out layout git writes). Writes never use
// git_note_create or `git notes add` (both force-update the ref): each write builds the blob, the notes
// tree (git's fan-out layout, so `git notes` reads it) and a commit whose parent is the tip it read,
// then moves the ref with compare-and-swap; a lost race re-reads and retries.
#pragma once

#include "eval/note.hpp"
#include "git/notes.hpp"
#include "git/repo.hpp"

#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>

namespace mlci::eval {

inline constexpr const char* k_notes_ref = "refs/notes/mlci/evals";

using git::NoteIndex; // commit → note blob (git/notes.hpp)
using git::OidHash;

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

    /// Merge the notes commit `other` (named `other_name` in warnings, e.g. the remote-tracking notes
    /// ref) into the ref: each commit's note by merge_note_texts, a merge commit with both parents. A
    /// fast-forward when the ref is behind, unless taking `other`'s notes would drop or change a run we
    /// can read (a teammate's oversized, malformed or edited note): then a merge commit too, so no
    /// local run is ever lost. Returns the new tip, or nullopt when nothing changed. Compare-and-swap as
    /// edit().
    std::optional<git::Oid> merge_from(const git::Oid& other, const std::string& message,
                                       const std::string& other_name = "the other notes", int tries = 20);

  private:
    /// After the ref moved: rebuild the one-line summaries of refs/notes/mlci/log (log_notes.hpp).
    void refreshed();
    git::Repo& m_repo;
    std::string m_ref;
};

/// "note of commit 3f9a1c2" — how messages name a note.
std::string note_source(const git::Oid& commit);

/// The merge of one commit's note in `git gate sync` (DESIGN.md sections 5 and 8, issue 12): `ours` is
/// the local text, `theirs` the other side's (named `theirs_name` in warnings).
///  - both parse: merge_notes(ours, theirs) — their runs in their order, then ours they lack — unless
///    the union would pass the 1 MiB limit of a note (it could not be read back): then ours;
///  - only ours parses (theirs malformed, or over 1 MiB): ours, and a warning naming the commit;
///  - only theirs parses (ours holds no readable run): theirs; our text stays in the notes history;
///  - neither parses: ours.
/// A readable run of `ours` is never dropped or changed. Every choice but the first warns.
std::string merge_note_texts(const git::Oid& commit, const std::string& ours, const std::string& theirs,
                             const std::string& theirs_name = "the other notes");

/// Can our note be replaced by theirs (a fast-forward) without losing a run we can read? True when ours
/// does not parse, or theirs parses and holds every run of ours unchanged.
bool keeps_our_runs(const git::Oid& commit, const std::string& ours, const std::string& theirs);

/// "run ID of suite 'S' on 3f9a1c2 is dated …, in the future: …" for a run dated_in_future(); "" otherwise.
std::string future_warning(const Run& run, const git::Oid& commit, int64_t now);
/// warn() future_warning() for every run of a note so dated.
void warn_future_runs(const Note& note, const git::Oid& commit);

} // namespace mlci::eval
