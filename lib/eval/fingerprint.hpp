// Fingerprints (DESIGN.md section 5): XXH3-128 over a suite's own [suite.X] table and the content of
// its inputs as committed in one commit — so a rebase or a docs-only commit keeps the fingerprint and
// its results can be reused instead of re-run.
#pragma once

#include "eval/gates.hpp"
#include "eval/notes.hpp"
#include "git/repo.hpp"

#include <optional>
#include <string>
#include <vector>

namespace mlci::eval {

/// Fingerprints of suites at one commit; the commit's file list is read once.
class Fingerprinter {
  public:
    Fingerprinter(const git::Repo& repo, const git::Oid& commit);
    /// "xxh128:…" over the suite's canonical table, then, for every file of the commit's tree matching
    /// one of its input globs (sorted by path), the path, mode and git blob id (the content's hash).
    std::string of(const SuiteDef& suite) const;
    /// The paths an input list matches (sorted).
    std::vector<std::string> matching(const SuiteDef& suite) const;

  private:
    std::vector<git::TreeFile> m_files;
};

/// Work-tree paths (modified, added, deleted or untracked) that match a suite's inputs: running the
/// suite there would not measure HEAD.
std::vector<std::string> dirty_inputs(const git::Repo& repo, const SuiteDef& suite);

/// A recorded `ok` run of `suite` with this fingerprint, with its commit: the latest such run in the note
/// of the newest commit (by commit time) whose own inputs give that fingerprint. Notes hung on anything
/// but a commit of this repository, and notes whose fingerprint the commit's inputs do not give, are
/// never a source (issue 12: a forged note must not be reused for real commits).
struct Found {
    git::Oid commit;
    Run run;
};
std::optional<Found> find_by_fingerprint(const NotesStore& store, const NoteIndex& index,
                                         const SuiteDef& suite, const std::string& fingerprint);

/// The copy recorded when a result is reused: new id and time, `reused_from` = the original.
Run reused_copy(const Found& found, int64_t now, const std::string& by);

} // namespace mlci::eval
