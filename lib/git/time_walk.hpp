// The history `git gate log REV` walks, in exactly the order libgit2's revwalk gives it with
// GIT_SORT_TIME from one commit, read with one raw object read per commit. libgit2's walk parses each
// commit into a git_commit (signatures copied, parents as a growing array) and keeps it in the object
// cache, and `git gate log` then reads the commits that have a note once more for their date and
// summary; this walk reads each commit once and hands its raw text to the caller while it is at hand.
//
// It reproduces libgit2 1.5's algorithm step by step (revwalk.c: prepare_walk, limit_list,
// add_parents_to_list; commit_list.c: insert_by_date; pqueue.c: the binary heap that GIT_SORT_TIME pops
// from, ties included) for the case of one pushed commit and nothing hidden. Beside a commit-graph
// (generation 1, the one libgit2 1.5 reads) libgit2 takes times and parents from it; the times are the
// ones git computed, which equal the commits' own for one author line, a committer line with one '>',
// and times below 2^34 s. In a shallow clone the commits git lists in $GIT_DIR/shallow have no parents
// (libgit2 1.5 cannot walk such a history; this walk ends it where git does). It answers nullopt, and
// the caller walks with libgit2, whenever anything is outside the plain case: an object that cannot be
// read or is not a commit, a commit header that is not "tree, parents, authors, committer" in git's
// canonical form, more than 65535 parents, beside a commit-graph a commit whose graph time could
// differ from its own.
#pragma once

#include "git/odb.hpp"
#include "git/repo.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

struct git_revwalk;

namespace mlci::git {

struct WalkedCommit {
    Oid id;
    int64_t time = 0; // committer time, as libgit2 reads it
};

/// Called once per commit the walk reads, with its raw text (headers, blank line, message).
using WalkVisit = std::function<void(const Oid& commit, std::string_view raw)>;

/// Every commit reachable from `tip`, in libgit2's GIT_SORT_TIME order; nullopt outside the plain case.
/// `objects_dir` is the repository's object folder (where a commit-graph would be); `size_hint` the
/// number of commits expected (space reserved up front).
std::optional<std::vector<WalkedCommit>> walk_by_time(const Odb& odb, const std::string& objects_dir,
                                                      const Oid& tip, const WalkVisit& visit,
                                                      size_t size_hint);

/// libgit2's own walk in GIT_SORT_TIME order (git_revwalk): for ranges, and for what walk_by_time declines.
class TimeOrderWalk {
  public:
    explicit TimeOrderWalk(const Repo& repo); // throws Error (kind git) when it cannot start
    ~TimeOrderWalk();
    TimeOrderWalk(const TimeOrderWalk&) = delete;
    TimeOrderWalk& operator=(const TimeOrderWalk&) = delete;

    /// Walk the range A..B; false when libgit2 does not take it.
    bool push_range(const std::string& range);
    /// Walk from `commit`; throws Error (kind git) saying `what` when it cannot.
    void push(const Oid& commit, const std::string& what);
    /// The next commit; false at the end of the history, or where it cannot be walked further (a
    /// missing object, a shallow clone with a range): then check_complete() throws.
    bool next(Oid& out);
    /// Throws Error (kind git) saying `what`, with `hint`, when next() stopped before the end.
    void check_complete(const std::string& what, const std::string& hint) const;

  private:
    git_revwalk* m_walk = nullptr;
    int m_rc = 0; // of the last git_revwalk_next
};

/// The same walk through libgit2 (git_revwalk, GIT_SORT_TIME), for tests: REV or A..B.
std::vector<Oid> libgit2_walk(const Repo& repo, const std::string& range);
/// walk_by_time over a repository, for tests (nullopt outside the plain case).
std::optional<std::vector<Oid>> walk_by_time(const Repo& repo, const Oid& tip);

} // namespace mlci::git
